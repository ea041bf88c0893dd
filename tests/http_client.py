"""Apps for the HTTP tests and a client that talks to them through ASGI, as clients would.

``bound_app`` is one app per test module, its session factory rebound to each test's savepoint
connection by ``bind``; ``app_client`` is an app of its own, for tests whose commits are real.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from syllabus.app import create_app
from syllabus.config import Settings
from syllabus.core.context import Context, Surface
from syllabus.core.credentials import CredentialKind
from syllabus.db.session import make_sessionmaker, unit_of_work
from syllabus.pipeline.rate_limiting import RateLimiter
from syllabus.services.credentials import issue_credential
from syllabus.services.rate_limits import MemoryBuckets
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


def app_client(url: str, data_dir: Path, **overrides: Any) -> Iterator[TestClient]:
    settings = replace(settings_for(url, data_dir), **overrides)
    with TestClient(create_app(settings), raise_server_exceptions=True) as client:
        yield client


BOUND_SECRET_KEY = "test-secret-key-of-the-module-app"
"""Given, so the module's app never commits a generated key to the shared database."""


@contextmanager
def bound_app(engine: Engine, url: str, data_dir: Path, **overrides: Any) -> Iterator[TestClient]:
    """One app (lifespan started once) over ``engine``; ``bind`` points it at a test."""
    overrides.setdefault("secret_key", BOUND_SECRET_KEY)
    settings = replace(settings_for(url, data_dir), **overrides)
    factory = make_sessionmaker(engine)
    app = create_app(settings, engine=engine, session_factory=factory)
    with TestClient(app, raise_server_exceptions=True) as client:
        yield client


def bind(client: TestClient, connection: Connection) -> None:
    """Point the app's sessions at ``connection`` (commits become savepoints) and forget what
    the previous test left in memory: verified keys, programs' rate policies and buckets.

    SQLite reuses the ids of rolled-back rows, so a cache keyed by tenant or credential id
    would otherwise carry one test's state into the next. PostgreSQL's buckets are rows written
    on connections of their own, which cannot see this test's uncommitted credentials: the
    module's app counts in memory on both databases (the shared buckets are tested on fresh
    databases, in tests/services and tests/dialects/guards).
    """
    app: FastAPI = client.app  # type: ignore[assignment]
    factory: sessionmaker[Session] = app.state.session_factory
    factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    client.cookies.clear()
    app.state.auth_cache.clear()
    previous: RateLimiter = app.state.rate_limiter
    app.state.rate_limiter = RateLimiter(previous.default, MemoryBuckets(), factory)
    previous.close()
