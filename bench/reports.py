"""``get_report`` all_users as CSV: the whole streamed file vs a raw SELECT → csv.writer.

The action runs in-process as the router runs it (parameters, checks, the streamed query, CSV
encoding in the program's zone), consuming every chunk; the baseline selects the users'
columns with the raw driver and writes them with ``csv.writer`` (no per-user course counts).
"""

from __future__ import annotations

import csv
import io

from bench.data import log
from bench.harness import Row, best_time, not_available
from bench.scenarios import Bench, ours


def report_scenario(bench: Bench) -> list[Row]:
    title = bench.name("9. get_report all_users CSV")
    action = ours("syllabus.dialects.skyprep.reports", "get_report")
    if action is None:
        return [not_available(title, "action not yet built")]
    from syllabus.dialects.skyprep.actions import Call

    program = bench.program
    call = Call(
        ctx=bench.ctx,
        acct_key=program.acct_key,
        time_zone="America/New_York",
        params={"report_type": "all_users"},
    )
    raw = bench.raw
    sql = (
        "SELECT id, email, first_name, last_name, username, is_active, created_at,"
        " last_login_at FROM users WHERE tenant_id = ? ORDER BY id"
    ).replace("?", raw.placeholder)  # type: ignore[attr-defined]
    sizes: dict[str, int] = {}

    def run_ours() -> None:
        with bench.read_session() as session:
            stream = action(session, call)
            sizes["ours"] = sum(len(chunk) for chunk in stream.chunks(session))

    def run_raw() -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        cursor = raw.conn.execute(sql, (program.tenant_id,))  # type: ignore[attr-defined]
        while batch := cursor.fetchmany(2000):
            writer.writerows(batch)
        sizes["raw"] = len(buffer.getvalue())

    log(f"  all_users report over {bench.scale.users:,} users")
    mine = min(best_time(run_ours) for _ in range(bench.scale.repeats))
    base = min(best_time(run_raw) for _ in range(bench.scale.repeats))
    users = bench.scale.users
    return [
        Row(
            title,
            users / mine,
            users / base,
            "raw SELECT → csv.writer",
            "rows/s",
            note=(
                f"{mine:.2f} s vs {base:.2f} s, {sizes['ours'] / 1e6:.1f} MB"
                " (ours adds 5 course-count columns from a grouped join)"
            ),
        )
    ]
