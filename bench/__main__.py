"""``python -m bench``: build (or reuse) the synthetic program, run the scenarios, print ratios.

The table goes to stdout (and to bench/results/last-<scale>.txt); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
import time
import traceback
from contextlib import ExitStack
from pathlib import Path

from bench.baselines import open_raw
from bench.data import (
    RESULTS,
    SCALES,
    Program,
    Scale,
    build_program,
    cached_sqlite_program,
    log,
    remove_dead_copies,
    working_copy,
)
from bench.harness import Row, not_available, render_table
from bench.http import Load
from bench.scenarios import SCENARIOS, Bench
from syllabus.db.engine import make_engine
from syllabus.db.session import make_sessionmaker


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="default")
    for name in ("users", "courses", "groups", "enrollments", "batch", "repeats"):
        parser.add_argument(f"--{name}", type=int, help=f"override the scale's {name}")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help=f"run only these scenarios (repeatable or comma-separated): {', '.join(SCENARIOS)}",
    )
    parser.add_argument(
        "--postgres", action="store_true", help="also run DB scenarios on PostgreSQL"
    )
    parser.add_argument(
        "--duration", type=float, default=5.0, help="seconds of load per HTTP figure"
    )
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    args = parser.parse_args(argv)
    args.only = [n.strip() for part in args.only for n in part.split(",") if n.strip()]
    unknown = sorted(set(args.only) - set(SCENARIOS))
    if unknown:
        parser.error(
            f"unknown scenario(s) {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}"
        )
    return args


def chosen_scale(args: argparse.Namespace) -> Scale:
    overrides = {
        name: getattr(args, name)
        for name in ("users", "courses", "groups", "enrollments", "batch", "repeats")
        if getattr(args, name) is not None
    }
    return dataclasses.replace(SCALES[args.scale], **overrides)


def run_scenarios(bench: Bench, names: list[str], *, database_only: bool) -> list[Row]:
    rows: list[Row] = []
    for name, scenario in SCENARIOS.items():
        if (names and name not in names) or (database_only and not scenario.database):
            continue
        log(f"scenario {name}{bench.label}")
        started = time.perf_counter()
        try:
            rows.extend(scenario.run(bench))
        except Exception as error:  # code under test may be mid-change: report, go on
            traceback.print_exc()
            why = f"failed: {type(error).__name__}: {error}".splitlines()[0][:90]
            rows.append(not_available(f"{name}{bench.label}", why))
        log(f"  {name}{bench.label} took {time.perf_counter() - started:.0f} s")
    return rows


def open_bench(program: Program, scale: Scale, load: Load, label: str, stack: ExitStack) -> Bench:
    engine = make_engine(program.url)
    stack.callback(engine.dispose)
    raw = open_raw(program.url)
    stack.callback(raw.close)
    return Bench(program, scale, make_sessionmaker(engine), raw, load, label=label)


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    """Turn SIGTERM into SystemExit so the servers and PostgreSQL are stopped on the way out."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    remove_dead_copies()
    scale = chosen_scale(args)
    load = Load(duration=args.duration, connections=args.connections)
    rows: list[Row] = []
    started = time.perf_counter()
    work = RESULTS / f"run-{os.getpid()}.db"
    with ExitStack() as stack:
        stack.callback(
            lambda: [Path(f"{work}{s}").unlink(missing_ok=True) for s in ("", "-wal", "-shm")]
        )
        program = working_copy(cached_sqlite_program(scale), work)
        with ExitStack() as sqlite_stack:
            bench = open_bench(program, scale, load, "", sqlite_stack)
            rows += run_scenarios(bench, args.only, database_only=False)
        if args.postgres:
            from bench.postgres import temporary_postgres

            url = stack.enter_context(temporary_postgres())
            pg_program = build_program(url, scale)
            bench = open_bench(pg_program, scale, load, " [pg]", stack)
            rows += run_scenarios(bench, args.only, database_only=True)
    title = (
        f"Syllabus bench, scale {args.scale}: {scale.users:,} users, {scale.courses:,} courses,"
        f" {scale.groups:,} groups, {scale.enrollments:,} enrollments"
        f" ({time.perf_counter() - started:.0f} s)"
    )
    table = render_table(rows, title)
    print(table)
    (RESULTS / f"last-{args.scale}.txt").write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
