"""A fresh app and program per test, and the Skilljar client's ways of presenting the key."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from syllabus.core.context import Context, Surface
from syllabus.db.session import unit_of_work
from syllabus.dialects.skilljar.ids import IdCodec
from tests.http_client import Program, make_program


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_program(client, "academy.example.test")


@pytest.fixture
def other_program(client: TestClient) -> Program:
    return make_program(client, "other.example.test")


def basic(key: str, *, colon: bool = True) -> dict[str, str]:
    raw = f"{key}:" if colon else key
    return {"Authorization": "Basic " + base64.b64encode(raw.encode()).decode()}


@pytest.fixture
def auth(program: Program) -> dict[str, str]:
    """The official form: HTTP Basic, the key as username, empty password."""
    return basic(program.api_key)


def codec(client: TestClient) -> IdCodec:
    """The app's public-id codec, to name rows created through other doors."""
    v1 = next(r for r in client.app.routes if getattr(r, "path", "") == "/v1")  # type: ignore[attr-defined]
    ids: IdCodec = v1.app.state.ids  # type: ignore[attr-defined]
    return ids


def seed(client: TestClient, program: Program) -> tuple[Any, Context]:
    """A unit of work for ``program``, to arrange data through the services."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    return factory, Context(program.tenant_id, "test", Surface.CLI)


@contextmanager
def arrange(client: TestClient, program: Program) -> Iterator[tuple[Session, Context]]:
    factory, ctx = seed(client, program)
    with unit_of_work(factory, tenant_id=program.tenant_id) as session:
        yield session, ctx
