"""The synthetic program every scenario runs against, built once per scale and cached.

Tenant, API key and users go through our services (``create_users`` is set-based, ~10k rows/s,
so 100k users take seconds and the bench exercises the real write path while building).
Courses, publications, groups, memberships and the 1M enrollments are written with raw
set-based SQL (INSERT ... SELECT) into our schema: going through the services would also
write a million outbox events and take several times as long, and none of the scenarios
reads them. The SQLite file is cached in bench/results/, keyed by scale and schema.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session, sessionmaker

from syllabus.auth.secrets import new_token
from syllabus.core.context import Context
from syllabus.db.engine import make_engine
from syllabus.db.migrate import MIGRATIONS_DIR, upgrade
from syllabus.db.session import make_sessionmaker, unit_of_work
from syllabus.domain import CredentialKind, Surface
from syllabus.services.credentials import issue_credential
from syllabus.services.tenants import NewTenant, create_tenant, primary_domain
from syllabus.services.users import NewUser, UserData, create_users

RESULTS = Path(__file__).parent / "results"
DATA_VERSION = 1
"""Bump when the builder changes what it writes, so cached files are rebuilt."""
ACCT_KEY = "bench.example"
USER_CHUNK = 10_000
FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken")
LAST_NAMES = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson")


@dataclass(frozen=True)
class Scale:
    users: int
    courses: int
    groups: int
    enrollments: int
    batch: int
    """Rows per bulk measurement (scenario 3) and users per enrollment batch (scenario 4)."""
    lookups: int
    """Lookups (or pages) per timed batch."""
    repeats: int
    """Timed rounds per side; the best is kept."""

    def key(self) -> str:
        return f"u{self.users}-c{self.courses}-g{self.groups}-e{self.enrollments}"


SCALES = {
    "default": Scale(100_000, 500, 200, 1_000_000, batch=10_000, lookups=2_000, repeats=5),
    "small": Scale(10_000, 50, 20, 100_000, batch=2_000, lookups=1_000, repeats=3),
}


@dataclass(frozen=True)
class Program:
    """What the scenarios need to know about the built data."""

    url: str
    tenant_id: int
    acct_key: str
    api_key: str
    domain_id: int
    users: int
    first_user_id: int
    course_ids: list[int]

    def email(self, index: int) -> str:
        """The email of the index-th built user, mixed case so lookups must normalize."""
        return user_email(index)


def user_email(index: int, prefix: str = "User") -> str:
    return f"{prefix}{index}@Example.com"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _schema_digest() -> str:
    """Hash of the migrations, so a schema change invalidates the cached file."""
    digest = hashlib.sha256()
    for path in sorted(MIGRATIONS_DIR.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cached_sqlite_program(scale: Scale) -> Program:
    """Return the cached program for this scale, building it first if needed."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"program-{scale.key()}-v{DATA_VERSION}-{_schema_digest()}"
    db, meta = stem.with_suffix(".db"), stem.with_suffix(".json")
    if db.exists() and meta.exists():
        return Program(**json.loads(meta.read_text()))
    # Files of this scale built for an older schema or builder are dead weight: drop them.
    for stale in RESULTS.glob(f"program-{scale.key()}-*"):
        stale.unlink()
    program = build_program(f"sqlite:///{db}", scale)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    meta.write_text(json.dumps(asdict(program)))
    return program


def remove_dead_copies() -> None:
    """Delete working copies left by runs that were killed before they could clean up."""
    for path in RESULTS.glob("run-*.db*"):
        pid = path.name.removeprefix("run-").split(".")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            path.unlink(missing_ok=True)


def working_copy(program: Program, path: Path) -> Program:
    """Copy the cached file so write scenarios never touch the cache."""
    source = Path(program.url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, path)
    return Program(**{**asdict(program), "url": f"sqlite:///{path}"})


def build_program(url: str, scale: Scale) -> Program:
    """Migrate an empty database at ``url`` and fill it with one program at ``scale``."""
    started = time.perf_counter()
    log(f"building program {scale.key()} at {url.split('@')[-1]}")
    upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    with unit_of_work(factory, tenant_id=None) as session:
        tenant = create_tenant(
            session, data=NewTenant(acct_key=ACCT_KEY), actor="bench", surface=Surface.CLI
        )
    ctx = Context(tenant_id=tenant.id, actor="bench", surface=Surface.CLI)
    with unit_of_work(factory, tenant_id=tenant.id) as session:
        api_key = issue_credential(session, ctx, kind=CredentialKind.API_KEY).secret
        domain_id = primary_domain(session, ctx).id

    first_user_id = _build_users(factory, ctx, scale.users)
    log(f"  users done ({time.perf_counter() - started:.0f} s)")
    with engine.begin() as conn:
        course_ids = _build_courses(conn, tenant.id, domain_id, scale.courses)
        _build_groups(conn, tenant.id, scale.groups)
        _build_enrollments(conn, tenant.id, scale)
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))
    engine.dispose()
    log(f"  program built in {time.perf_counter() - started:.0f} s")
    return Program(
        url=url,
        tenant_id=tenant.id,
        acct_key=ACCT_KEY,
        api_key=api_key,
        domain_id=domain_id,
        users=scale.users,
        first_user_id=first_user_id,
        course_ids=course_ids,
    )


