"""The scenarios: each runs our code and its raw baseline side by side and returns table rows.

Scenarios look our functions up by name at run time, so a function that is not written yet
gives an "n/a" row instead of breaking the bench. Read scenarios run before write scenarios,
so pages and lookups see exactly the built program.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bench.baselines import RawDatabase, enrollment_rows, user_rows
from bench.data import Program, Scale, log, user_email
from bench.harness import Row, compare, not_available
from bench.http import Load, measure, serve
from syllabus.core.context import Context
from syllabus.db.session import unit_of_work
from syllabus.domain import Surface

SKYPREP_AUTH = ("X-SkyPrep-API-Key", "X-SkyPrep-Acct-Key")


@dataclass
class Bench:
    """Everything a scenario needs: the program, our session factory, the raw connection."""

    program: Program
    scale: Scale
    factory: sessionmaker[Session]
    raw: RawDatabase
    load: Load
    label: str = ""
    """Suffix naming the database when it is not the default SQLite."""
    http_rounds: int = 2
    seed: random.Random = field(default_factory=lambda: random.Random(20240601))
    _batch_numbers: Iterator[int] = field(default_factory=count)

    @property
    def ctx(self) -> Context:
        return Context(tenant_id=self.program.tenant_id, actor="bench", surface=Surface.CLI)

    def name(self, text: str) -> str:
        return f"{text}{self.label}"

    def fresh_emails(self, side: str, size: int) -> list[str]:
        """Emails no one has yet, distinct per call, so bulk inserts never collide."""
        batch = next(self._batch_numbers)
        return [user_email(i, prefix=f"{side}{batch}x") for i in range(size)]

    def read_session(self) -> Any:
        return unit_of_work(self.factory, tenant_id=self.program.tenant_id, read_only=True)

    def write_session(self) -> Any:
        return unit_of_work(self.factory, tenant_id=self.program.tenant_id)


def ours(module: str, name: str) -> Callable[..., Any] | None:
    """Our function ``module.name``, or None while it does not exist yet."""
    try:
        found = getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None
    return found if callable(found) else None


def _per_second(count_: int, seconds: float) -> float:
    return count_ / seconds if seconds > 0 else float("inf")


# 1 and 2 over HTTP ------------------------------------------------------------------------


def http_scenarios(bench: Bench) -> list[Row]:
    """B0, B1 and our server, in interleaved rounds; best requests/s of each is kept."""
    program = bench.program
    email = program.email(bench.scale.users // 2)
    auth = dict(zip(SKYPREP_AUTH, (program.api_key, program.acct_key), strict=True))
    our_env = {"SYLLABUS_DATABASE_URL": program.url, "SYLLABUS_EMBEDDED_WORKER": "0"}
    # A budget no load here can exhaust: every request pays the rate-limit check, none is 429.
    our_env |= {"SYLLABUS_RATE_LIMIT_PER_SECOND": "1e9", "SYLLABUS_RATE_LIMIT_BURST": "1e9"}
    unlimited_env = our_env | {"SYLLABUS_RATE_LIMIT_PER_SECOND": "0"}
    get_user_path = f"/admin/api/get_user?user_email={email}"
    have_app = ours("syllabus.app", "create_app") is not None
    best: dict[str, float] = {}
    bad: dict[str, str] = {}

    def keep(key: str, run: Callable[[], float]) -> None:
        try:
            best[key] = max(best.get(key, 0.0), run())
        except Exception as error:  # a broken route must not sink the other rows
            bad[key] = (str(error).splitlines() or [type(error).__name__])[0]

    def rate(server: Any, path: str, headers: dict[str, str]) -> float:
        result = measure(server, path, headers, bench.load)
        if result.bad_responses:
            raise RuntimeError(f"{result.bad_responses} bad responses under load")
        return result.requests_per_second

    for round_ in range(bench.http_rounds):
        log(f"http round {round_ + 1}/{bench.http_rounds}")
        with serve("bench.baselines:hello_app", factory=False) as server:
            keep("b0", lambda s=server: rate(s, "/", {}))
        with serve("bench.baselines:fastapi_hello_app", factory=True) as server:
            keep("b1", lambda s=server: rate(s, "/hello", {}))
        if have_app:
            with serve("syllabus.app:create_app", factory=True, env=our_env) as server:
                keep("auth", lambda s=server: rate(s, "/admin/api/test_connection", auth))
                keep("get_user", lambda s=server: rate(s, get_user_path, auth))
            with serve("syllabus.app:create_app", factory=True, env=unlimited_env) as server:
                keep("auth_off", lambda s=server: rate(s, "/admin/api/test_connection", auth))

    names = {"b0": "B0 bare ASGI", "b1": "B1 FastAPI hello", "auth_off": "limits off"}

    def row(key: str, title: str, base: str, aim: str) -> Row:
        if key not in best:
            why = bad.get(key, "syllabus.app not yet built")
            if key == "get_user" and why.startswith("answered 404"):
                why = "route not yet built"
            return not_available(bench.name(title), why[:80], baseline_name=names[base], aim=aim)
        return Row(bench.name(title), best[key], best.get(base), names[base], "req/s", aim=aim)

    return [
        row("b1", "0. FastAPI hello (B1) vs bare ASGI", "b0", ""),
        row("auth", "1. GET test_connection (key + tenant)", "b1", ">=0.8"),
        row("auth", "1b. test_connection, rate limit on vs off", "auth_off", ">=0.9"),
        row("get_user", "2b. GET get_user?user_email= over HTTP", "b1", ">=0.5"),
    ]


# 2 in process -----------------------------------------------------------------------------


def lookup_scenarios(bench: Bench) -> list[Row]:
    """User by email (and by id) through our query layer vs B2's single SELECT."""
    by_email = ours("syllabus.queries.users", "get_user_by_email")
    by_id = ours("syllabus.queries.users", "get_user")
    program, raw, ctx, tid = bench.program, bench.raw, bench.ctx, bench.program.tenant_id
    n = min(bench.scale.lookups, program.users)
    indexes = bench.seed.sample(range(program.users), n)
    emails = [program.email(i) for i in indexes]
    ids = raw.user_ids(tid, emails)
    rows: list[Row] = []
    base = "B2 raw SELECT"
    if by_email is None:
        rows.append(not_available(bench.name("2a. user by email"), "query not yet built"))
    else:
        hit = None
        with bench.read_session() as session:
            hit = by_email(session, ctx, emails[0])
        if hit is None or raw.user_by_email(tid, emails[0]) is None:
            raise RuntimeError(f"lookup of {emails[0]} found nothing")

        def one_session() -> None:
            with bench.read_session() as session:
                for email in emails:
                    by_email(session, ctx, email)

        def session_each() -> None:
            for email in emails:
                with bench.read_session() as session:
                    by_email(session, ctx, email)

        def raw_lookups() -> None:
            for email in emails:
                raw.user_by_email(tid, email)

        mine, theirs = compare(one_session, raw_lookups, repeats=bench.scale.repeats)
        rows.append(
            Row(
                bench.name("2a. user by email, one session"),
                _per_second(n, mine),
                _per_second(n, theirs),
                base,
                "op/s",
                aim=">=0.3",
            )
        )
        mine, theirs = compare(session_each, raw_lookups, repeats=bench.scale.repeats)
        rows.append(
            Row(
                bench.name("2c. user by email, unit of work each"),
                _per_second(n, mine),
                _per_second(n, theirs),
                base,
                "op/s",
                note="what one request pays",
            )
        )
    if by_id is not None:

        def ours_by_id() -> None:
            with bench.read_session() as session:
                for user_id in ids:
                    by_id(session, ctx, user_id)

        def raw_by_id() -> None:
            for user_id in ids:
                raw.user_by_id(tid, user_id)

        mine, theirs = compare(ours_by_id, raw_by_id, repeats=bench.scale.repeats)
        rows.append(
            Row(
                bench.name("2d. user by id, one session"),
                _per_second(n, mine),
                _per_second(n, theirs),
                base,
                "op/s",
            )
        )
    return rows


