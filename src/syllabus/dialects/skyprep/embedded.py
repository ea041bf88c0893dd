"""Courses embedded in group and learning path answers, rendered as the courses actions do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from syllabus.dialects.skyprep.actions import Call
from syllabus.dialects.skyprep.courses import render_courses
from syllabus.queries import courses as course_queries


def course_list(session: Session, call: Call, course_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The courses, in the order of ``course_ids`` (a path's order, a group's adding order)."""
    position = {course_id: index for index, course_id in enumerate(course_ids)}
    details = course_queries.get_courses(session, call.ctx, course_ids)
    details.sort(key=lambda detail: position[detail.course.id])
    return render_courses(details, call)
