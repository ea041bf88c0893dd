"""``syllabus skills`` and ``syllabus payments`` as an operator runs them, and the demo
program's rewards."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import func, select

from syllabus.cli.demo import ensure_demo_program
from syllabus.core.context import Context, Surface
from syllabus.db.engine import make_engine
from syllabus.db.session import make_sessionmaker, unit_of_work
from syllabus.domain.payments import Payment
from syllabus.domain.rewards import PointTransaction, SkillTransaction
from syllabus.domain.tenants import Tenant
from syllabus.queries.skills import competency_details, list_competencies, list_skills
from tests.test_cli import SYLLABUS, _env, _run

SECRET = "whsec_cli_0123456789abcdef"


def test_skills_commands_define_skills_and_competencies(fresh_db_url: str, tmp_path: Path) -> None:
    _run(fresh_db_url, tmp_path, "tenant", "create", "acme.example", "--json")
    made = _run(
        fresh_db_url,
        tmp_path,
        "skills",
        "create",
        "acme.example",
        "Customer Care",
        "--rubric",
        "Beginner:25, Advanced:100",
        "--description",
        "Listens and helps.",
    )
    assert "customer-care" in made.stdout
    skill_id = made.stdout.split()[1].rstrip(":")
    level = _run(
        fresh_db_url, tmp_path, "skills", "add-level", "acme.example", skill_id, "Expert", "250"
    )
    assert "level 3: Expert (250)" in level.stdout
    competency = _run(
        fresh_db_url,
        tmp_path,
        "skills",
        "create-competency",
        "acme.example",
        "Ready for Customers",
        "--skill",
        f"{skill_id}:Advanced",
    )
    assert "ready-for-customers" in competency.stdout
    listing = _run(fresh_db_url, tmp_path, "skills", "list", "acme.example").stdout
    assert "[Beginner:25, Advanced:100, Expert:250]" in listing
    assert "customer-care>=Advanced" in listing
    bad = _run(
        fresh_db_url,
        tmp_path,
        "skills",
        "create",
        "acme.example",
        "X",
        "--rubric",
        "oops",
        check=False,
    )
    assert bad.returncode != 0
    assert "TITLE:POINTS" in bad.stderr
    unknown = _run(
        fresh_db_url,
        tmp_path,
        "skills",
        "create-competency",
        "acme.example",
        "Nope",
        "--skill",
        "999999:1",
        check=False,
    )
    assert unknown.returncode == 1
    assert "skill" in unknown.stderr


def test_payments_set_secret_reads_the_secret_without_echoing_it(
    fresh_db_url: str, tmp_path: Path
) -> None:
    _run(fresh_db_url, tmp_path, "tenant", "create", "shop.example", "--json")
    done = subprocess.run(
        [*SYLLABUS, "payments", "set-secret", "shop.example"],
        env=_env(fresh_db_url, tmp_path),
        input=f"{SECRET}\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "stored" in done.stdout
    assert SECRET not in done.stdout + done.stderr
    refused = subprocess.run(
        [*SYLLABUS, "payments", "set-secret", "shop.example"],
        env=_env(fresh_db_url, tmp_path),
        input="sk_live_wrong_kind\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert refused.returncode == 1
    assert "sk_live_wrong_kind" not in refused.stdout + refused.stderr
    engine = make_engine(fresh_db_url)
    with unit_of_work(make_sessionmaker(engine), tenant_id=None, read_only=True) as session:
        settings = session.scalar(select(Tenant.settings).where(Tenant.acct_key == "shop.example"))
    engine.dispose()
    assert settings == {"stripe_webhook_secret": SECRET}


def test_the_demo_program_holds_every_kind_of_reward(fresh_db_url: str) -> None:
    engine = make_engine(fresh_db_url)
    factory = make_sessionmaker(engine)
    with unit_of_work(factory, tenant_id=None) as session:
        summary = ensure_demo_program(session, "demo.example", users=40)
    ctx = Context(summary.tenant_id, "test", Surface.CLI)
    with unit_of_work(factory, tenant_id=summary.tenant_id, read_only=True) as session:

        def count(model: type[PointTransaction | SkillTransaction | Payment]) -> int:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

        assert count(PointTransaction) >= 30
        assert session.scalar(select(func.min(PointTransaction.amount))) == -40
        assert count(SkillTransaction) == 90
        assert [len(s.rubric) for s in list_skills(session, ctx)] == [3, 3, 3]
        competencies = list_competencies(session, ctx)
        assert [c.display_name for c in competencies] == ["Customer Readiness", "Safety Certified"]
        achieved = [
            competency_details(session, ctx, c.id)["users_achieved_count"] for c in competencies
        ]
        assert all(n > 0 for n in achieved)
        statuses = session.scalars(select(Payment.status).order_by(Payment.id)).all()
        assert statuses == ["complete", "pending"]
    engine.dispose()
