"""The demo program holds course progress in every status, item progress and exam attempts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.cli.demo import ensure_demo_program
from syllabus.domain.progress import CourseProgress, ExamAttempt, ItemProgress, ProgressStatus


def test_demo_progress_covers_every_status(session: Session) -> None:
    summary = ensure_demo_program(session, "progress-demo.example")
    tenant = summary.tenant_id
    records = session.scalars(
        select(CourseProgress).where(CourseProgress.tenant_id == tenant)
    ).all()
    assert {r.status for r in records} == set(ProgressStatus)
    assert {r.enrollment_status.value for r in records} == {"active", "inactive", "disabled"}
    passed = [r for r in records if r.status is ProgressStatus.PASSED]
    assert all(r.completed_at is not None for r in passed)
    assert session.scalars(select(ItemProgress).where(ItemProgress.tenant_id == tenant)).all()
    attempts = session.scalars(select(ExamAttempt).where(ExamAttempt.tenant_id == tenant)).all()
    assert {a.passed for a in attempts} == {True, False}
