"""SkyPrep's wire shapes: JSON as Rails' ``as_json`` writes it, XML as Rails' ``to_xml`` does.

Handlers return plain data (dicts, lists, ``datetime`` and ``date`` values), optionally
``Named`` with the XML root it takes, or a ``Stream`` for lists of any size. The router
encodes whatever they return in the format the caller asked for (``format=json|xml``), so every
action speaks both.
"""

from __future__ import annotations

import enum
import re
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

import orjson
from sqlalchemy.orm import Session

from syllabus.core.errors import Invalid
from syllabus.dialects.skyprep.params import parse_text
from syllabus.dialects.skyprep.time_zones import rails_zone_name

JSON_TYPE = "application/json"
XML_TYPE = "application/xml; charset=utf-8"
FORMATS = ("json", "xml")
UTC_ZONES = frozenset({"UTC", "Etc/UTC", "UCT", "Etc/UCT", "Universal", "Etc/Universal", "Zulu"})


@dataclass(frozen=True, slots=True)
class Named:
    """A result and the XML root element it takes (``user``, ``users``); JSON ignores it."""

    root: str
    data: Any


@dataclass(frozen=True, slots=True)
class Stream:
    """A list answered page by page in constant memory.

    The router reads it in a read-only unit of work of its own, scoped to ``tenant_id``, while
    the response is being sent.
    """

    tenant_id: int
    root: str
    pages: Callable[[Session], Iterable[Sequence[Any]]]


@dataclass(frozen=True, slots=True)
class Program:
    """What rendering needs to know about the caller's program; loaded once per request."""

    acct_key: str
    zone: zoneinfo.ZoneInfo
    zone_name: str
    """The program's zone as SkyPrep names it ("Eastern Time (US & Canada)")."""

    def local(self, moment: datetime | None) -> datetime | None:
        return None if moment is None else moment.astimezone(self.zone)


def load_program(acct_key: str, time_zone: str) -> Program:
    """The program facts every render needs; they come with the authenticated key."""
    name = time_zone or "UTC"
    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return Program(acct_key=acct_key, zone=zone, zone_name=rails_zone_name(zone.key))


def pop_format(params: dict[str, Any]) -> str:
    """Remove and check ``format``: ``json`` (the default) or ``xml``."""
    value = parse_text(params.pop("format", None), "format")
    fmt = (value or "json").strip().lower()
    if fmt not in FORMATS:
        raise Invalid("format", "format must be json or xml")
    return fmt


def media_type(fmt: str) -> str:
    return XML_TYPE if fmt == "xml" else JSON_TYPE


# --- Time -----------------------------------------------------------------------------------


def _is_utc(moment: datetime) -> bool:
    zone = moment.tzinfo
    return zone is UTC or getattr(zone, "key", None) in UTC_ZONES


def rails_time(moment: datetime, *, fraction: bool = True) -> str:
    """``2026-05-01T09:00:00.000-04:00``: Rails' ``xmlschema(3)``, ``Z`` in a UTC zone."""
    text = moment.isoformat(timespec="milliseconds" if fraction else "seconds")
    return text[:-6] + "Z" if _is_utc(moment) else text


# --- JSON -----------------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return rails_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot render {type(value).__name__}")


def json_bytes(data: Any) -> bytes:
    return orjson.dumps(
        data,
        default=_json_default,
        option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS,
    )


def json_chunks(pages: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """A JSON array written one page at a time."""
    yield b"["
    first = True
    for page in pages:
        if not page:
            continue
        body = json_bytes(list(page))[1:-1]
        yield body if first else b"," + body
        first = False
    yield b"]"


# --- XML ------------------------------------------------------------------------------------

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NOT_NAME_CHAR = re.compile(r"[^A-Za-z0-9_.-]")
_ENTITIES = {"\r": "&#13;"}


@lru_cache(maxsize=1024)
def tag(key: str) -> str:
    """An element name as Rails writes keys: dasherized (``created_at`` -> ``created-at``)."""
    name = _NOT_NAME_CHAR.sub("-", key.replace("_", "-"))
    return name if name[:1].isalpha() else "_" + name


@lru_cache(maxsize=256)
def singular(name: str) -> str:
    """The element name of an array's items (``users`` -> ``user``), as Rails singularizes."""
    if name.endswith("ies") and len(name) > 3:
        return name[:-3] + "y"
    if name.endswith(("sses", "shes", "ches", "xes", "uses")):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss") and len(name) > 1:
        return name[:-1]
    return name


def _text(value: str) -> str:
    return escape(_NOT_XML_CHAR.sub("\ufffd", value), _ENTITIES)


def _element(name: str, value: Any, out: list[str]) -> None:
    if value is None:
        out.append(f'<{name} nil="true"/>')
    elif isinstance(value, bool):
        out.append(f'<{name} type="boolean">{"true" if value else "false"}</{name}>')
    elif isinstance(value, enum.Enum):
        out.append(f"<{name}>{_text(str(value.value))}</{name}>")
    elif isinstance(value, int):
        out.append(f'<{name} type="integer">{value}</{name}>')
    elif isinstance(value, float):
        out.append(f'<{name} type="float">{value!r}</{name}>')
    elif isinstance(value, Decimal):
        out.append(f'<{name} type="decimal">{value}</{name}>')
    elif isinstance(value, datetime):
        out.append(f'<{name} type="dateTime">{rails_time(value, fraction=False)}</{name}>')
    elif isinstance(value, date):
        out.append(f'<{name} type="date">{value.isoformat()}</{name}>')
    elif isinstance(value, dict):
        out.append(f"<{name}>")
        for key, item in value.items():
            _element(tag(str(key)), item, out)
        out.append(f"</{name}>")
    elif isinstance(value, list | tuple):
        out.append(f'<{name} type="array">')
        child = singular(name)
        for item in value:
            _element(child, item, out)
        out.append(f"</{name}>")
    else:
        out.append(f"<{name}>{_text(str(value))}</{name}>")


def xml_bytes(data: Any, root: str | None = None) -> bytes:
    """One XML document; the root defaults to Rails' ``hash`` (objects) or ``objects`` (lists)."""
    out = [XML_DECLARATION]
    _element(tag(root or ("objects" if isinstance(data, list | tuple) else "hash")), data, out)
    out.append("\n")
    return "".join(out).encode("utf-8")


def xml_chunks(pages: Iterable[Sequence[Any]], root: str) -> Iterator[bytes]:
    """``<users type="array">`` with one ``<user>`` per item, written one page at a time."""
    name = tag(root)
    child = singular(name)
    yield f'{XML_DECLARATION}<{name} type="array">'.encode()
    for page in pages:
        out: list[str] = []
        for item in page:
            _element(child, item, out)
        yield "".join(out).encode("utf-8")
    yield f"</{name}>\n".encode()


def encode(result: Any, fmt: str) -> bytes:
    """A handler's whole answer in ``fmt``."""
    root = None
    if isinstance(result, Named):
        root, result = result.root, result.data
    return xml_bytes(result, root) if fmt == "xml" else json_bytes(result)


def encode_stream(pages: Iterable[Sequence[Any]], root: str, fmt: str) -> Iterator[bytes]:
    return xml_chunks(pages, root) if fmt == "xml" else json_chunks(pages)
