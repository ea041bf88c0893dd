"""``syllabus scim settings`` and ``syllabus scim drift`` as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from syllabus.core.context import Context, Surface
from syllabus.db.engine import make_engine
from syllabus.db.session import make_sessionmaker, unit_of_work
from syllabus.domain.tenants import Tenant
from syllabus.services.users import UserData, create_user, update_user
from tests.test_cli import _run


def test_scim_settings_and_drift(fresh_db_url: str, tmp_path: Path) -> None:
    created = json.loads(
        _run(fresh_db_url, tmp_path, "tenant", "create", "idp.example", "--json").stdout
    )
    shown = _run(fresh_db_url, tmp_path, "scim", "settings", "idp.example")
    assert json.loads(shown.stdout) == {"authority": "any", "hard_delete": False}
    changed = _run(
        fresh_db_url,
        tmp_path,
        "scim",
        "settings",
        "idp.example",
        "--authority",
        "scim",
        "--hard-delete",
    )
    assert json.loads(changed.stdout) == {"authority": "scim", "hard_delete": True}
    bad = _run(
        fresh_db_url, tmp_path, "scim", "settings", "idp.example", "--authority", "hr", check=False
    )
    assert bad.returncode == 1
    assert "authority" in bad.stderr
    clean = _run(fresh_db_url, tmp_path, "scim", "drift", "idp.example")
    assert clean.returncode == 0
    assert "0 user(s)" in clean.stdout

    _run(fresh_db_url, tmp_path, "scim", "settings", "idp.example", "--authority", "any")
    engine = make_engine(fresh_db_url)
    with unit_of_work(make_sessionmaker(engine), tenant_id=None, read_only=True) as session:
        tenant_id = session.scalar(select(Tenant.id).where(Tenant.acct_key == "idp.example"))
    assert tenant_id is not None
    with unit_of_work(make_sessionmaker(engine), tenant_id=tenant_id) as session:
        scim = Context(tenant_id, "scim:1", Surface.SCIM)
        user = create_user(session, scim, data=UserData(email="ann@example.com"))
    with unit_of_work(make_sessionmaker(engine), tenant_id=tenant_id) as session:
        rest = Context(tenant_id, "key:1", Surface.SKILLJAR)
        update_user(session, rest, user_id=user.id, changes=UserData(last_name="Rest"))
    engine.dispose()
    drifted = _run(fresh_db_url, tmp_path, "scim", "drift", "idp.example", "--json", check=False)
    assert drifted.returncode == 1
    rows = json.loads(drifted.stdout)
    assert [(r["email"], r["attribute"], r["surface"]) for r in rows] == [
        ("ann@example.com", "last_name", "skilljar")
    ]
    assert created["acct_key"] == "idp.example"
