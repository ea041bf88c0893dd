"""``syllabus webhook ...`` as an operator runs it (in-process; see tests/cli_runner.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests import cli_runner

SYLLABUS = [sys.executable, "-m", "syllabus"]


def _run(
    url: str, tmp_path: Path, *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SYLLABUS_DATABASE_URL": url,
        "SYLLABUS_DATA_DIR": str(tmp_path),
        "SYLLABUS_WEBHOOK_ALLOW_PRIVATE_TARGETS": "0",
    }
    return cli_runner.run(list(args), env, check=check)


def test_webhook_create_list_rotate_replay_delete(fresh_db_url: str, tmp_path: Path) -> None:
    _run(fresh_db_url, tmp_path, "tenant", "create", "cli.example.test")
    refused = _run(
        fresh_db_url,
        tmp_path,
        "webhook",
        "create",
        "cli.example.test",
        "http://127.0.0.1/h",
        check=False,
    )
    assert refused.returncode == 1
    assert "target_url" in refused.stderr
    env_password = {"SYLLABUS_WEBHOOK_PASSWORD": "pw"}
    os.environ.update(env_password)
    try:
        created = json.loads(
            _run(
                fresh_db_url,
                tmp_path,
                "webhook",
                "create",
                "cli.example.test",
                "https://93.184.216.34/h",
                "--event-type",
                "course.completed",
                "--username",
                "ops",
            ).stdout
        )
    finally:
        os.environ.pop("SYLLABUS_WEBHOOK_PASSWORD")
    assert created["secret"].startswith("whsec_")
    assert created["event_type"] == "COURSE_COMPLETION"
    listed = _run(fresh_db_url, tmp_path, "webhook", "list", "cli.example.test").stdout
    assert json.loads(listed.strip())["id"] == created["id"]
    assert "whsec_" not in listed
    assert "pw" not in listed.replace("https", "")
    rotated = json.loads(
        _run(
            fresh_db_url,
            tmp_path,
            "webhook",
            "rotate-secret",
            "cli.example.test",
            str(created["id"]),
        ).stdout
    )
    assert rotated["secret"] != created["secret"]
    replay = _run(
        fresh_db_url,
        tmp_path,
        "webhook",
        "replay",
        "cli.example.test",
        str(created["id"]),
        "--since",
        "2020-01-01T00:00:00Z",
    )
    assert "queued 0" in replay.stdout
    bad_since = _run(
        fresh_db_url,
        tmp_path,
        "webhook",
        "replay",
        "cli.example.test",
        str(created["id"]),
        "--since",
        "yesterday",
        check=False,
    )
    assert bad_since.returncode == 1
    _run(fresh_db_url, tmp_path, "webhook", "delete", "cli.example.test", str(created["id"]))
    missing = _run(
        fresh_db_url,
        tmp_path,
        "webhook",
        "delete",
        "cli.example.test",
        str(created["id"]),
        check=False,
    )
    assert missing.returncode == 1
