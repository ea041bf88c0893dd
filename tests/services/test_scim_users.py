"""Provisioning, reviving and replacing users as an identity provider does."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.context import Surface
from syllabus.core.errors import Conflict
from syllabus.domain.provisioning import ScimUserProfile
from syllabus.domain.users import User
from syllabus.services.provisioning import is_scim_deleted
from syllabus.services.scim_users import ScimUser, provision_scim_user, update_scim_user
from syllabus.services.user_fields import UserData
from syllabus.services.users import deprovision_user
from tests.factories import events_since, last_event_id, make_tenant, make_user, scope


def _scim(email: str, **fields: object) -> ScimUser:
    data = UserData(email=email, username=email, first_name="Ada", last_name="Lovelace")
    return ScimUser(data=data, **fields)  # type: ignore[arg-type]


def test_provisioning_creates_an_active_user_with_its_presentation(session: Session) -> None:
    _, ctx = make_tenant(session, surface=Surface.SCIM)
    scope(session, ctx)  # SCIM's reads need the request's scope
    after = last_event_id(session)

    user, profile = provision_scim_user(
        session, ctx, user=_scim("ada@example.com", active=None, display_name="Ada L.")
    )

    assert user.is_active
    assert profile is not None
    assert profile.display_name == "Ada L."
    assert [e.type for e in events_since(session, ctx, after)] == ["user.registered"]


def test_an_inactive_user_can_be_provisioned(session: Session) -> None:
    _, ctx = make_tenant(session, surface=Surface.SCIM)
    scope(session, ctx)  # SCIM's reads need the request's scope
    user, _ = provision_scim_user(session, ctx, user=_scim("off@example.com", active=False))
    assert not user.is_active


def test_provisioning_a_deleted_user_again_revives_the_same_record(session: Session) -> None:
    _, ctx = make_tenant(session, surface=Surface.SCIM)
    scope(session, ctx)  # SCIM's reads need the request's scope
    first, _ = provision_scim_user(session, ctx, user=_scim("back@example.com", active=None))
    deprovision_user(session, ctx, user_id=first.id)
    assert is_scim_deleted(session, ctx, first.id)
    after = last_event_id(session)

    again, _ = provision_scim_user(
        session, ctx, user=_scim("BACK@example.com", active=None, display_name="Back")
    )

    assert again.id == first.id
    assert again.is_active
    assert not is_scim_deleted(session, ctx, first.id)
    assert [e.type for e in events_since(session, ctx, after)] == [
        "user.updated",  # the email's case
        "user.reactivated",
    ]


def test_a_deleted_user_of_another_program_is_not_revived(session: Session) -> None:
    _, ctx = make_tenant(session, surface=Surface.SCIM)
    _, other = make_tenant(session, surface=Surface.SCIM)
    scope(session, other)  # SCIM's reads need the request's scope: one program at a time
    theirs, _ = provision_scim_user(session, other, user=_scim("same@example.com", active=None))
    deprovision_user(session, other, user_id=theirs.id)

    scope(session, ctx)
    ours, _ = provision_scim_user(session, ctx, user=_scim("same@example.com", active=None))

    assert ours.id != theirs.id
    scope(session, other)
    assert is_scim_deleted(session, other, theirs.id)


def test_a_refused_revival_leaves_the_user_deleted(session: Session) -> None:
    """The revived email belongs to someone else: the unit of work (here a savepoint) rolls
    back the forgotten deletion too."""
    _, ctx = make_tenant(session, surface=Surface.SCIM)
    scope(session, ctx)  # SCIM's reads need the request's scope
    first, _ = provision_scim_user(session, ctx, user=_scim("gone@example.com", active=None))
    deprovision_user(session, ctx, user_id=first.id)
    make_user(session, ctx, email="taken@example.com")
    after = last_event_id(session)
    clash = ScimUser(
        data=UserData(email="taken@example.com", username="gone@example.com"), active=True
    )

    with pytest.raises(Conflict), session.begin_nested():
        provision_scim_user(session, ctx, user=clash)

    assert is_scim_deleted(session, ctx, first.id)
    session.expire_all()
    stored = session.get(User, first.id)
    assert stored is not None
    assert not stored.is_active
    assert events_since(session, ctx, after) == []


def test_replacing_sets_profile_presentation_and_status_together(session: Session) -> None:
    _, ctx = make_tenant(session, surface=Surface.SCIM)
    scope(session, ctx)  # SCIM's reads need the request's scope
    user, _ = provision_scim_user(session, ctx, user=_scim("swap@example.com", active=None))
    after = last_event_id(session)

    changed, profile = update_scim_user(
        session,
        ctx,
        user_id=user.id,
        user=ScimUser(
            data=UserData(email="swap@example.com", username="swap@example.com", title="Dr"),
            active=False,
            display_name="Dr Swap",
            email_type="work",
        ),
    )

    assert not changed.is_active
    assert changed.title == "Dr"
    assert profile is not None
    assert (profile.display_name, profile.email_type) == ("Dr Swap", "work")
    stored = session.scalars(
        select(ScimUserProfile).where(ScimUserProfile.user_id == user.id)
    ).one()
    assert stored.display_name == "Dr Swap"
    assert [e.type for e in events_since(session, ctx, after)] == [
        "user.updated",
        "user.deactivated",
    ]


def test_replacing_without_a_status_leaves_it(session: Session) -> None:
    _, ctx = make_tenant(session, surface=Surface.SCIM)
    scope(session, ctx)  # SCIM's reads need the request's scope
    user, _ = provision_scim_user(session, ctx, user=_scim("keep@example.com", active=False))

    changed, _ = update_scim_user(
        session, ctx, user_id=user.id, user=_scim("keep@example.com", active=None)
    )

    assert not changed.is_active
