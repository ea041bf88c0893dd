"""Moving a user's training records to another user of the same program (merging duplicates).

Each kind of record has one small mover. A mover re-points the source user's rows to the
target in one set-based UPDATE, except rows the target already has (the same course, group,
path ...), which stay with the source and are reported as skipped with the reason. Everything
runs in the caller's transaction, so a move is all or nothing.

To add a kind (course progress, ILT registrations, ...): write a mover, usually one call of
``move_user_rows``, and list it in ``MOVERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, exists, select, update
from sqlalchemy.orm import Session

from syllabus.domain.enrollments import Enrollment
from syllabus.domain.groups import GroupMembership
from syllabus.domain.learning_paths import LearningPathUser
from syllabus.domain.users import User
from syllabus.services.context import Context
from syllabus.services.errors import Invalid
from syllabus.services.events import record_event
from syllabus.services.lookups import require


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


Mover = Callable[[Session, Context, int, int], tuple[int, list[Skipped]]]


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


MOVERS: dict[str, Mover] = {
    "course_enrollments": _course_enrollments,
    "user_group_enrollments": _user_group_enrollments,
    "learning_path_enrollments": _learning_path_enrollments,
}
"""Every kind this server moves, in the order they are moved."""

NOT_KEPT: dict[str, str] = {
    "course_progresses": "course progress is not recorded by this server yet",
    "exam_attempts": "exam attempts are not recorded by this server yet",
}
"""Kinds SkyPrep moves that this server does not store (yet): asked for, they are skipped."""


def _kinds(inclusion_list: Sequence[str] | None) -> list[str]:
    if not inclusion_list:
        return list(MOVERS)
    kinds: dict[str, None] = {}
    for name in inclusion_list:
        kind = name.strip().lower() if isinstance(name, str) else ""
        if kind not in MOVERS and kind not in NOT_KEPT:
            allowed = ", ".join([*MOVERS, *NOT_KEPT])
            raise Invalid("inclusion_list", f"unknown kind {name!r}; known kinds: {allowed}")
        kinds[kind] = None
    return list(kinds)


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
    for kind in kinds:
        mover = MOVERS.get(kind)
        if mover is None:
            result.skipped.append(Skipped(kind, NOT_KEPT[kind]))
            continue
        count, skipped = mover(session, ctx, source.id, target.id)
        result.moved[kind] = count
        result.skipped.extend(skipped)
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
