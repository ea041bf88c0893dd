"""The users actions of SkyPrep's admin API: get_users, get_user, create_user, update_user,
destroy_user.

Each parses its parameters into service inputs, calls the users service (or a users query), and
renders users exactly as the spec's samples show them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from syllabus.core.errors import Invalid, NotFound
from syllabus.core.fields import UNSET, Maybe, is_set
from syllabus.dialects.skyprep.actions import Call, action
from syllabus.dialects.skyprep.params import Params
from syllabus.dialects.skyprep.render import Named, Program, Stream, load_program
from syllabus.dialects.skyprep.time_zones import iana_zone, rails_zone_name
from syllabus.domain.users import CUSTOM_SLOTS, Role
from syllabus.queries import users as user_queries
from syllabus.queries.users import UserRow
from syllabus.services import users as user_service
from syllabus.services.user_fields import UserData
from syllabus.services.user_updates import update_user_profile

STREAM_PAGE = 500
"""Users per page while streaming get_users: one query and one write per page."""
DEFAULT_PER_PAGE = 100
LOGIN_STATUSES = {"active": True, "inactive": False}

# --- Rendering ------------------------------------------------------------------------------


def user_json(row: UserRow, program: Program) -> dict[str, Any]:
    """A user as SkyPrep shows one: every key of the spec's sample, in its order."""
    u = row._asdict()  # one dict, then plain lookups: this runs once per user of get_users
    first, last, email, username, user_id = (
        u["first_name"] or "",
        u["last_name"] or "",
        u["email"],
        u["username"],
        u["id"],
    )
    name = f"{first} {last}".strip()
    role = Role(u["role"])
    calendar = (
        f"{program.acct_key}/public_api/calendar/"
        f"?user_id={user_id}&calendar_key={quote(u['calendar_key'], safe='')}"
    )
    digest = hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()
    zone = u["time_zone"]
    local = program.local
    out: dict[str, Any] = {
        "name_with_username": f"{name} - {username}" if name else username,
        "display_name": name or username,
        "last_course_id": u["last_course_id"],
        "language": u["language"],
        "time_zone": rails_zone_name(zone) if zone else program.zone_name,
        "model_type": "user",
        "created_at": local(u["created_at"]),
        "updated_at": local(u["updated_at"]),
        "picture_url": u["picture_url"] or "",
        "username": username,
        "email": email,
        "id": user_id,
        "first_name": first,
        "last_name": last,
        "email_notifications": u["email_notifications"],
        "sms_notifications": u["sms_notifications"],
        "manager": role is Role.MANAGER,
        "admin": role is Role.ADMIN,
        "role": role.value,
        "login_status": "active" if u["is_active"] else "inactive",
        "user_id": user_id,
        "name": name,
        "webcal_secure_link": f"webcals://{calendar}",
        "webcal_link": f"webcal://{calendar}",
        "gravatar_url": f"https://www.gravatar.com/avatar/{digest}",
        "view_key": u["view_key"],
        "last_login": local(u["last_login_at"]),
        "global_content_manager": u["global_content_manager"],
        "full_permissions_for_courses_i_created": u["full_permissions_for_courses_i_created"],
        "custom_dashboard_id": u["custom_dashboard_id"],
        "access_end_date": u["access_end_date"],
        "access_start_date": u["access_start_date"],
        "initials": (first[:1] + last[:1]).upper() or email[:1].upper(),
    }
    for key in PROFILE_KEYS:
        out[key] = u[key]
    out["notification_email"] = u["notification_email"] or email
    return out


PROFILE_KEYS = (
    "title",
    "company",
    "address",
    "address_2",
    "country",
    "state",
    "city",
    "zip",
    "cell",
    "phone",
    "work_phone",
    "ssn",
    "date_of_birth",
    "user_identifier",
    *CUSTOM_SLOTS,
    "gender",
)
"""Columns rendered as stored, in the sample's order (after initials, before
notification_email)."""


# --- Parameters -----------------------------------------------------------------------------

TEXT_FIELDS = (
    "email",
    "username",
    "first_name",
    "last_name",
    "title",
    "company",
    "department",
    "address",
    "address_2",
    "city",
    "state",
    "zip",
    "country",
    "phone",
    "cell",
    "work_phone",
    "card_no",
    "ssn",
    "gender",
    "language",
    "locale",
    "notification_email",
    "user_identifier",
    "sso_id",
    "picture_url",
    *CUSTOM_SLOTS,
)
BOOL_FIELDS = (
    "email_notifications",
    "sms_notifications",
    "global_content_manager",
    "full_permissions_for_courses_i_created",
)
DATE_FIELDS = ("access_start_date", "access_end_date", "password_expiration_date", "date_of_birth")


