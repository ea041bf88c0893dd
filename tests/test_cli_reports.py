"""``syllabus report save`` and ``syllabus report list`` as an operator runs them."""

from __future__ import annotations

from pathlib import Path

from tests.test_cli import _run


def test_report_save_and_list(fresh_db_url: str, tmp_path: Path) -> None:
    _run(fresh_db_url, tmp_path, "tenant", "create", "acme.example", "--json")
    saved = _run(
        fresh_db_url,
        tmp_path,
        "report",
        "save",
        "acme.example",
        "Failing learners",
        "--columns",
        "user_email,course_name,status",
        "--filter",
        "status=failed,in-progress",
    )
    assert saved.stdout.startswith("saved report ")
    listed = _run(fresh_db_url, tmp_path, "report", "list", "acme.example")
    assert listed.stdout.split("\t")[1:] == [
        "Failing learners",
        "user_email,course_name,status",
        "status=failed,in-progress\n",
    ]
    bad = _run(
        fresh_db_url,
        tmp_path,
        "report",
        "save",
        "acme.example",
        "x",
        "--columns",
        "salary",
        check=False,
    )
    assert bad.returncode == 1
    assert "(columns)" in bad.stderr
