"""Counting the SQL statements a request costs, without the embedded worker's.

The app under test runs its worker in background threads; a write in the arrange step wakes
it, and its fan-out and pruning statements would otherwise land in whichever count is open
at the time (a CI run once saw 4 statements where the request itself made 2).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event

# Thread names the app gives its background work (delivery/worker.py, outbox_listener.py,
# delivery/webhooks.py's sender pool).
BACKGROUND_THREADS = ("syllabus-worker", "outbox-listener", "webhook")


def statements_during(engine: Engine, fn: Callable[[], Any]) -> list[str]:
    """The statements ``fn`` made through ``engine``, leaving out the background threads'."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if not threading.current_thread().name.startswith(BACKGROUND_THREADS):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen
