"""A throw-away PostgreSQL server for ``--postgres``: initdb in a temp dir, loopback only.

PostgreSQL refuses to run as root, so when we are root the cluster belongs to an
unprivileged system user made for the purpose. Everything is removed on exit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.data import log
from bench.http import free_port

PG_USER = "syllabus-bench"
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "shared_buffers": "256MB",
    # Like SQLite's WAL + synchronous=NORMAL: a crash may lose the last commits, never
    # corrupts. Both sides of every comparison run on this same server.
    "synchronous_commit": "off",
    "max_connections": "50",
}


def _as_owner(argv: list[str]) -> list[str]:
    return ["runuser", "-u", PG_USER, "--", *argv] if os.geteuid() == 0 else argv


def _ensure_user() -> None:
    if os.geteuid() != 0:
        return
    known = subprocess.run(["id", "-u", PG_USER], capture_output=True, check=False)
    if known.returncode != 0:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_USER],
            check=True,
        )


@contextmanager
def temporary_postgres() -> Iterator[str]:
    """Yield a SQLAlchemy URL to an empty database on a fresh server; stop it afterwards."""
    _ensure_user()
    root = Path(tempfile.mkdtemp(prefix="syllabus-bench-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, user=PG_USER)
    port = free_port()
    started = False
    try:
        subprocess.run(
            _as_owner(
                [
                    *("initdb", "-D", str(data), "-U", "postgres", "--auth=trust"),
                    *("-E", "UTF8", "--no-sync", "--no-instructions"),
                ]
            ),
            check=True,
            capture_output=True,
        )
        options = " ".join(f"-c {k}={v}" for k, v in SETTINGS.items())
        options += f" -p {port} -k {root}"
        subprocess.run(
            _as_owner(
                ["pg_ctl", "-D", str(data), "-l", str(root / "log"), "-o", options, "-w", "start"]
            ),
            check=True,
            capture_output=True,
        )
        started = True
        _create_database(port)
        log(f"PostgreSQL started on 127.0.0.1:{port}")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/bench"
    finally:
        if started:
            subprocess.run(
                _as_owner(["pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop"]),
                check=False,
                capture_output=True,
            )
        shutil.rmtree(root, ignore_errors=True)


def _create_database(port: int) -> None:
    import psycopg

    deadline = time.monotonic() + 30
    while True:
        try:
            conn = psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres")
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    with conn:
        conn.autocommit = True
        conn.execute("CREATE DATABASE bench")
