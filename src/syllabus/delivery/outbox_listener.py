"""Cross-process wake-up on PostgreSQL: the worker LISTENs on the outbox channel, which
every transaction that records events NOTIFYs (delivered at its commit), so a worker in
another process (``syllabus worker``, another server) fans out at once, not at its poll.

The wait for notifications runs on its own connection, in a helper thread that sets the
worker's wake-up event; it checks for its stop once a second. On SQLite (one machine, and
in practice one process) the in-process signal and the poll are all there is.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import psycopg
from sqlalchemy import Engine

from syllabus.services.events import OUTBOX_CHANNEL

log = logging.getLogger("syllabus.worker")

RECONNECT_SECONDS = 2.0


class OutboxListener:
    """LISTEN on ``OUTBOX_CHANNEL`` and set ``wake`` on every notification."""

    def __init__(self, engine: Engine, wake: threading.Event) -> None:
        self.engine = engine
        self.wake = wake
        self.listening = threading.Event()
        """Set once LISTEN is in effect (tests wait for it)."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-listener", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            fairy: Any = None
            try:
                fairy = self.engine.raw_connection()
                connection = fairy.driver_connection
                fairy.detach()  # a session of its own, never handed back to the pool
                assert isinstance(connection, psycopg.Connection)
                connection.rollback()
                connection.autocommit = True
                connection.execute(f"LISTEN {OUTBOX_CHANNEL}")
                self.listening.set()
                self.wake.set()  # events may have come while we were not listening
                while not self._stop.is_set():
                    for _ in connection.notifies(timeout=1.0, stop_after=1):
                        self.wake.set()
            except Exception:
                log.warning("outbox listener lost its connection; retrying", exc_info=True)
                self.listening.clear()
                self._stop.wait(RECONNECT_SECONDS)
            finally:
                if fairy is not None:
                    try:
                        fairy.close()
                    except Exception:
                        log.debug("closing the listener's connection failed", exc_info=True)


def listener_for(engine: Engine | None, wake: threading.Event) -> OutboxListener | None:
    """A listener when the worker's database is PostgreSQL, else None."""
    if engine is None or engine.dialect.name != "postgresql":
        return None
    return OutboxListener(engine, wake)
