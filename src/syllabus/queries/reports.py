"""The SkyPrep report types, each one streamed Core query over progress, users, courses, groups.

Every report is a fixed statement built once at import: its rows come from the database in
batches (``yield_per``: a server-side cursor on PostgreSQL), so a report of any size is read in
constant memory and a constant number of queries. Every joined table is limited to the
program, so a row can never mix programs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from syllabus.core.context import Context
from syllabus.core.errors import Invalid
from syllabus.domain.courses import Course, CourseItem, ItemType
from syllabus.domain.groups import Group, GroupCourse, GroupMembership
from syllabus.domain.progress import CourseProgress, ItemProgress
from syllabus.domain.tenancy import TENANT_PARAM, execute_scoped, scoped_select
from syllabus.domain.users import User
from syllabus.queries.report_files import column_kinds

BATCH = 2000
"""Rows fetched per round trip while streaming."""

_u = User.__table__.c
_c = Course.__table__.c
_p = CourseProgress.__table__.c
_g = Group.__table__.c
_gm = GroupMembership.__table__.c
_gc = GroupCourse.__table__.c
_ci = CourseItem.__table__.c
_ip = ItemProgress.__table__.c
_users = User.__table__
_courses = Course.__table__
_progress = CourseProgress.__table__
_groups = Group.__table__
_items = CourseItem.__table__
_item_progress = ItemProgress.__table__
_T: BindParameter[int] = bindparam(TENANT_PARAM)


@dataclass(frozen=True, slots=True)
class ReportType:
    name: str
    required: tuple[str, ...]
    """Parameters the report needs (``user_id``, ``course_id``, ``group_id``, ``exam_id``)."""
    header: tuple[str, ...]
    statements: tuple[Select[Any], ...]
    """One statement, or for single_exam: without then with ``course_id``."""

    @property
    def kinds(self) -> tuple[str, ...]:
        """Which columns hold times and flags (for the file writers)."""
        return column_kinds(c.type for c in self.statements[0].selected_columns)


# --- Shared column sets -------------------------------------------------------------------------


def _status_count(status: str) -> ColumnElement[Any]:
    return func.sum(case((_p.status == status, 1), else_=0))


_per_user = (
    select(
        _p.user_id.label("user_id"),
        func.count().label("total"),
        _status_count("not-started").label("not_started"),
        _status_count("in-progress").label("in_progress"),
        _status_count("passed").label("passed"),
        _status_count("failed").label("failed"),
    )
    .where(_p.tenant_id == _T)
    .group_by(_p.user_id)
    .subquery("per_user")
)
_per_course = (
    select(
        _p.course_id.label("course_id"),
        func.count().label("total"),
        _status_count("not-started").label("not_started"),
        _status_count("in-progress").label("in_progress"),
        _status_count("passed").label("passed"),
        _status_count("failed").label("failed"),
    )
    .where(_p.tenant_id == _T)
    .group_by(_p.course_id)
    .subquery("per_course")
)


def _zero(column: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(column, 0)


USER_HEADER = (
    "user_id",
    "user_email",
    "first_name",
    "last_name",
    "username",
    "active",
    "created_at",
    "last_login_at",
    "courses_total",
    "courses_not_started",
    "courses_in_progress",
    "courses_passed",
    "courses_failed",
)
_USER_COLUMNS = (
    _u.id,
    _u.email,
    _u.first_name,
    _u.last_name,
    _u.username,
    _u.is_active,
    _u.created_at,
    _u.last_login_at,
    _zero(_per_user.c.total),
    _zero(_per_user.c.not_started),
    _zero(_per_user.c.in_progress),
    _zero(_per_user.c.passed),
    _zero(_per_user.c.failed),
)

PROGRESS_HEADER = (
    "user_id",
    "user_email",
    "course_id",
    "course_name",
    "status",
    "first_name",
    "last_name",
    "enrollment_status",
    "enrolled_at",
    "started_at",
    "completed_at",
    "score",
    "percent_viewed",
)
_PROGRESS_COLUMNS = (
    _u.id,
    _u.email,
    _c.id,
    _c.name,
    _p.status,
    _u.first_name,
    _u.last_name,
    _p.enrollment_status,
    _p.enrolled_at,
    _p.started_at,
    _p.completed_at,
    _p.score,
    _p.percent_viewed,
)


def _progress_of(user: ColumnElement[Any], course: ColumnElement[Any]) -> ColumnElement[bool]:
    return and_(_p.tenant_id == _T, _p.user_id == user, _p.course_id == course)


def _streamed(statement: Select[Any]) -> Select[Any]:
    return statement.execution_options(yield_per=BATCH)


# --- The report types ---------------------------------------------------------------------------

_ALL_USERS = _streamed(
    scoped_select(User, *_USER_COLUMNS)
    .select_from(_users.outerjoin(_per_user, _per_user.c.user_id == _u.id))
    .order_by(_u.id)
)

COURSE_HEADER = (
    "course_id",
    "course_name",
    "active",
    "created_at",
    "enrolled",
    "not_started",
    "in_progress",
    "passed",
    "failed",
)
_ALL_COURSES = _streamed(
    scoped_select(
        Course,
        _c.id,
        _c.name,
        _c.active,
        _c.created_at,
        _zero(_per_course.c.total),
        _zero(_per_course.c.not_started),
        _zero(_per_course.c.in_progress),
        _zero(_per_course.c.passed),
        _zero(_per_course.c.failed),
    )
    .select_from(_courses.outerjoin(_per_course, _per_course.c.course_id == _c.id))
    .order_by(_c.id)
)

_progress_joined = _progress.join(_users, and_(_u.tenant_id == _T, _u.id == _p.user_id)).join(
    _courses, and_(_c.tenant_id == _T, _c.id == _p.course_id)
)
_SINGLE_USER = _streamed(
    scoped_select(CourseProgress, *_PROGRESS_COLUMNS)
    .select_from(_progress_joined)
    .where(_p.user_id == bindparam("user_id"))
    .order_by(_p.id)
)
_SINGLE_COURSE = _streamed(
    scoped_select(CourseProgress, *_PROGRESS_COLUMNS)
    .select_from(_progress_joined)
    .where(_p.course_id == bindparam("course_id"))
    .order_by(_p.id)
)

ITEM_HEADER = (
    "user_id",
    "user_email",
    "course_id",
    "course_name",
    "status",
    "course_item_id",
    "course_item_name",
    "item_type",
    "mandatory",
    "item_status",
    "score",
    "attempts",
    "item_completed_at",
)
_SINGLE_USER_SINGLE_COURSE = _streamed(
    scoped_select(
        CourseItem,
        _u.id,
        _u.email,
        _c.id,
        _c.name,
        _p.status,
        _ci.id,
        _ci.name,
        _ci.item_type,
        _ci.mandatory,
        _ip.status,
        _ip.score,
        _ip.attempts,
        _ip.completed_at,
    )
    .select_from(
        _items.join(_courses, and_(_c.tenant_id == _T, _c.id == _ci.course_id))
        .join(_users, and_(_u.tenant_id == _T, _u.id == bindparam("user_id")))
        .outerjoin(_progress, _progress_of(_u.id, _c.id))
        .outerjoin(
            _item_progress,
            and_(
                _ip.tenant_id == _T,
                _ip.course_progress_id == _p.id,
                _ip.course_item_id == _ci.id,
            ),
        )
    )
    .where(_ci.course_id == bindparam("course_id"))
    .order_by(_ci.position, _ci.id)
)

GROUP_PROGRESS_HEADER = (*PROGRESS_HEADER, "group_id", "group_name")
_SINGLE_USER_SINGLE_GROUP = _streamed(
    scoped_select(GroupCourse, *_PROGRESS_COLUMNS, _g.id, _g.name)
    .select_from(
        GroupCourse.__table__.join(_groups, and_(_g.tenant_id == _T, _g.id == _gc.group_id))
        .join(_courses, and_(_c.tenant_id == _T, _c.id == _gc.course_id))
        .join(_users, and_(_u.tenant_id == _T, _u.id == bindparam("user_id")))
        .outerjoin(_progress, _progress_of(_u.id, _c.id))
    )
    .where(_gc.group_id == bindparam("group_id"))
    .order_by(_gc.id)
)

_SINGLE_GROUP_ALL_USERS = _streamed(
    scoped_select(GroupMembership, *_USER_COLUMNS)
    .select_from(
        GroupMembership.__table__.join(
            _users, and_(_u.tenant_id == _T, _u.id == _gm.user_id)
        ).outerjoin(_per_user, _per_user.c.user_id == _u.id)
    )
    .where(_gm.group_id == bindparam("group_id"))
    .order_by(_u.id)
)

_SINGLE_GROUP_ALL_COURSES = _streamed(
    scoped_select(GroupCourse, *_PROGRESS_COLUMNS, _g.id, _g.name)
    .select_from(
        GroupCourse.__table__.join(_groups, and_(_g.tenant_id == _T, _g.id == _gc.group_id))
        .join(_courses, and_(_c.tenant_id == _T, _c.id == _gc.course_id))
        .join(
            GroupMembership.__table__,
            and_(_gm.tenant_id == _T, _gm.group_id == _gc.group_id),
        )
        .join(_users, and_(_u.tenant_id == _T, _u.id == _gm.user_id))
        .outerjoin(_progress, _progress_of(_u.id, _c.id))
    )
    .where(_gc.group_id == bindparam("group_id"))
    .order_by(_gc.id, _u.id)
)


def exam_is(exam_id: BindParameter[Any]) -> ColumnElement[bool]:
    """An exam is named by its content id; an exam item without one, by its own id."""
    return or_(_ci.content_id == exam_id, and_(_ci.content_id.is_(None), _ci.id == exam_id))


EXAM_HEADER = (
    "user_id",
    "user_email",
    "course_id",
    "course_name",
    "status",
    "exam_id",
    "exam_name",
    "course_item_id",
    "score",
    "attempts",
    "passing_score",
    "started_at",
    "completed_at",
)
_exam_base = (
    scoped_select(
        ItemProgress,
        _u.id,
        _u.email,
        _c.id,
        _c.name,
        _ip.status,
        func.coalesce(_ci.content_id, _ci.id),
        _ci.name,
        _ci.id,
        _ip.score,
        _ip.attempts,
        _ci.passing_score,
        _ip.started_at,
        _ip.completed_at,
    )
    .select_from(
        _item_progress.join(_items, and_(_ci.tenant_id == _T, _ci.id == _ip.course_item_id))
        .join(_courses, and_(_c.tenant_id == _T, _c.id == _ci.course_id))
        .join(_users, and_(_u.tenant_id == _T, _u.id == _ip.user_id))
    )
    .where(_ci.item_type == ItemType.EXAM.value, exam_is(bindparam("exam_id")))
    .order_by(_ip.id)
)
_SINGLE_EXAM = _streamed(_exam_base)
_SINGLE_EXAM_IN_COURSE = _streamed(_exam_base.where(_ci.course_id == bindparam("course_id")))

REPORT_TYPES: dict[str, ReportType] = {
    t.name: t
    for t in (
        ReportType("all_users", (), USER_HEADER, (_ALL_USERS,)),
        ReportType("all_courses", (), COURSE_HEADER, (_ALL_COURSES,)),
        ReportType("single_user", ("user_id",), PROGRESS_HEADER, (_SINGLE_USER,)),
        ReportType("single_course", ("course_id",), PROGRESS_HEADER, (_SINGLE_COURSE,)),
        ReportType(
            "single_user_single_course",
            ("user_id", "course_id"),
            ITEM_HEADER,
            (_SINGLE_USER_SINGLE_COURSE,),
        ),
        ReportType(
            "single_user_single_group",
            ("user_id", "group_id"),
            GROUP_PROGRESS_HEADER,
            (_SINGLE_USER_SINGLE_GROUP,),
        ),
        ReportType(
            "single_group_all_users", ("group_id",), USER_HEADER, (_SINGLE_GROUP_ALL_USERS,)
        ),
        ReportType(
            "single_group_all_courses",
            ("group_id",),
            GROUP_PROGRESS_HEADER,
            (_SINGLE_GROUP_ALL_COURSES,),
        ),
        ReportType(
            "single_exam", ("exam_id",), EXAM_HEADER, (_SINGLE_EXAM, _SINGLE_EXAM_IN_COURSE)
        ),
    )
}
ALIASES = {"single_course_single_user": "single_user_single_course"}
"""SkyPrep's own sample names the pair the other way round."""


def report_type(name: str) -> ReportType:
    """The report type ``name`` names (or its alias); 400 naming ``report_type`` otherwise."""
    key = name.strip().lower()
    found = REPORT_TYPES.get(ALIASES.get(key, key))
    if found is None:
        raise Invalid("report_type", f"report_type must be one of {', '.join(REPORT_TYPES)}")
    return found


def report_batches(
    session: Session, ctx: Context, kind: ReportType, params: dict[str, int]
) -> Iterator[Sequence[Sequence[Any]]]:
    """The report's rows in batches of BATCH, as fetched; ``params`` as ``check_report``
    answered. Batches rather than rows: per-row iteration costs as much as the fetch."""
    statement = (
        kind.statements[-1]
        if "course_id" in params and len(kind.statements) > 1
        else (kind.statements[0])
    )
    result = execute_scoped(session, ctx.tenant_id, statement, params)
    yield from result.partitions()
    result.close()
