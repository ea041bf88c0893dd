"""SkyPrep enrollment actions: enroll_user_in_course, remove_user_from_course,
enroll_user_in_courses, add_course_to_user_group, get_user_courses, mass_enroll.

SkyPrep enrollment in a course is enrollment in the course's publication on the program's first
domain; the enrollments service does that. Bulk actions are all or nothing: the services check
every id before writing, and the unit of work rolls back whatever an error interrupts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from sqlalchemy.orm import Session

from syllabus.core.errors import DomainError, Invalid
from syllabus.core.fields import is_set
from syllabus.dialects.skyprep.actions import Call, action
from syllabus.dialects.skyprep.courses import course_id, render_courses
from syllabus.dialects.skyprep.params import Params
from syllabus.dialects.skyprep.render import Named
from syllabus.dialects.skyprep.users import find_user
from syllabus.queries import access
from syllabus.queries import courses as course_queries
from syllabus.services import enrollments as enrollment_service
from syllabus.services import groups as group_service
from syllabus.services.mass_enrollment import mass_enroll as mass_enroll_service

SUCCESS = {"message": "success"}


@contextmanager
def wire_fields(names: Mapping[str, str]) -> Iterator[None]:
    """Errors name the parameter the caller sent (``user_group_ids``), not the service's."""
    try:
        yield
    except DomainError as error:
        if error.field is not None and error.field in names:
            error.field = names[error.field]
        raise


# --- Actions --------------------------------------------------------------------------------


@action("enroll_user_in_course")
def enroll_user_in_course(session: Session, call: Call) -> dict[str, str]:
    """Enrolls the user (by ``user_id`` or ``user_email``); enrolling twice changes nothing."""
    p = Params(call.params)
    course = course_id(p)
    user = find_user(session, call, p).id
    with wire_fields({"course_ids": "course_id", "user_ids": "user_id"}):
        enrollment_service.enroll_users_in_courses(
            session, call.ctx, user_ids=[user], course_ids=[course]
        )
    return SUCCESS


@action("remove_user_from_course")
def remove_user_from_course(session: Session, call: Call) -> dict[str, str]:
    """Removes the direct enrollment; access through a group or a learning path stays."""
    p = Params(call.params)
    course = course_id(p)
    user = find_user(session, call, p).id
    with wire_fields({"course_ids": "course_id", "user_ids": "user_id"}):
        enrollment_service.unenroll_users_from_courses(
            session, call.ctx, user_ids=[user], course_ids=[course]
        )
    return SUCCESS


@action("enroll_user_in_courses")
def enroll_user_in_courses(session: Session, call: Call) -> dict[str, str]:
    """All the courses or none: an unknown course id fails the call, naming every one."""
    p = Params(call.params)
    courses = p.required_ids("course_ids")
    user = find_user(session, call, p).id
    with wire_fields({"user_ids": "user_id"}):
        enrollment_service.enroll_users_in_courses(
            session, call.ctx, user_ids=[user], course_ids=courses
        )
    return SUCCESS


@action("add_course_to_user_group")
def add_course_to_user_group(session: Session, call: Call) -> dict[str, str]:
    """Every member of the group, present and future, gets the course."""
    p = Params(call.params)
    group = p.required_id("user_group_id")
    course = course_id(p)
    with wire_fields({"group_id": "user_group_id", "course_ids": "course_id"}):
        group_service.add_courses_to_group(session, call.ctx, group_id=group, course_ids=[course])
    return SUCCESS


@action("get_user_courses", read_only=True)
def get_user_courses(session: Session, call: Call) -> Named:
    """The courses the user can access, directly, through groups or learning paths; each once."""
    p = Params(call.params)
    user = find_user(session, call, p).id
    ids = access.accessible_course_ids(session, call.ctx, user)
    details = course_queries.get_courses(session, call.ctx, sorted(ids))
    return Named("courses", render_courses(details, call))


@action("mass_enroll")
def mass_enroll(session: Session, call: Call) -> dict[str, str]:
    """Users (``user_emails`` and/or ``user_ids``) into courses, user groups and course bundles
    (learning paths). All or nothing: any unknown email or id fails the call, naming every
    unknown one of its kind."""
    p = Params(call.params)
    emails = p.strings("user_emails")
    user_ids = p.ids("user_ids")
    emails = emails if is_set(emails) else []
    user_ids = user_ids if is_set(user_ids) else []
    if not emails and not user_ids:
        raise Invalid("user_emails", "user_emails (or user_ids) is required")
    targets: dict[str, list[int]] = {}
    for name in ("course_ids", "user_group_ids", "course_bundle_ids", "learning_path_ids"):
        ids = p.ids(name)
        targets[name] = ids if is_set(ids) else []
    with wire_fields({"group_ids": "user_group_ids", "learning_path_ids": "course_bundle_ids"}):
        mass_enroll_service(
            session,
            call.ctx,
            user_ids=user_ids,
            user_emails=emails,
            course_ids=targets["course_ids"],
            group_ids=targets["user_group_ids"],
            # learning_path_ids: the name the learning path actions use for the same thing
            learning_path_ids=targets["course_bundle_ids"] + targets["learning_path_ids"],
        )
    return SUCCESS
