"""The raw baselines: what the same work costs with nothing of ours in the way.

B0 and B1 are ASGI apps served exactly like ours (see bench/http.py); B2 is the stdlib
``sqlite3`` (or plain psycopg) on the very database file our code uses, so the schema,
indexes and data are identical and only our layers differ. Connections get the same
pragmas our engine sets, so the database does the same work on both sides.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from fastapi import FastAPI

from syllabus.auth.secrets import new_token

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
HELLO = b'{"status":"ok"}'


async def hello_app(
    scope: Scope,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    """B0: the least an ASGI app can do; the server's own ceiling on this machine."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    headers = [(b"content-type", b"application/json"), (b"content-length", b"15")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": HELLO})


def fastapi_hello_app() -> FastAPI:
    """B1: FastAPI with one route returning constant JSON, serialized the default way
    (a declared return type, which FastAPI serializes through pydantic)."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"status": "ok"}

    return app


USER_COLUMNS = (
    "tenant_id",
    "email",
    "email_normalized",
    "username",
    "username_normalized",
    "first_name",
    "last_name",
    "role",
    "is_active",
    "version",
    "language",
    "picture_url",
    "email_notifications",
    "sms_notifications",
    "global_content_manager",
    "full_permissions_for_courses_i_created",
    "calendar_key",
    "view_key",
    "created_at",
    "updated_at",
)
ENROLLMENT_COLUMNS = (
    "tenant_id",
    "user_id",
    "published_course_id",
    "course_id",
    "enrolled_at",
    "active",
)


class RawDatabase(Protocol):
    """The B2 operations, the same on SQLite and PostgreSQL."""

    def user_by_id(self, tenant_id: int, user_id: int) -> tuple[Any, ...] | None: ...
    def user_by_email(self, tenant_id: int, email: str) -> tuple[Any, ...] | None: ...
    def users_page(self, tenant_id: int, after_id: int, limit: int) -> list[tuple[Any, ...]]: ...
    def users_page_by_pk(
        self, tenant_id: int, after_id: int, limit: int
    ) -> list[tuple[Any, ...]]: ...
    def page_plan(self, tenant_id: int, after_id: int) -> str: ...
    def insert_users(self, rows: Sequence[tuple[Any, ...]]) -> None: ...
    def insert_enrollments(self, rows: Sequence[tuple[Any, ...]]) -> None: ...
    def user_ids(self, tenant_id: int, emails: Sequence[str]) -> list[int]: ...
    def publications(self, tenant_id: int, course_ids: Sequence[int]) -> dict[int, int]: ...
    def nth_user_id(self, tenant_id: int, offset: int) -> int: ...
    def all_users(self, tenant_id: int) -> tuple[float, int]: ...
    def insert(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None: ...
    def now(self) -> object: ...
    def close(self) -> None: ...


class _RawBase:
    """SQL written once with ``?`` placeholders; PostgreSQL swaps them for ``%s``."""

    placeholder = "?"

    def _sql(self, sql: str) -> str:
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def _insert(self, table: str, columns: Sequence[str]) -> str:
        marks = ", ".join("?" * len(columns))
        return self._sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})")

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        """One executemany in one transaction, for rows of any table."""
        self._write_many(self._insert(table, columns), rows)  # type: ignore[attr-defined]

    def all_users(self, tenant_id: int) -> tuple[float, int]:
        """Read every user row of the program: (seconds to the first row, rows read)."""
        started = time.perf_counter()
        cursor = self.conn.execute(  # type: ignore[attr-defined]
            self._sql("SELECT * FROM users WHERE tenant_id = ? ORDER BY id"), (tenant_id,)
        )
        first = cursor.fetchone()
        first_row = time.perf_counter() - started
        count = 0 if first is None else 1
        while batch := cursor.fetchmany(1000):
            count += len(batch)
        return first_row, count

    def now(self) -> object:
        return datetime.now(UTC)


class RawSqlite(_RawBase):
    """B2 on SQLite: stdlib sqlite3, our engine's pragmas, explicit transactions for writes."""

    PAGE_SQL = "SELECT * FROM users WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?"

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
            "temp_store=MEMORY",
            "cache_size=-65536",
        ):
            self.conn.execute(f"PRAGMA {pragma}")

    def user_by_id(self, tenant_id: int, user_id: int) -> tuple[Any, ...] | None:
        sql = "SELECT * FROM users WHERE tenant_id = ? AND id = ?"
        row: tuple[Any, ...] | None = self.conn.execute(sql, (tenant_id, user_id)).fetchone()
        return row

    def user_by_email(self, tenant_id: int, email: str) -> tuple[Any, ...] | None:
        sql = "SELECT * FROM users WHERE tenant_id = ? AND email_normalized = ?"
        row: tuple[Any, ...] | None = self.conn.execute(
            sql, (tenant_id, email.strip().lower())
        ).fetchone()
        return row

    def users_page(self, tenant_id: int, after_id: int, limit: int) -> list[tuple[Any, ...]]:
        return self.conn.execute(self.PAGE_SQL, (tenant_id, after_id, limit)).fetchall()

    def users_page_by_pk(self, tenant_id: int, after_id: int, limit: int) -> list[tuple[Any, ...]]:
        """The same page, with the planner told to walk the primary key (rowid range)."""
        sql = "SELECT * FROM users NOT INDEXED WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?"
        return self.conn.execute(sql, (tenant_id, after_id, limit)).fetchall()

    def page_plan(self, tenant_id: int, after_id: int) -> str:
        sql = "EXPLAIN QUERY PLAN " + self.PAGE_SQL
        rows = self.conn.execute(sql, (tenant_id, after_id, 100))
        return "; ".join(row[3] for row in rows)

    def _write_many(self, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.executemany(sql, rows)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def insert_users(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self._write_many(self._insert("users", USER_COLUMNS), rows)

    def insert_enrollments(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self._write_many(self._insert("enrollments", ENROLLMENT_COLUMNS), rows)

    def user_ids(self, tenant_id: int, emails: Sequence[str]) -> list[int]:
        sql = "SELECT id FROM users WHERE tenant_id = ? AND email_normalized = ?"
        return [self.conn.execute(sql, (tenant_id, e.lower())).fetchone()[0] for e in emails]

    def publications(self, tenant_id: int, course_ids: Sequence[int]) -> dict[int, int]:
        sql = "SELECT course_id, id FROM published_courses WHERE tenant_id = ? AND course_id = ?"
        return dict(self.conn.execute(sql, (tenant_id, c)).fetchone() for c in course_ids)

    def nth_user_id(self, tenant_id: int, offset: int) -> int:
        sql = "SELECT id FROM users WHERE tenant_id = ? ORDER BY id LIMIT 1 OFFSET ?"
        return int(self.conn.execute(sql, (tenant_id, offset)).fetchone()[0])

    def now(self) -> object:
        return str(datetime.now(UTC).replace(tzinfo=None))

    def close(self) -> None:
        self.conn.close()


class RawPostgres(_RawBase):
    """B2 on PostgreSQL: plain psycopg 3, autocommit reads, one transaction per bulk write."""

    placeholder = "%s"

    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        self.conn.autocommit = True

    def user_by_id(self, tenant_id: int, user_id: int) -> tuple[Any, ...] | None:
        sql = "SELECT * FROM users WHERE tenant_id = %s AND id = %s"
        return self.conn.execute(sql, (tenant_id, user_id)).fetchone()

    def user_by_email(self, tenant_id: int, email: str) -> tuple[Any, ...] | None:
        sql = "SELECT * FROM users WHERE tenant_id = %s AND email_normalized = %s"
        return self.conn.execute(sql, (tenant_id, email.strip().lower())).fetchone()

    def users_page(self, tenant_id: int, after_id: int, limit: int) -> list[tuple[Any, ...]]:
        sql = "SELECT * FROM users WHERE tenant_id = %s AND id > %s ORDER BY id LIMIT %s"
        return self.conn.execute(sql, (tenant_id, after_id, limit)).fetchall()

    def users_page_by_pk(self, tenant_id: int, after_id: int, limit: int) -> list[tuple[Any, ...]]:
        """PostgreSQL has no planner hints; with statistics it walks the primary key anyway."""
        return self.users_page(tenant_id, after_id, limit)

    def page_plan(self, tenant_id: int, after_id: int) -> str:
        sql = "EXPLAIN SELECT * FROM users WHERE tenant_id = %s AND id > %s ORDER BY id LIMIT 100"
        lines = [str(row[0]).strip() for row in self.conn.execute(sql, (tenant_id, after_id))]
        return "; ".join(line.split("  (")[0].lstrip("-> ") for line in lines)

    def _write_many(self, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
        with self.conn.transaction(), self.conn.cursor() as cursor:
            cursor.executemany(sql, rows)

    def insert_users(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self._write_many(self._insert("users", USER_COLUMNS), rows)

    def insert_enrollments(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self._write_many(self._insert("enrollments", ENROLLMENT_COLUMNS), rows)

    def user_ids(self, tenant_id: int, emails: Sequence[str]) -> list[int]:
        sql = "SELECT id FROM users WHERE tenant_id = %s AND email_normalized = ANY(%s)"
        found = dict(
            (row[1], row[0])
            for row in self.conn.execute(
                sql.replace("SELECT id", "SELECT id, email_normalized"),
                (tenant_id, [e.lower() for e in emails]),
            )
        )
        return [found[e.lower()] for e in emails]

    def publications(self, tenant_id: int, course_ids: Sequence[int]) -> dict[int, int]:
        sql = (
            "SELECT course_id, id FROM published_courses"
            " WHERE tenant_id = %s AND course_id = ANY(%s)"
        )
        return {row[0]: row[1] for row in self.conn.execute(sql, (tenant_id, list(course_ids)))}

    def nth_user_id(self, tenant_id: int, offset: int) -> int:
        sql = "SELECT id FROM users WHERE tenant_id = %s ORDER BY id LIMIT 1 OFFSET %s"
        row = self.conn.execute(sql, (tenant_id, offset)).fetchone()
        assert row is not None
        return int(row[0])

    def close(self) -> None:
        self.conn.close()


def open_raw(url: str) -> RawDatabase:
    """The raw connection for a SQLAlchemy URL of either database."""
    if url.startswith("sqlite:///"):
        return RawSqlite(url.removeprefix("sqlite:///"))
    return RawPostgres(url)


def user_rows(raw: RawDatabase, tenant_id: int, emails: Sequence[str]) -> list[tuple[Any, ...]]:
    """The same column values ``create_users`` writes for these emails (built untimed)."""
    now = raw.now()
    return [
        (
            tenant_id,
            email,
            email.lower(),
            email,
            email.lower(),
            "Bench",
            "User",
            "learner",
            True,
            1,
            "en",
            "",
            True,
            False,
            False,
            False,
            new_token(),
            new_token(),
            now,
            now,
        )
        for email in emails
    ]


def enrollment_rows(
    raw: RawDatabase, tenant_id: int, user_ids: Sequence[int], publications: dict[int, int]
) -> list[tuple[Any, ...]]:
    """The rows ``enroll_users_in_courses`` writes for users x courses (built untimed)."""
    now = raw.now()
    return [
        (tenant_id, user_id, publication_id, course_id, now, True)
        for course_id, publication_id in publications.items()
        for user_id in user_ids
    ]
