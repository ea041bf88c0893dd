"""SkyPrep dialect scenarios: ``get_users`` streamed over HTTP, and ``mass_enroll``."""

from __future__ import annotations

import http.client
import time
from pathlib import Path

from bench.baselines import enrollment_rows, user_rows
from bench.harness import Row, compare, not_available
from bench.http import HOST, UNTHROTTLED, serve
from bench.scenarios import SKYPREP_AUTH, Bench, ours
from syllabus.core.context import Context, Surface

MASS_COURSES = 5
MASS_GROUPS = 5


def _peak_rss_mb(pid: int) -> float:
    """The process's high-water resident memory (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def get_users_scenario(bench: Bench) -> list[Row]:
    """All users as one streamed response: time to first byte, total, and server memory."""
    program = bench.program
    title = f"6. get_users, {program.users:,} users streamed"
    if ours("syllabus.app", "create_app") is None:
        return [not_available(title, "syllabus.app not yet built")]
    headers = dict(zip(SKYPREP_AUTH, (program.api_key, program.acct_key), strict=True))
    env = {"SYLLABUS_DATABASE_URL": program.url, "SYLLABUS_EMBEDDED_WORKER": "0"}
    env |= UNTHROTTLED  # the check runs, as in production; the budget never runs out
    with serve("syllabus.app:create_app", factory=True, env=env) as server:
        pid = server.process.pid
        before = _peak_rss_mb(pid)
        conn = http.client.HTTPConnection(HOST, server.port, timeout=600)
        started = time.perf_counter()
        conn.request("GET", "/admin/api/get_users", headers=headers)
        response = conn.getresponse()
        first = response.read(1)
        first_byte = time.perf_counter() - started
        body = first + response.read()
        total = time.perf_counter() - started
        conn.close()
        peak = _peak_rss_mb(pid)
    if response.status != 200 or body.count(b'"email":') != program.users:
        return [not_available(title, f"answered {response.status}, {len(body):,} bytes")]
    started = time.perf_counter()
    raw_first, rows = bench.raw.all_users(program.tenant_id)
    raw_total = time.perf_counter() - started
    memory = (
        f"server peak RSS {peak:.0f} MiB (idle {before:.0f} MiB), {len(body) / 2**20:.0f} MiB sent"
    )
    return [
        Row(
            f"{title}: first byte",
            1 / first_byte,
            1 / raw_first,
            "B2 raw SELECT, first row",
            "/s",
            note=f"{first_byte * 1000:.0f} ms vs {raw_first * 1000:.1f} ms",
        ),
        Row(
            f"{title}: whole body",
            program.users / total,
            rows / raw_total,
            "B2 raw SELECT, all rows",
            "row/s",
            note=memory,
        ),
    ]


def mass_enroll_scenario(bench: Bench) -> list[Row]:
    """``mass_enroll`` of fresh users into 5 courses and 5 groups vs executemany of the rows."""
    size, tid = bench.scale.batch, bench.program.tenant_id
    title = bench.name(
        f"7. mass_enroll {size:,} users x {MASS_COURSES} courses + {MASS_GROUPS} groups"
    )
    mass_enroll = ours("syllabus.services.mass_enrollment", "mass_enroll")
    create_group = ours("syllabus.services.groups", "create_group")
    if mass_enroll is None or create_group is None:
        return [not_available(title, "service not yet built")]
    from syllabus.services.groups import GroupData

    ctx = Context(tenant_id=tid, actor="bench", surface=Surface.CLI)
    rounds = bench.scale.repeats + 1
    courses = bench.program.course_ids[:MASS_COURSES]
    publications = bench.raw.publications(tid, courses)

    def fresh(side: str) -> tuple[list[int], list[int]]:
        """New users and new groups (made untimed) so every pair is new."""
        emails = bench.fresh_emails(side, size)
        bench.raw.insert_users(user_rows(bench.raw, tid, emails))
        with bench.write_session() as session:
            batch = len(bench.fresh_emails(side, 1))  # a distinct suffix per call
            groups = [
                create_group(
                    session, ctx, data=GroupData(name=f"{side} {batch}-{i} {time.time_ns()}")
                ).id
                for i in range(MASS_GROUPS)
            ]
        return bench.raw.user_ids(tid, emails), groups

    ours_batches = [fresh("me") for _ in range(rounds)]
    raw_batches = [fresh("rme") for _ in range(rounds)]

    def mine() -> None:
        users, groups = ours_batches.pop()
        with bench.write_session() as session:
            mass_enroll(session, ctx, user_ids=users, course_ids=courses, group_ids=groups)

    def theirs() -> None:
        users, groups = raw_batches.pop()
        enrollments = enrollment_rows(bench.raw, tid, users, publications)
        now = bench.raw.now()
        members = [(tid, g, u, now) for g in groups for u in users]
        bench.raw.insert_enrollments(enrollments)
        bench.raw.insert(
            "group_memberships", ("tenant_id", "group_id", "user_id", "created_at"), members
        )

    pairs = size * (MASS_COURSES + MASS_GROUPS)
    our_time, raw_time = compare(mine, theirs, repeats=bench.scale.repeats)
    return [Row(title, pairs / our_time, pairs / raw_time, "B2 executemany rows", "row/s")]
