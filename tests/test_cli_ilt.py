"""``syllabus training create``: the way an operator adds an instructor-led training."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from syllabus.db.engine import make_engine
from syllabus.db.session import make_sessionmaker, unit_of_work
from syllabus.domain.ilt import InstructorLedTraining
from tests.test_cli import _run


def test_training_create_adds_a_training_to_the_program(fresh_db_url: str, tmp_path: Path) -> None:
    _run(fresh_db_url, tmp_path, "tenant", "create", "ilt.example", "--json")
    created = json.loads(
        _run(
            fresh_db_url,
            tmp_path,
            "training",
            "create",
            "ilt.example",
            "Onboarding Workshop",
            "--description",
            "Live onboarding.",
            "--session-type",
            "virtual",
            "--json",
        ).stdout
    )
    bad = _run(
        fresh_db_url,
        tmp_path,
        "training",
        "create",
        "ilt.example",
        "X",
        "--session-type",
        "telepathic",
        check=False,
    )
    assert bad.returncode == 1
    assert "session_type" in bad.stderr
    engine = make_engine(fresh_db_url)
    with unit_of_work(make_sessionmaker(engine), tenant_id=None, read_only=True) as session:
        rows = session.scalars(select(InstructorLedTraining)).all()
    engine.dispose()
    assert [(r.id, r.name, r.description, r.session_type.value) for r in rows] == [
        (created["id"], "Onboarding Workshop", "Live onboarding.", "virtual")
    ]