# 3 bulk user creation ---------------------------------------------------------------------


def create_users_scenario(bench: Bench) -> list[Row]:
    """``create_users`` (validation, rows, memberships, outbox events, commit) vs executemany."""
    title = bench.name(f"3. create {bench.scale.batch:,} users (services)")
    create = ours("syllabus.services.users", "create_users")
    if create is None:
        return [not_available(title, "service not yet built", aim=">=0.4")]
    from syllabus.services.users import NewUser, UserData

    size, tid, rounds = bench.scale.batch, bench.program.tenant_id, bench.scale.repeats + 1
    our_batches = [
        [
            NewUser(data=UserData(email=e, first_name="Bench", last_name="User"))
            for e in bench.fresh_emails("ours", size)
        ]
        for _ in range(rounds)
    ]
    raw_batches = [
        user_rows(bench.raw, tid, bench.fresh_emails("raw", size)) for _ in range(rounds)
    ]

    def mine() -> None:
        with bench.write_session() as session:
            created = create(session, bench.ctx, users=our_batches.pop(), atomic=True).created
        if len(created) != size:
            raise RuntimeError(f"create_users created {len(created)} of {size}")

    def theirs() -> None:
        bench.raw.insert_users(raw_batches.pop())

    our_time, raw_time = compare(mine, theirs, repeats=bench.scale.repeats)
    return [
        Row(
            title,
            _per_second(size, our_time),
            _per_second(size, raw_time),
            "B2 executemany users",
            "row/s",
            aim=">=0.4",
        )
    ]


