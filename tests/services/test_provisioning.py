"""Provisioning rules in the services: the program's SCIM settings, one authority per
attribute (refused at the service, whichever door calls), sources recorded, drift."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.orm import Session

from syllabus.core.context import Surface
from syllabus.core.errors import Conflict, Invalid
from syllabus.queries.users.scim import scim_drift_report
from syllabus.services.groups import add_users_to_group, remove_users_from_group, set_group_members
from syllabus.services.provisioning import (
    Authority,
    ProvisioningSettings,
    mark_group_pushed,
    provisioning_settings,
    set_provisioning_settings,
)
from syllabus.services.users import (
    UserData,
    deactivate_user,
    delete_user,
    deprovision_user,
    reactivate_user,
    update_user,
)
from tests.factories import make_group, make_tenant, make_user, scope


def test_settings_default_validate_and_round_trip(session: Session) -> None:
    _, ctx = make_tenant(session)
    scope(session, ctx)
    assert provisioning_settings(session, ctx.tenant_id) == ProvisioningSettings()
    with pytest.raises(Invalid) as error:
        set_provisioning_settings(session, ctx, authority="idp")
    assert error.value.field == "authority"
    with pytest.raises(Invalid):
        set_provisioning_settings(session, ctx, hard_delete="yes")  # type: ignore[arg-type]
    updated = set_provisioning_settings(session, ctx, authority="SCIM", hard_delete=True)
    assert updated == ProvisioningSettings(Authority.SCIM, True)
    assert provisioning_settings(session, ctx.tenant_id) == updated
    # unknown values in stored JSON fall back to the defaults
    assert ProvisioningSettings.from_settings({"scim": {"authority": 5}}) == ProvisioningSettings()


def test_scim_authority_is_enforced_in_the_services(session: Session) -> None:
    _, rest = make_tenant(session, surface=Surface.SKILLJAR)
    scope(session, rest)
    scim = replace(rest, surface=Surface.SCIM, actor="scim:1")
    user = make_user(session, scim)
    other = make_user(session, rest)
    group = make_group(session, scim)
    mark_group_pushed(session, scim, group.id)
    add_users_to_group(session, scim, group_id=group.id, user_ids=[user.id])
    set_provisioning_settings(session, rest, authority="scim")

    for attempt in (
        lambda: update_user(
            session, rest, user_id=user.id, changes=UserData(email="x@example.com")
        ),
        lambda: update_user(session, rest, user_id=user.id, changes=UserData(last_name="Other")),
        lambda: update_user(session, rest, user_id=user.id, changes=UserData(username="handle")),
        lambda: deactivate_user(session, rest, user_id=user.id),
        lambda: delete_user(session, rest, user_id=user.id),
        lambda: add_users_to_group(session, rest, group_id=group.id, user_ids=[other.id]),
        lambda: remove_users_from_group(session, rest, group_id=group.id, user_ids=[user.id]),
        lambda: set_group_members(session, rest, group_id=group.id, user_ids=[]),
    ):
        with pytest.raises(Conflict, match="SCIM owns"):
            attempt()
    # not owned: open to every door; unchanged values are not writes
    update_user(session, rest, user_id=user.id, changes=UserData(title="Set by REST"))
    update_user(session, rest, user_id=user.id, changes=UserData(email=user.email))
    # groups the IdP did not push keep their membership open
    local = make_group(session, rest)
    add_users_to_group(session, rest, group_id=local.id, user_ids=[user.id])
    # SCIM writes everything
    deactivate_user(session, scim, user_id=user.id)
    reactivate_user(session, scim, user_id=user.id)
    set_group_members(session, scim, group_id=group.id, user_ids=[other.id])


def test_sources_are_recorded_and_drift_lists_other_doors(session: Session) -> None:
    _, rest = make_tenant(session, surface=Surface.SKYPREP)
    scope(session, rest)
    scim = replace(rest, surface=Surface.SCIM, actor="scim:1")
    synced = make_user(session, scim)
    drifted = make_user(session, scim)
    assert scim_drift_report(session, scim) == []
    update_user(session, rest, user_id=drifted.id, changes=UserData(first_name="Changed"))
    deactivate_user(session, rest, user_id=drifted.id)
    update_user(session, scim, user_id=synced.id, changes=UserData(first_name="IdP"))
    rows = scim_drift_report(session, scim)
    assert {(r.user_id, r.attribute, r.surface) for r in rows} == {
        (drifted.id, "first_name", "skyprep"),
        (drifted.id, "active", "skyprep"),
    }
    # SCIM writing the attribute again takes it back
    update_user(session, scim, user_id=drifted.id, changes=UserData(first_name="IdP"))
    reactivate_user(session, scim, user_id=drifted.id)
    assert scim_drift_report(session, scim) == []


def test_deprovision_soft_then_hard(session: Session) -> None:
    _, ctx = make_tenant(session, surface=Surface.SCIM)
    scope(session, ctx)
    soft = make_user(session, ctx)
    assert deprovision_user(session, ctx, user_id=soft.id) is False
    assert soft.is_active is False
    set_provisioning_settings(session, ctx, hard_delete=True)
    hard = make_user(session, ctx)
    assert deprovision_user(session, ctx, user_id=hard.id) is True
    assert session.get(type(hard), hard.id) is None
