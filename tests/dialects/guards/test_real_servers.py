"""Both guards across two real server processes sharing one database (uvicorn on 127.0.0.1)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from syllabus.core.credentials import CredentialKind
from syllabus.db.engine import make_engine
from syllabus.db.session import make_sessionmaker, unit_of_work
from syllabus.domain.users import User
from syllabus.services.credentials import issue_credential
from tests.factories import make_tenant

# Both databases: on PostgreSQL the rate-limit buckets are shared through SQL.
pytestmark = [pytest.mark.slow, pytest.mark.postgres]
START_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def servers(url: str, data_dir: Path, count: int, **env: str) -> Iterator[list[str]]:
    """``count`` uvicorn processes on one database; yields their base URLs."""
    environment = {
        **os.environ,
        "SYLLABUS_DATABASE_URL": url,
        "SYLLABUS_DATA_DIR": str(data_dir),
        "SYLLABUS_EMBEDDED_WORKER": "0",
        **env,
    }
    ports = [_free_port() for _ in range(count)]
    uvicorn = [sys.executable, "-m", "uvicorn", "syllabus.app:create_app", "--factory"]
    processes = [
        subprocess.Popen(
            [*uvicorn, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        deadline = time.monotonic() + START_TIMEOUT
        for base, process in zip(bases, processes, strict=True):
            while True:
                assert process.poll() is None, "server exited"
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.1)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@pytest.fixture
def program(fresh_db_url: str) -> tuple[str, str]:
    """(acct_key, api_key) of a program committed to the fresh database."""
    engine = make_engine(fresh_db_url)
    with unit_of_work(make_sessionmaker(engine), tenant_id=None) as session:
        tenant, ctx = make_tenant(session, "served.example")
        secret = issue_credential(session, ctx, kind=CredentialKind.API_KEY).secret
    engine.dispose()
    return tenant.acct_key, secret


def _post(base: str, action: str, program: tuple[str, str], **kwargs: object) -> httpx.Response:
    acct_key, api_key = program
    headers = {"X-SkyPrep-API-Key": api_key, "X-SkyPrep-Acct-Key": acct_key}
    headers |= kwargs.pop("headers", {})  # type: ignore[arg-type]
    return httpx.post(f"{base}/admin/api/{action}", headers=headers, timeout=30, **kwargs)  # type: ignore[arg-type]


def test_two_processes_share_one_budget_on_postgresql(
    fresh_db_url: str, tmp_path: Path, program: tuple[str, str]
) -> None:
    burst = 12
    env = {"SYLLABUS_RATE_LIMIT_PER_SECOND": "0.001", "SYLLABUS_RATE_LIMIT_BURST": str(burst)}
    with servers(fresh_db_url, tmp_path, 2, **env) as bases:
        statuses = [_post(bases[i % 2], "test_connection", program).status_code for i in range(40)]
    # PostgreSQL: one bucket row for both processes. SQLite: a bucket per process (documented:
    # one machine, and sharing would cost every request the database's write lock).
    shared = not fresh_db_url.startswith("sqlite")
    assert statuses.count(200) == (burst if shared else 2 * burst)
    assert set(statuses) == {200, 429}


def test_concurrent_duplicates_run_once(
    fresh_db_url: str, tmp_path: Path, program: tuple[str, str]
) -> None:
    params = {"email": "dup@example.com", "first_name": "Dup"}
    answers: list[httpx.Response] = []
    lock = threading.Lock()
    with servers(fresh_db_url, tmp_path, 2) as bases:
        start = threading.Barrier(12)

        def send(base: str) -> None:
            start.wait()
            response = _post(
                base, "create_user", program, data=params, headers={"Idempotency-Key": "dup-1"}
            )
            with lock:
                answers.append(response)

        threads = [threading.Thread(target=send, args=(bases[i % 2],)) for i in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        settled = _post(
            bases[0], "create_user", program, data=params, headers={"Idempotency-Key": "dup-1"}
        )
    created = [
        a for a in answers if a.status_code == 200 and "idempotent-replayed" not in a.headers
    ]
    assert len(created) == 1, [(a.status_code, a.text) for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["field"] == "Idempotency-Key"
            assert answer.headers["retry-after"] == "1"
        else:
            assert answer.status_code == 200
            assert answer.content == created[0].content
    assert settled.headers["idempotent-replayed"] == "true"
    assert settled.content == created[0].content
    engine = make_engine(fresh_db_url)
    with unit_of_work(make_sessionmaker(engine), tenant_id=None, read_only=True) as session:
        count = session.scalar(
            select(func.count()).select_from(User).where(User.email == "dup@example.com")
        )
    engine.dispose()
    assert count == 1
