"""Test data built through the services, the same write path the dialects use.

Every helper takes the session and a ``Context`` (from ``make_tenant``) and returns the row the
service returned. Names and emails are unique per call, so tests never collide with each other
or with data another test left in the same (rolled-back) transaction.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.context import Context, Surface
from syllabus.db.session import TENANT_KEY
from syllabus.domain.courses import Course, CourseItem
from syllabus.domain.events import Event
from syllabus.domain.groups import Group
from syllabus.domain.ilt import IltTimeslot, InstructorLedTraining
from syllabus.domain.learning_paths import LearningPath
from syllabus.domain.tenants import Tenant
from syllabus.domain.users import User
from syllabus.services.course_items import CourseItemData, add_course_item
from syllabus.services.courses import CourseData, create_course
from syllabus.services.groups import GroupData, create_group
from syllabus.services.ilt import TimeslotData, TrainingData, create_timeslot, create_training
from syllabus.services.learning_paths import LearningPathData, create_learning_path
from syllabus.services.tenants import NewTenant, create_tenant
from syllabus.services.users import UserData, create_user

ACTOR = "key:1"
SURFACE = Surface.SKYPREP

_sequence = itertools.count(1)


def unique(prefix: str = "x") -> str:
    """A short token unique within this test process."""
    return f"{prefix}{next(_sequence)}"


def make_tenant(
    session: Session,
    acct_key: str | None = None,
    *,
    actor: str = ACTOR,
    surface: Surface = SURFACE,
) -> tuple[Tenant, Context]:
    """A new program and a context acting for it. The session's tenant scope is left alone."""
    key = acct_key or f"{unique('prog')}.example.test"
    tenant = create_tenant(session, data=NewTenant(acct_key=key), actor=actor, surface=surface)
    return tenant, Context(tenant_id=tenant.id, actor=actor, surface=surface)


def scope(session: Session, ctx: Context) -> None:
    """Scope the session to ctx's tenant, as the unit of work does for a request."""
    session.info[TENANT_KEY] = ctx.tenant_id


def make_user(session: Session, ctx: Context, data: UserData | None = None, **fields: Any) -> User:
    """A user with a unique email, unless ``data`` or ``email=`` gives one."""
    base = data or UserData()
    if "email" not in fields and base.email is UserData().email:
        fields["email"] = f"{unique('user')}@example.com"
    return create_user(session, ctx, data=replace(base, **fields))


def make_users(session: Session, ctx: Context, count: int) -> list[User]:
    return [make_user(session, ctx) for _ in range(count)]


def make_group(
    session: Session,
    ctx: Context,
    name: str | None = None,
    *,
    parent: Group | None = None,
    **fields: Any,
) -> Group:
    if parent is not None:
        fields["parent_id"] = parent.id
    data = GroupData(name=name or unique("Group "), **fields)
    return create_group(session, ctx, data=data)


def make_course(
    session: Session, ctx: Context, name: str | None = None, *, publish: bool = True, **fields: Any
) -> Course:
    return create_course(
        session, ctx, data=CourseData(name=name or unique("Course "), **fields), publish=publish
    )


def make_item(
    session: Session, ctx: Context, course: Course, name: str | None = None, **fields: Any
) -> CourseItem:
    data = CourseItemData(
        item_type=fields.pop("item_type", "Article"), name=name or unique("Item ")
    )
    return add_course_item(session, ctx, course_id=course.id, data=replace(data, **fields))


def make_learning_path(
    session: Session,
    ctx: Context,
    courses: Sequence[Course] = (),
    name: str | None = None,
    **fields: Any,
) -> LearningPath:
    fields.setdefault("course_ids", [c.id for c in courses])
    data = LearningPathData(name=name or unique("Path "), **fields)
    return create_learning_path(session, ctx, data=data)


def events(session: Session, ctx: Context, event_type: str | None = None) -> list[Event]:
    """The tenant's outbox rows in the order they were recorded, optionally of one type."""
    query = select(Event).where(Event.tenant_id == ctx.tenant_id)
    if event_type is not None:
        query = query.where(Event.type == event_type)
    return list(session.scalars(query.order_by(Event.id)))


def event_data(session: Session, ctx: Context, event_type: str) -> list[dict[str, Any]]:
    return [e.data for e in events(session, ctx, event_type)]


def last_event_id(session: Session) -> int:
    """The highest outbox sequence number so far; 0 for none."""
    return session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) or 0


def events_since(session: Session, ctx: Context, after: int) -> list[Event]:
    query = (
        select(Event).where(Event.tenant_id == ctx.tenant_id, Event.id > after).order_by(Event.id)
    )
    return list(session.scalars(query))


def make_training(session: Session, ctx: Context, **fields: Any) -> InstructorLedTraining:
    fields.setdefault("name", unique("Training "))
    return create_training(session, ctx, data=TrainingData(**fields))


def make_timeslot(
    session: Session, ctx: Context, training_id: int | None = None, **fields: Any
) -> IltTimeslot:
    if training_id is None:
        training_id = make_training(session, ctx).id
    return create_timeslot(session, ctx, training_id=training_id, data=TimeslotData(**fields))
