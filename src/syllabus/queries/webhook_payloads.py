"""Webhook bodies in Skilljar's shape (``event_type``, ``timestamp``, ``user``, ``course``,
``domain``, ...), built from an outbox event and the rows it names.

Built once, when the event is fanned out, and stored with each delivery: a retry, re-send
or replay weeks later sends the same bytes' content the first attempt carried. The rows a
batch of events names are read with one query per kind (``PayloadSources.load``), whatever
the number of events; rendering one event then touches no database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
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

MAX_ROW_ID = 2**63 - 1
"""Ids beyond a BIGINT would make PostgreSQL fail the whole batch's query: never asked for."""


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _row_id(value: object) -> int | None:
    """An event's reference to a row, when it is a usable id (events are data: be wary)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ROW_ID:
        return value
    return None


_NAMED: dict[str, tuple[type[Any], str]] = {
    "user_id": (User, "users"),
    "course_id": (Course, "courses"),
    "published_course_id": (PublishedCourse, "published"),
    "learning_path_id": (LearningPath, "paths"),
    "group_id": (Group, "groups"),
    "domain_id": (Domain, "domains"),
}
_COLUMNS: dict[str, tuple[str, ...]] = {
    "users": ("email", "first_name", "last_name"),
    "courses": ("name",),
    "published": (),
    "paths": ("name",),
    "groups": ("name",),
    "domains": ("name",),
}


@dataclass
class PayloadSources:
    """The rows a batch of events names, keyed by (tenant, id): a row of another program
    is never found, as if it did not exist."""

    rows: dict[str, dict[tuple[int, int], tuple[Any, ...]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    first_domain: dict[int, str | None] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, events: Iterable[Event]) -> PayloadSources:
        """One query per kind of row named, plus one for the default domains."""
        wanted: dict[str, set[int]] = defaultdict(set)
        tenants: set[int] = set()
        for event in events:
            data = event.data if isinstance(event.data, dict) else {}
            tenants.add(event.tenant_id)
            for key, (_model, kind) in _NAMED.items():
                row_id = _row_id(data.get(key))
                if row_id is not None:
                    wanted[kind].add(row_id)
        sources = cls()
        for model, kind in _NAMED.values():
            ids = wanted.get(kind)
            if not ids:
                continue
            columns = [getattr(model, name) for name in _COLUMNS[kind]]
            for row in session.execute(
                select(model.id, model.tenant_id, *columns).where(model.id.in_(sorted(ids)))
            ):
                sources.rows[kind][(row[1], row[0])] = tuple(row[2:])
        if tenants:
            for tenant_id, name in session.execute(
                select(Domain.tenant_id, Domain.name)
                .where(Domain.tenant_id.in_(sorted(tenants)))
                .order_by(Domain.tenant_id, Domain.position, Domain.id)
            ):
                sources.first_domain.setdefault(tenant_id, name)
        return sources

    def get(self, kind: str, tenant_id: int, value: object) -> tuple[Any, ...] | None:
        row_id = _row_id(value)
        return None if row_id is None else self.rows[kind].get((tenant_id, row_id))

    def user(self, ids: RenderId, tenant_id: int, data: dict[str, Any]) -> dict[str, Any] | None:
        found = self.get("users", tenant_id, data.get("user_id"))
        if found is None:
            if "user_id" not in data:
                return None
            return {
                "id": ids("user", data["user_id"]),
                "email": data.get("email", ""),
                "first_name": "",
                "last_name": "",
            }
        email, first_name, last_name = found
        return {
            "id": ids("user", data["user_id"]),
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
        }

    def domain(self, tenant_id: int, data: dict[str, Any]) -> dict[str, Any] | None:
        found = self.get("domains", tenant_id, data.get("domain_id"))
        name = found[0] if found is not None else self.first_domain.get(tenant_id)
        return None if name is None else {"name": name}

    def render(self, event: Event, ids: RenderId) -> dict[str, Any] | None:
        """The body for ``event``, or None when webhooks do not carry its type. Raises on an
        event whose data is malformed (the caller decides what to send instead)."""
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
            "user": self.user(ids, tenant, data),
            "domain": self.domain(tenant, data),
        }
        course = self.get("courses", tenant, data.get("course_id"))
        if course is not None:
            body["course"] = {"id": ids("course", data["course_id"]), "title": course[0]}
        if self.get("published", tenant, data.get("published_course_id")) is not None:
            body["published_course"] = {"id": ids("published_course", data["published_course_id"])}
        if "enrollment_id" in data:
            body["enrollment"] = {"id": ids("enrollment", int(data["enrollment_id"]))}
        path = self.get("paths", tenant, data.get("learning_path_id"))
        if path is not None:
            body["path"] = {"id": ids("path", data["learning_path_id"]), "title": path[0]}
        group = self.get("groups", tenant, data.get("group_id"))
        if group is not None:
            body["group"] = {"id": ids("group", data["group_id"]), "name": group[0]}
        if "changed" in data:
            body["changed"] = data["changed"]
        return body


def minimal_payload(event: Event, webhook_type: WebhookEventType) -> dict[str, Any]:
    """What is sent for an event whose body cannot be built: its type, id and time."""
    return {
        "event_type": webhook_type.value,
        "type": webhook_type.value,
        "event_id": event.event_id,
        "timestamp": iso(event.occurred_at),
    }


def payload_for(session: Session, event: Event, ids: RenderId) -> dict[str, Any] | None:
    """The body for one event."""
    return PayloadSources.load(session, [event]).render(event, ids)


def ping_payload(now: datetime) -> dict[str, Any]:
    return {"event_type": "PING", "type": "PING", "timestamp": iso(now)}


SAMPLE_SOURCES: dict[WebhookEventType, str] = {
    t: name for name, t in WEBHOOK_TYPE_OF_EVENT.items() if t != WebhookEventType.USER_DELETED
}


def sample_payload(
    session: Session, ctx: Context, webhook_type: WebhookEventType, now: datetime, ids: RenderId
) -> dict[str, Any]:
    """The program's most recent event of that type, else one made from its own data."""
    tenant_id = ctx.tenant_id
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
    sources = PayloadSources.load(session, [Event(tenant_id=tenant_id, data=data)])
    return {
        "event_type": webhook_type.value,
        "type": webhook_type.value,
        "event_id": None,
        "timestamp": iso(now),
        "user": sources.user(ids, tenant_id, data)
        or {
            "id": ids("user", 1),
            "email": "learner@example.com",
            "first_name": "Sample",
            "last_name": "Learner",
        },
        "domain": sources.domain(tenant_id, data),
        "course": {"id": ids("course", course.id), "title": course.name}
        if course is not None
        else {"id": ids("course", 1), "title": "Sample course"},
    }
