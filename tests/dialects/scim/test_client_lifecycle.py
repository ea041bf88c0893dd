"""scim2-client drives a whole user and group lifecycle against a live server, as an IdP
connector built on it would: discovery, create, read, search, replace, patch, delete."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import (
    Context,
    Error,
    ListResponse,
    PatchOp,
    PatchOperation,
    SearchRequest,
)

from syllabus.core.context import Context as ServiceContext
from syllabus.core.context import Surface
from syllabus.core.credentials import CredentialKind
from syllabus.db.session import unit_of_work
from syllabus.services.credentials import issue_credential
from syllabus.services.tenants import NewTenant, create_tenant
from tests.dialects.scim.live import live_server

pytestmark = pytest.mark.slow


@pytest.fixture
def client(fresh_db_url: str, tmp_path: Path) -> Iterator[SyncSCIMClient]:
    with live_server(fresh_db_url, tmp_path) as (base, app):
        factory = app.state.session_factory  # type: ignore[attr-defined]
        with unit_of_work(factory, tenant_id=None) as session:
            tenant = create_tenant(
                session, data=NewTenant(acct_key="cli.example.test"), actor="t", surface=Surface.CLI
            )
            token = issue_credential(
                session,
                ServiceContext(tenant.id, "t", Surface.CLI),
                kind=CredentialKind.SCIM_TOKEN,
                label="scim2-client",
            ).secret
        http = Client(base_url=f"{base}/scim/v2", headers={"Authorization": f"Bearer {token}"})
        scim = SyncSCIMClient(http)
        scim.discover()
        yield scim
        http.close()


def _model(client: SyncSCIMClient, name: str, payload: dict[str, Any]) -> Any:
    model = client.get_resource_model(name)
    assert model is not None
    return model.model_validate(payload, scim_ctx=Context.RESOURCE_CREATION_REQUEST)


def test_user_and_group_lifecycle(client: SyncSCIMClient) -> None:
    ann = client.create(
        _model(
            client,
            "User",
            {
                "userName": "ann@example.com",
                "name": {"givenName": "Ann", "familyName": "Lee"},
                "emails": [{"value": "ann@example.com", "type": "work", "primary": True}],
                "active": True,
            },
        )
    )
    assert not isinstance(ann, Error)
    assert ann.id
    assert ann.meta.version
    bob = client.create(
        _model(
            client,
            "User",
            {
                "userName": "bob@example.com",
                "emails": [{"value": "bob@example.com"}],
                "active": True,
            },
        )
    )
    assert not isinstance(bob, Error)

    read = client.query(client.get_resource_model("User"), ann.id)
    assert read.user_name == "ann@example.com"
    found = client.search(SearchRequest(filter='userName eq "ANN@example.com"'))
    assert isinstance(found, ListResponse)
    assert [r.id for r in found.resources or []] == [ann.id]

    read.title = "Engineer"
    replaced = client.replace(read)
    assert replaced.title == "Engineer"

    user_model = client.get_resource_model("User")
    deactivate = PatchOp[user_model](  # type: ignore[valid-type]
        operations=[PatchOperation(op=PatchOperation.Op.replace_, path="active", value=False)]
    )
    patched = client.modify(user_model, ann.id, deactivate)
    assert patched is None or patched.active is False
    assert client.query(user_model, ann.id).active is False

    group = client.create(
        _model(client, "Group", {"displayName": "Engineers", "members": [{"value": ann.id}]})
    )
    assert not isinstance(group, Error)
    group_model = client.get_resource_model("Group")
    add_bob = PatchOp[group_model](  # type: ignore[valid-type]
        operations=[
            PatchOperation(op=PatchOperation.Op.add, path="members", value=[{"value": bob.id}])
        ]
    )
    client.modify(group_model, group.id, add_bob)
    members = client.query(group_model, group.id).members or []
    assert sorted(m.value for m in members) == sorted([ann.id, bob.id])
    listed = client.query(group_model, query_parameters={"filter": 'displayName eq "engineers"'})
    assert [g.id for g in listed.resources or []] == [group.id]

    client.delete(group_model, group.id)
    client.delete(user_model, bob.id)
    gone = client.query(user_model, bob.id, raise_scim_errors=False)
    assert isinstance(gone, Error)
    assert gone.status == 404
