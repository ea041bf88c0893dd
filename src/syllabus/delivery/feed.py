"""The worker's side of the event feed: pruning events older than the retention period.

Events are pruned only once dispatched (their webhook deliveries carry their own copy).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from syllabus.core.clock import utcnow
from syllabus.db.session import unit_of_work
from syllabus.domain.events import Event

PRUNE_BATCH = 5000


@dataclass
class Periodic:
    """A worker pass that runs ``prune`` at most every ``every_seconds`` (retention work
    need not run on every poll)."""

    every_seconds: float = field(default=300.0, kw_only=True)
    _last: float = field(default=0.0, init=False)

    def run_pass(self) -> int:
        now = time.monotonic()
        if self._last and now - self._last < self.every_seconds:
            return 0
        self._last = now
        return self.prune()

    def prune(self) -> int:
        raise NotImplementedError


@dataclass
class FeedPruner(Periodic):
    factory: sessionmaker[Session]
    retention: timedelta = timedelta(days=30)

    def prune(self) -> int:
        cutoff = utcnow() - self.retention
        with unit_of_work(self.factory, tenant_id=None) as session:
            ids = list(
                session.scalars(
                    select(Event.id)
                    .where(Event.occurred_at < cutoff, Event.dispatched_at.is_not(None))
                    .order_by(Event.id)
                    .limit(PRUNE_BATCH)
                )
            )
            if ids:
                session.execute(delete(Event).where(Event.id.in_(ids)))
            return len(ids)
