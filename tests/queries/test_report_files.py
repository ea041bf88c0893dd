"""CSV cells that a spreadsheet would evaluate are written as text (OWASP's CSV injection rule)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from syllabus.queries.report_files import csv_chunks

ZONE = ZoneInfo("UTC")
DANGEROUS = ["=1+1", "+1", "-1", "@A1", "\tx"]


def read(chunks: list[bytes]) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(chunks).decode(), newline="")))


@pytest.mark.parametrize("kinds", [(), ("", "time", "bool", "")], ids=["untyped", "typed"])
def test_formula_cells_get_a_leading_quote_and_other_values_are_untouched(
    kinds: tuple[str, ...],
) -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    rows = [[text, moment, True, -5] for text in [*DANGEROUS, "safe = text", "", None]]
    out = read(list(csv_chunks(["text", "at", "flag", "n"], [rows], ZONE, kinds)))
    assert out[0] == ["text", "at", "flag", "n"]
    assert [r[0] for r in out[1:]] == [*("'" + d for d in DANGEROUS), "safe = text", "", ""]
    assert {tuple(r[1:]) for r in out[1:]} == {("2026-01-02T03:04:05+00:00", "true", "-5")}


def test_a_leading_carriage_return_is_neutralised_too() -> None:
    # csv leaves a lone CR unquoted when rows end in LF, so look at the bytes themselves.
    text = b"".join(csv_chunks(["text"], [[["\rx"], ["ok"]]], ZONE, ("",))).decode()
    assert text == "text\n'\rx\nok\n"
