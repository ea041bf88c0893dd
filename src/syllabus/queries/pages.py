"""Keyset and numbered windows over any tenant list, with statements built once per filter set.

A ``Listing`` holds a scoped base select and its unique, ordered key (the primary key). For each
combination of filters in use it builds, once, the forward (``key > :after``), backward
(``key < :before``) and numbered (``OFFSET``) statements and the count, so a page costs one
indexed range scan whatever its depth, and following ``next`` sees every row exactly once even
while rows are added (new rows get larger keys).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, bindparam, func, select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import MAX_ID
from syllabus.domain.tenancy import execute_scoped

MAX_LIMIT = 10_001
"""A page of 10,000 plus the one row that says whether there is more."""
MAX_OFFSET = 2**62

Filter = Callable[[], ColumnElement[bool]]
"""Builds one WHERE clause using ``bindparam(<filter name>)``."""


@dataclass(frozen=True)
class Window:
    """Which rows: after a key, before a key (newest first, for ``previous``), or an offset."""

    limit: int
    after: int | None = None
    before: int | None = None
    offset: int | None = None


@dataclass(frozen=True)
class _Statements:
    forward: Select[Any]
    backward: Select[Any]
    numbered: Select[Any]
    count: Select[Any]


class Listing:
    def __init__(
        self, base: Select[Any], key: ColumnElement[int], filters: Mapping[str, Filter] = {}
    ) -> None:
        self._base = base
        self._key = key
        self._filters = dict(filters)
        self._built: dict[frozenset[str], _Statements] = {}
        self._lock = threading.Lock()

    @property
    def base(self) -> Select[Any]:
        """The unfiltered, unordered select, for single-row reads of the same view."""
        return self._base

    def _statements(self, names: frozenset[str]) -> _Statements:
        built = self._built.get(names)
        if built is None:
            with self._lock:
                base = self._base
                for name in sorted(names):
                    base = base.where(self._filters[name]())
                key = self._key
                built = _Statements(
                    forward=base.where(key > bindparam("after_key"))
                    .order_by(key)
                    .limit(bindparam("limit")),
                    backward=base.where(key < bindparam("before_key"))
                    .order_by(key.desc())
                    .limit(bindparam("limit")),
                    numbered=base.order_by(key)
                    .limit(bindparam("limit"))
                    .offset(bindparam("offset")),
                    count=select(func.count()).select_from(base.subquery()),
                )
                self._built[names] = built
        return built

    def _names(self, filters: Mapping[str, Any]) -> frozenset[str]:
        unknown = set(filters) - set(self._filters)
        if unknown:
            raise KeyError(f"unknown filters: {sorted(unknown)}")
        return frozenset(filters)

    def rows(
        self, session: Session, ctx: Context, window: Window, filters: Mapping[str, Any] = {}
    ) -> Sequence[Row[Any]]:
        """The window's rows in key order (a backward window is reversed back)."""
        tenant_id = ctx.tenant_id
        statements = self._statements(self._names(filters))
        params: dict[str, Any] = {**filters, "limit": max(1, min(window.limit, MAX_LIMIT))}
        if window.before is not None:
            params["before_key"] = max(0, min(window.before, MAX_ID + 1))
            found = execute_scoped(session, tenant_id, statements.backward, params).all()
            return list(reversed(found))
        if window.offset is not None:
            params["offset"] = max(0, min(window.offset, MAX_OFFSET))
            return execute_scoped(session, tenant_id, statements.numbered, params).all()
        params["after_key"] = max(0, min(window.after or 0, MAX_ID))
        return execute_scoped(session, tenant_id, statements.forward, params).all()

    def count(self, session: Session, ctx: Context, filters: Mapping[str, Any] = {}) -> int:
        statements = self._statements(self._names(filters))
        found = execute_scoped(session, ctx.tenant_id, statements.count, dict(filters))
        return int(found.scalar_one())
