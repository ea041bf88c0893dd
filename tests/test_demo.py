"""The demo program holds a record of every kind the SkyPrep actions read: every read action
answers real, non-empty data on it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from syllabus.cli.demo import ensure_demo_program
from syllabus.core.context import Context, Surface
from syllabus.core.credentials import CredentialKind
from syllabus.db.session import unit_of_work
from syllabus.dialects.skyprep.actions import ACTIONS
from syllabus.dialects.skyprep.program import DATA_TYPES
from syllabus.domain.access import CourseOtp, LoginKey
from syllabus.domain.catalog import CatalogEntry
from syllabus.domain.courses import Course
from syllabus.domain.enrollments import Enrollment
from syllabus.domain.groups import GroupManager
from syllabus.domain.ilt import IltRegistration, InstructorLedTraining
from syllabus.domain.learning_paths import LearningPath
from syllabus.domain.materials import Material
from syllabus.domain.progress import CourseProgress, ItemProgress
from syllabus.domain.rewards import Competency, PointBalance, Skill, SkillBalance
from syllabus.services.credentials import issue_credential

ACCT_KEY = "demo.example"
REPORT_ACTIONS = {"get_report", "get_async_report", "get_saved_advanced_report"}


@pytest.fixture
def demo(client: TestClient) -> dict[str, Any]:
    """The demo program, an API key for it, and ids the id-taking actions need."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    data_dir = client.app.state.settings.data_dir  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=None) as session:
        summary = ensure_demo_program(session, ACCT_KEY, data_dir=data_dir)
        ctx = Context(summary.tenant_id, "test", Surface.CLI)
        api_key = issue_credential(session, ctx, kind=CredentialKind.API_KEY).secret
    with unit_of_work(factory, tenant_id=summary.tenant_id, read_only=True) as session:
        manager = session.scalars(select(GroupManager).order_by(GroupManager.id)).first()
        learner = session.scalar(select(Enrollment.user_id).order_by(Enrollment.id))
        course = session.scalar(select(Course.id).order_by(Course.id))
        path = session.scalar(select(LearningPath.id).order_by(LearningPath.id))
        item = session.scalars(select(ItemProgress).order_by(ItemProgress.id)).first()
        assert item is not None
        progress_course = session.scalar(
            select(CourseProgress.course_id).where(CourseProgress.id == item.course_progress_id)
        )
        registration = session.scalars(select(IltRegistration).order_by(IltRegistration.id)).first()
        training = session.scalar(
            select(InstructorLedTraining.id).order_by(InstructorLedTraining.id)
        )
        pointed = session.scalar(select(PointBalance.user_id).order_by(PointBalance.user_id))
        skilled = session.scalar(select(SkillBalance.user_id).order_by(SkillBalance.user_id))
        skill = session.scalar(select(Skill.id).order_by(Skill.id))
        competency = session.scalar(select(Competency.id).order_by(Competency.id))
        counts = {
            model.__name__: len(session.scalars(select(model.id)).all())
            for model in (Material, CatalogEntry, LoginKey, CourseOtp, GroupManager)
        }
    assert manager is not None
    assert registration is not None
    assert all(counts.values()), counts
    return {
        "api_key": api_key,
        "params": {
            "get_course": {"course_id": course},
            "get_learning_path": {"learning_path_id": path},
            "get_user": {"user_id": learner},
            "get_user_courses": {"user_id": learner},
            "get_user_group": {"user_group_id": manager.group_id},
            "get_user_group_enrollments_for_user": {"user_id": learner},
            "get_course_progress": {"course_progress_id": item.course_progress_id},
            "get_course_item_progress": {
                "course_progress_id": item.course_progress_id,
                "course_item_id": item.course_item_id,
            },
            "get_user_course_status": {"user_id": item.user_id, "course_id": progress_course},
            "get_instructor_led_training": {"instructor_led_training_id": training},
            "get_instructor_led_training_timeslot": {
                "instructor_led_training_timeslot_id": registration.timeslot_id
            },
            "get_instructor_led_training_timeslot_registrations": {
                "instructor_led_training_timeslot_id": registration.timeslot_id
            },
            "get_user_gamification_balance": {"user_id": pointed},
            "get_user_skill_balances_and_competencies": {"user_id": skilled},
            "get_skill": {"skill_id": skill},
            "get_competency": {"competency_id": competency},
            "get_manager_permissions_from_user_group": {
                "user_group_id": manager.group_id,
                "user_id": manager.user_id,
            },
        },
    }


def call(client: TestClient, demo: dict[str, Any], action: str, **params: Any) -> Any:
    body = {"api_key": demo["api_key"], "acct_key": ACCT_KEY, **params}
    response = client.post(f"/admin/api/{action}", json=body)
    assert response.status_code == 200, (action, response.text)
    return response.json()


def test_every_read_action_answers_real_data_on_the_demo_program(
    client: TestClient, demo: dict[str, Any]
) -> None:
    read_actions = sorted(name for name, spec in ACTIONS.items() if spec.read_only)
    assert "get_materials" in read_actions
    for name in read_actions:
        if name in REPORT_ACTIONS:
            continue  # files and runs: tests/test_demo_reports.py
        if name == "get_data":
            for data_type in DATA_TYPES:
                assert call(client, demo, name, data_type=data_type)["data"] > 0, data_type
            continue
        answer = call(client, demo, name, **demo["params"].get(name, {}))
        assert answer, name  # a non-empty list or object
        if isinstance(answer, list):
            assert all(item for item in answer), name


def test_the_demo_materials_download(client: TestClient, demo: dict[str, Any]) -> None:
    materials = call(client, demo, "get_materials")
    assert [m["name"] for m in materials] == [
        "Welcome Guide.pdf",
        "Safety Checklist.pdf",
        "Escalation Playbook.txt",
    ]
    assert materials[0]["page_count"] == 12
    for material in materials:
        response = client.get(material["download_url"])
        assert response.status_code == 200
        assert response.content
