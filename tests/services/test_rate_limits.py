"""Rate-limit buckets and the per-program override, on both databases."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from syllabus.core.credentials import CredentialKind
from syllabus.core.errors import Invalid
from syllabus.db.engine import make_engine
from syllabus.db.session import make_sessionmaker, unit_of_work
from syllabus.domain.events import Event
from syllabus.pipeline.rate_limiting import bucket_engine
from syllabus.services.credentials import issue_credential
from syllabus.services.rate_limits import (
    MemoryBuckets,
    RatePolicy,
    SqlBuckets,
    decide,
    describe,
    program_rate_limit,
    set_program_rate_limit,
)
from tests.factories import make_tenant

POLICY = RatePolicy(per_second=1.0, burst=3)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_gcra_allows_a_burst_then_one_per_interval() -> None:
    tat = None
    outcomes = []
    for _ in range(4):
        tat, allowed = decide(tat, 0.0, POLICY)
        outcomes.append(allowed)
    assert outcomes == [True, True, True, False]
    assert tat == 3.0  # a refused request does not move the debt
    assert decide(tat, 0.99, POLICY)[1] is False
    assert decide(tat, 1.0, POLICY) == (4.0, True)


def test_describe_counts_remaining_reset_and_retry_after() -> None:
    first = describe(1.0, 0.0, True, POLICY)
    assert (first.remaining, first.reset, first.retry_after) == (2, 1, 0)
    empty = describe(3.0, 0.0, True, POLICY)
    assert (empty.remaining, empty.reset) == (0, 3)
    refused = describe(3.0, 0.25, False, POLICY)
    assert refused.retry_after == 1  # 0.75 s to the next token, rounded up
    slow = RatePolicy(per_second=0.1, burst=1)
    assert describe(10.0, 0.0, False, slow).retry_after == 10


def test_memory_buckets_are_per_credential_and_refill() -> None:
    clock = Clock()
    buckets = MemoryBuckets(clock)
    assert [buckets.take(1, 1, POLICY).allowed for _ in range(4)] == [True, True, True, False]
    assert buckets.take(2, 1, POLICY).allowed  # another key has its own budget
    clock.now += 2.0
    assert [buckets.take(1, 1, POLICY).allowed for _ in range(3)] == [True, True, False]


@pytest.fixture
def bucket_store(fresh_db_url: str) -> Iterator[tuple[Engine, list[int], int]]:
    """A fresh database with one program and two API keys; yields the app engine and ids."""
    engine = make_engine(fresh_db_url)
    with unit_of_work(make_sessionmaker(engine), tenant_id=None) as session:
        tenant, ctx = make_tenant(session)
        ids = [
            issue_credential(session, ctx, kind=CredentialKind.API_KEY).credential.id
            for _ in range(2)
        ]
        tenant_id = tenant.id
    yield engine, ids, tenant_id
    engine.dispose()


def _store_engine(engine: Engine) -> Engine:
    url = engine.url.render_as_string(hide_password=False)
    return engine if engine.dialect.name == "sqlite" else bucket_engine(url)


def test_sql_buckets_decide_in_the_database(bucket_store: tuple[Engine, list[int], int]) -> None:
    engine, (key, other), tenant_id = bucket_store
    policy = RatePolicy(per_second=0.01, burst=3)  # no refill within the test
    buckets = SqlBuckets(_store_engine(engine))
    decisions = [buckets.take(key, tenant_id, policy) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert decisions[-1].retry_after >= 99
    assert buckets.take(other, tenant_id, policy).allowed
    if buckets.engine is not engine:
        buckets.close()


def test_two_engines_share_one_budget(bucket_store: tuple[Engine, list[int], int]) -> None:
    """What two server processes do: separate pools, one bucket row, no lost update."""
    engine, (key, _), tenant_id = bucket_store
    url = engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url) if engine.dialect.name == "sqlite" else bucket_engine(url)]
    engines.append(make_engine(url) if engine.dialect.name == "sqlite" else bucket_engine(url))
    stores = [SqlBuckets(e) for e in engines]
    policy = RatePolicy(per_second=0.01, burst=40)
    allowed: list[bool] = []
    lock = threading.Lock()

    def hammer(store: SqlBuckets) -> None:
        for _ in range(30):
            decision = store.take(key, tenant_id, policy)
            with lock:
                allowed.append(decision.allowed)

    threads = [threading.Thread(target=hammer, args=(s,)) for s in stores for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert len(allowed) == 120
    assert allowed.count(True) == 40  # exactly the burst, across both engines


def test_program_override_is_validated_stored_and_evented(session: Session) -> None:
    tenant, ctx = make_tenant(session)
    assert program_rate_limit(session, tenant.id) is None
    policy = set_program_rate_limit(session, ctx, per_second=5, burst=20)
    assert policy == RatePolicy(5.0, 20.0)
    assert program_rate_limit(session, tenant.id) == RatePolicy(5.0, 20.0)
    off = set_program_rate_limit(session, ctx, per_second=0, burst=0)
    assert off is not None
    assert not off.enabled
    assert set_program_rate_limit(session, ctx, per_second=None, burst=None) is None
    assert program_rate_limit(session, tenant.id) is None
    types = session.scalars(
        select(Event.type).where(
            Event.tenant_id == tenant.id, Event.type == "program.rate_limit_changed"
        )
    ).all()
    assert len(types) == 3


@pytest.mark.parametrize(
    ("per_second", "burst", "field"),
    [
        (-1, 10, "per_second"),
        (5, -1, "burst"),
        (float("nan"), 10, "per_second"),
        (5, 0.5, "burst"),
        (5, None, "burst"),
        (None, 5, "per_second"),
        (2e6, 10, "per_second"),
    ],
)
def test_bad_overrides_name_the_field(
    session: Session, per_second: float | None, burst: float | None, field: str
) -> None:
    _, ctx = make_tenant(session)
    with pytest.raises(Invalid) as raised:
        set_program_rate_limit(session, ctx, per_second=per_second, burst=burst)
    assert raised.value.field == field
