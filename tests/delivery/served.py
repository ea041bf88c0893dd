"""``syllabus serve`` as real processes (uvicorn + embedded worker) on a test database, and
what the webhook fault tests read back from that database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from syllabus.core.credentials import CredentialKind
from syllabus.db.engine import make_engine
from syllabus.db.session import make_sessionmaker, unit_of_work
from syllabus.delivery.fanout import message_id
from syllabus.domain.events import Event
from syllabus.domain.webhooks import WEBHOOK_TYPE_OF_EVENT, Webhook, WebhookDelivery
from syllabus.services.credentials import issue_credential
from tests.dialects.skilljar.conftest import basic
from tests.factories import make_tenant

START_TIMEOUT = 90.0
STOP_TIMEOUT = 60.0
GRACEFUL = {0, -signal.SIGTERM}
"""Exit statuses of a clean stop: uvicorn re-raises the SIGTERM it handled once shut down."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def eventually(condition: Callable[[], bool], timeout: float, what: Callable[[], str]) -> None:
    """Poll ``condition`` until it holds; fail with ``what()`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what()
        time.sleep(0.05)


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def stop(self, how: signal.Signals = signal.SIGTERM) -> int:
        """Send ``how`` and wait for the process to end; its exit status."""
        if self.process.poll() is None:
            os.kill(self.process.pid, how)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            raise AssertionError(f"{self.base} did not stop on {how.name}") from None

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def launch(db_url: str, data_dir: Path, name: str) -> Served:
    """Start ``syllabus serve`` with its embedded worker, webhooks allowed to 127.0.0.1."""
    port = free_port()
    log = data_dir / f"{name}.log"
    environment = {
        **os.environ,
        "SYLLABUS_DATABASE_URL": db_url,
        "SYLLABUS_DATA_DIR": str(data_dir),
        "SYLLABUS_SECRET_KEY": "served-webhook-tests",
        "SYLLABUS_WEBHOOK_ALLOW_PRIVATE_TARGETS": "1",
        "SYLLABUS_RATE_LIMIT_PER_SECOND": "0",
        "SYLLABUS_WORKER_POLL_SECONDS": "0.1",
        "SYLLABUS_LOG_LEVEL": "warning",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "syllabus", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Served(process, f"http://127.0.0.1:{port}", log)


def wait_ready(served: Served) -> Served:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        assert served.process.poll() is None, f"server exited: {served.output()}"
        try:
            if httpx.get(f"{served.base}/health", timeout=2).status_code == 200:
                return served
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            served.stop(signal.SIGKILL)
            raise AssertionError(f"server did not come up: {served.output()}")
        time.sleep(0.1)


def serve(db_url: str, data_dir: Path, name: str) -> Served:
    return wait_ready(launch(db_url, data_dir, name))


@dataclass
class Program:
    """A program in the served database, and direct reads of what the servers did."""

    db_url: str
    tenant_id: int
    acct_key: str
    auth: dict[str, str]

    def _read(self, fn: Callable[[Any], Any]) -> Any:
        engine = make_engine(self.db_url)
        try:
            factory = make_sessionmaker(engine)
            with unit_of_work(factory, tenant_id=self.tenant_id, read_only=True) as session:
                return fn(session)
        finally:
            engine.dispose()

    def webhooks(self) -> list[Webhook]:
        return list(self._read(lambda s: list(s.scalars(select(Webhook).order_by(Webhook.id)))))

    def events(self) -> list[Event]:
        return list(self._read(lambda s: list(s.scalars(select(Event).order_by(Event.id)))))

    def deliveries(self, webhook_id: int) -> list[WebhookDelivery]:
        stmt = (
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook_id)
            .order_by(WebhookDelivery.id)
        )
        return list(self._read(lambda s: list(s.scalars(stmt))))

    def expected(self, hook: Webhook, events: list[Event]) -> list[str]:
        """The ``webhook-id`` of every event the webhook subscribes to, in event order."""
        return [
            message_id(e.event_id, hook.id)
            for e in events
            if (kind := WEBHOOK_TYPE_OF_EVENT.get(e.type)) is not None
            and (hook.event_type is None or hook.event_type == kind)
        ]


def make_served_program(db_url: str, acct_key: str = "served.example.test") -> Program:
    engine = make_engine(db_url)
    try:
        with unit_of_work(make_sessionmaker(engine), tenant_id=None) as session:
            tenant, ctx = make_tenant(session, acct_key)
            secret = issue_credential(session, ctx, kind=CredentialKind.API_KEY).secret
            return Program(db_url, tenant.id, tenant.acct_key, basic(secret))
    finally:
        engine.dispose()


def create_hook(base: str, program: Program, url: str, event_type: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"target_url": url}
    if event_type is not None:
        body["event_type"] = event_type
    answer = httpx.post(f"{base}/v1/webhooks", json=body, headers=program.auth, timeout=30)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def create_user(base: str, program: Program, email: str) -> str:
    """POST /v1/users (a ``user.registered`` event); the user's public id."""
    answer = httpx.post(f"{base}/v1/users", json={"email": email}, headers=program.auth, timeout=60)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def rename_user(base: str, program: Program, user_id: str, name: str) -> None:
    """PATCH /v1/users/{id} (a ``user.updated`` event)."""
    answer = httpx.patch(
        f"{base}/v1/users/{user_id}", json={"first_name": name}, headers=program.auth, timeout=60
    )
    assert answer.status_code == 200, answer.text
