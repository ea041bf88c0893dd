"""Moving a user's training records to another user of the same program (merging duplicates).

Each kind of record has one small mover. A mover re-points the source user's rows to the
target in one set-based UPDATE, except rows the target already has (the same course, group,
path ...), which stay with the source and are reported as skipped with the reason. Everything
runs in the caller's transaction, so a move is all or nothing.

Precedence: the target's record always wins. When both users have a record for the same
course, item or timeslot, the target's is kept as it is (whatever its status: a passed record
is never overwritten, nor a not-started one) and the source keeps its own. A course progress
record moves whole: its item progress and exam attempts travel with it, so SkyPrep's
``course_progresses`` and ``exam_attempts`` are one move here (listing either moves both, and
the answer counts both). An ILT registration keeps its status, seat and place in the waitlist
queue, so no timeslot's capacity changes.

To add a kind: write a mover, usually one call of ``move_user_rows``, and list it in
``MOVERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, exists, func, select, update
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Invalid
from syllabus.core.lookups import require
from syllabus.domain.enrollments import Enrollment
from syllabus.domain.groups import GroupMembership
from syllabus.domain.ilt import IltRegistration
from syllabus.domain.learning_paths import LearningPathUser
from syllabus.domain.progress import CourseProgress, ExamAttempt, ItemProgress
from syllabus.domain.users import User
from syllabus.services.events import record_event


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record (or a whole kind, ``record_id`` None) that was not moved, and why."""

    kind: str
    reason: str
    record_id: int | None = None
    subject: tuple[str, int] | None = None
    """What the record is about (``("course_id", 12)``), to tell skipped records apart."""


@dataclass(slots=True)
class TransferResult:
    source_user_id: int
    target_user_id: int
    moved: dict[str, int] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)


Mover = Callable[[Session, Context, int, int], tuple[int | dict[str, int], list[Skipped]]]
"""Returns the count moved (or counts per kind, for a mover that moves several kinds)."""


def move_user_rows(
    session: Session,
    ctx: Context,
    *,
    model: type[Any],
    kind: str,
    unique_with_user: str,
    subject: str,
    reason: str,
    source: int,
    target: int,
) -> tuple[int, list[Skipped]]:
    """Give the source's rows of ``model`` to the target, except where the target already
    has a row with the same ``unique_with_user`` value; two statements, whatever the count."""
    table: Table = model.__table__
    c = table.c
    theirs = table.alias("target_rows")
    clash = exists().where(
        theirs.c.tenant_id == c.tenant_id,
        theirs.c.user_id == target,
        theirs.c[unique_with_user] == c[unique_with_user],
    )
    mine = (c.tenant_id == ctx.tenant_id, c.user_id == source)
    connection = session.connection()
    kept = connection.execute(select(c.id, c[subject]).where(*mine, clash).order_by(c.id)).all()
    moved = connection.execute(update(table).where(*mine, ~clash).values(user_id=target))
    return moved.rowcount, [Skipped(kind, reason, row[0], (subject, row[1])) for row in kept]


def _course_enrollments(
    session: Session, ctx: Context, source: int, target: int
) -> tuple[int, list[Skipped]]:
    return move_user_rows(
        session,
        ctx,
        model=Enrollment,
        kind="course_enrollments",
        unique_with_user="published_course_id",
        subject="course_id",
        reason="the target user is already enrolled in this course",
        source=source,
        target=target,
    )


def _user_group_enrollments(
    session: Session, ctx: Context, source: int, target: int
) -> tuple[int, list[Skipped]]:
    return move_user_rows(
        session,
        ctx,
        model=GroupMembership,
        kind="user_group_enrollments",
        unique_with_user="group_id",
        subject="group_id",
        reason="the target user is already in this group",
        source=source,
        target=target,
    )


def _learning_path_enrollments(
    session: Session, ctx: Context, source: int, target: int
) -> tuple[int, list[Skipped]]:
    return move_user_rows(
        session,
        ctx,
        model=LearningPathUser,
        kind="learning_path_enrollments",
        unique_with_user="path_id",
        subject="path_id",
        reason="the target user is already enrolled in this learning path",
        source=source,
        target=target,
    )


PROGRESS_CLASH = "the target user already has progress in this course"

_PROGRESS: Table = CourseProgress.__table__  # type: ignore[assignment]
_ITEMS: Table = ItemProgress.__table__  # type: ignore[assignment]
_ATTEMPTS: Table = ExamAttempt.__table__  # type: ignore[assignment]
_REGISTRATIONS: Table = IltRegistration.__table__  # type: ignore[assignment]


