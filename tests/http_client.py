"""An app on a fresh database and a client that talks to it through ASGI, as clients would."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from syllabus.app import create_app
from syllabus.config import Settings
from syllabus.core.context import Context, Surface
from syllabus.core.credentials import CredentialKind
from syllabus.db.session import unit_of_work
from syllabus.services.credentials import issue_credential
from syllabus.services.tenants import NewTenant, create_tenant


@dataclass(frozen=True)
class Program:
    tenant_id: int
    acct_key: str
    api_key: str
    scim_token: str


def settings_for(url: str, data_dir: Path) -> Settings:
    return Settings(
        database_url=url,
        data_dir=data_dir,
        host="127.0.0.1",
        port=0,
        embedded_worker=False,
        worker_poll_seconds=0.05,
        job_lease_seconds=30,
        log_level="warning",
    )


def make_program(client: TestClient, acct_key: str) -> Program:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=None) as session:
        tenant = create_tenant(
            session, data=NewTenant(acct_key=acct_key), actor="test", surface=Surface.CLI
        )
        ctx = Context(tenant.id, "test", Surface.CLI)
        api_key = issue_credential(session, ctx, kind=CredentialKind.API_KEY).secret
        scim = issue_credential(session, ctx, kind=CredentialKind.SCIM_TOKEN).secret
    return Program(tenant.id, acct_key, api_key, scim)


def app_client(url: str, data_dir: Path) -> Iterator[TestClient]:
    with TestClient(
        create_app(settings_for(url, data_dir)), raise_server_exceptions=True
    ) as client:
        yield client
