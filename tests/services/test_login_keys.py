"""Login keys and one-time course enrollment keys: the rules, whatever door calls them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from syllabus.auth.secrets import hash_secret
from syllabus.core.errors import Invalid, NotFound
from syllabus.domain.access import CourseOtp, LoginKey, LoginKeyType
from syllabus.domain.courses import Course
from syllabus.domain.enrollments import Enrollment
from syllabus.domain.groups import Group, GroupMembership
from syllabus.domain.users import User
from syllabus.services.course_otps import issue_course_otps, redeem_course_otp
from syllabus.services.login_keys import (
    OTL_LIFETIME,
    LoginKeyRequest,
    end_of_program_day,
    issue_login_key,
    issue_login_key_for,
    redeem_login_key,
)
from syllabus.services.users import deactivate_user
from tests.factories import event_data, make_course, make_group, make_tenant, make_user, unique


def test_end_of_program_day_is_the_next_local_midnight() -> None:
    now = datetime(2026, 7, 1, 3, 30, tzinfo=UTC)  # 23:30 on June 30 in New York (UTC-4)
    assert end_of_program_day("America/New_York", now) == datetime(2026, 7, 1, 4, 0, tzinfo=UTC)
    assert end_of_program_day("UTC", now) == datetime(2026, 7, 2, 0, 0, tzinfo=UTC)
    # A day that is 23 hours long (spring forward) still ends at local midnight.
    spring = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    assert end_of_program_day("America/New_York", spring) == datetime(2026, 3, 9, 4, 0, tzinfo=UTC)


def test_a_daily_key_is_stored_as_a_hash_and_works_until_the_end_of_the_day(
    session: Session,
) -> None:
    tenant, ctx = make_tenant(session)
    tenant.time_zone = "Asia/Tokyo"
    user = make_user(session, ctx)
    issued = issue_login_key(session, ctx, user_id=user.id, key_type="daily")
    row = session.scalars(select(LoginKey).where(LoginKey.user_id == user.id)).one()
    assert row.secret_hash == hash_secret(issued.secret) != issued.secret
    assert row.key_type is LoginKeyType.DAILY
    assert row.expires_at == issued.expires_at == end_of_program_day("Asia/Tokyo", row.created_at)
    # Daily keys can be used again and again.
    for _ in range(3):
        login = redeem_login_key(session, secret=issued.secret)
        assert (login.tenant_id, login.user_id) == (tenant.id, user.id)
    assert session.get_one(User, user.id).last_login_at is not None
    issued_events = event_data(session, ctx, "user.login_key_issued")
    assert issued_events == [
        {"user_id": user.id, "key_type": "daily", "expires_at": issued.expires_at.isoformat()}
    ]
    assert len(event_data(session, ctx, "user.logged_in")) == 3


def test_an_otl_key_works_once_and_for_a_short_time(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    issued = issue_login_key(session, ctx, user_id=user.id, key_type=LoginKeyType.OTL)
    assert issued.expires_at - datetime.now(UTC) <= OTL_LIFETIME
    assert redeem_login_key(session, secret=issued.secret).user_id == user.id
    with pytest.raises(NotFound):
        redeem_login_key(session, secret=issued.secret)
    row = session.scalars(select(LoginKey).where(LoginKey.user_id == user.id)).one()
    assert row.used_at is not None


def test_expired_unknown_and_deactivated_keys_are_refused(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    expired = issue_login_key(session, ctx, user_id=user.id, key_type="daily")
    session.execute(
        update(LoginKey)
        .where(LoginKey.secret_hash == hash_secret(expired.secret))
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    with pytest.raises(NotFound):
        redeem_login_key(session, secret=expired.secret)
    for bogus in ("", "nope", "x" * 5000, expired.secret + "x"):
        with pytest.raises(NotFound):
            redeem_login_key(session, secret=bogus)
    live = issue_login_key(session, ctx, user_id=user.id, key_type="daily")
    deactivate_user(session, ctx, user_id=user.id)
    with pytest.raises(NotFound):
        redeem_login_key(session, secret=live.secret)
    with pytest.raises(Invalid):
        issue_login_key(session, ctx, user_id=user.id, key_type="daily")


def test_bad_key_type_and_another_programs_user(session: Session) -> None:
    _, ctx = make_tenant(session)
    _, other_ctx = make_tenant(session)
    user = make_user(session, ctx)
    with pytest.raises(Invalid) as bad:
        issue_login_key(session, ctx, user_id=user.id, key_type="weekly")
    assert bad.value.field == "key_type"
    with pytest.raises(NotFound):
        issue_login_key(session, other_ctx, user_id=user.id, key_type="daily")


def test_issue_for_autocreates_the_user_and_the_groups_in_one_go(session: Session) -> None:
    _, ctx = make_tenant(session)
    existing = make_group(session, ctx, name="Forensics Lab")
    email = f"{unique('dexter')}@example.com"
    issued = issue_login_key_for(
        session,
        ctx,
        request=LoginKeyRequest(
            user_email=email.upper(),
            autocreate=True,
            first_name="Dexter",
            last_name="Morgan",
            group_names=["forensics lab", "Miami PD Staff", "Miami PD Staff"],
            autocreate_groups=True,
        ),
    )
    user = session.get_one(User, issued.user_id)
    assert (user.first_name, user.last_name, user.email_normalized) == ("Dexter", "Morgan", email)
    groups = dict(
        session.execute(
            select(Group.name, Group.id)
            .join(GroupMembership, GroupMembership.group_id == Group.id)
            .where(GroupMembership.user_id == user.id)
        ).all()
    )
    assert groups.keys() == {"Forensics Lab", "Miami PD Staff"}
    assert groups["Forensics Lab"] == existing.id
    # Asking again finds the same user and changes no membership.
    again = issue_login_key_for(
        session,
        ctx,
        request=LoginKeyRequest(user_email=email, group_names=["Miami PD Staff"]),
    )
    assert again.user_id == user.id
    assert again.secret != issued.secret


def test_issue_for_names_every_unknown_group_and_writes_nothing(session: Session) -> None:
    _, ctx = make_tenant(session)
    make_group(session, ctx, name="Known")
    email = f"{unique('nobody')}@example.com"
    with pytest.raises(NotFound) as missing:
        issue_login_key_for(
            session,
            ctx,
            request=LoginKeyRequest(
                user_email=email, autocreate=True, group_names=["Known", "Gone", "Lost"]
            ),
        )
    assert missing.value.field == "user_groups"
    assert set(missing.value.ids) == {"Gone", "Lost"}
    assert session.scalar(select(User.id).where(User.email_normalized == email)) is None
    with pytest.raises(NotFound) as no_user:
        issue_login_key_for(session, ctx, request=LoginKeyRequest(user_email=email))
    assert no_user.value.field == "user_email"


# --- One-time course enrollment keys ---------------------------------------------------------


def _enrolled(session: Session, user_id: int, course_id: int) -> bool:
    query = select(Enrollment.id).where(
        Enrollment.user_id == user_id, Enrollment.course_id == course_id
    )
    return session.scalar(query) is not None


def test_an_otp_enrolls_one_user_once(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx)
    first, second = make_user(session, ctx), make_user(session, ctx)
    keys = issue_course_otps(session, ctx, course_id=course.id, count=3)
    assert len(set(keys)) == 3
    stored = session.scalars(select(CourseOtp.secret_hash)).all()
    assert not set(keys) & set(stored)
    assert redeem_course_otp(session, ctx, secret=keys[0].lower(), user_id=first.id) == course.id
    assert _enrolled(session, first.id, course.id)
    with pytest.raises(NotFound):
        redeem_course_otp(session, ctx, secret=keys[0], user_id=second.id)
    assert not _enrolled(session, second.id, course.id)
    row = session.scalars(
        select(CourseOtp).where(CourseOtp.secret_hash == hash_secret(keys[0]))
    ).one()
    assert (row.used_by, row.used_at is not None) == (first.id, True)
    assert event_data(session, ctx, "course.otp_redeemed") == [
        {"course_id": course.id, "user_id": first.id}
    ]


def test_an_otp_for_one_user_refuses_everyone_else(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx)
    owner, stranger = make_user(session, ctx), make_user(session, ctx)
    [key] = issue_course_otps(session, ctx, course_id=course.id, user_id=owner.id)
    with pytest.raises(NotFound):
        redeem_course_otp(session, ctx, secret=key, user_id=stranger.id)
    redeem_course_otp(session, ctx, secret=key, user_id=owner.id)
    assert _enrolled(session, owner.id, course.id)


def test_changing_the_subscribe_key_invalidates_otps_and_reverting_revives_them(
    session: Session,
) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx)
    user = make_user(session, ctx)
    [key] = issue_course_otps(session, ctx, course_id=course.id)
    original = course.subscribe_key
    # No service edits subscribe keys yet: the test sets the column as an admin page would.
    session.execute(update(Course).where(Course.id == course.id).values(subscribe_key="changed"))
    session.expire_all()
    with pytest.raises(NotFound):
        redeem_course_otp(session, ctx, secret=key, user_id=user.id)
    session.execute(update(Course).where(Course.id == course.id).values(subscribe_key=original))
    session.expire_all()
    redeem_course_otp(session, ctx, secret=key, user_id=user.id)
    assert _enrolled(session, user.id, course.id)


def test_otps_belong_to_their_program(session: Session) -> None:
    _, ctx = make_tenant(session)
    _, other_ctx = make_tenant(session)
    course = make_course(session, ctx)
    other_user = make_user(session, other_ctx)
    [key] = issue_course_otps(session, ctx, course_id=course.id)
    with pytest.raises(NotFound):
        issue_course_otps(session, other_ctx, course_id=course.id)
    with pytest.raises(NotFound):
        redeem_course_otp(session, other_ctx, secret=key, user_id=other_user.id)
    with pytest.raises(Invalid):
        issue_course_otps(session, ctx, course_id=course.id, count=0)
