"""Sample responses of the SkyPrep group, learning path and manager actions (from
skyprep-admin-api.txt), and helpers their tests share. Values are the spec's illustrations."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from syllabus.core.context import Context, Surface
from syllabus.db.session import unit_of_work
from syllabus.services.courses import CourseData, create_course
from tests.dialects.skyprep.spec_samples import USER
from tests.http_client import Program

GROUP: dict[str, Any] = {
    "id": 301,
    "name": "Sales Team",
    "full_name": "Sales Team",
    "user_group_id": None,
    "created_at": "2026-04-01T09:00:00.000-04:00",
    "updated_at": "2026-05-01T09:00:00.000-04:00",
    "description": "Learners in the sales department.",
    "user_group_type": "user",
    "category": "Department",
    "force_order": False,
}
"""get_user_groups' items; create_user_group and get_user_group_enrollments_for_user too."""

GROUP_DETAIL_KEYS = (*GROUP, "users", "courses", "learning_paths")
"""get_user_group: the group, its users, its courses, and a learning path (an object)."""

LEARNING_PATH: dict[str, Any] = {**GROUP, "user_group_type": "learning_path", "force_order": True}
LEARNING_PATH_DETAIL_KEYS = (*LEARNING_PATH, "users", "courses")

MANAGER: dict[str, Any] = {
    "id": 1601,
    "user": USER,
    "can_add_users": True,
    "can_receive_notifications": True,
    "can_edit_course_progress": True,
    "can_remove_users": False,
    "can_add_existing_users": True,
    "user_group": GROUP,
    "can_manage_all_group_users_courses": True,
    "can_add_courses_to_user_group": True,
    "can_remove_courses_from_user_group": False,
    "can_edit_user_password": False,
}
"""get_manager_permissions_from_user_group, assign_manager_to_user_group and
update_manager_permissions_in_user_group."""

SUCCESS = {"message": "success"}


def assert_shape(value: dict[str, Any], sample: dict[str, Any], *, nullable: set[str]) -> None:
    """The sample's keys in its order, each with the sample's JSON type (or null if allowed)."""
    assert list(value) == list(sample)
    for key, example in sample.items():
        if value[key] is None:
            assert example is None or key in nullable, key
        elif example is not None:
            assert type(value[key]) is type(example), (key, value[key])


def new_course(client: TestClient, program: Program, name: str) -> int:
    """A course made through the courses service (the courses actions are tested elsewhere)."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=program.tenant_id) as session:
        ctx = Context(program.tenant_id, "test", Surface.CLI)
        return create_course(session, ctx, data=CourseData(name=name)).id
