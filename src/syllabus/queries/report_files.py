"""Writing report rows as CSV or XLSX, in constant memory, for streaming and for files.

Times are written in the program's time zone (CSV: ISO 8601 with the offset; XLSX: a date-time
cell, since spreadsheets hold no zone). Missing values are empty cells.

CSV text cells are neutralised as OWASP advises against formula injection: anyone who can set a
name (an IdP, an admin, a buyer) could otherwise plant ``=HYPERLINK(...)`` in a spreadsheet an
admin opens, so a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets
a leading ``'``. XLSX cells are written as strings, never formulas, and need no such care.
"""

from __future__ import annotations

import csv
import enum
import io
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter  # type: ignore[import-untyped]
from sqlalchemy import Boolean, DateTime
from sqlalchemy.types import TypeEngine

FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FLUSH_BYTES = 64 * 1024
CHUNK_BYTES = 256 * 1024
FORMULA_STARTS = frozenset("=+-@\t\r")
"""First characters that make a spreadsheet read a CSV cell as a formula."""


def neutralise(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet evaluates (see the module docstring)."""
    return "'" + text if text and text[0] in FORMULA_STARTS else text


def _text(value: Any, zone: ZoneInfo) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat(timespec="seconds")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, str):
        return neutralise(value)
    return value


def column_kinds(types: Iterable[TypeEngine[Any]]) -> tuple[str, ...]:
    """Per column: "time", "bool" or "" (anything else), from the columns' SQL types."""
    out = []
    for sql_type in types:
        python = getattr(sql_type, "impl", sql_type)
        if isinstance(python, DateTime):
            out.append("time")
        elif isinstance(python, Boolean):
            out.append("bool")
        else:
            out.append("")
    return tuple(out)


Batches = Iterable[Sequence[Sequence[Any]]]
"""Rows in batches, as the report queries fetch them."""


def csv_chunks(
    header: Sequence[str],
    batches: Batches,
    zone: ZoneInfo,
    kinds: Sequence[str] = (),
) -> Iterator[bytes]:
    """The CSV text in chunks of about FLUSH_BYTES, header first.

    With ``kinds`` the time and boolean columns are converted and the others' text is
    neutralised (enums are ``StrEnum``s: csv writes their value); without, every value's type
    is checked. A computed column's SQL type may be unknown, so every other column's strings
    are checked, not only those typed as text.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    times = [i for i, k in enumerate(kinds) if k == "time"]
    flags = [i for i, k in enumerate(kinds) if k == "bool"]
    texts = [i for i, k in enumerate(kinds) if k == ""]
    simple = (int, float)
    for batch in batches:
        if not kinds:
            batch = [
                [v if v is None or type(v) in simple else _text(v, zone) for v in row]
                for row in batch
            ]
        elif times or flags or texts:
            converted = []
            for row in batch:
                values = list(row)
                for i in times:
                    moment = values[i]
                    if moment is not None:
                        values[i] = moment.astimezone(zone).isoformat(timespec="seconds")
                for i in flags:
                    flag = values[i]
                    if flag is not None:
                        values[i] = "true" if flag else "false"
                for i in texts:
                    text = values[i]
                    if type(text) is str and text and text[0] in FORMULA_STARTS:
                        values[i] = "'" + text
                converted.append(values)
            batch = converted
        writer.writerows(batch)
        if buffer.tell() >= FLUSH_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def write_xlsx(target: Path, header: Sequence[str], batches: Batches, zone: ZoneInfo) -> None:
    """One worksheet, written row by row (``constant_memory``), to ``target``."""
    workbook = xlsxwriter.Workbook(
        str(target), {"constant_memory": True, "tmpdir": str(target.parent)}
    )
    try:
        sheet = workbook.add_worksheet("Report")
        stamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        bold = workbook.add_format({"bold": True})
        sheet.write_row(0, 0, list(header), bold)
        rows = (row for batch in batches for row in batch)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, datetime):
                    sheet.write_datetime(
                        r, c, value.astimezone(zone).replace(tzinfo=None, microsecond=0), stamp
                    )
                elif isinstance(value, date):
                    sheet.write_datetime(r, c, value, day)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(_text(value, zone)))
    finally:
        workbook.close()


def write_file(
    target: Path,
    fmt: str,
    header: Sequence[str],
    batches: Batches,
    zone: ZoneInfo,
    kinds: Sequence[str] = (),
) -> None:
    """Write the report to ``target`` atomically: a reader sees no file or the whole file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".part-", suffix="." + fmt)
    os.close(handle)
    temp = Path(temp_name)
    try:
        if fmt == "xlsx":
            write_xlsx(temp, header, batches, zone)
        else:
            with temp.open("wb") as out:
                for chunk in csv_chunks(header, batches, zone, kinds):
                    out.write(chunk)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def file_chunks(path: Path, *, remove: bool = False) -> Iterator[bytes]:
    """A file's bytes in chunks; ``remove`` deletes it once read (or abandoned)."""
    try:
        with path.open("rb") as source:
            while chunk := source.read(CHUNK_BYTES):
                yield chunk
    finally:
        if remove:
            path.unlink(missing_ok=True)
