"""Gamification points: the ledger, its balance, and the refusal to overdraw (also when
transactions race)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from syllabus.core.errors import Conflict, Invalid, NotFound
from syllabus.db.engine import make_engine
from syllabus.db.session import make_sessionmaker, unit_of_work
from syllabus.domain.rewards import PointTransaction
from syllabus.services.gamification import (
    create_gamification_transaction,
    gamification_balance,
)
from tests.factories import event_data, make_tenant, make_user, scope


def _ledger_sum(session: Session, user_id: int) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(PointTransaction.amount), 0)).where(
            PointTransaction.user_id == user_id
        )
    )
    return int(total or 0)


def test_credits_and_debits_sum_to_the_balance(session: Session) -> None:
    _, ctx = make_tenant(session)
    scope(session, ctx)
    user = make_user(session, ctx)
    assert gamification_balance(session, ctx, user_id=user.id) == 0
    first = create_gamification_transaction(
        session, ctx, user_id=user.id, amount=150, description="Quiz streak"
    )
    second = create_gamification_transaction(
        session, ctx, user_id=user.id, amount=-25, description="Spent in the store"
    )
    assert (first.balance, second.balance) == (150, 125)
    assert second.description == "Spent in the store"
    assert first.unique_transaction_id.startswith("txn_")
    assert first.unique_transaction_id != second.unique_transaction_id
    assert gamification_balance(session, ctx, user_id=user.id) == 125
    assert _ledger_sum(session, user.id) == 125
    assert [e["amount"] for e in event_data(session, ctx, "gamification.transaction_created")] == [
        150,
        -25,
    ]


def test_overdrawing_is_refused_and_writes_nothing(session: Session) -> None:
    _, ctx = make_tenant(session)
    scope(session, ctx)
    user = make_user(session, ctx)
    create_gamification_transaction(session, ctx, user_id=user.id, amount=50)
    with pytest.raises(Invalid) as refused:
        create_gamification_transaction(session, ctx, user_id=user.id, amount=-51)
    assert refused.value.field == "amount"
    assert "overdraw the balance of 50" in refused.value.message
    assert gamification_balance(session, ctx, user_id=user.id) == 50
    assert _ledger_sum(session, user.id) == 50
    spent = create_gamification_transaction(session, ctx, user_id=user.id, amount=-50)
    assert spent.balance == 0


def test_a_first_transaction_cannot_be_a_debit(session: Session) -> None:
    _, ctx = make_tenant(session)
    scope(session, ctx)
    user = make_user(session, ctx)
    with pytest.raises(Invalid, match="overdraw"):
        create_gamification_transaction(session, ctx, user_id=user.id, amount=-1)


@pytest.mark.parametrize("amount", [0, "10", 1.5, True, None, 10**12])
def test_bad_amounts_are_invalid(session: Session, amount: object) -> None:
    _, ctx = make_tenant(session)
    scope(session, ctx)
    user = make_user(session, ctx)
    with pytest.raises(Invalid) as bad:
        create_gamification_transaction(session, ctx, user_id=user.id, amount=amount)
    assert bad.value.field == "amount"


def test_unique_transaction_id_makes_a_retry_harmless(session: Session) -> None:
    _, ctx = make_tenant(session)
    scope(session, ctx)
    user, other = make_user(session, ctx), make_user(session, ctx)
    first = create_gamification_transaction(
        session, ctx, user_id=user.id, amount=40, unique_transaction_id="txn_a"
    )
    again = create_gamification_transaction(
        session, ctx, user_id=user.id, amount=40, unique_transaction_id="txn_a"
    )
    assert again.id == first.id
    assert gamification_balance(session, ctx, user_id=user.id) == 40
    with pytest.raises(Conflict) as reused:
        create_gamification_transaction(
            session, ctx, user_id=other.id, amount=40, unique_transaction_id="txn_a"
        )
    assert reused.value.field == "unique_transaction_id"


def test_another_programs_user_is_not_found(session: Session) -> None:
    _, ctx = make_tenant(session)
    _, other_ctx = make_tenant(session)
    scope(session, other_ctx)
    stranger = make_user(session, other_ctx)
    scope(session, ctx)
    with pytest.raises(NotFound):
        create_gamification_transaction(session, ctx, user_id=stranger.id, amount=5)


def test_concurrent_debits_never_overdraw(fresh_db_url: str) -> None:
    """Eight transactions race to spend 30 of 100 points: exactly three win."""
    engine = make_engine(fresh_db_url)
    factory = make_sessionmaker(engine)
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            _, ctx = make_tenant(session)
            scope(session, ctx)
            user_id = make_user(session, ctx).id
            create_gamification_transaction(session, ctx, user_id=user_id, amount=100)
        start = threading.Barrier(8)
        outcomes: list[str] = []
        lock = threading.Lock()

        def spend() -> None:
            start.wait()
            try:
                with unit_of_work(factory, tenant_id=ctx.tenant_id) as session:
                    create_gamification_transaction(session, ctx, user_id=user_id, amount=-30)
                result = "spent"
            except Invalid:
                result = "refused"
            with lock:
                outcomes.append(result)

        threads = [threading.Thread(target=spend) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["refused"] * 5 + ["spent"] * 3
        with unit_of_work(factory, tenant_id=ctx.tenant_id, read_only=True) as session:
            assert gamification_balance(session, ctx, user_id=user_id) == 10
            assert _ledger_sum(session, user_id) == 10
            balances = session.scalars(
                select(PointTransaction.balance)
                .where(PointTransaction.user_id == user_id)
                .order_by(PointTransaction.id)
            ).all()
            assert balances == [100, 70, 40, 10]
    finally:
        engine.dispose()


def test_concurrent_retries_with_one_key_credit_once(fresh_db_url: str) -> None:
    """A client retrying before its first call finished: one credit, never an error 500."""
    engine = make_engine(fresh_db_url)
    factory = make_sessionmaker(engine)
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            _, ctx = make_tenant(session)
            scope(session, ctx)
            user_id = make_user(session, ctx).id
        start = threading.Barrier(4)
        outcomes: list[object] = []
        lock = threading.Lock()

        def credit() -> None:
            start.wait()
            result: object
            try:
                with unit_of_work(factory, tenant_id=ctx.tenant_id) as session:
                    result = create_gamification_transaction(
                        session, ctx, user_id=user_id, amount=25, unique_transaction_id="k-1"
                    ).id
            except Conflict as conflict:
                result = conflict.field
            with lock:
                outcomes.append(result)

        threads = [threading.Thread(target=credit) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        ids = {o for o in outcomes if isinstance(o, int)}
        assert len(ids) == 1
        assert set(outcomes) - ids <= {"unique_transaction_id"}
        with unit_of_work(factory, tenant_id=ctx.tenant_id, read_only=True) as session:
            assert gamification_balance(session, ctx, user_id=user_id) == 25
            assert _ledger_sum(session, user_id) == 25
    finally:
        engine.dispose()