# 4 bulk enrollment ------------------------------------------------------------------------

ENROLL_COURSES = 5


def enroll_scenario(bench: Bench) -> list[Row]:
    """``enroll_users_in_courses`` (users x 5 courses, events included) vs executemany."""
    size, tid, rounds = bench.scale.batch, bench.program.tenant_id, bench.scale.repeats + 1
    pairs = size * ENROLL_COURSES
    title = bench.name(f"4. enroll {size:,} users x {ENROLL_COURSES} courses")
    enroll = ours("syllabus.services.enrollments", "enroll_users_in_courses")
    if enroll is None:
        return [not_available(title, "service not yet built", aim=">=0.4")]
    courses = bench.program.course_ids[:ENROLL_COURSES]
    publications = bench.raw.publications(tid, courses)

    def pool(side: str) -> list[int]:
        """Fresh users (inserted raw, untimed), so every pair is a new enrollment."""
        emails = bench.fresh_emails(side, size)
        bench.raw.insert_users(user_rows(bench.raw, tid, emails))
        return bench.raw.user_ids(tid, emails)

    our_pools = [pool("enr") for _ in range(rounds)]
    raw_batches = [
        enrollment_rows(bench.raw, tid, pool("renr"), publications) for _ in range(rounds)
    ]

    def mine() -> None:
        with bench.write_session() as session:
            result = enroll(session, bench.ctx, user_ids=our_pools.pop(), course_ids=courses)
        if len(result.created) != pairs:
            raise RuntimeError(f"enroll_users_in_courses created {len(result.created)} of {pairs}")

    def theirs() -> None:
        bench.raw.insert_enrollments(raw_batches.pop())

    our_time, raw_time = compare(mine, theirs, repeats=bench.scale.repeats)
    return [
        Row(
            title,
            _per_second(pairs, our_time),
            _per_second(pairs, raw_time),
            "B2 executemany enrollments",
            "row/s",
            aim=">=0.4",
        )
    ]


# 5 keyset pages ---------------------------------------------------------------------------

PAGE = 100


