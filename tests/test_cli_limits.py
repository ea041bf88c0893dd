"""``syllabus tenant limits``: a program's rate-limit override, set by an operator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from syllabus.db.engine import make_engine
from syllabus.db.session import make_sessionmaker, unit_of_work
from syllabus.domain.tenants import Tenant
from tests import cli_runner

SYLLABUS = [sys.executable, "-m", "syllabus"]


def _run(
    url: str, tmp_path: Path, *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SYLLABUS_DATABASE_URL": url, "SYLLABUS_DATA_DIR": str(tmp_path)}
    env["COLUMNS"] = "200"  # rich must not wrap the one-line answers
    return cli_runner.run(list(args), env, check=check)


def _stored(url: str) -> object:
    engine = make_engine(url)
    with unit_of_work(make_sessionmaker(engine), tenant_id=None, read_only=True) as session:
        settings = session.scalar(select(Tenant.settings).where(Tenant.acct_key == "lim.example"))
    engine.dispose()
    return (settings or {}).get("rate_limit")


def test_set_show_and_remove_a_programs_limit(fresh_db_url: str, tmp_path: Path) -> None:
    json.loads(_run(fresh_db_url, tmp_path, "tenant", "create", "lim.example", "--json").stdout)
    shown = _run(fresh_db_url, tmp_path, "tenant", "limits", "lim.example").stdout
    assert "deployment default, 50/s per key, bursts of 200" in shown
    limits = ("--per-second", "5", "--burst", "20")
    set_ = _run(fresh_db_url, tmp_path, "tenant", "limits", "lim.example", *limits).stdout
    assert "lim.example: 5/s per key, bursts of 20" in set_
    assert _stored(fresh_db_url) == {"per_second": 5.0, "burst": 20.0}
    off = _run(
        fresh_db_url,
        tmp_path,
        "tenant",
        "limits",
        "lim.example",
        "--per-second",
        "0",
        "--burst",
        "0",
    ).stdout
    assert "no rate limit" in off
    back = _run(fresh_db_url, tmp_path, "tenant", "limits", "lim.example", "--default").stdout
    assert "deployment default" in back
    assert _stored(fresh_db_url) is None


def test_bad_limits_and_unknown_programs_fail_cleanly(fresh_db_url: str, tmp_path: Path) -> None:
    _run(fresh_db_url, tmp_path, "tenant", "create", "lim.example", "--json")
    bad = _run(
        fresh_db_url,
        tmp_path,
        "tenant",
        "limits",
        "lim.example",
        "--per-second",
        "-1",
        "--burst",
        "5",
        check=False,
    )
    assert bad.returncode == 1
    assert "per_second" in bad.stderr
    half = _run(
        fresh_db_url, tmp_path, "tenant", "limits", "lim.example", "--burst", "5", check=False
    )
    assert half.returncode == 1
    assert "per_second is required" in half.stderr
    unknown = _run(fresh_db_url, tmp_path, "tenant", "limits", "nope.example", check=False)
    assert unknown.returncode == 1
    assert _stored(fresh_db_url) is None
