"""Capacity under concurrent registrations, against a real server on 127.0.0.1.

Many clients ask for the last seats of one timeslot at the same moment, each in its own HTTP
request (so its own transaction). Exactly ``capacity`` of them get a seat, the rest are
waitlisted, on SQLite and on PostgreSQL; cancelling seats in parallel promotes exactly as many.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from syllabus.app import create_app
from syllabus.core.context import Context, Surface
from syllabus.core.credentials import CredentialKind
from syllabus.db.session import unit_of_work
from syllabus.services.credentials import issue_credential
from syllabus.services.tenants import NewTenant, create_tenant
from syllabus.services.users import UserData, create_user
from tests.factories import make_timeslot
from tests.http_client import settings_for

CAPACITY = 5
CLIENTS = 24


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(fresh_db_url: str, tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """A real uvicorn serving the app on a loopback port, and the app (for its database)."""
    app = create_app(settings_for(fresh_db_url, tmp_path))
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        uv.should_exit = True
        thread.join(timeout=20)


def arrange(app: Any) -> tuple[dict[str, str], int, list[int]]:
    factory = app.state.session_factory
    with unit_of_work(factory, tenant_id=None) as session:
        tenant = create_tenant(
            session, data=NewTenant(acct_key="race.skyprepapp.com"), actor="t", surface=Surface.CLI
        )
        ctx = Context(tenant.id, "test", Surface.CLI)
        api_key = issue_credential(session, ctx, kind=CredentialKind.API_KEY).secret
    with unit_of_work(factory, tenant_id=tenant.id) as session:
        slot = make_timeslot(session, ctx, capacity=CAPACITY).id
        users = [
            create_user(session, ctx, data=UserData(email=f"racer{i}@example.com")).id
            for i in range(CLIENTS)
        ]
    keys = {"X-SkyPrep-API-Key": api_key, "X-SkyPrep-Acct-Key": "race.skyprepapp.com"}
    return keys, slot, users


def call(base: str, keys: dict[str, str], action: str, **params: Any) -> Any:
    with httpx.Client(base_url=base, headers=keys, timeout=60) as http:
        response = http.post(f"/admin/api/{action}", json=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_concurrent_registrations_never_exceed_capacity(server: tuple[str, Any]) -> None:
    base, app = server
    keys, slot, users = arrange(app)
    barrier = threading.Barrier(CLIENTS)

    def one(user_id: int) -> str:
        barrier.wait()
        answer = call(
            base,
            keys,
            "create_instructor_led_training_timeslot_registrations",
            instructor_led_training_timeslot_id=slot,
            user_id=user_id,
        )
        status: str = answer["status"]
        return status

    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = Counter(pool.map(one, users))
    assert statuses == {"pending": CAPACITY, "waitlisted": CLIENTS - CAPACITY}

    listed = call(
        base,
        keys,
        "get_instructor_led_training_timeslot_registrations",
        instructor_led_training_timeslot_id=slot,
    )
    assert Counter(r["status"] for r in listed) == statuses
    timeslot = call(
        base, keys, "get_instructor_led_training_timeslot", instructor_led_training_timeslot_id=slot
    )
    assert timeslot["registration_count"] == CAPACITY

    # Cancelling every seat at once: each freed seat goes to exactly one waitlisted user,
    # the first in line.
    seats = [r for r in listed if r["status"] == "pending"]
    waiting = [r["user_id"] for r in listed if r["status"] == "waitlisted"]
    cancel_barrier = threading.Barrier(len(seats))

    def cancel(registration_id: int) -> None:
        cancel_barrier.wait()
        call(
            base,
            keys,
            "update_instructor_led_training_timeslot_registration",
            instructor_led_training_timeslot_registration_id=registration_id,
            status="cancelled",
        )

    with ThreadPoolExecutor(len(seats)) as pool:
        list(pool.map(cancel, [r["id"] for r in seats]))
    after = call(
        base,
        keys,
        "get_instructor_led_training_timeslot_registrations",
        instructor_led_training_timeslot_id=slot,
    )
    holding = sorted(r["user_id"] for r in after if r["status"] == "pending")
    assert holding == sorted(waiting[:CAPACITY])
    assert Counter(r["status"] for r in after) == {
        "pending": CAPACITY,
        "cancelled": CAPACITY,
        "waitlisted": CLIENTS - 2 * CAPACITY,
    }
