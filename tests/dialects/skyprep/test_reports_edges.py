"""SkyPrep reports at the edges: a constant number of statements whatever the size, a failed
async run, exams without a content id, saved reports as XLSX, and random input never a 500."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.db.session import unit_of_work
from syllabus.delivery.worker import Worker, wait_idle
from syllabus.domain.jobs import Job
from syllabus.services.enrollments import enroll_users_in_courses
from syllabus.services.item_progress import course_progress_for, set_item_progress
from tests.dialects.skyprep.test_courses import arrange
from tests.dialects.skyprep.test_reports import (
    EXAM_ID,
    World,
    csv_rows,
    other,
    poll,
    program,
    report,
    save,
    world,
    xlsx_rows,
)
from tests.dialects.skyprep.test_users import VALUES, api, ok, parse_xml
from tests.factories import make_course, make_item, make_users
from tests.http_client import Program
from tests.hypothesis_profiles import examples
from tests.statements import statements_during

__all__ = ["other", "program", "world"]  # fixtures


def test_a_report_is_a_constant_number_of_statements(
    client: TestClient, program: Program, world: World
) -> None:
    def run() -> None:
        assert csv_rows(report(client, program, "single_course", course_id=world.orientation))

    run()  # the key is looked up once, then cached
    engine = client.app.state.engine  # type: ignore[attr-defined]
    before = len(statements_during(engine, run))

    def grow(session: Session, ctx: Context) -> None:
        users = make_users(session, ctx, 40)
        enroll_users_in_courses(
            session, ctx, user_ids=[u.id for u in users], course_ids=[world.orientation]
        )

    arrange(client, program, grow)
    run()  # the key and policy caches again: their few seconds may pass while arranging
    after = len(statements_during(engine, run))
    assert after == before
    assert (
        len(csv_rows(report(client, program, "single_course", course_id=world.orientation))) == 42
    )


def test_a_run_that_cannot_write_its_file_ends_failed(
    client: TestClient, program: Program, world: World, tmp_path: Path
) -> None:
    answer = ok(api(client, program, "generate_async_report", report_type="all_users"))
    run_id = int(answer["status_url"].rsplit("=", 1)[1])
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=None) as session:
        job = session.scalars(select(Job).where(Job.id == run_id)).one()
        payload = {**job.payload, "data_dir": str(blocker)}
        session.execute(update(Job).where(Job.id == run_id).values(payload=payload, max_attempts=1))
    wait_idle(Worker(factory))
    status = poll(client, program, answer["status_url"])
    assert status["status"] == "failed"
    assert status["error"]
    assert "download_url" not in status


def test_an_exam_without_a_content_id_is_named_by_its_item_id(
    client: TestClient, program: Program, world: World
) -> None:
    def build(session: Session, ctx: Context) -> int:
        course = make_course(session, ctx, "Forklift Safety")
        exam = make_item(session, ctx, course, "Forklift Test", item_type="Exam")
        enroll_users_in_courses(session, ctx, user_ids=[world.cat], course_ids=[course.id])
        progress = course_progress_for(session, ctx, user_id=world.cat, course_id=course.id)
        set_item_progress(
            session, ctx, progress_id=progress.id, item_id=exam.id, status="failed", score=40
        )
        return exam.id

    exam_id = arrange(client, program, build)
    rows = csv_rows(report(client, program, "single_exam", exam_id=exam_id))
    assert [(r["user_email"], r["exam_id"], r["status"], r["score"]) for r in rows] == [
        ("cat@example.com", str(exam_id), "failed", "40")
    ]
    assert len(csv_rows(report(client, program, "single_exam", exam_id=EXAM_ID))) == 1


def test_a_saved_report_as_xlsx(client: TestClient, program: Program, world: World) -> None:
    report_id = save(
        client, program, name="Times", columns=["user_email", "status", "completed_at"]
    )
    response = api(
        client,
        program,
        "get_saved_advanced_report",
        saved_advanced_report_id=report_id,
        format="xlsx",
    )
    rows = xlsx_rows(response)
    assert [(r["Email"], r["Status"]) for r in rows] == [
        ("ann@example.com", "passed"),
        ("bob@example.com", "in-progress"),
        ("ann@example.com", "not-started"),
    ]
    assert rows[0]["Completed At"] is not None
    as_xml = api(
        client,
        program,
        "get_saved_advanced_report",
        saved_advanced_report_id=report_id,
        format="xml",
    )
    assert as_xml.status_code == 200
    parse_xml(as_xml.content)


FUZZ: dict[str, tuple[str, ...]] = {
    "get_report": ("report_type", "user_id", "course_id", "group_id", "exam_id", "format"),
    "generate_async_report": ("report_type", "user_id", "format"),
    "get_async_report": ("process_queue_item_id",),
    "get_saved_advanced_report": ("saved_advanced_report_id", "format"),
}


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_values_are_answered_never_a_500(
    client: TestClient, program: Program, data: st.DataObject
) -> None:
    action = data.draw(st.sampled_from(sorted(FUZZ)))
    field = data.draw(st.sampled_from(FUZZ[action]))
    params: dict[str, Any] = {
        "report_type": data.draw(st.sampled_from(["all_users", "single_user", "single_exam"])),
        "user_id": 1,
        "exam_id": 1,
        "saved_advanced_report_id": 1,
        "process_queue_item_id": 1,
        field: data.draw(VALUES),
    }
    response = api(client, program, action, **params)
    assert response.status_code in (200, 400, 404), response.text
    if "xml" in response.headers["content-type"]:
        parse_xml(response.content)
    elif response.status_code != 200:
        assert isinstance(response.json()["field"], str), response.text
