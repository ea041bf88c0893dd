"""Timing and the one ratio table.

Absolute times on a shared two-core machine are noise, so every figure is measured next to
its raw baseline in the same run, interleaved (ours, baseline, ours, baseline ...) so that a
noisy neighbour hurts both sides alike, and the best repetition of each side is kept: the
minimum is the run least disturbed by anything else, which is what we want to compare.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass

HEADER = (
    "ratio = baseline time / our time (= our throughput / baseline throughput): "
    "1.00 means as fast as raw, higher is better"
)


@dataclass(frozen=True)
class Row:
    """One line of the table: our figure, its baseline's figure, both as throughputs."""

    scenario: str
    ours: float | None
    baseline: float | None
    baseline_name: str
    unit: str
    aim: str = ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if not self.ours or not self.baseline:
            return None
        return self.ours / self.baseline


def not_available(scenario: str, why: str, *, baseline_name: str = "", aim: str = "") -> Row:
    """A row for a scenario whose code does not exist yet, so the table still lists it."""
    note = why if why.startswith("failed") else f"n/a ({why})"
    return Row(scenario, None, None, baseline_name, "", aim=aim, note=note)


def best_time(fn: Callable[[], object]) -> float:
    """Wall time of one call with the collector paused (GC pauses land randomly otherwise)."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    finally:
        gc.enable()


def compare(
    ours: Callable[[], object],
    baseline: Callable[[], object],
    *,
    repeats: int,
    setup: Callable[[], None] | None = None,
) -> tuple[float, float]:
    """Best wall time of each side over ``repeats`` interleaved rounds (one warm-up each)."""
    ours()
    baseline()
    our_best = base_best = float("inf")
    for _ in range(repeats):
        if setup:
            setup()
        our_best = min(our_best, best_time(ours))
        if setup:
            setup()
        base_best = min(base_best, best_time(baseline))
    return our_best, base_best


def timed_loop(op: Callable[[int], object], count: int) -> Callable[[], None]:
    """Turn a per-item operation into one timed batch of ``count`` calls (bounded loop)."""

    def run() -> None:
        for i in range(count):
            op(i)

    return run


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if value >= 100:
        text = f"{value:,.0f}"
    elif value >= 10:
        text = f"{value:,.1f}"
    else:
        text = f"{value:,.2f}"
    return f"{text} {unit}".strip()


def render_table(rows: list[Row], title: str) -> str:
    """Plain text (copy-pastable into an issue), one row per scenario."""
    heads = ("scenario", "ours", "baseline", "raw figure", "ratio", "aim", "")
    body = [
        (
            r.scenario,
            _figure(r.ours, r.unit),
            r.baseline_name,
            _figure(r.baseline, r.unit),
            "-" if r.ratio is None else f"{r.ratio:.2f}",
            r.aim,
            r.note,
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [heads, *body]) for i in range(len(heads))]
    right = {1, 3, 4}

    def fmt(line: tuple[str, ...]) -> str:
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    rule = "-" * len(fmt(heads))
    return "\n".join([title, HEADER, rule, fmt(heads), rule, *(fmt(b) for b in body), rule])
