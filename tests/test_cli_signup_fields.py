"""``syllabus signup-field ...`` as an operator runs it (real processes), with ids the /v1 API
accepts as they are; and the demo program's signup field."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from syllabus.cli.demo import ensure_demo_program
from syllabus.db.engine import make_engine
from syllabus.db.session import make_sessionmaker, unit_of_work
from syllabus.domain.signup_manager import SignupField, UserSignupFieldValue
from tests import cli_runner
from tests.http_client import app_client

SYLLABUS = [sys.executable, "-m", "syllabus"]
PROGRAM = "cli.example.test"


def _run(
    url: str, tmp_path: Path, *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SYLLABUS_DATABASE_URL": url, "SYLLABUS_DATA_DIR": str(tmp_path)}
    return cli_runner.run(list(args), env, check=check)


def _field(url: str, tmp_path: Path, *args: str) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(_run(url, tmp_path, "signup-field", *args).stdout)
    return answer


def test_fields_are_added_listed_changed_and_removed(fresh_db_url: str, tmp_path: Path) -> None:
    created = json.loads(_run(fresh_db_url, tmp_path, "tenant", "create", PROGRAM, "--json").stdout)
    field = _field(
        fresh_db_url,
        tmp_path,
        "add",
        PROGRAM,
        PROGRAM,
        "Region",
        "--type",
        "picklist",
        "--option",
        "East",
        "--option",
        "West",
        "--required",
        "--order",
        "50",
    )
    assert field["type"] == "PICKLIST"
    assert field["required"] is True
    assert [o["value"] for o in field["options"]] == ["East", "West"]
    field_id = field["id"]
    for client in app_client(fresh_db_url, tmp_path):
        auth = {"Authorization": f"Token {created['api_key']}"}
        listed = client.get(f"/v1/domains/{PROGRAM}/signup-fields", headers=auth).json()
        assert [f["id"] for f in listed["results"]] == [field_id]
        assert listed["results"][0]["options"] == field["options"]
    changed = _field(fresh_db_url, tmp_path, "update", PROGRAM, field_id, "--label", "Sales region")
    assert changed["label"] == "Sales region"
    bad = _run(
        fresh_db_url,
        tmp_path,
        "signup-field",
        "update",
        PROGRAM,
        field_id,
        "--regex",
        "([",
        check=False,
    )
    assert bad.returncode == 1
    assert "regex_validator" in bad.stderr
    more = _field(fresh_db_url, tmp_path, "add-option", PROGRAM, field_id, "North")
    assert [o["value"] for o in more["options"]] == ["East", "West", "North"]
    dup = _run(
        fresh_db_url, tmp_path, "signup-field", "add-option", PROGRAM, field_id, "East", check=False
    )
    assert dup.returncode == 1
    east = more["options"][0]["id"]
    _run(fresh_db_url, tmp_path, "signup-field", "remove-option", PROGRAM, east)
    off = _field(fresh_db_url, tmp_path, "deactivate", PROGRAM, field_id)
    assert off["active"] is False
    assert [o["value"] for o in off["options"]] == ["West", "North"]
    assert _field(fresh_db_url, tmp_path, "activate", PROGRAM, field_id)["active"] is True
    lines = _run(fresh_db_url, tmp_path, "signup-field", "list", PROGRAM, PROGRAM).stdout
    assert [json.loads(line)["label"] for line in lines.splitlines()] == ["Sales region"]
    assert (
        "removed"
        in _run(fresh_db_url, tmp_path, "signup-field", "remove", PROGRAM, field_id).stdout
    )
    assert _run(fresh_db_url, tmp_path, "signup-field", "list", PROGRAM, PROGRAM).stdout == ""
    gone = _run(fresh_db_url, tmp_path, "signup-field", "remove", PROGRAM, field_id, check=False)
    assert gone.returncode == 1
    no_domain = _run(
        fresh_db_url,
        tmp_path,
        "signup-field",
        "add",
        PROGRAM,
        "elsewhere.example.test",
        "X",
        check=False,
    )
    assert no_domain.returncode == 1
    assert "domain" in no_domain.stderr
    bad_type = _run(
        fresh_db_url,
        tmp_path,
        "signup-field",
        "add",
        PROGRAM,
        PROGRAM,
        "X",
        "--type",
        "DATE",
        check=False,
    )
    assert bad_type.returncode == 1
    assert "type" in bad_type.stderr


def test_the_demo_program_has_an_answered_picklist_field(fresh_db_url: str) -> None:
    engine = make_engine(fresh_db_url)
    try:
        with unit_of_work(make_sessionmaker(engine), tenant_id=None) as session:
            ensure_demo_program(session, "demo.example", users=40)
        with unit_of_work(make_sessionmaker(engine), tenant_id=None, read_only=True) as session:
            [field] = session.scalars(select(SignupField)).all()
            answers = session.scalars(select(UserSignupFieldValue.value)).all()
    finally:
        engine.dispose()
    assert field.type == "PICKLIST"
    assert len(answers) == 10
    assert set(answers) == {"1-10", "11-50", "51-200", "200+"}
