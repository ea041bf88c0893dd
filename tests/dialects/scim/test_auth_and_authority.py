"""Who may call /scim/v2, and one authority per attribute: with the program's authority set
to ``scim``, the other doors may not change identity, status or pushed-group membership."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from syllabus.core.context import Context, Surface
from syllabus.core.credentials import CredentialKind
from syllabus.db.session import unit_of_work
from syllabus.domain.events import Event
from syllabus.domain.users import User
from syllabus.services.credentials import issue_credential, list_credentials
from syllabus.services.provisioning import set_provisioning_settings
from tests.dialects.scim.conftest import Scim, assert_error
from tests.http_client import Program, make_program


def admin(client: TestClient, program: Program, action: str, **params: Any) -> httpx.Response:
    body = {"api_key": program.api_key, "acct_key": program.acct_key, **params}
    return client.post(f"/admin/api/{action}", json=body)


def settings(client: TestClient, program: Program, **changes: Any) -> None:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=program.tenant_id) as session:
        ctx = Context(program.tenant_id, "cli", Surface.CLI)
        set_provisioning_settings(session, ctx, **changes)


def test_tokens_and_keys_do_not_cross(client: TestClient, program: Program, scim: Scim) -> None:
    assert scim.get("/Users").status_code == 200
    with_key = client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {program.api_key}"})
    assert_error(with_key, 401)
    assert with_key.headers["www-authenticate"].startswith("Bearer")
    token_on_admin = client.post(
        "/admin/api/get_users", json={"api_key": program.scim_token, "acct_key": program.acct_key}
    )
    assert token_on_admin.status_code == 401
    assert_error(client.get("/scim/v2/Users"), 401)
    assert_error(client.get("/scim/v2/Users", headers={"Authorization": "Bearer scim_nope"}), 401)
    assert_error(client.get("/scim/v2/ServiceProviderConfig"), 401)


def test_several_labelled_tokens_per_program(client: TestClient, program: Program) -> None:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=program.tenant_id) as session:
        ctx = Context(program.tenant_id, "cli", Surface.CLI)
        okta = issue_credential(session, ctx, kind=CredentialKind.SCIM_TOKEN, label="okta")
        entra = issue_credential(session, ctx, kind=CredentialKind.SCIM_TOKEN, label="entra")
        labels = {c.label for c in list_credentials(session, ctx)}
    assert {"okta", "entra"} <= labels
    made = Scim(client, okta.secret).create_user("both@example.com")
    seen = Scim(client, entra.secret).get(f"/Users/{made['id']}")
    assert seen.status_code == 200
    with unit_of_work(factory, tenant_id=program.tenant_id, read_only=True) as session:
        event = session.scalars(
            select(Event).where(Event.type == "user.registered").order_by(Event.id.desc())
        ).first()
    assert event is not None
    assert (event.surface, event.actor) == ("scim", f"scim:{okta.credential.id}")


def test_another_programs_resources_are_404(client: TestClient, scim: Scim) -> None:
    mine = scim.create_user("mine@example.com")
    group = scim.create_group("Mine")
    other = make_program(client, "other.example.test")
    theirs = Scim(client, other.scim_token)
    assert_error(theirs.get(f"/Users/{mine['id']}"), 404)
    assert_error(
        theirs.patch(f"/Users/{mine['id']}", [{"op": "replace", "path": "title", "value": "x"}]),
        404,
    )
    assert_error(theirs.delete(f"/Groups/{group['id']}"), 404)
    assert theirs.get("/Users").json()["totalResults"] == 0
    # and their member lists cannot name my users
    assert_error(
        theirs.post(
            "/Groups",
            {"schemas": group["schemas"], "displayName": "X", "members": [{"value": mine["id"]}]},
        ),
        400,
        "invalidValue",
    )


def test_scim_authority_refuses_other_doors(
    client: TestClient, program: Program, scim: Scim
) -> None:
    user = scim.create_user("owned@example.com")
    group = scim.create_group("Pushed", [user["id"]])
    settings(client, program, authority="scim")
    refused = admin(client, program, "update_user", user_id=user["id"], email="rest@example.com")
    assert refused.status_code == 409, refused.text
    assert "SCIM owns email" in refused.json()["message"]
    # attributes SCIM does not own stay open to everyone
    fine = admin(client, program, "update_user", user_id=user["id"], title="Set by admin")
    assert fine.status_code == 200, fine.text
    left = admin(
        client,
        program,
        "remove_user_from_user_group",
        user_id=user["id"],
        user_group_id=group["id"],
    )
    assert left.status_code == 409, left.text
    assert scim.get(f"/Users/{user['id']}").json()["emails"][0]["value"] == "owned@example.com"
    # SCIM itself still writes
    moved = scim.patch(
        f"/Users/{user['id']}",
        [{"op": "replace", "path": "userName", "value": "moved@example.com"}],
    )
    assert moved.status_code == 200
    # back to 'any': every door writes, and the write is recorded with its door
    settings(client, program, authority="any")
    assert (
        admin(client, program, "update_user", user_id=user["id"], first_name="Rest").status_code
        == 200
    )


def test_hard_delete_setting_and_reprovisioning(
    client: TestClient, program: Program, scim: Scim
) -> None:
    soft = scim.create_user("soft@example.com")
    assert scim.delete(f"/Users/{soft['id']}").status_code == 204
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=program.tenant_id, read_only=True) as session:
        kept = session.get(User, int(soft["id"]))
        assert kept is not None
        assert kept.is_active is False
    # the IdP provisions the same person again: the same record comes back, active
    back = scim.post("/Users", {k: v for k, v in soft.items() if k not in ("id", "meta")})
    assert back.status_code == 201, back.text
    assert back.json()["id"] == soft["id"]
    assert back.json()["active"] is True
    settings(client, program, hard_delete=True)
    hard = scim.create_user("hard@example.com")
    assert scim.delete(f"/Users/{hard['id']}").status_code == 204
    with unit_of_work(factory, tenant_id=program.tenant_id, read_only=True) as session:
        assert session.get(User, int(hard["id"])) is None
