"""Chunked leases from the shared bucket, on both databases (SQLite stands in for the store)."""

from __future__ import annotations

import math
import threading
import time

import pytest
from sqlalchemy import select

from syllabus.core.credentials import CredentialKind
from syllabus.db.engine import make_engine
from syllabus.db.session import make_sessionmaker, unit_of_work
from syllabus.domain.limits import RateLimitBucket
from syllabus.pipeline.rate_limiting import bucket_engine
from syllabus.services.credentials import issue_credential
from syllabus.services.rate_leases import LEASE_TTL, MAX_CHUNK, LeasedBuckets, chunk_size
from syllabus.services.rate_limits import RatePolicy, SqlBuckets
from tests.factories import make_tenant


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(fresh_db_url: str) -> tuple[str, int, int]:
    """A fresh database with one program and one API key: (url, credential id, tenant id)."""
    engine = make_engine(fresh_db_url)
    with unit_of_work(make_sessionmaker(engine), tenant_id=None) as session:
        tenant, ctx = make_tenant(session)
        key = issue_credential(session, ctx, kind=CredentialKind.API_KEY).credential.id
        tenant_id = tenant.id
    engine.dispose()
    return fresh_db_url, key, tenant_id


def shared(url: str) -> SqlBuckets:
    """What one server process holds: its own pool on the shared database."""
    return SqlBuckets(make_engine(url) if url.startswith("sqlite") else bucket_engine(url))


def bucket_debt(url: str, key: int) -> float:
    """Seconds of debt the shared row recorded at its last lease."""
    engine = make_engine(url)
    with engine.connect() as connection:
        row = connection.execute(
            select(RateLimitBucket.tat, RateLimitBucket.seen_at).where(
                RateLimitBucket.credential_id == key
            )
        ).one()
    engine.dispose()
    return float(row.tat - row.seen_at)


def test_chunk_size_is_a_tenth_of_the_burst_or_a_fifth_of_a_second() -> None:
    assert chunk_size(RatePolicy(per_second=50, burst=200)) == 10
    assert chunk_size(RatePolicy(per_second=1000, burst=100)) == 10
    assert chunk_size(RatePolicy(per_second=1, burst=3)) == 1
    assert chunk_size(RatePolicy(per_second=1e9, burst=1e9)) == MAX_CHUNK


def test_a_lease_grants_what_is_there_and_takes_back_leftovers(
    store: tuple[str, int, int],
) -> None:
    url, key, tenant_id = store
    policy = RatePolicy(per_second=0.01, burst=5)  # no refill within the test
    buckets = shared(url)
    assert buckets.lease(key, tenant_id, policy, want=3).granted == 3
    assert buckets.lease(key, tenant_id, policy, want=3).granted == 2  # fewer: what is left
    empty = buckets.lease(key, tenant_id, policy, want=3)
    assert empty.granted == 0
    assert 499 <= empty.tat - empty.seen_at <= 500  # a refusal leaves the debt alone
    assert buckets.lease(key, tenant_id, policy, want=3, give_back=2).granted == 2
    assert buckets.lease(key, tenant_id, policy, want=9).granted == 0
    buckets.close()


def test_two_processes_never_admit_more_than_burst_plus_their_chunks(
    store: tuple[str, int, int],
) -> None:
    url, key, tenant_id = store
    policy = RatePolicy(per_second=50, burst=100)
    chunk = chunk_size(policy)
    assert chunk == 10
    processes = [LeasedBuckets(shared(url)), LeasedBuckets(shared(url))]
    allowed: list[bool] = []
    lock = threading.Lock()

    def hammer(buckets: LeasedBuckets) -> None:
        for _ in range(150):
            decision = buckets.take(key, tenant_id, policy)
            with lock:
                allowed.append(decision.allowed)

    started = time.monotonic()
    threads = [threading.Thread(target=hammer, args=(p,)) for p in processes for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refilled = math.ceil((time.monotonic() - started) * policy.per_second)
    for process in processes:
        process.close()
    admitted = allowed.count(True)
    assert admitted <= policy.burst + refilled + len(processes) * chunk
    assert admitted >= policy.burst - len(processes) * chunk  # leases do not starve the key
    assert allowed.count(False) > 0


def test_a_refusal_carries_the_shared_retry_after_and_is_repeated_from_memory(
    store: tuple[str, int, int],
) -> None:
    url, key, tenant_id = store
    policy = RatePolicy(per_second=0.01, burst=3)  # a token every 100 s
    first = LeasedBuckets(shared(url))
    assert [first.take(key, tenant_id, policy).allowed for _ in range(3)] == [True] * 3
    clock = Clock()
    second = LeasedBuckets(shared(url), clock)
    assert second.take_nowait(key, tenant_id, policy) is None  # nothing known yet
    refused = second.take(key, tenant_id, policy)
    assert not refused.allowed
    assert 99 <= refused.retry_after <= 100  # from the shared row: the other process spent it
    debt = bucket_debt(url, key)
    clock.now += 40
    again = second.take_nowait(key, tenant_id, policy)
    assert again is not None
    assert not again.allowed
    assert 59 <= again.retry_after <= 60
    assert bucket_debt(url, key) == debt  # answered from memory: the row was not touched
    first.close()
    second.close()


def test_a_stale_lease_is_not_spent_and_its_tokens_go_back(store: tuple[str, int, int]) -> None:
    url, key, tenant_id = store
    policy = RatePolicy(per_second=50, burst=100)
    clock = Clock()
    buckets = LeasedBuckets(shared(url), clock)
    first = buckets.take(key, tenant_id, policy)
    assert first.allowed
    assert first.remaining == 99  # 90 in the shared bucket + 9 held here
    assert 0.15 <= bucket_debt(url, key) <= 0.2 + 1e-6  # one chunk of 10 tokens
    served = buckets.take_nowait(key, tenant_id, policy)
    assert served is not None
    assert served.allowed
    clock.now += LEASE_TTL + 0.01
    assert buckets.take_nowait(key, tenant_id, policy) is None  # stale: the bucket decides
    assert buckets.take(key, tenant_id, policy).allowed
    # The 8 leftovers went back in the same statement: the debt is the 2 tokens spent plus
    # the new chunk of 10 (0.24 s), not two whole chunks (0.4 s).
    assert 0.2 <= bucket_debt(url, key) <= 0.24 + 1e-6
    buckets.close()


def test_a_changed_policy_is_asked_of_the_bucket_not_answered_from_memory(
    store: tuple[str, int, int],
) -> None:
    url, key, tenant_id = store
    strict = RatePolicy(per_second=0.01, burst=2)
    buckets = LeasedBuckets(shared(url), Clock())
    assert [buckets.take(key, tenant_id, strict).allowed for _ in range(3)] == [True, True, False]
    refused = buckets.take_nowait(key, tenant_id, strict)
    assert refused is not None
    assert not refused.allowed
    looser = RatePolicy(per_second=0.01, burst=5)  # e.g. `syllabus tenant limits` raised it
    assert buckets.take_nowait(key, tenant_id, looser) is None
    assert buckets.take(key, tenant_id, looser).allowed
    buckets.close()
