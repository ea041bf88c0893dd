"""Gamification points: a ledger of credits and debits whose sum is the user's balance.

A debit that would take the balance below zero is refused. The check is a guarded write on
the user's balance row (``points + amount >= 0`` in the UPDATE's WHERE clause), so it holds
for concurrent transactions too: PostgreSQL re-checks the condition against the committed row
after waiting for the row lock, and SQLite runs one writer at a time.
"""

from __future__ import annotations

import secrets

from sqlalchemy import Table, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Conflict, Invalid
from syllabus.core.lookups import require
from syllabus.core.validation import clean_int, clean_text
from syllabus.domain.rewards import PointBalance, PointTransaction, SkillBalance
from syllabus.domain.users import User
from syllabus.services.bulk import insert_new_rows
from syllabus.services.events import record_event

MAX_AMOUNT = 1_000_000_000
"""Keeps balances inside a 32-bit INTEGER column, whatever a client sends."""


def clean_amount(amount: object, field: str = "amount") -> int:
    value = clean_int(amount, field, minimum=-MAX_AMOUNT, maximum=MAX_AMOUNT)
    if value == 0:
        raise Invalid(field, f"{field} must not be zero")
    return value


def apply_to_balance(
    session: Session,
    ctx: Context,
    model: type[PointBalance] | type[SkillBalance],
    key: dict[str, int],
    amount: int,
    field: str = "amount",
) -> int:
    """Add ``amount`` to the balance row of ``model`` with primary key ``key`` (created at 0
    if missing) unless that takes it below zero or past MAX_AMOUNT; return the new balance.
    """
    table = model.__table__
    assert isinstance(table, Table)
    insert_new_rows(
        session, model, [{"tenant_id": ctx.tenant_id, **key, "points": 0}], unique=list(key)
    )
    # The primary key alone: the caller has checked that user and skill are the program's,
    # and a tenant_id term could lead SQLite to a wider index than the key.
    where = [table.c[name] == value for name, value in key.items()]
    statement = (
        update(table)
        .where(*where, table.c.points + amount >= 0, table.c.points + amount <= MAX_AMOUNT)
        .values(points=table.c.points + amount)
        .returning(table.c.points)
    )
    new_balance = session.connection().execute(statement).scalar()
    if new_balance is None:
        current = session.connection().execute(select(table.c.points).where(*where)).scalar() or 0
        if current + amount < 0:
            raise Invalid(
                field,
                f"{field} {amount} would overdraw the balance of {current}; "
                "a balance cannot go below zero",
                balance=current,
            )
        raise Invalid(field, f"{field} would take the balance past {MAX_AMOUNT}", balance=current)
    return int(new_balance)


def create_gamification_transaction(
    session: Session,
    ctx: Context,
    *,
    user_id: int,
    amount: object,
    description: object = None,
    unique_transaction_id: object = None,
) -> PointTransaction:
    """Credit (positive) or debit (negative) a user's points; refuses to overdraw.

    ``unique_transaction_id`` makes the call idempotent: the same id for the same user and
    amount answers the transaction already made; for anything else it is a conflict.
    """
    points = clean_amount(amount)
    text = clean_text(description, "description", max_length=10_000) or ""
    key = clean_text(unique_transaction_id, "unique_transaction_id", max_length=100)
    require(session, ctx, User, user_id, field="user_id")
    if key:
        earlier = session.scalars(
            select(PointTransaction).where(
                PointTransaction.tenant_id == ctx.tenant_id,
                PointTransaction.unique_transaction_id == key,
            )
        ).first()
        if earlier is not None:
            if earlier.user_id == user_id and earlier.amount == points:
                return earlier
            raise Conflict(
                f"unique_transaction_id {key} was already used for another transaction",
                field="unique_transaction_id",
            )
    balance = apply_to_balance(session, ctx, PointBalance, {"user_id": user_id}, points)
    transaction = PointTransaction(
        tenant_id=ctx.tenant_id,
        user_id=user_id,
        amount=points,
        description=text,
        balance=balance,
        unique_transaction_id=key or f"txn_{secrets.token_hex(10)}",
    )
    try:
        with session.begin_nested():
            session.add(transaction)
            session.flush()
    except IntegrityError:
        # Another call with this key committed while we waited for the balance row.
        raise Conflict(
            f"unique_transaction_id {key} is being used by a concurrent transaction; "
            "retry to get its result",
            field="unique_transaction_id",
        ) from None
    record_event(
        session,
        ctx,
        "gamification.transaction_created",
        {
            "transaction_id": transaction.id,
            "user_id": user_id,
            "amount": points,
            "balance": balance,
        },
    )
    return transaction


def gamification_balance(session: Session, ctx: Context, *, user_id: int) -> int:
    """The user's points (0 before their first transaction)."""
    points = session.scalar(
        select(PointBalance.points).where(
            PointBalance.tenant_id == ctx.tenant_id, PointBalance.user_id == user_id
        )
    )
    return int(points or 0)
