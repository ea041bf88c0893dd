"""One-time course enrollment keys (SkyPrep's OTPs): one use, by one user.

A key is tied to the course's subscribe key at the time it was issued: while the course has
another subscribe key the key does not work, and reverting the subscribe key revives it.
Only the hash of a key is stored.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.auth.secrets import hash_secret, hashes_match
from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import Invalid, NotFound
from syllabus.core.lookups import require
from syllabus.core.validation import clean_int
from syllabus.domain.access import CourseOtp
from syllabus.domain.courses import Course
from syllabus.domain.users import User
from syllabus.services.bulk import insert_rows
from syllabus.services.enrollments import enroll_users_in_courses
from syllabus.services.events import record_event

MAX_COUNT = 1000
ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ0123456789"
"""Crockford-style: no I, L, O or U, so keys read aloud or retyped survive."""
GROUPS, GROUP_LENGTH = 4, 4
"""Keys look like ``ABCD-1234-EFGH-5678``: 80 random bits."""


def _new_key() -> str:
    return "-".join(
        "".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS)
    )


def normalize_key(secret: str) -> str:
    """Keys are typed by people: case and surrounding spaces do not matter."""
    return secret.strip().upper()


def issue_course_otps(
    session: Session, ctx: Context, *, course_id: int, count: int = 1, user_id: int | None = None
) -> list[str]:
    """``count`` new keys for the course (for ``user_id`` alone, if given); shown once."""
    number = clean_int(count, "count", minimum=1, maximum=MAX_COUNT)
    course = require(session, ctx, Course, course_id, field="course_id")
    if user_id is not None:
        require(session, ctx, User, user_id, field="user_id")
    keys = [_new_key() for _ in range(number)]
    now = utcnow()
    insert_rows(
        session,
        CourseOtp,
        [
            {
                "tenant_id": ctx.tenant_id,
                "course_id": course.id,
                "user_id": user_id,
                "secret_hash": hash_secret(key),
                "subscribe_key": course.subscribe_key,
                "created_at": now,
            }
            for key in keys
        ],
    )
    record_event(
        session,
        ctx,
        "course.otps_issued",
        {"course_id": course.id, "count": number, "user_id": user_id},
    )
    return keys


def redeem_course_otp(session: Session, ctx: Context, *, secret: str, user_id: int) -> int:
    """Enroll the user in the key's course and use the key up; returns the course id.

    A key that is unknown, used, meant for someone else, or issued under another subscribe
    key is refused with the same NotFound.
    """
    refused = NotFound("enrollment key", field="otp")
    key_text = normalize_key(secret) if isinstance(secret, str) else ""
    if not key_text or len(key_text) > 64:
        raise refused
    otp = session.scalars(
        select(CourseOtp).where(
            CourseOtp.tenant_id == ctx.tenant_id, CourseOtp.secret_hash == hash_secret(key_text)
        )
    ).first()
    if otp is None or not hashes_match(otp.secret_hash, key_text):
        raise refused
    course = require(session, ctx, Course, otp.course_id, field="course_id")
    if otp.used_at is not None or otp.subscribe_key != course.subscribe_key:
        raise refused
    if otp.user_id is not None and otp.user_id != user_id:
        raise refused
    user = require(session, ctx, User, user_id, field="user_id")
    if not user.is_active:
        raise Invalid("user_id", "the user is deactivated")
    enroll_users_in_courses(session, ctx, user_ids=[user.id], course_ids=[course.id])
    otp.used_at = utcnow()
    otp.used_by = user.id
    session.flush()
    record_event(session, ctx, "course.otp_redeemed", {"course_id": course.id, "user_id": user.id})
    return course.id
