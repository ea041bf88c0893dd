"""Test databases: SQLite files and a throwaway PostgreSQL server, both migrated once per session.

Fixtures, from widest to narrowest:

- ``postgres_server`` (session): a private PostgreSQL server (initdb + pg_ctl in a temp dir,
  unix socket only, durability off for speed), stopped when the session ends.
- ``db_url`` (session, parametrized ``sqlite`` / ``postgresql``): a migrated database shared by
  every test of that parameter. Never commit to it for real; use ``session``.
- ``engine`` (session): ``make_engine(db_url)``.
- ``connection`` (function): a connection of ``engine`` inside an outer transaction that is
  rolled back when the test ends.
- ``session_factory`` (function): the application's sessionmaker bound to ``connection`` with
  ``join_transaction_mode="create_savepoint"``, so ``commit()``/``rollback()`` and
  ``unit_of_work`` only move savepoints and nothing escapes the test.
- ``session`` (function): a session from ``session_factory`` scoped to all tenants
  (``info["tenant_id"] = None``); set another tenant id to test tenant scoping.
- ``fresh_db_url`` (function, parametrized): a brand-new migrated database of its own, for
  tests that need real commits seen by other connections, threads racing, or several
  processes (served uvicorn, worker subprocesses, If-Match races, leases).
- ``client`` (function): a ``TestClient`` on the module's app (``http_app``, one per test
  module and database) whose session factory is bound to this test's ``connection``: an HTTP
  test costs a savepoint, not a database and an app. ``fresh_client`` is the same client on an
  app of its own over ``fresh_db_url``, for HTTP tests that need real commits; a test or module
  marked ``@pytest.mark.fresh_db`` gets it as ``client``.

Which databases a test runs on (``db_url`` and ``fresh_db_url`` are parametrized at collection):

- SQLite only, by default: a pure wire-shape test sees the same SQL on both.
- SQLite and PostgreSQL for the tests where the SQL differs: everything under
  ``tests/services``, ``tests/queries``, ``tests/db``, ``tests/delivery`` and ``tests/auth``,
  tenancy, concurrency and race test files (``*tenancy*``, ``*concurrency*``, ``*race*``), and
  any test, class or module marked ``@pytest.mark.postgres``.
- ``@pytest.mark.parametrize("fresh_db_url", ["postgresql"], indirect=True)`` picks by hand.

``SYLLABUS_TEST_SKIP_POSTGRES=1`` skips the PostgreSQL half; ``-k sqlite`` deselects it.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pwd
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from syllabus.db.engine import make_engine
from syllabus.db.migrate import upgrade
from syllabus.db.session import TENANT_KEY, make_sessionmaker
from tests import cli_runner, hypothesis_profiles
from tests.http_client import app_client, bind, bound_app

DATABASES = ("sqlite", "postgresql")
SKIP_POSTGRES_ENV = "SYLLABUS_TEST_SKIP_POSTGRES"
PG_OS_USER = "syllabus-pg"
PG_SUPERUSER = "postgres"
PG_DIR_PREFIX = "syllabus-pgtest-"
PG_SETTINGS = {
    "listen_addresses": "''",
    "port": "5432",  # only names the socket file; each server has its own socket dir
    "unix_socket_permissions": "0777",
    "max_connections": "200",  # worker and server tests open several pools at once
    # Test data is disposable: trade durability for speed.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "timezone": "'UTC'",
}
UNIX_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes; leave room for "/.s.PGSQL.5432"


BOTH_DATABASES_DIRS = ("services", "queries", "db", "delivery", "auth")
"""Directories of ``tests/`` whose every test runs on both databases."""
BOTH_DATABASES_FILE_WORDS = ("tenancy", "concurrency", "race")
"""A test file whose name holds one of these runs on both databases."""
TESTS_ROOT = Path(__file__).parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgres: run on PostgreSQL as well as SQLite (the SQL differs)"
    )
    config.addinivalue_line(
        "markers",
        "fresh_db: `client` is an app of its own on a fresh database (real commits: threads "
        "racing, faults injected at commit, other connections reading)",
    )
    config.addinivalue_line(
        "markers",
        "cli_subprocess: the test's `syllabus` commands run as real processes (one smoke test "
        "per command group); the other CLI tests run them in-process",
    )


def databases_for(definition: pytest.Function) -> tuple[str, ...]:
    """Both databases for tests where the SQL differs (see the module docstring), else SQLite."""
    if definition.get_closest_marker("postgres") is not None:
        return DATABASES
    relative = definition.path.relative_to(TESTS_ROOT)
    if relative.parts[0] in BOTH_DATABASES_DIRS:
        return DATABASES
    if any(word in relative.name for word in BOTH_DATABASES_FILE_WORDS):
        return DATABASES
    return DATABASES[:1]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``db_url`` (per session) and ``fresh_db_url`` (per test) by database."""
    by_hand = {
        name.strip()
        for marker in metafunc.definition.iter_markers("parametrize")
        for name in (
            marker.args[0].split(",") if isinstance(marker.args[0], str) else marker.args[0]
        )
    }
    kinds = list(databases_for(metafunc.definition))
    for name, scope in (("db_url", "session"), ("fresh_db_url", "function")):
        if name in metafunc.fixturenames and name not in by_hand:
            metafunc.parametrize(name, kinds, indirect=True, ids=kinds, scope=scope)


