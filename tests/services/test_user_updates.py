"""Changing a user's profile, active flag and groups in one call, as every door does."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.errors import NotFound
from syllabus.domain.groups import GroupMembership
from syllabus.domain.users import User
from syllabus.services.user_fields import UserData
from syllabus.services.user_updates import create_user_in_groups, update_user_profile
from tests.factories import events_since, last_event_id, make_group, make_tenant, make_user


def _groups_of(session: Session, user_id: int) -> set[int]:
    return set(
        session.scalars(select(GroupMembership.group_id).where(GroupMembership.user_id == user_id))
    )


def test_profile_active_flag_and_groups_change_together_with_their_events(
    session: Session,
) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx, first_name="Ada")
    kept, left, joined = (make_group(session, ctx) for _ in range(3))
    update_user_profile(session, ctx, user_id=user.id, changes=UserData(), group_ids=[kept.id])
    update_user_profile(
        session, ctx, user_id=user.id, changes=UserData(), group_ids=[kept.id, left.id]
    )
    after = last_event_id(session)

    update_user_profile(
        session,
        ctx,
        user_id=user.id,
        changes=UserData(first_name="Augusta"),
        active=False,
        group_ids=[kept.id, joined.id],
    )

    stored = session.get(User, user.id)
    assert stored is not None
    assert (stored.first_name, stored.is_active) == ("Augusta", False)
    assert _groups_of(session, user.id) == {kept.id, joined.id}
    recorded = events_since(session, ctx, after)
    assert [e.type for e in recorded] == [
        "user.updated",
        "user.deactivated",
        "group.member_added",
        "group.member_removed",
    ]
    assert recorded[0].data["changed"] == ["first_name"]


def test_what_is_not_given_is_left_alone(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    group = make_group(session, ctx)
    update_user_profile(session, ctx, user_id=user.id, changes=UserData(), group_ids=[group.id])
    after = last_event_id(session)

    update_user_profile(session, ctx, user_id=user.id, changes=UserData(), active=True)

    assert _groups_of(session, user.id) == {group.id}
    assert events_since(session, ctx, after) == []  # already active: nothing to record


def test_reactivating_records_it(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    update_user_profile(session, ctx, user_id=user.id, changes=UserData(), active=False)
    after = last_event_id(session)

    changed = update_user_profile(session, ctx, user_id=user.id, changes=UserData(), active=True)

    assert changed.is_active
    assert [e.type for e in events_since(session, ctx, after)] == ["user.reactivated"]


def test_an_unknown_group_leaves_the_profile_and_the_flag_unchanged(session: Session) -> None:
    """The request's unit of work (here a savepoint) rolls back the steps already taken."""
    _, ctx = make_tenant(session)
    user = make_user(session, ctx, first_name="Ada")
    after = last_event_id(session)

    with pytest.raises(NotFound) as raised, session.begin_nested():
        update_user_profile(
            session,
            ctx,
            user_id=user.id,
            changes=UserData(first_name="Augusta"),
            active=False,
            group_ids=[999_999_999],
        )

    assert raised.value.field == "groups"
    session.expire_all()
    stored = session.get(User, user.id)
    assert stored is not None
    assert (stored.first_name, stored.is_active) == ("Ada", True)
    assert events_since(session, ctx, after) == []


def test_a_new_user_joins_the_groups_given(session: Session) -> None:
    _, ctx = make_tenant(session)
    group = make_group(session, ctx)
    after = last_event_id(session)

    user = create_user_in_groups(
        session, ctx, data=UserData(email="new@example.com"), active=False, group_ids=[group.id]
    )

    assert not user.is_active
    assert _groups_of(session, user.id) == {group.id}
    types = [e.type for e in events_since(session, ctx, after)]
    assert types[0] == "user.registered"
    assert types[-1] == "group.member_added"


def test_an_unknown_group_creates_nobody(session: Session) -> None:
    _, ctx = make_tenant(session)
    after = last_event_id(session)

    with pytest.raises(NotFound), session.begin_nested():
        create_user_in_groups(
            session, ctx, data=UserData(email="nobody@example.com"), group_ids=[999_999_999]
        )

    found = session.scalar(
        select(User.id).where(
            User.tenant_id == ctx.tenant_id, User.email_normalized == "nobody@example.com"
        )
    )
    assert found is None
    assert events_since(session, ctx, after) == []
