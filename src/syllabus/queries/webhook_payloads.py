"""Webhook bodies in Skilljar's shape (``event_type``, ``timestamp``, ``user``, ``course``,
``domain``, ...), built from an outbox event and the rows it names.

Built once, when the event is fanned out, and stored with each delivery: a retry, re-send
or replay weeks later sends the same bytes' content the first attempt carried.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.domain.courses import Course, PublishedCourse
from syllabus.domain.events import Event
from syllabus.domain.groups import Group
from syllabus.domain.learning_paths import LearningPath
from syllabus.domain.tenants import Domain
from syllabus.domain.users import User
from syllabus.domain.webhooks import WEBHOOK_TYPE_OF_EVENT, WebhookEventType

RenderId = Callable[[str, int], str]
"""``(kind, row id) -> public id``: the Skilljar dialect's codec, handed in by whoever wires
the worker or the route (this layer may not import a dialect)."""


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _get(session: Session, model: type[Any], tenant_id: int, row_id: object) -> Any:
    if not isinstance(row_id, int):
        return None
    row = session.get(model, row_id)
    return row if row is not None and row.tenant_id == tenant_id else None


def _user(
    session: Session, ids: RenderId, tenant_id: int, data: dict[str, Any]
) -> dict[str, Any] | None:
    user = _get(session, User, tenant_id, data.get("user_id"))
    if user is None:
        if "user_id" not in data:
            return None
        return {
            "id": ids("user", data["user_id"]),
            "email": data.get("email", ""),
            "first_name": "",
            "last_name": "",
        }
    return {
        "id": ids("user", user.id),
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
    }


def _domain(session: Session, tenant_id: int, data: dict[str, Any]) -> dict[str, Any] | None:
    domain = _get(session, Domain, tenant_id, data.get("domain_id"))
    if domain is None:
        domain = session.scalar(
            select(Domain)
            .where(Domain.tenant_id == tenant_id)
            .order_by(Domain.position, Domain.id)
            .limit(1)
        )
    return None if domain is None else {"name": domain.name}


def payload_for(session: Session, event: Event, ids: RenderId) -> dict[str, Any] | None:
    """The body for ``event``, or None when webhooks do not carry its type."""
    webhook_type = WEBHOOK_TYPE_OF_EVENT.get(event.type)
    if webhook_type is None:
        return None
    data = event.data
    tenant = event.tenant_id
    body: dict[str, Any] = {
        "event_type": webhook_type.value,
        "type": webhook_type.value,
        "event_id": event.event_id,
        "timestamp": iso(event.occurred_at),
        "user": _user(session, ids, tenant, data),
        "domain": _domain(session, tenant, data),
    }
    course = _get(session, Course, tenant, data.get("course_id"))
    if course is not None:
        body["course"] = {"id": ids("course", course.id), "title": course.name}
    published = _get(session, PublishedCourse, tenant, data.get("published_course_id"))
    if published is not None:
        body["published_course"] = {"id": ids("published_course", published.id)}
    if "enrollment_id" in data:
        body["enrollment"] = {"id": ids("enrollment", int(data["enrollment_id"]))}
    path = _get(session, LearningPath, tenant, data.get("learning_path_id"))
    if path is not None:
        body["path"] = {"id": ids("path", path.id), "title": path.name}
    group = _get(session, Group, tenant, data.get("group_id"))
    if group is not None:
        body["group"] = {"id": ids("group", group.id), "name": group.name}
    if "changed" in data:
        body["changed"] = data["changed"]
    return body


def ping_payload(now: datetime) -> dict[str, Any]:
    return {"event_type": "PING", "type": "PING", "timestamp": iso(now)}


SAMPLE_SOURCES: dict[WebhookEventType, str] = {
    t: name for name, t in WEBHOOK_TYPE_OF_EVENT.items() if t != WebhookEventType.USER_DELETED
}


def sample_payload(
    session: Session, tenant_id: int, webhook_type: WebhookEventType, now: datetime, ids: RenderId
) -> dict[str, Any]:
    """The program's most recent event of that type, else one made from its own data."""
    source = SAMPLE_SOURCES.get(webhook_type)
    if source is not None:
        event = session.scalar(
            select(Event)
            .where(Event.tenant_id == tenant_id, Event.type == source)
            .order_by(Event.id.desc())
            .limit(1)
        )
        if event is not None:
            body = payload_for(session, event, ids)
            if body is not None:
                return body
    user = session.scalar(select(User).where(User.tenant_id == tenant_id).limit(1))
    course = session.scalar(select(Course).where(Course.tenant_id == tenant_id).limit(1))
    data: dict[str, Any] = {}
    if user is not None:
        data["user_id"] = user.id
    if course is not None:
        data["course_id"] = course.id
    return {
        "event_type": webhook_type.value,
        "type": webhook_type.value,
        "event_id": None,
        "timestamp": iso(now),
        "user": _user(session, ids, tenant_id, data)
        or {
            "id": ids("user", 1),
            "email": "learner@example.com",
            "first_name": "Sample",
            "last_name": "Learner",
        },
        "domain": _domain(session, tenant_id, data),
        "course": {"id": ids("course", course.id), "title": course.name}
        if course is not None
        else {"id": ids("course", 1), "title": "Sample course"},
    }