def pytest_report_header() -> str:
    """Say which database engines and hypothesis profile this run uses."""
    return (
        f"databases: sqlite {sqlite3.sqlite_version}, postgresql from {find_pg_bindir()}; "
        f"hypothesis profile {hypothesis_profiles.PROFILE!r} (HYPOTHESIS_PROFILE=full for all)"
    )


# --- PostgreSQL server -----------------------------------------------------------------------


def find_pg_bindir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres: from PATH, else Debian's layout."""
    candidates: list[Path] = []
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    versioned = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(versioned, key=lambda p: _version_key(p.parent.name), reverse=True)
    for bindir in candidates:
        if all((bindir / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return bindir
    return None


def _version_key(name: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in name.split("."))
    except ValueError:
        return (0,)


def _pg_os_user() -> str | None:
    """PostgreSQL refuses to run as root, so root runs it as a dedicated unprivileged user."""
    if os.geteuid() != 0:
        return None
    with contextlib.suppress(KeyError):
        pwd.getpwnam(PG_OS_USER)
        return PG_OS_USER
    result = subprocess.run(
        [
            "useradd",
            "--system",
            "--user-group",
            "--no-create-home",
            "--home-dir",
            "/nonexistent",
            "--shell",
            "/usr/sbin/nologin",
            PG_OS_USER,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    with contextlib.suppress(KeyError):
        pwd.getpwnam(PG_OS_USER)  # created now, or by a concurrent test session
        return PG_OS_USER
    raise RuntimeError(f"could not create OS user {PG_OS_USER!r}: {result.stderr.strip()}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class PostgresServer:
    """A private server in ``base``: data dir, socket dir and log; nothing outside it."""

    bindir: Path
    base: Path
    os_user: str | None
    _stopped: bool = False
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "socket"

    @property
    def log_file(self) -> Path:
        return self.base / "postgres.log"

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://{PG_SUPERUSER}@/{dbname}?host={self.socket_dir}"

    def start(self) -> None:
        self.socket_dir.mkdir(mode=0o755)
        if self.os_user is not None:
            account = pwd.getpwnam(self.os_user)
            for path in (self.base, self.socket_dir):
                os.chown(path, account.pw_uid, account.pw_gid)
        self._run(
            "initdb",
            "--pgdata",
            str(self.data_dir),
            "--username",
            PG_SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
        )
        settings = {**PG_SETTINGS, "unix_socket_directories": f"'{self.socket_dir}'"}
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# syllabus test session\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        self._run(
            "pg_ctl", "start", "--pgdata", str(self.data_dir), "--log", str(self.log_file), "-w"
        )

    def stop(self) -> None:
        """Stop immediately (the data is thrown away) and delete everything; safe to repeat."""
        if self._stopped:
            return
        self._stopped = True
        if (self.data_dir / "postmaster.pid").exists():
            self._run(
                "pg_ctl",
                "stop",
                "--pgdata",
                str(self.data_dir),
                "-m",
                "immediate",
                "-w",
                check=False,
            )
        shutil.rmtree(self.base, ignore_errors=True)

    def create_database(self, template: str | None = None) -> str:
        name = f"{template or 'syllabus'}_{next(self._names)}"
        # FILE_COPY beats the default WAL_LOG for small databases (checkpoints are cheap here).
        clause = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        self.execute(f'CREATE DATABASE "{name}"{clause}')
        return name

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def execute(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
        with psycopg.connect(
            host=str(self.socket_dir), user=PG_SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql.encode())

    def _run(self, tool: str, *args: str, check: bool = True) -> None:
        command = [str(self.bindir / tool), *args]
        if self.os_user is not None:
            command = ["runuser", "-u", self.os_user, "--", *command]
        # cwd=base: the unprivileged user may not be able to enter the caller's cwd.
        result = subprocess.run(
            command, cwd=self.base, capture_output=True, text=True, check=False, timeout=120
        )
        if check and result.returncode != 0:
            log = ""
            if self.log_file.exists():
                log = self.log_file.read_text(errors="replace")[-4000:]
            raise RuntimeError(
                f"{tool} failed ({result.returncode}): {' '.join(command)}\n"
                f"{result.stdout}{result.stderr}\n{log}"
            )


def _pg_temp_root() -> Path:
    root = Path(tempfile.gettempdir())
    # Unix socket paths are short; a long TMPDIR would make the server unreachable.
    if len(str(root)) > UNIX_SOCKET_PATH_MAX - 40:
        root = Path("/tmp")
    return root


def _reap_orphaned_servers(root: Path, bindir: Path, os_user: str | None) -> None:
    """Stop servers left by test sessions that were killed before they could clean up."""
    for base in root.glob(f"{PG_DIR_PREFIX}*"):
        try:
            owner = int((base / "owner.pid").read_text())
        except (OSError, ValueError):
            continue  # not ours, or still being set up
        if not _pid_alive(owner):
            PostgresServer(bindir, base, os_user).stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for this test session (per xdist worker), stopped at the end."""
    if os.environ.get(SKIP_POSTGRES_ENV) == "1":
        pytest.skip(f"PostgreSQL tests disabled by {SKIP_POSTGRES_ENV}=1")
    bindir = find_pg_bindir()
    if bindir is None:
        pytest.fail(
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH or in "
            "/usr/lib/postgresql/*/bin. Run scripts/install-system-deps, or set "
            f"{SKIP_POSTGRES_ENV}=1 to skip the PostgreSQL half of the suite.",
            pytrace=False,
        )
    os_user = _pg_os_user()
    root = _pg_temp_root()
    _reap_orphaned_servers(root, bindir, os_user)
    base = Path(tempfile.mkdtemp(prefix=PG_DIR_PREFIX, dir=root))
    base.chmod(0o755)  # the socket dir inside must be reachable by clients of other users
    (base / "owner.pid").write_text(str(os.getpid()))
    server = PostgresServer(bindir, base, os_user)
    atexit.register(server.stop)  # in case teardown never runs
    try:
        server.start()
        yield server
    finally:
        server.stop()
        atexit.unregister(server.stop)


# --- Databases -------------------------------------------------------------------------------


class Databases:
    """Makes migrated databases: the shared one per kind, and fresh copies of a template."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._shared: dict[str, str] = {}
        self._sqlite_template: Path | None = None
        self._pg_template: str | None = None
        self._names = itertools.count(1)

    def shared(self, kind: str, server: PostgresServer | None) -> str:
        """The session's database of this kind, migrated the first time it is asked for."""
        if kind not in self._shared:
            if server is None:
                url = self._sqlite_url(self.root / "shared.db")
            else:
                url = server.url(server.create_database())
            upgrade(url)
            self._shared[kind] = url
        return self._shared[kind]

    def fresh(self, server: PostgresServer | None) -> tuple[str, Callable[[], None]]:
        """A new migrated database and its clean-up; copied from a template migrated once."""
        if server is None:
            return self._fresh_sqlite()
        if self._pg_template is None:
            template = server.create_database()
            upgrade(server.url(template))  # its engine is disposed: nobody stays connected
            self._pg_template = template
        name = server.create_database(template=self._pg_template)
        return server.url(name), lambda: server.drop_database(name)

    def _fresh_sqlite(self) -> tuple[str, Callable[[], None]]:
        if self._sqlite_template is None:
            template = self.root / "template.db"
            upgrade(self._sqlite_url(template))
            self._sqlite_template = template
        path = self.root / f"fresh-{next(self._names)}.db"
        # The backup API copies a consistent image, whatever the template's WAL holds.
        with (
            contextlib.closing(sqlite3.connect(self._sqlite_template)) as source,
            contextlib.closing(sqlite3.connect(path)) as target,
        ):
            source.backup(target)

        def remove() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        return self._sqlite_url(path), remove

    @staticmethod
    def _sqlite_url(path: Path) -> str:
        return f"sqlite:///{path}"


def _server_for(kind: str, request: pytest.FixtureRequest) -> PostgresServer | None:
    """Start PostgreSQL only when a PostgreSQL test runs, so `-k sqlite` needs no server."""
    if kind == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        return server
    return None


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Databases:
    return Databases(tmp_path_factory.mktemp("databases"))


@pytest.fixture(scope="session")
def db_url(request: pytest.FixtureRequest, databases: Databases) -> str:
    """The shared migrated database of each kind; tests reach it through rolled-back sessions."""
    kind: str = request.param
    return databases.shared(kind, _server_for(kind, request))


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is always rolled back: tests leave no trace."""
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            yield connection
        finally:
            if transaction.is_active:
                transaction.rollback()


@pytest.fixture
def session_factory(engine: Engine, connection: Connection) -> sessionmaker[Session]:
    """The application's sessionmaker, but every session commits to a savepoint of the test."""
    factory = make_sessionmaker(engine)
    factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    return factory


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A cross-tenant session (``info["tenant_id"] = None``) whose work is rolled back."""
    session = session_factory()
    session.info[TENANT_KEY] = None
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def fresh_db_url(request: pytest.FixtureRequest, databases: Databases) -> Iterator[str]:
    """A brand-new migrated database for this test alone; commits to it are real.

    Asked for by ``client`` (a ``fresh_db`` test), it is of the kind of the test's ``db_url``.
    """
    kind: str = getattr(request, "param", None) or request.node.callspec.params["db_url"]
    url, remove = databases.fresh(_server_for(kind, request))
    try:
        yield url
    finally:
        remove()


# --- CLI ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _cli_mode(request: pytest.FixtureRequest) -> Iterator[None]:
    """``tests.cli_runner.run`` starts real processes for a test marked ``cli_subprocess``."""
    if request.node.get_closest_marker("cli_subprocess") is None:
        yield
        return
    token = cli_runner.in_subprocess.set(True)
    try:
        yield
    finally:
        cli_runner.in_subprocess.reset(token)


# --- HTTP apps -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def http_settings() -> dict[str, Any]:
    """Settings a test module's app differs in (override it in the module, module-scoped)."""
    return {}


@pytest.fixture(scope="module")
def http_app(
    engine: Engine,
    db_url: str,
    http_settings: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[TestClient]:
    """The test module's app on the shared database; use it through ``client``."""
    data_dir = tmp_path_factory.mktemp("app")
    with bound_app(engine, db_url, data_dir, **http_settings) as client:
        yield client


@pytest.fixture
def client(
    request: pytest.FixtureRequest, http_app: TestClient, connection: Connection
) -> TestClient:
    """A client of the module's app, every session of which is a savepoint of this test;
    ``fresh_client`` instead for a test (or module) marked ``fresh_db``."""
    if request.node.get_closest_marker("fresh_db") is not None:
        fresh: TestClient = request.getfixturevalue("fresh_client")
        return fresh
    bind(http_app, connection)
    return http_app


@pytest.fixture
def fresh_client(
    fresh_db_url: str, http_settings: dict[str, Any], tmp_path: Path
) -> Iterator[TestClient]:
    """A client of an app of its own on a fresh database, for HTTP tests whose commits must
    be real (other connections, threads or processes see them)."""
    yield from app_client(fresh_db_url, tmp_path, **http_settings)
