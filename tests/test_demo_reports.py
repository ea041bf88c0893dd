"""The demo program's reports: every report type has rows, the saved reports run, and an
async run finishes."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from syllabus.db.session import unit_of_work
from syllabus.delivery.worker import Worker, wait_idle
from syllabus.domain.courses import CourseItem, ItemType
from syllabus.domain.groups import GroupCourse, GroupMembership
from syllabus.domain.progress import ItemProgress
from syllabus.queries.reports import REPORT_TYPES
from tests.test_demo import ACCT_KEY, call, demo

__all__ = ["demo"]  # fixtures


def _ids(client: TestClient, demo: dict[str, Any]) -> dict[str, int]:
    """Ids on which every report type has rows: a member of a group with courses, an exam
    someone took."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        taken = session.execute(
            select(
                func.coalesce(CourseItem.content_id, CourseItem.id).label("content_id"),
                CourseItem.course_id,
                ItemProgress.user_id,
            )
            .join(ItemProgress, ItemProgress.course_item_id == CourseItem.id)
            .where(CourseItem.item_type == ItemType.EXAM)
            .order_by(ItemProgress.id)
        ).first()
        assert taken is not None
        member = session.execute(
            select(GroupMembership.group_id, GroupMembership.user_id)
            .join(GroupCourse, GroupCourse.group_id == GroupMembership.group_id)
            .order_by(GroupMembership.id)
        ).first()
        assert member is not None
    return {
        "exam_id": int(taken.content_id),
        "course_id": int(taken.course_id),
        "user_id": int(taken.user_id),
        "group_id": int(member.group_id),
        "member_id": int(member.user_id),
    }


def test_every_report_type_has_rows_on_the_demo(client: TestClient, demo: dict[str, Any]) -> None:
    ids = _ids(client, demo)
    for name, kind in REPORT_TYPES.items():
        params = {field: ids[field] for field in kind.required}
        if name == "single_user_single_group":
            params["user_id"] = ids["member_id"]
        body = {"api_key": demo["api_key"], "acct_key": ACCT_KEY, "report_type": name, **params}
        response = client.post("/admin/api/get_report", json=body)
        assert response.status_code == 200, (name, response.text)
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert rows, name


def test_the_demo_saved_reports_run(client: TestClient, demo: dict[str, Any]) -> None:
    listed = call(client, demo, "get_saved_advanced_reports")
    assert "All Course Progresses Report" in [r["name"] for r in listed]
    for saved in listed:
        one = call(client, demo, "get_saved_advanced_report", saved_advanced_report_id=saved["id"])
        assert one["columns"]
        assert one["rows"], saved["name"]


def test_an_async_report_on_the_demo_finishes(client: TestClient, demo: dict[str, Any]) -> None:
    status_url = call(client, demo, "generate_async_report", report_type="all_courses")[
        "status_url"
    ]
    wait_idle(Worker(client.app.state.session_factory))  # type: ignore[attr-defined]
    run_id = status_url.rsplit("=", 1)[1]
    status = call(client, demo, "get_async_report", process_queue_item_id=run_id)
    assert status["status"] == "done"
    assert client.get(status["download_url"].removeprefix("http://testserver")).status_code == 200
