"""An action's parameters: collected from wherever SkyPrep clients put them, read loosely.

Query string, urlencoded or multipart form, or a JSON object body (a JSON body on a GET
too), merged with the body winning over the query string.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import orjson
from starlette.requests import Request

from syllabus.core.errors import Invalid
from syllabus.core.fields import UNSET, Maybe, is_set

MAX_BODY_BYTES = 10 * 1024 * 1024


async def collect_params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        for key in form:
            values = form.getlist(key)
            params[key] = values[0] if len(values) == 1 else list(values)
        return params
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise Invalid("body", f"request body is larger than {MAX_BODY_BYTES} bytes")
    if body.strip():
        try:
            decoded = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise Invalid("body", "request body is not valid JSON") from None
        if not isinstance(decoded, dict):
            raise Invalid("body", "a JSON body must be an object of parameters")
        params.update(decoded)
    return params


# --- Loose inputs ---------------------------------------------------------------------------
# What SkyPrep's examples and real clients send: ids as numbers or numeric strings, booleans as
# true/false/1/0, dates as "July 31, 2015" or ISO 8601, lists as comma-separated strings or
# JSON arrays. Each reader raises Invalid naming the parameter; none decides anything else.

MAX_ID_DIGITS = 30
_TRUE = frozenset({"true", "1", "t", "yes", "y", "on"})
_FALSE = frozenset({"false", "0", "f", "no", "n", "off"})
_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
MONTHS: dict[str, int] = {
    **{name: number for number, name in enumerate(_MONTH_NAMES, 1)},
    **{name[:3]: number for number, name in enumerate(_MONTH_NAMES, 1)},
    "sept": 9,
}
_ORDINAL = r"(?:st|nd|rd|th)?"
_MONTH_DAY_YEAR = re.compile(rf"^([a-z]+)\.?\s+(\d{{1,2}}){_ORDINAL},?\s+(\d{{4}})$", re.ASCII)
_DAY_MONTH_YEAR = re.compile(rf"^(\d{{1,2}}){_ORDINAL}\s+([a-z]+)\.?,?\s+(\d{{4}})$", re.ASCII)
_YEAR_MONTH_DAY = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$", re.ASCII)


def _scalar(value: Any, field: str) -> Any:
    if isinstance(value, list | dict):
        raise Invalid(field, f"{field} must be a single value")
    return value


def _clean_string(value: str, field: str) -> str:
    if "\x00" in value:
        raise Invalid(field, f"{field} must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid(field, f"{field} is not valid text") from None
    return value


def parse_id(value: Any, field: str) -> int:
    """A positive integer (an id, a page) from a JSON number or a numeric string."""
    value = _scalar(value, field)
    if isinstance(value, bool):
        raise Invalid(field, f"{field} must be a positive integer")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS:
            value = int(text)
    if not isinstance(value, int) or value < 1:
        raise Invalid(field, f"{field} must be a positive integer; got {value!r}")
    return value


def parse_bool(value: Any, field: str) -> bool:
    value = _scalar(value, field)
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise Invalid(field, f"{field} must be true or false; got {value!r}")


def parse_date(value: Any, field: str) -> date | None:
    """``July 31, 2015``, ``31 July 2015``, ``2015-07-31`` or an ISO 8601 datetime (its date).

    None or a blank string clears the date.
    """
    value = _scalar(value, field)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise Invalid(field, f"{field} must be a date such as 'July 31, 2015' or '2015-07-31'")
    text = " ".join(_clean_string(value, field).split()).lower()
    try:
        if match := _YEAR_MONTH_DAY.match(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if (match := _MONTH_DAY_YEAR.match(text)) and match[1] in MONTHS:
            return date(int(match[3]), MONTHS[match[1]], int(match[2]))
        if (match := _DAY_MONTH_YEAR.match(text)) and match[2] in MONTHS:
            return date(int(match[3]), MONTHS[match[2]], int(match[1]))
        if len(text) <= 40 and text[:4].isdigit():
            return datetime.fromisoformat(text.upper()).date()
    except ValueError:
        pass
    raise Invalid(field, f"{field} must be a date such as 'July 31, 2015' or '2015-07-31'")


def parse_text(value: Any, field: str) -> str | None:
    """A string as given (numbers become their text); None stays None."""
    value = _scalar(value, field)
    if value is None:
        return None
    if isinstance(value, bool):
        raise Invalid(field, f"{field} must be text")
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        raise Invalid(field, f"{field} must be text")
    return _clean_string(value, field)


def parse_list(value: Any, field: str, *, separator: str = ",") -> list[str]:
    """A JSON array, or a string split on ``separator`` (spaces around items ignored)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else str(_scalar(value, field)).split(separator)
    out = []
    for item in items:
        text = parse_text(_scalar(item, field), field)
        if text is not None and text.strip():
            out.append(text.strip())
    return out


