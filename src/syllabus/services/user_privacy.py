"""Anonymizing a user: personal data erased for good, learning records kept anonymous."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.lookups import require
from syllabus.domain.base import bump
from syllabus.domain.users import CUSTOM_SLOTS, User, UserCustomAttribute
from syllabus.services.events import record_event

ERASED = (
    "sso_id",
    "user_identifier",
    "password_hash",
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
    "date_of_birth",
    "gender",
    "notification_email",
    "last_login_at",
    *CUSTOM_SLOTS,
)


def anonymize_user(session: Session, ctx: Context, *, user_id: int) -> User:
    """Irreversible: the user can no longer sign in or be identified; enrollments stay.

    Idempotent: anonymizing again changes nothing and records nothing.
    """
    user = require(session, ctx, User, user_id, field="user_id")
    if user.anonymized_at is not None:
        return user
    now = utcnow()
    placeholder = f"anonymized-{user.id}@anonymized.invalid"
    user.email = user.email_normalized = placeholder
    user.username = user.username_normalized = placeholder
    user.first_name = user.last_name = ""
    user.picture_url = ""
    for name in ERASED:
        setattr(user, name, None)
    user.email_notifications = False
    user.sms_notifications = False
    if user.is_active:
        user.is_active = False
        user.deactivated_at = now
    user.anonymized_at = now
    user.updated_at = now
    bump(user)
    session.execute(
        delete(UserCustomAttribute).where(
            UserCustomAttribute.tenant_id == ctx.tenant_id, UserCustomAttribute.user_id == user.id
        )
    )
    session.flush()
    record_event(session, ctx, "user.anonymized", {"user_id": user.id})
    return user