def _course_progresses(
    session: Session, ctx: Context, source: int, target: int
) -> tuple[dict[str, int], list[Skipped]]:
    """Course progress records with their item progress and exam attempts; four statements.

    Exam attempts hang off item progress (no user column), so re-pointing the item
    progress's denormalized ``user_id`` and the record itself moves everything.
    """
    cp, ip, ea = _PROGRESS.c, _ITEMS.c, _ATTEMPTS.c
    theirs = _PROGRESS.alias("target_progress")
    clash = exists().where(
        theirs.c.tenant_id == cp.tenant_id,
        theirs.c.user_id == target,
        theirs.c.course_id == cp.course_id,
    )
    mine = (cp.tenant_id == ctx.tenant_id, cp.user_id == source)
    connection = session.connection()
    kept_progress = connection.execute(
        select(cp.id, cp.course_id).where(*mine, clash).order_by(cp.id)
    ).all()
    kept_attempts = connection.execute(
        select(ea.id, cp.course_id)
        .select_from(
            _ATTEMPTS.join(_ITEMS, ip.id == ea.item_progress_id).join(
                _PROGRESS, cp.id == ip.course_progress_id
            )
        )
        .where(*mine, clash, ea.tenant_id == ctx.tenant_id, ip.tenant_id == ctx.tenant_id)
        .order_by(ea.id)
    ).all()
    moving = select(cp.id).where(*mine, ~clash)
    attempts = connection.execute(
        select(func.count())
        .select_from(_ATTEMPTS.join(_ITEMS, ip.id == ea.item_progress_id))
        .where(ea.tenant_id == ctx.tenant_id, ip.course_progress_id.in_(moving))
    ).scalar_one()
    connection.execute(
        update(_ITEMS)
        .where(ip.tenant_id == ctx.tenant_id, ip.course_progress_id.in_(moving))
        .values(user_id=target)
    )
    moved = connection.execute(update(_PROGRESS).where(*mine, ~clash).values(user_id=target))
    skipped = [
        Skipped("course_progresses", PROGRESS_CLASH, i, ("course_id", c)) for i, c in kept_progress
    ]
    skipped += [
        Skipped(
            "exam_attempts",
            f"its course progress stays with the source: {PROGRESS_CLASH}",
            i,
            ("course_id", c),
        )
        for i, c in kept_attempts
    ]
    return {"course_progresses": moved.rowcount, "exam_attempts": attempts}, skipped


def _ilt_registrations(
    session: Session, ctx: Context, source: int, target: int
) -> tuple[int, list[Skipped]]:
    return move_user_rows(
        session,
        ctx,
        model=IltRegistration,
        kind="instructor_led_training_timeslot_registrations",
        unique_with_user="timeslot_id",
        subject="timeslot_id",
        reason="the target user is already registered in this timeslot",
        source=source,
        target=target,
    )


def _relink_registrations(session: Session, ctx: Context, source: int, target: int) -> None:
    """A registration names its user's course progress; after a move, one that names the
    other user's record names its own user's record in that course instead (None if the user
    has none). One statement."""
    reg = _REGISTRATIONS.c
    named = _PROGRESS.alias("named")
    own = _PROGRESS.alias("own")
    foreign = select(named.c.id).where(
        named.c.tenant_id == ctx.tenant_id,
        named.c.id == reg.course_progress_id,
        named.c.user_id != reg.user_id,
    )
    replacement = (
        select(own.c.id)
        .where(
            own.c.tenant_id == ctx.tenant_id,
            own.c.user_id == reg.user_id,
            own.c.course_id
            == select(named.c.course_id)
            .where(named.c.id == reg.course_progress_id)
            .scalar_subquery(),
        )
        .scalar_subquery()
    )
    session.connection().execute(
        update(_REGISTRATIONS)
        .where(
            reg.tenant_id == ctx.tenant_id,
            reg.user_id.in_((source, target)),
            foreign.exists(),
        )
        .values(course_progress_id=replacement)
    )


MOVERS: dict[str, Mover] = {
    "course_enrollments": _course_enrollments,
    "user_group_enrollments": _user_group_enrollments,
    "learning_path_enrollments": _learning_path_enrollments,
    "course_progresses": _course_progresses,
    "instructor_led_training_timeslot_registrations": _ilt_registrations,
}
"""Every kind this server moves, in the order they are moved."""

MOVED_WITH: dict[str, str] = {"exam_attempts": "course_progresses"}
"""Kinds that cannot move apart from another kind's records: listing one moves the other."""

RELINKED_AFTER = frozenset({"course_progresses", "instructor_led_training_timeslot_registrations"})
"""Kinds after whose move registrations may name the other user's course progress."""


def _kinds(inclusion_list: Sequence[str] | None) -> list[str]:
    if not inclusion_list:
        return list(MOVERS)
    kinds: dict[str, None] = {}
    for name in inclusion_list:
        kind = name.strip().lower() if isinstance(name, str) else ""
        kind = MOVED_WITH.get(kind, kind)
        if kind not in MOVERS:
            allowed = ", ".join([*MOVERS, *MOVED_WITH])
            raise Invalid("inclusion_list", f"unknown kind {name!r}; known kinds: {allowed}")
        kinds[kind] = None
    return [kind for kind in MOVERS if kind in kinds]


def move_training_data(
    session: Session,
    ctx: Context,
    *,
    source_user_id: int,
    target_user_id: int,
    inclusion_list: Sequence[str] | None = None,
) -> TransferResult:
    """Move the listed kinds (default: every kind) from the source user to the target."""
    kinds = _kinds(inclusion_list)
    source = require(session, ctx, User, source_user_id, field="source_user_id")
    target = require(session, ctx, User, target_user_id, field="target_user_id")
    if source.id == target.id:
        raise Invalid("target_user_id", "target_user_id must be another user than the source")
    result = TransferResult(source.id, target.id)
    session.flush()  # the movers' statements must see pending ORM changes
    for kind in kinds:
        count, skipped = MOVERS[kind](session, ctx, source.id, target.id)
        if isinstance(count, dict):
            result.moved.update(count)
        else:
            result.moved[kind] = count
        result.skipped.extend(skipped)
    if RELINKED_AFTER.intersection(kinds):
        _relink_registrations(session, ctx, source.id, target.id)
    if any(result.moved.values()):
        session.expire_all()  # loaded rows of the moved kinds still name the source
    record_event(
        session,
        ctx,
        "user.training_data_moved",
        {
            "source_user_id": source.id,
            "target_user_id": target.id,
            "moved": result.moved,
            "skipped": len(result.skipped),
        },
    )
    return result
