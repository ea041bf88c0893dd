"""Demo saved advanced reports: the ones the SkyPrep sample names, plus a filtered one."""

from __future__ import annotations

from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.services.saved_reports import create_saved_report


def add_demo_reports(session: Session, ctx: Context, *, course_id: int) -> None:
    create_saved_report(
        session,
        ctx,
        name="All Course Progresses Report",
        columns=["user_id", "user_email", "course_name", "status"],
    )
    create_saved_report(
        session,
        ctx,
        name="All Users Report",
        columns=["user_id", "user_email", "first_name", "last_name", "enrollment_status"],
    )
    create_saved_report(
        session,
        ctx,
        name="Orientation Completions",
        columns=["user_email", "course_name", "status", "completed_at", "score"],
        filters={"course_id": course_id, "status": ["passed", "failed"]},
    )
