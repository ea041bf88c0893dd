"""Saved advanced reports: the column catalogue, the filters, and running a definition.

A definition picks columns from ``CATALOGUE`` (one row per course progress, with its user and
course) and narrows rows with ``FILTERS``. Running it is one streamed Core query.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from syllabus.core.context import Context
from syllabus.core.lookups import possible_id
from syllabus.domain.courses import Course
from syllabus.domain.groups import GroupMembership
from syllabus.domain.progress import CourseProgress, EnrollmentStatus, ProgressStatus
from syllabus.domain.reports import SavedReport
from syllabus.domain.tenancy import TENANT_PARAM, execute_scoped, scoped_select
from syllabus.domain.users import User
from syllabus.queries.report_files import column_kinds

BATCH = 2000
_u = User.__table__.c
_c = Course.__table__.c
_p = CourseProgress.__table__.c
_gm = GroupMembership.__table__.c
_s = SavedReport.__table__.c
_T: BindParameter[int] = bindparam(TENANT_PARAM)

CATALOGUE: dict[str, tuple[str, ColumnElement[Any]]] = {
    "user_id": ("User ID", _u.id),
    "user_email": ("Email", _u.email),
    "first_name": ("First Name", _u.first_name),
    "last_name": ("Last Name", _u.last_name),
    "username": ("Username", _u.username),
    "course_id": ("Course ID", _c.id),
    "course_name": ("Course", _c.name),
    "status": ("Status", _p.status),
    "enrollment_status": ("Enrollment Status", _p.enrollment_status),
    "enrolled_at": ("Enrolled At", _p.enrolled_at),
    "started_at": ("Started At", _p.started_at),
    "completed_at": ("Completed At", _p.completed_at),
    "score": ("Score", _p.score),
    "percent_viewed": ("Percent Viewed", _p.percent_viewed),
}
"""Column key → (label shown in reports, the column)."""

ID_FILTERS = ("user_id", "course_id", "group_id")
LIST_FILTERS: dict[str, tuple[str, ...]] = {
    "status": tuple(s.value for s in ProgressStatus),
    "enrollment_status": tuple(s.value for s in EnrollmentStatus),
}
FILTERS = (*ID_FILTERS, *LIST_FILTERS)

_joined = CourseProgress.__table__.join(
    User.__table__, and_(_u.tenant_id == _T, _u.id == _p.user_id)
).join(Course.__table__, and_(_c.tenant_id == _T, _c.id == _p.course_id))


@dataclass(frozen=True, slots=True)
class SavedReportRow:
    id: int
    name: str
    columns: tuple[str, ...]
    filters: dict[str, Any]
    created_at: Any
    updated_at: Any

    @property
    def labels(self) -> list[str]:
        return [CATALOGUE[key][0] for key in self.columns if key in CATALOGUE]

    @property
    def kinds(self) -> tuple[str, ...]:
        return column_kinds(CATALOGUE[key][1].type for key in self.columns if key in CATALOGUE)


_LIST = scoped_select(SavedReport).order_by(_s.id)
_ONE = scoped_select(SavedReport).where(_s.id == bindparam("id"))


def _row(r: Any) -> SavedReportRow:
    return SavedReportRow(
        r.id, r.name, tuple(r.columns), dict(r.filters), r.created_at, r.updated_at
    )


def list_saved_reports(session: Session, ctx: Context) -> list[SavedReportRow]:
    """Every saved report of the program, oldest first (a program keeps a handful)."""
    return [_row(r) for r in execute_scoped(session, ctx.tenant_id, _LIST)]


def get_saved_report(session: Session, ctx: Context, report_id: int) -> SavedReportRow | None:
    if not possible_id(report_id):
        return None
    found = execute_scoped(session, ctx.tenant_id, _ONE, {"id": report_id}).first()
    return None if found is None else _row(found)


def _statement(report: SavedReportRow) -> tuple[Select[Any], dict[str, Any]]:
    columns = [CATALOGUE[key][1] for key in report.columns if key in CATALOGUE]
    statement = scoped_select(CourseProgress, *columns).select_from(_joined)
    params: dict[str, Any] = {}
    f = report.filters
    if f.get("user_id") is not None:
        statement = statement.where(_p.user_id == bindparam("user_id"))
        params["user_id"] = int(f["user_id"])
    if f.get("course_id") is not None:
        statement = statement.where(_p.course_id == bindparam("course_id"))
        params["course_id"] = int(f["course_id"])
    if f.get("group_id") is not None:
        members = select(_gm.user_id).where(
            _gm.tenant_id == _T, _gm.group_id == bindparam("group_id")
        )
        statement = statement.where(_p.user_id.in_(members))
        params["group_id"] = int(f["group_id"])
    for name in LIST_FILTERS:
        values = f.get(name)
        if values:
            column = CourseProgress.__table__.c[name]
            statement = statement.where(column.in_(bindparam(name, expanding=True)))
            kind = ProgressStatus if name == "status" else EnrollmentStatus
            params[name] = [kind(v) for v in values]
    return statement.order_by(_p.id).execution_options(yield_per=BATCH), params


def saved_report_batches(
    session: Session, ctx: Context, report: SavedReportRow
) -> Iterator[Sequence[Sequence[Any]]]:
    """The definition's rows over live data, in batches as fetched."""
    statement, params = _statement(report)
    result = execute_scoped(session, ctx.tenant_id, statement, params)
    yield from result.partitions()
    result.close()
