"""Checking a report's parameters before it streams: required ids present, the program's own.

Checked first, in the request's own unit of work, so a bad id is a 400/404 answer rather than
an error in the middle of a file already being sent.
"""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Invalid, NotFound
from syllabus.core.lookups import possible_id
from syllabus.domain.courses import Course, CourseItem, ItemType
from syllabus.domain.groups import Group
from syllabus.domain.tenancy import execute_scoped, scoped_select
from syllabus.domain.users import User
from syllabus.queries.reports import ReportType, exam_is

_u = User.__table__.c
_c = Course.__table__.c
_g = Group.__table__.c
_ci = CourseItem.__table__.c


_EXISTS = {
    "user_id": ("user", scoped_select(User, _u.id).where(_u.id == bindparam("id"))),
    "course_id": ("course", scoped_select(Course, _c.id).where(_c.id == bindparam("id"))),
    "group_id": ("group", scoped_select(Group, _g.id).where(_g.id == bindparam("id"))),
}
_EXAM_EXISTS = (
    scoped_select(CourseItem, _ci.id)
    .where(_ci.item_type == ItemType.EXAM.value, exam_is(bindparam("id")))
    .limit(1)
)
_EXAM_IN_COURSE_EXISTS = _EXAM_EXISTS.where(_ci.course_id == bindparam("course_id"))


def check_report(
    session: Session, ctx: Context, kind: ReportType, ids: dict[str, int | None]
) -> dict[str, int]:
    """The parameters ``kind`` runs with: required ones present (400) and the program's (404).

    Optional ``course_id`` narrows single_exam to one course's exam.
    """
    params: dict[str, int] = {}
    for name in kind.required:
        value = ids.get(name)
        if value is None:
            raise Invalid(name, f"{name} is required for the {kind.name} report")
        params[name] = value
    if kind.name == "single_exam" and ids.get("course_id") is not None:
        params["course_id"] = ids["course_id"]  # type: ignore[assignment]
    for name, value in params.items():
        if name == "exam_id":
            continue
        entity, statement = _EXISTS[name]
        if (
            not possible_id(value)
            or execute_scoped(session, ctx.tenant_id, statement, {"id": value}).first() is None
        ):
            raise NotFound(entity, [value], field=name)
    if "exam_id" in params:
        exam = params["exam_id"]
        statement = _EXAM_IN_COURSE_EXISTS if "course_id" in params else _EXAM_EXISTS
        found = (
            possible_id(exam)
            and execute_scoped(
                session,
                ctx.tenant_id,
                statement,
                {"id": exam, "course_id": params.get("course_id")},
            ).first()
        )
        if not found:
            raise NotFound("exam", [exam], field="exam_id")
    return params
