"""Where each served page of a numbered list ended, so the next page number reads on from there.

SkyPrep clients page with ``page=1, 2, 3 ...``. Answering page N with OFFSET costs time in
proportion to N and shifts under concurrent inserts (a record inserted ahead of the reader
repeats one at the page edge). Remembering the sort key of the last row of every page served
lets page N+1 be a keyset read after it: constant time at any depth, and nothing inserted or
moved ahead of the reader shifts what comes next. A page whose predecessor is not remembered
(another process served it, it aged out, or a client jumps ahead) falls back to OFFSET, which
is correct for a table that is not changing.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

MAX_MARKS = 20_000
TTL_SECONDS = 15 * 60.0


class PageMarks:
    """A bounded, thread-safe LRU of (list identity, page) → sort key of the page's last row."""

    def __init__(self, max_marks: int = MAX_MARKS, ttl: float = TTL_SECONDS) -> None:
        self._marks: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_marks
        self._ttl = ttl

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            found = self._marks.get(key)
            if found is None:
                return None
            stored_at, mark = found
            if time.monotonic() - stored_at > self._ttl:
                del self._marks[key]
                return None
            self._marks.move_to_end(key)
            return mark

    def put(self, key: Hashable, mark: Any) -> None:
        with self._lock:
            self._marks[key] = (time.monotonic(), mark)
            self._marks.move_to_end(key)
            while len(self._marks) > self._max:
                self._marks.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._marks.clear()
