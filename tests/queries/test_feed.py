"""The event feed on real commits: cursor paging, types, retention, and (on PostgreSQL)
transactions that commit out of id order."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from syllabus.core.clock import utcnow
from syllabus.core.context import Context
from syllabus.core.errors import Invalid
from syllabus.db.engine import make_engine
from syllabus.db.session import make_sessionmaker, unit_of_work
from syllabus.delivery.feed import FeedPruner
from syllabus.domain.events import Event
from syllabus.queries.feed import Cursor, Expired, read_feed
from syllabus.services.events import record_event
from tests.factories import make_tenant


@pytest.fixture
def engine(fresh_db_url: str) -> Iterator[Engine]:
    engine = make_engine(fresh_db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


def _program(factory: sessionmaker[Session]) -> Context:
    with unit_of_work(factory, tenant_id=None) as session:
        return make_tenant(session)[1]


def _record(factory: sessionmaker[Session], ctx: Context, n: int, kind: str = "test.n") -> None:
    with unit_of_work(factory, tenant_id=ctx.tenant_id) as session:
        record_event(session, ctx, kind, {"n": n})


def _follow(factory: sessionmaker[Session], ctx: Context, after: Cursor | None, **kw: object):  # type: ignore[no-untyped-def]
    with unit_of_work(factory, tenant_id=ctx.tenant_id, read_only=True) as session:
        return read_feed(session, ctx, after=after, **kw)  # type: ignore[arg-type]


def test_pages_follow_the_cursor_and_filter_by_type(factory: sessionmaker[Session]) -> None:
    ctx = _program(factory)
    other = _program(factory)
    for n in range(5):
        _record(factory, ctx, n, "test.odd" if n % 2 else "test.even")
    _record(factory, other, 99)
    first = _follow(factory, ctx, None, types=["test.odd", "test.even"], limit=2)
    assert [e.data["n"] for e in first.events] == [0, 1]
    second = _follow(factory, ctx, first.next, types=["test.odd", "test.even"], limit=10)
    assert [e.data["n"] for e in second.events] == [2, 3, 4]
    assert second.next == second.events[-1].cursor
    empty = _follow(factory, ctx, second.next, limit=10)
    assert empty.events == []
    assert empty.next == second.next  # nothing new: keep polling from the same place
    odd = _follow(factory, ctx, None, types=["test.odd"])
    assert [e.data["n"] for e in odd.events] == [1, 3]
    assert str(Cursor.parse(str(first.next))) == str(first.next)


def test_bad_cursors_and_limits_name_the_field(factory: sessionmaker[Session]) -> None:
    ctx = _program(factory)
    for bad in ("", "abc", "1-", "-1-2", "1-2-3", "99999999999999999999-1"):
        with pytest.raises(Invalid) as caught:
            Cursor.parse(bad)
        assert caught.value.field == "after"
    for limit in (0, 1001):
        with pytest.raises(Invalid) as caught:
            _follow(factory, ctx, None, limit=limit)
        assert caught.value.field == "limit"


def test_a_cursor_whose_event_was_pruned_has_expired(factory: sessionmaker[Session]) -> None:
    ctx = _program(factory)
    _record(factory, ctx, 1)
    _record(factory, ctx, 2)
    page = _follow(factory, ctx, None)
    old = page.events[0].cursor
    with unit_of_work(factory, tenant_id=None) as session:
        session.execute(
            update(Event)
            .where(Event.tenant_id == ctx.tenant_id)
            .values(dispatched_at=utcnow(), occurred_at=utcnow() - timedelta(days=31))
        )
    assert FeedPruner(factory, retention=timedelta(days=30)).prune() >= 2
    with pytest.raises(Expired):
        _follow(factory, ctx, old)
    assert _follow(factory, ctx, Cursor(0, 0)).events == []


@pytest.mark.parametrize("fresh_db_url", ["postgresql"], indirect=True)
def test_a_late_commit_is_never_skipped(factory: sessionmaker[Session], engine: Engine) -> None:
    """T1 writes first (lower id) and commits last; a reader following the cursor still
    sees it, before T2's event, exactly once. (SQLite has one writer at a time.)"""
    ctx = _program(factory)
    _record(factory, ctx, 0)
    start = _follow(factory, ctx, None).next
    slow = factory()
    slow.info["tenant_id"] = ctx.tenant_id
    record_event(slow, ctx, "test.n", {"n": 1})
    slow.flush()
    _record(factory, ctx, 2)
    seen = _follow(factory, ctx, start).events
    assert seen == []  # held back while T1 is open, not skipped
    slow.commit()
    slow.close()
    page = _follow(factory, ctx, start)
    assert sorted(e.data["n"] for e in seen + page.events) == [1, 2]
    assert len({e.event_id for e in seen + page.events}) == 2


def test_concurrent_out_of_order_commits_are_each_seen_once(
    factory: sessionmaker[Session],
) -> None:
    ctx = _program(factory)
    writers, per_writer = 6, 15
    stop = threading.Event()
    seen: list[int] = []

    def write(w: int) -> None:
        rng = random.Random(w)
        for i in range(per_writer):
            with unit_of_work(factory, tenant_id=ctx.tenant_id) as session:
                record_event(session, ctx, "test.n", {"n": w * 1000 + i})
                session.flush()
                time.sleep(rng.uniform(0, 0.02))  # commit later than others inserted

    def read() -> None:
        cursor: Cursor | None = None
        while True:
            finished = stop.is_set()
            page = _follow(factory, ctx, cursor, limit=7, types=["test.n"])
            seen.extend(e.data["n"] for e in page.events)
            cursor = page.next
            if finished and not page.events:
                return

    reader = threading.Thread(target=read)
    reader.start()
    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    reader.join(timeout=30)
    assert not reader.is_alive()
    assert sorted(seen) == sorted(w * 1000 + i for w in range(writers) for i in range(per_writer))
    assert len(seen) == len(set(seen))
    final = _follow(factory, ctx, None, limit=1000, types=["test.n"])
    assert [e.data["n"] for e in final.events] == seen  # one order for every reader