def parse_ids(value: Any, field: str) -> list[int]:
    return [parse_id(item, field) for item in parse_list(value, field)]


def is_blank(value: Any) -> bool:
    """A blank string (or a list of nothing but them, as a form's ``ids[]=``): what clients send
    for a parameter they do not use (SkyPrep's AD connector sends ``autocreate_user_groups=``;
    SDKs send every field). An empty JSON array is a value: it empties a list."""
    if isinstance(value, str):
        return not value.strip()
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, str) and not v.strip() for v in value)
    )


class Params:
    """An action's parameters, read with the loose rules above.

    Each reader returns UNSET when the parameter is absent, so absent stays apart from
    "set to null". A blank value is absent, whatever the parameter's type: the one rule for
    every action (to clear a field, send JSON ``null``). Keys are compared without surrounding
    spaces (the spec's own sample sends ``"address "``), and ``name[]`` (Rails' array syntax)
    counts as ``name``.
    """

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw: dict[str, Any] = {}
        for key, value in raw.items():
            if is_blank(value):
                continue
            name = key.strip()
            if name.endswith("[]"):
                name = name[:-2]
            if name not in self.raw or name == key:
                self.raw[name] = value

    def __contains__(self, name: str) -> bool:
        return name in self.raw

    def _get(self, name: str) -> Any:
        return self.raw.get(name, UNSET)

    def text(self, name: str) -> Maybe[str | None]:
        value = self._get(name)
        return UNSET if value is UNSET else parse_text(value, name)

    def lookup(self, name: str) -> Maybe[str]:
        """A text key that finds something (an email): null counts as absent too."""
        value = self.text(name)
        return value if isinstance(value, str) else UNSET

    def id(self, name: str) -> Maybe[int]:
        """An id; null counts as absent too (a client's empty template slot)."""
        value = self._get(name)
        if value is UNSET or value is None:
            return UNSET
        return parse_id(value, name)

    def boolean(self, name: str) -> Maybe[bool]:
        value = self._get(name)
        return UNSET if value is UNSET else parse_bool(value, name)

    def date(self, name: str) -> Maybe[date | None]:
        value = self._get(name)
        return UNSET if value is UNSET else parse_date(value, name)

    def strings(self, name: str, *, separator: str = ",") -> Maybe[list[str]]:
        value = self._get(name)
        return UNSET if value is UNSET else parse_list(value, name, separator=separator)

    def ids(self, name: str) -> Maybe[list[int]]:
        value = self._get(name)
        return UNSET if value is UNSET else parse_ids(value, name)

    def required_id(self, name: str) -> int:
        value = self.id(name)
        if not is_set(value):
            raise Invalid(name, f"{name} is required")
        return value

    def required_ids(self, name: str) -> list[int]:
        """A non-empty id list."""
        value = self.ids(name)
        if not is_set(value) or not value:
            raise Invalid(name, f"{name} is required")
        return value
