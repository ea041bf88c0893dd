"""Creating a group with its members and courses in one step, all or nothing."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import NotFound
from syllabus.core.lookups import chunks, possible_ids
from syllabus.core.validation import clean_ids, clean_text, normalize_email
from syllabus.domain.courses import Course
from syllabus.domain.groups import Group
from syllabus.domain.users import User
from syllabus.services.groups import (
    GroupData,
    add_courses_to_group,
    add_users_to_group,
    create_group,
)


def _missing_ids(
    session: Session, ctx: Context, model: type[User | Course], ids: list[int]
) -> list[int]:
    found: set[int] = set()
    for part in chunks(possible_ids(ids)):
        found.update(
            session.scalars(
                select(model.id).where(model.tenant_id == ctx.tenant_id, model.id.in_(part))
            )
        )
    return [i for i in ids if i not in found]


def user_ids_by_email(
    session: Session, ctx: Context, emails: Sequence[str], *, field: str = "user_emails"
) -> tuple[list[int], list[str]]:
    """The ids of the users with these emails (any case), and the emails nobody has."""
    wanted: dict[str, str] = {}
    for email in emails:
        text = clean_text(email, field, max_length=320) or ""
        if text.strip():
            wanted.setdefault(normalize_email(text), text.strip())
    found: dict[str, int] = {}
    for part in chunks(list(wanted)):
        rows = session.execute(
            select(User.email_normalized, User.id).where(
                User.tenant_id == ctx.tenant_id, User.email_normalized.in_(part)
            )
        )
        found.update((email, user_id) for email, user_id in rows)
    ids = [found[key] for key in wanted if key in found]
    return ids, [shown for key, shown in wanted.items() if key not in found]


def create_group_with_members(
    session: Session,
    ctx: Context,
    *,
    data: GroupData,
    user_ids: Sequence[int] = (),
    user_emails: Sequence[str] = (),
    course_ids: Sequence[int] = (),
) -> Group:
    """Create the group, add the users (by id or email) and give it the courses.

    Every id and email is checked before anything is written: if any is unknown, nothing is
    created and the error names every unknown one.
    """
    users = clean_ids(list(user_ids), "user_ids")
    courses = clean_ids(list(course_ids), "course_ids")
    by_email, unknown_emails = user_ids_by_email(session, ctx, user_emails)
    unknown_users = _missing_ids(session, ctx, User, users)
    unknown_courses = _missing_ids(session, ctx, Course, courses)
    if unknown_users or unknown_emails or unknown_courses:
        _raise_unknown(unknown_users, unknown_emails, unknown_courses)
    group = create_group(session, ctx, data=data)
    members = list(dict.fromkeys([*users, *by_email]))
    if members:
        add_users_to_group(session, ctx, group_id=group.id, user_ids=members)
    if courses:
        add_courses_to_group(session, ctx, group_id=group.id, course_ids=courses)
    return group


def _raise_unknown(users: list[int], emails: list[str], courses: list[int]) -> None:
    if not courses:
        field = "user_ids" if users else "user_emails"
        raise NotFound("user", [*users, *emails], field=field)
    if not users and not emails:
        raise NotFound("course", courses, field="course_ids")
    field = "user_ids" if users else "user_emails"
    labelled = [f"user {u}" for u in [*users, *emails]] + [f"course {c}" for c in courses]
    raise NotFound("user or course", labelled, field=field)
