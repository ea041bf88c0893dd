"""An outbox event as ``/v1/events`` shows it: every record it names by its /v1 id.

The outbox keeps the core's integer ids (the same event feeds SkyPrep's world and the
webhooks); a /v1 reader must be able to take an id from an event straight to a /v1 route, so
each id key the outbox uses for a record /v1 serves is encoded with that record's kind, and a
``user.*`` event carries the user's email. Records /v1 has no route for (materials, payments,
ILT timeslots, skills ...) keep their integer (SkyPrep) id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from syllabus.dialects.skilljar.ids import IdCodec
from syllabus.dialects.skilljar.signup_data import FIELD_KIND
from syllabus.dialects.skilljar.webhooks import KIND as WEBHOOK_KIND
from syllabus.queries.feed import FeedEvent

V1_KINDS: dict[str, str] = {
    "user_id": "user",
    "user_ids": "user",
    "course_id": "course",
    "course_ids": "course",
    "group_id": "group",
    "group_ids": "group",
    "published_course_id": "published_course",
    "learning_path_id": "path",
    "enrollment_id": "enrollment",
    "course_progress_id": "course_progress",
    "course_item_id": "lesson",
    "domain_id": "domain",
    "signup_field_id": FIELD_KIND,
    "signup_field_ids": FIELD_KIND,
    "webhook_id": WEBHOOK_KIND,
}
"""The outbox's id keys for records /v1 serves, and the kind each is encoded as."""


def _public(ids: IdCodec, kind: str, value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return ids.encode(kind, value)
    if isinstance(value, list):
        return [_public(ids, kind, item) for item in value]
    return value  # None, or something that is no row id


def _actor(ids: IdCodec, actor: str) -> str:
    kind, _, row_id = actor.partition(":")
    if kind == "user" and row_id.isdigit():
        return f"user:{ids.encode('user', int(row_id))}"
    return actor


def v1_event(event: FeedEvent, ids: IdCodec, emails: Mapping[int, str]) -> dict[str, Any]:
    shown = event.as_dict()
    data = {
        key: _public(ids, V1_KINDS[key], value) if key in V1_KINDS else value
        for key, value in event.data.items()
    }
    user_id = event.data.get("user_id")
    if isinstance(user_id, int) and user_id in emails and "email" not in data:
        data["email"] = emails[user_id]
    shown["data"] = data
    shown["actor"] = _actor(ids, event.actor)
    return shown
