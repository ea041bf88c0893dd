"""Work a worker pass started in the background and has not seen finish (webhook drains).

The pass that starts a piece of work returns at once, so one slow piece never holds up the
worker's next fan-out, jobs or claims; this ledger is how the next pass knows how many slots
are free and which keys (webhook ids) it must not start again while they run, how the
worker is woken when a piece ends (it may have left more to do), and how ``wait_idle``
waits for everything started to be over.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Executor


class InFlight:
    """A thread-safe set of keys being worked on, at most ``capacity`` at once."""

    def __init__(self, capacity: int, wake: threading.Event | None = None) -> None:
        self.capacity = capacity
        self.wake = wake
        """Set whenever a piece of work ends, so the worker's next pass comes at once."""
        self._keys: set[int] = set()
        self._changed = threading.Condition()

    def snapshot(self) -> tuple[int, frozenset[int]]:
        """(free slots, keys running now). Slots only grow until ``start`` is called, so
        a caller that starts at most that many never exceeds ``capacity``."""
        with self._changed:
            return self.capacity - len(self._keys), frozenset(self._keys)

    def __len__(self) -> int:
        with self._changed:
            return len(self._keys)

    def start(self, executor: Executor, keys: Iterable[int], work: Callable[[int], object]) -> None:
        """Run ``work(key)`` for each key in ``executor``; the key is in flight until it
        returns (or raises)."""
        for key in keys:
            with self._changed:
                self._keys.add(key)
            try:
                executor.submit(self._run, work, key)
            except BaseException:
                self._finish(key)
                raise

    def _run(self, work: Callable[[int], object], key: int) -> None:
        try:
            work(key)
        finally:
            self._finish(key)

    def _finish(self, key: int) -> None:
        with self._changed:
            self._keys.discard(key)
            self._changed.notify_all()
        if self.wake is not None:
            self.wake.set()

    def settle(self, timeout: float | None) -> bool:
        """Wait up to ``timeout`` seconds (None: for ever) until nothing is in flight; True
        when something was, so the caller should look again for work it left behind."""
        with self._changed:
            if not self._keys:
                return False
            self._changed.wait_for(lambda: not self._keys, timeout)
            return True
