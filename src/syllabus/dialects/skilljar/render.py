"""Skilljar's shapes for rows: UTC timestamps with ``Z``, users nested and flat (the union of
the official document's and the integration guide's fields)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from syllabus.dialects.skilljar.api import Api
from syllabus.queries.users.skilljar import UserExtras


def ts(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def user_ref(api: Api, user_id: int, email: str, first_name: str, last_name: str) -> dict[str, Any]:
    """Skilljar's ReadOnlyUser: who, without the rest of the profile."""
    return {
        "id": api.id("user", user_id),
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
    }


def user(
    api: Api, row: Any, extras: UserExtras | None = None, completions: int = 0
) -> dict[str, Any]:
    """UserOverview (official) with the guide's flat user fields alongside; ``completions``
    is the number of courses the user has passed."""
    extras = extras or UserExtras()
    ref = user_ref(api, row.id, row.email, row.first_name, row.last_name)
    latest = max(v for v in (row.last_login_at, row.updated_at, row.created_at) if v is not None)
    joined = ts(row.created_at)
    return {
        **ref,
        "user": {**ref, "full_name": " ".join(p for p in (row.first_name, row.last_name) if p)},
        "registration_count": extras.registration_count,
        "completion_count": completions,
        "signed_up_at": joined,
        "latest_activity": ts(latest),
        "inactive_at": ts(row.deactivated_at) if not row.is_active else None,
        "username": row.username,
        "is_active": row.is_active,
        "date_joined": joined,
        "groups": [api.id("group", g) for g in extras.group_ids],
        "custom_attributes": extras.custom_attributes,
        "sso_id": row.sso_id,
        "external_id": row.user_identifier,
        "domain": extras.domain_names[0] if extras.domain_names else None,
        "domains": extras.domain_names,
    }
