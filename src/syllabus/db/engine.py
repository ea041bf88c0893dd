"""Engines for the two supported databases, configured the same way wherever they are made."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

SQLITE_BUSY_TIMEOUT_MS = 30_000
_BEGIN = {mode: f"BEGIN {mode}" for mode in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE")}


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and explicit BEGINs (so savepoints work)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _ensure_directory(url)
        engine = create_engine(
            parsed,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            json_serializer=_json_dumps,
            pool_size=pool_size,
            max_overflow=20,
        )
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(
            parsed,
            echo=echo,
            pool_size=pool_size,
            max_overflow=20,
            pool_pre_ping=True,
            json_serializer=_json_dumps,
        )
    raise ValueError(f"unsupported database URL {parsed.render_as_string(hide_password=True)}")


def _json_dumps(value: Any) -> str:
    """JSON columns (event data, job payloads) are written in bulk: orjson is ~10x json."""
    return orjson.dumps(value).decode()


def make_null_pool_engine(url: str) -> Engine:
    """One connection per use; for short-lived CLI commands and migrations."""
    if is_sqlite(url):
        _ensure_directory(url)
    engine = create_engine(make_url(url), poolclass=NullPool)
    if is_sqlite(url):
        _configure_sqlite(engine)
    return engine


def _ensure_directory(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front, so two writers queue on busy_timeout
        # instead of one failing with SQLITE_BUSY when it upgrades a read lock.
        # Sent straight to the driver: it runs once per request, and the full execution path
        # costs more than the statement itself.
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.connection.driver_connection.execute(_BEGIN[mode])