def page_scenarios(bench: Bench) -> list[Row]:
    """A page of 100 users at depth 0 and at depth 90% (90,000 at default scale)."""
    list_page = ours("syllabus.queries.users", "list_users_page")
    depth = bench.program.users * 9 // 10
    if list_page is None:
        return [not_available(bench.name("5. keyset page of 100 users"), "query not yet built")]
    tid, ctx = bench.program.tenant_id, bench.ctx
    deep_after = bench.raw.nth_user_id(tid, depth - 1)
    pages = max(10, bench.scale.lookups // 40)

    def our_pages(after_id: int | None) -> Callable[[], None]:
        def run() -> None:
            for _ in range(pages):
                with bench.read_session() as session:
                    got = list_page(session, ctx, after_id=after_id, limit=PAGE)
            if len(got) != PAGE:
                raise RuntimeError(f"list_users_page returned {len(got)} rows, not {PAGE}")

        return run

    def raw_pages(after_id: int, *, by_pk: bool = False) -> Callable[[], None]:
        page = bench.raw.users_page_by_pk if by_pk else bench.raw.users_page

        def run() -> None:
            for _ in range(pages):
                page(tid, after_id, PAGE)

        return run

    repeats = bench.scale.repeats
    first_ours, first_raw = compare(our_pages(None), raw_pages(0), repeats=repeats)
    deep_ours, deep_raw = compare(our_pages(deep_after), raw_pages(deep_after), repeats=repeats)
    planned, by_pk = compare(raw_pages(0), raw_pages(0, by_pk=True), repeats=repeats)
    plan = bench.raw.page_plan(tid, 0)
    base = "B2 raw keyset"
    return [
        Row(
            bench.name("5a. page of 100 users, first"),
            _per_second(pages, first_ours),
            _per_second(pages, first_raw),
            base,
            "page/s",
        ),
        Row(
            bench.name(f"5b. page of 100 users, after {depth:,}"),
            _per_second(pages, deep_ours),
            _per_second(pages, deep_raw),
            base,
            "page/s",
        ),
        Row(
            bench.name("5c. deep page vs first page (ours)"),
            _per_second(pages, deep_ours),
            _per_second(pages, first_ours),
            "ours, first page",
            "page/s",
            aim=">=0.83",
            note=f"deep/first time {deep_ours / first_ours:.2f} (raw {deep_raw / first_raw:.2f})",
        ),
        Row(
            bench.name("5d. B2 keyset as planned vs by primary key"),
            _per_second(pages, planned),
            _per_second(pages, by_pk),
            "B2 primary-key range",
            "page/s",
            note=f"plan: {plan}"[:80],
        ),
    ]


@dataclass(frozen=True)
class Scenario:
    run: Callable[[Bench], list[Row]]
    database: bool
    """True when it runs on PostgreSQL too (``--postgres``)."""


SCENARIOS: dict[str, Scenario] = {
    "http": Scenario(http_scenarios, database=True),
    "lookup": Scenario(lookup_scenarios, database=True),
    "page": Scenario(page_scenarios, database=True),
    "create": Scenario(create_users_scenario, database=True),
    "enroll": Scenario(enroll_scenario, database=True),
}
"""In run order: reads before writes; each dialect's module registers its own below."""


def _register_skyprep() -> None:
    """The dialect scenarios live in their own module, which imports this one."""
    from bench.skyprep import get_users_scenario, mass_enroll_scenario

    SCENARIOS["get_users"] = Scenario(get_users_scenario, database=False)
    SCENARIOS["mass_enroll"] = Scenario(mass_enroll_scenario, database=True)


_register_skyprep()


def _register_scim() -> None:
    from bench.scim import create_scenario, filter_scenario, import_pages_scenario

    SCENARIOS["scim_filter"] = Scenario(filter_scenario, database=True)
    SCENARIOS["scim_pages"] = Scenario(import_pages_scenario, database=True)
    SCENARIOS["scim_create"] = Scenario(create_scenario, database=False)


_register_scim()


def _register_skilljar() -> None:
    from bench.skilljar import lookup_scenario, walk_scenario

    SCENARIOS["skilljar_walk"] = Scenario(walk_scenario, database=False)
    SCENARIOS["skilljar_lookup"] = Scenario(lookup_scenario, database=False)


_register_skilljar()


def _register_progress() -> None:
    from bench.progress import progress_paging_scenario

    SCENARIOS["progress"] = Scenario(progress_paging_scenario, database=True)


_register_progress()


def _register_webhooks() -> None:
    from bench.webhooks import webhooks_scenario

    SCENARIOS["webhooks"] = Scenario(webhooks_scenario, database=True)


_register_webhooks()


def _register_reports() -> None:
    from bench.reports import report_scenario

    SCENARIOS["reports"] = Scenario(report_scenario, database=True)


_register_reports()
