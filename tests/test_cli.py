"""The ``syllabus`` command as an operator runs it: in-process (tests/cli_runner.py), and as
real processes for the smoke test each command group keeps and a real server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from syllabus.core.context import Surface
from syllabus.db.engine import make_engine
from syllabus.db.session import make_sessionmaker, unit_of_work
from syllabus.domain.credentials import Credential
from syllabus.domain.users import User
from tests import cli_runner

SYLLABUS = [sys.executable, "-m", "syllabus"]


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "SYLLABUS_DATABASE_URL": url, "SYLLABUS_DATA_DIR": str(tmp_path)}


def _run(
    url: str, tmp_path: Path, *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return cli_runner.run(list(args), _env(url, tmp_path), check=check)


def test_tenant_create_json_prints_exactly_one_object(fresh_db_url: str, tmp_path: Path) -> None:
    result = _run(fresh_db_url, tmp_path, "tenant", "create", "acme.example", "--json")
    payload = json.loads(result.stdout)
    assert set(payload) == {"acct_key", "api_key", "scim_token"}
    assert payload["acct_key"] == "acme.example"
    assert payload["api_key"] != payload["scim_token"]
    assert len(payload["api_key"]) >= 43  # 32 random bytes, base64url
    # Only hashes are stored; the secrets appear nowhere in the database.
    engine = make_engine(fresh_db_url)
    with unit_of_work(make_sessionmaker(engine), tenant_id=None, read_only=True) as session:
        stored = session.scalars(select(Credential)).all()
    engine.dispose()
    assert len(stored) == 2
    for credential in stored:
        assert payload["api_key"] not in (credential.secret_hash, credential.prefix)
        assert len(credential.secret_hash) == 64


def test_duplicate_and_invalid_programs_fail_cleanly(fresh_db_url: str, tmp_path: Path) -> None:
    _run(fresh_db_url, tmp_path, "tenant", "create", "acme.example", "--json")
    again = _run(fresh_db_url, tmp_path, "tenant", "create", "ACME.example", check=False)
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert "Traceback" not in again.stderr
    bad = _run(fresh_db_url, tmp_path, "tenant", "create", "not a host", check=False)
    assert bad.returncode == 1
    assert "acct_key" in bad.stderr


def test_key_create_list_and_revoke(fresh_db_url: str, tmp_path: Path) -> None:
    _run(fresh_db_url, tmp_path, "tenant", "create", "acme.example", "--json")
    created = json.loads(
        _run(
            fresh_db_url, tmp_path, "key", "create", "acme.example", "--label", "hr", "--json"
        ).stdout
    )
    listing = _run(fresh_db_url, tmp_path, "key", "list", "acme.example").stdout
    assert "hr" in listing
    assert created["secret"] not in listing
    _run(fresh_db_url, tmp_path, "key", "revoke", "acme.example", str(created["id"]))
    assert "revoked" in _run(fresh_db_url, tmp_path, "key", "list", "acme.example").stdout
    missing = _run(fresh_db_url, tmp_path, "key", "revoke", "acme.example", "999999", check=False)
    assert missing.returncode == 1


def test_demo_fills_a_program_once(fresh_db_url: str, tmp_path: Path) -> None:
    first = json.loads(_run(fresh_db_url, tmp_path, "demo", "--json").stdout)
    second = json.loads(_run(fresh_db_url, tmp_path, "demo", "--json").stdout)
    assert first["acct_key"] == "demo.example"
    assert first["api_key"] != second["api_key"]
    engine = make_engine(fresh_db_url)
    with unit_of_work(make_sessionmaker(engine), tenant_id=None, read_only=True) as session:
        users = session.scalars(select(User.email)).all()
    engine.dispose()
    assert len(users) == len(set(users)) >= 50  # the second run added nobody


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_serve_answers_health_and_test_connection_over_a_real_socket(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'served.db'}"
    keys = json.loads(_run(url, tmp_path, "tenant", "create", "served.example", "--json").stdout)
    port = _free_port()
    server = subprocess.Popen(
        [*SYLLABUS, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=_env(url, tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.1)
        response = httpx.post(
            f"{base}/admin/api/test_connection",
            data={"api_key": keys["api_key"], "acct_key": keys["acct_key"]},
            timeout=5,
        )
        assert response.json() == {"message": "success", "acct_key": "served.example"}
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert keys["api_key"] not in output  # keys never reach the log


def test_materials_add_list_remove_and_course_subscribe_key(
    fresh_db_url: str, tmp_path: Path
) -> None:
    _run(fresh_db_url, tmp_path, "tenant", "create", "acme.example", "--json")
    guide = tmp_path / "guide.txt"
    guide.write_text("read me\n")
    added = _run(
        fresh_db_url,
        tmp_path,
        "materials",
        "add",
        "acme.example",
        str(guide),
        "--name",
        "Welcome Guide.txt",
        "--category",
        "Onboarding",
    )
    assert "Welcome Guide.txt (8 bytes)" in added.stdout
    listed = _run(fresh_db_url, tmp_path, "materials", "list", "acme.example").stdout
    [row] = [line.split("\t") for line in listed.splitlines()]
    assert row[1:] == ["Welcome Guide.txt", "text/plain", "8", "Onboarding"]
    stored = [p for p in (tmp_path / "materials").rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in stored] == [b"read me\n"]
    missing = _run(
        fresh_db_url,
        tmp_path,
        "materials",
        "add",
        "acme.example",
        str(tmp_path / "nope"),
        check=False,
    )
    assert missing.returncode == 1
    assert "(path)" in missing.stderr
    _run(fresh_db_url, tmp_path, "materials", "remove", "acme.example", row[0])
    assert _run(fresh_db_url, tmp_path, "materials", "list", "acme.example").stdout == ""
    assert not [p for p in (tmp_path / "materials").rglob("*") if p.is_file()]

    engine = make_engine(fresh_db_url)
    with unit_of_work(make_sessionmaker(engine), tenant_id=None) as session:
        from syllabus.core.context import Context
        from syllabus.domain.tenants import Tenant
        from syllabus.services.courses import CourseData, create_course

        tenant_id = session.scalar(select(Tenant.id).where(Tenant.acct_key == "acme.example"))
        assert tenant_id is not None
        course = create_course(
            session, Context(tenant_id, "test", Surface.CLI), data=CourseData(name="C")
        )
    engine.dispose()
    changed = _run(
        fresh_db_url,
        tmp_path,
        "course",
        "subscribe-key",
        "acme.example",
        str(course.id),
        "SPRING-27",
    )
    assert changed.stdout.strip() == "SPRING-27"
    generated = _run(
        fresh_db_url, tmp_path, "course", "subscribe-key", "acme.example", str(course.id)
    )
    assert generated.stdout.strip() not in ("", "SPRING-27")
    refused = _run(
        fresh_db_url,
        tmp_path,
        "course",
        "subscribe-key",
        "acme.example",
        str(course.id),
        "a b",
        check=False,
    )
    assert refused.returncode == 1
    assert "(subscribe_key)" in refused.stderr


GROUPS = sorted(
    group.name or "" for group in cli_runner.app.registered_groups if group.name is not None
)


@pytest.mark.cli_subprocess
@pytest.mark.parametrize("group", GROUPS)
def test_each_command_group_answers_as_a_real_process(group: str, tmp_path: Path) -> None:
    """The smoke test each group keeps: ``python -m syllabus <group>`` starts and knows it
    (the other CLI tests run the commands in-process)."""
    done = cli_runner.run([group, "--help"], _env(f"sqlite:///{tmp_path}/smoke.db", tmp_path))
    assert done.returncode == 0
    assert f"syllabus {group}" in done.stdout.replace("python -m ", "")