def user_data(p: Params) -> UserData:
    """The profile parameters given (create_user's, which update_user shares) as service input."""
    fields: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if is_set(text := p.text(name)):
            fields[name] = text
    for name in BOOL_FIELDS:
        if is_set(flag := p.boolean(name)):
            fields[name] = flag
    for name in DATE_FIELDS:
        if is_set(day := p.date(name)):
            fields[name] = day
    if is_set(role := p.text("role")):
        fields["role"] = role.strip().lower() if role is not None else None
    if is_set(zone := p.text("time_zone")):
        fields["time_zone"] = iana_zone(zone) if zone else zone
    return UserData(**fields)


def login_status(p: Params) -> Maybe[bool]:
    """``login_status`` (active or inactive) as whether the user is active."""
    value = p.text("login_status")
    if not is_set(value):
        return UNSET
    active = LOGIN_STATUSES.get((value or "").strip().lower())
    if active is None:
        raise Invalid("login_status", "login_status must be active or inactive")
    return active


def find_user(session: Session, call: Call, p: Params) -> UserRow:
    """The user named by ``user_id`` or, failing that, ``user_email`` (any case)."""
    user_id = p.id("user_id")
    if is_set(user_id):
        row = user_queries.get_user(session, call.ctx, user_id)
        if row is None:
            raise NotFound("user", [user_id], field="user_id")
        return row
    email = p.lookup("user_email")
    if is_set(email):
        row = user_queries.get_user_by_email(session, call.ctx, email)
        if row is None:
            raise NotFound("user", [email.strip()], field="user_email")
        return row
    raise Invalid("user_id", "user_id or user_email is required")


def _positive(p: Params, name: str) -> int | None:
    value = p.id(name)
    return value if is_set(value) else None


def _reloaded(session: Session, call: Call, user_id: int) -> UserRow:
    row = user_queries.get_user(session, call.ctx, user_id)
    assert row is not None  # written in this transaction
    return row


# --- Actions --------------------------------------------------------------------------------


@action("get_users", read_only=True)
def get_users(session: Session, call: Call) -> Named | Stream:
    """Every user of the program, streamed; ``page``/``per_page`` answer one page instead."""
    p = Params(call.params)
    page, per_page = _positive(p, "page"), _positive(p, "per_page")
    program = load_program(call.acct_key, call.time_zone)
    if page is not None or per_page is not None:
        rows = user_queries.list_users_numbered_page(
            session, call.ctx, page=page or 1, per_page=per_page or DEFAULT_PER_PAGE
        )
        return Named("users", [user_json(row, program) for row in rows])
    ctx = call.ctx

    def pages(stream_session: Session) -> Iterator[Sequence[dict[str, Any]]]:
        after_id = None
        while True:
            rows = user_queries.list_users_page(
                stream_session, ctx, after_id=after_id, limit=STREAM_PAGE
            )
            if rows:
                yield [user_json(row, program) for row in rows]
            if len(rows) < STREAM_PAGE:
                return
            after_id = rows[-1].id

    return Stream(tenant_id=ctx.tenant_id, root="users", pages=pages)


@action("get_user", read_only=True)
def get_user(session: Session, call: Call) -> Named:
    p = Params(call.params)
    row = find_user(session, call, p)
    return Named("user", user_json(row, load_program(call.acct_key, call.time_zone)))


@action("create_user")
def create_user(session: Session, call: Call) -> Named:
    p = Params(call.params)
    data = user_data(p)
    active = login_status(p)
    user = user_service.create_user(
        session, call.ctx, data=data, active=active if is_set(active) else True
    )
    row = _reloaded(session, call, user.id)
    return Named("user", user_json(row, load_program(call.acct_key, call.time_zone)))


@action("update_user")
def update_user(session: Session, call: Call) -> Named:
    """Only the parameters given change; ``email`` is the new address."""
    p = Params(call.params)
    changes = user_data(p)
    active = login_status(p)
    user_id = find_user(session, call, p).id
    update_user_profile(
        session,
        call.ctx,
        user_id=user_id,
        changes=changes,
        active=active if is_set(active) else None,
    )
    row = _reloaded(session, call, user_id)
    user = user_json(row, load_program(call.acct_key, call.time_zone))
    return Named("hash", {"message": "success", "user": user})


@action("destroy_user")
def destroy_user(session: Session, call: Call) -> dict[str, str]:
    """Deletes the user permanently."""
    p = Params(call.params)
    user_service.delete_user(session, call.ctx, user_id=find_user(session, call, p).id)
    return {"message": "success"}