def _build_users(factory: sessionmaker[Session], ctx: Context, count: int) -> int:
    """Create users through the bulk service, one unit of work per 10k (as an import would)."""
    first_id = 0
    for start in range(0, count, USER_CHUNK):
        users = [
            NewUser(
                data=UserData(
                    email=user_email(i),
                    first_name=FIRST_NAMES[i % len(FIRST_NAMES)],
                    last_name=LAST_NAMES[i // len(FIRST_NAMES) % len(LAST_NAMES)],
                )
            )
            for i in range(start, min(start + USER_CHUNK, count))
        ]
        with unit_of_work(factory, tenant_id=ctx.tenant_id) as session:
            created = create_users(session, ctx, users=users, atomic=True).created
        first_id = first_id or created[0]
    return first_id


def _build_courses(conn: Connection, tenant_id: int, domain_id: int, count: int) -> list[int]:
    """Courses and their publication on the program's first domain, set-based."""
    now = _now(conn)
    conn.execute(
        text(
            "INSERT INTO courses (tenant_id, name, description, long_description_html,"
            " certificate, active, force_order, picture_url, sell, subscribe_key,"
            " display_course_and_lesson_time, manual_course_time, display_manual_course_time,"
            " course_and_lesson_time_format, type_of_training, version, created_at, updated_at)"
            " VALUES (:t, :name, '', '', false, true, false, '', false, :key, false, '', false,"
            " 'HOURS_MINUTES', 'Online', 1, :now, :now)"
        ),
        [
            {"t": tenant_id, "name": f"Course {i}", "key": new_token(), "now": now}
            for i in range(count)
        ],
    )
    conn.execute(
        text(
            "INSERT INTO published_courses (tenant_id, course_id, domain_id, slug, hidden,"
            " strict_enforce_group_visibility, registration_required,"
            " restrict_access_start_end_dates, allow_self_service_reenroll,"
            " unique_progress_per_enrollment, require_all_prerequisites, created_at, updated_at)"
            " SELECT tenant_id, id, :d, 'course-' || id, false, false, true, false, false, false,"
            " false, :now, :now FROM courses WHERE tenant_id = :t ORDER BY id"
        ),
        {"t": tenant_id, "d": domain_id, "now": now},
    )
    rows = conn.execute(
        text("SELECT id FROM courses WHERE tenant_id = :t ORDER BY id"), {"t": tenant_id}
    )
    return [row[0] for row in rows]


def _build_groups(conn: Connection, tenant_id: int, count: int) -> None:
    """Groups, and every user a member of one of them (user id modulo group count)."""
    if count <= 0:
        return
    now = _now(conn)
    conn.execute(
        text(
            "INSERT INTO groups (tenant_id, name, full_name, full_name_normalized, group_type,"
            " description, force_order, version, created_at, updated_at)"
            " VALUES (:t, :name, :name, :norm, 'user', '', false, 1, :now, :now)"
        ),
        [
            {"t": tenant_id, "name": f"Group {i}", "norm": f"group {i}", "now": now}
            for i in range(count)
        ],
    )
    conn.execute(
        text(
            "INSERT INTO group_memberships (tenant_id, group_id, user_id, created_at)"
            " SELECT u.tenant_id, g.id, u.id, :now FROM users u"
            " JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS n FROM groups"
            "       WHERE tenant_id = :t) g ON g.n = u.id % :count"
            " WHERE u.tenant_id = :t"
        ),
        {"t": tenant_id, "count": count, "now": now},
    )


def _build_enrollments(conn: Connection, tenant_id: int, scale: Scale) -> None:
    """Each user in ``enrollments / users`` courses: those whose rank matches the user's id
    modulo a stride, so enrollments spread evenly over users and courses."""
    per_user = max(1, scale.enrollments // max(1, scale.users))
    stride = max(1, scale.courses // per_user)
    conn.execute(
        text(
            "INSERT INTO enrollments (tenant_id, user_id, published_course_id, course_id,"
            " enrolled_at, active)"
            " SELECT u.tenant_id, u.id, p.id, p.course_id, :now, true FROM users u"
            " JOIN (SELECT id, course_id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS n"
            "       FROM published_courses WHERE tenant_id = :t) p"
            "   ON p.n % :stride = u.id % :stride"
            " WHERE u.tenant_id = :t ORDER BY u.id, p.id LIMIT :limit"
        ),
        {"t": tenant_id, "stride": stride, "now": _now(conn), "limit": scale.enrollments},
    )


def _now(conn: Connection) -> datetime | str:
    """UTC now as each database stores it (SQLite: naive text, as our UTCDateTime writes)."""
    now = datetime.now(UTC)
    if conn.dialect.name == "sqlite":
        return str(now.replace(tzinfo=None))
    return now
