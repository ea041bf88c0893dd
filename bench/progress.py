"""``get_course_progresses``: paging through one course progress record per enrollment.

The records are written into the working copy with one INSERT ... SELECT from the program's
enrollments (1,000,000 at default scale), with statuses and update times spread out. The
action runs in-process as the router runs it (parameters, query, users and courses of the
page, JSON encoding), so the figures are the action's own, without HTTP.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from bench.data import log
from bench.harness import Row, best_time, compare, not_available
from bench.scenarios import Bench, ours
from syllabus.core.context import Context, Surface

PER_PAGE = 100
STATUSES = ("not-started", "in-progress", "passed", "failed", "not-applicable", "archived")


def build_progress(bench: Bench) -> int:
    """One record per enrollment, set-based; returns the program's record count."""
    engine = bench.factory.kw["bind"]
    tid = bench.program.tenant_id
    status = "CASE e.id % 6 " + " ".join(
        f"WHEN {n} THEN '{name}'" for n, name in enumerate(STATUSES)
    )
    now = datetime.now(UTC)
    if engine.dialect.name == "sqlite":
        at = "datetime(:now, '-' || (e.id % 86400) || ' seconds')"
        now_value: Any = str(now.replace(tzinfo=None))
    else:
        at = "(CAST(:now AS timestamptz) - (e.id % 86400) * interval '1 second')"
        now_value = now
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM course_progresses WHERE tenant_id = :t"), {"t": tid})
        conn.execute(
            text(
                "INSERT INTO course_progresses (tenant_id, user_id, course_id, status,"
                " enrollment_status, enrolled_at, started_at, completed_at, override_dates,"
                " skip_prerequisites, percent_viewed, created_at, updated_at)"
                f" SELECT e.tenant_id, e.user_id, e.course_id, {status} END, 'active',"
                f" e.enrolled_at, {at}, CASE WHEN e.id % 6 = 2 THEN {at} END, false, false,"
                f" (e.id * 7) % 101, e.enrolled_at, {at}"
                " FROM enrollments e WHERE e.tenant_id = :t ORDER BY e.id"
            ),
            {"t": tid, "now": now_value},
        )
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE course_progresses"))
        count: int = conn.execute(
            text("SELECT count(*) FROM course_progresses WHERE tenant_id = :t"), {"t": tid}
        ).scalar_one()
    return count


def progress_paging_scenario(bench: Bench) -> list[Row]:
    title = bench.name("8. get_course_progresses")
    action = ours("syllabus.dialects.skyprep.progress", "get_course_progresses")
    if action is None:
        return [not_available(title, "action not yet built")]
    from syllabus.dialects.skyprep.actions import Call
    from syllabus.dialects.skyprep.progress import PAGE_MARKS
    from syllabus.dialects.skyprep.render import encode

    started = time.perf_counter()
    records = build_progress(bench)
    log(f"  {records:,} progress records built in {time.perf_counter() - started:.0f} s")
    program = bench.program
    ctx = Context(tenant_id=program.tenant_id, actor="bench", surface=Surface.CLI)
    pages = -(-records // PER_PAGE)
    raw = bench.raw
    keyset_sql = (
        "SELECT * FROM course_progresses WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?"
    ).replace("?", raw.placeholder)  # type: ignore[attr-defined]

    def our_page(number: int) -> int:
        call = Call(
            ctx=ctx,
            acct_key=program.acct_key,
            time_zone="America/New_York",
            params={"page": str(number), "per_page": str(PER_PAGE)},
        )
        with bench.read_session() as session:
            body = encode(action(session, call), "json")
        return body.count(b'"days_until_deadline"')

    def raw_page(after_id: int) -> int:
        rows = raw.conn.execute(keyset_sql, (program.tenant_id, after_id, PER_PAGE)).fetchall()  # type: ignore[attr-defined]
        return int(rows[-1][0]) if rows else 0

    def walk_ours() -> None:
        PAGE_MARKS.clear()
        seen = 0
        for number in range(1, pages + 2):
            got = our_page(number)
            seen += got
            if got < PER_PAGE:
                break
        if seen != records:
            raise RuntimeError(f"walk saw {seen:,} records of {records:,}")

    def walk_raw() -> None:
        after = 0
        for _ in range(pages):
            after = raw_page(after)

    # The walk first: it leaves the mark page N-1 left, so the last page can be read on from
    # it. Then first and last page interleaved (load on this shared machine hits both alike).
    log(f"  walking {pages:,} pages (ours)")
    walk = best_time(walk_ours)
    log("  walking (raw keyset)")
    raw_walk = best_time(walk_raw)
    repeats = bench.scale.repeats
    last_walked, first_b = compare(lambda: our_page(pages), lambda: our_page(1), repeats=repeats)
    first, raw_first = compare(lambda: our_page(1), lambda: raw_page(0), repeats=repeats)
    PAGE_MARKS.clear()
    last_cold = best_time(lambda: our_page(pages))
    ms = 1000
    return [
        Row(
            bench.name(f"8a. get_course_progresses page 1 of {pages:,}"),
            1 / first,
            1 / raw_first,
            "B2 raw keyset page",
            "page/s",
            note=f"{first * ms:.1f} ms vs {raw_first * ms:.2f} ms (ours renders user and course)",
        ),
        Row(
            bench.name(f"8b. last page (page {pages:,}) read on from page {pages - 1:,}"),
            1 / last_walked,
            1 / first_b,
            "ours, first page",
            "page/s",
            aim=">=0.83",
            note=f"{last_walked * ms:.1f} ms vs {first_b * ms:.1f} ms",
        ),
        Row(
            bench.name(f"8c. last page jumped to (OFFSET {(pages - 1) * PER_PAGE:,})"),
            1 / last_cold,
            1 / first,
            "ours, first page",
            "page/s",
            note=f"{last_cold * ms:.0f} ms: a page whose predecessor this process did not serve",
        ),
        Row(
            bench.name(f"8d. walk all {records:,} records, page=1..{pages:,}"),
            records / walk,
            records / raw_walk,
            "B2 raw keyset scan",
            "row/s",
            note=f"{walk:.0f} s vs {raw_walk:.1f} s; {walk / pages * ms:.1f} ms/page",
        ),
    ]
