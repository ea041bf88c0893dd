"""Input cleaning shared by every service: each failure names the field it is about."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, date, datetime
from typing import TypeVar

from syllabus.core.errors import Invalid

E = TypeVar("E")

_EMAIL = re.compile(r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def normalize_email(value: str) -> str:
    return value.strip().lower()


def clean_email(value: object, field: str = "email") -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(field, f"{field} is required")
    email = value.strip()
    # The normalized copy is stored too, and lower-casing can lengthen text ("İ" -> "i̇").
    if len(normalize_email(email)) > 254 or not _EMAIL.match(email):
        raise Invalid(field, f"{field} is not a valid email address: {email!r}")
    return email


def clean_text(value: object, field: str, *, max_length: int, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise Invalid(field, f"{field} is required")
        return None
    if not isinstance(value, str):
        raise Invalid(field, f"{field} must be a string")
    if "\x00" in value:
        raise Invalid(field, f"{field} must not contain NUL characters")  # PostgreSQL refuses them
    text = value.strip()
    if required and not text:
        raise Invalid(field, f"{field} must not be blank")
    if len(text) > max_length:
        raise Invalid(field, f"{field} is longer than {max_length} characters")
    return text


def clean_required_text(value: object, field: str, *, max_length: int) -> str:
    text = clean_text(value, field, max_length=max_length, required=True)
    assert text is not None
    return text


def clean_hostname(value: object, field: str) -> str:
    if not isinstance(value, str) or not _HOSTNAME.match(value.strip().lower()):
        raise Invalid(field, f"{field} must be a hostname such as example.skyprepapp.com")
    return value.strip().lower()


def clean_slug(value: object, field: str = "slug") -> str:
    if not isinstance(value, str) or len(value) > 100 or not _SLUG.match(value):
        raise Invalid(field, f"{field} must be lowercase letters, digits and single hyphens")
    return value


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:90].strip("-") or "item"


def clean_time_zone(value: object, field: str = "time_zone") -> str:
    if not isinstance(value, str) or not value:
        raise Invalid(field, f"{field} is required")
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise Invalid(field, f"{field} is not a known IANA time zone: {value!r}") from None
    return value


def clean_enum(value: object, enum_type: type[E], field: str) -> E:
    try:
        return enum_type(value)  # type: ignore[call-arg]
    except ValueError:
        allowed = ", ".join(str(m.value) for m in enum_type)  # type: ignore[attr-defined]
        raise Invalid(field, f"{field} must be one of {allowed}; got {value!r}") from None


def clean_aware_datetime(value: datetime | None, field: str) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise Invalid(field, f"{field} must carry a time zone")
    return value.astimezone(UTC)


def clean_date_range(
    start: date | None, end: date | None, start_field: str, end_field: str
) -> None:
    if start is not None and end is not None and end < start:
        raise Invalid(end_field, f"{end_field} is before {start_field}")


def clean_int(
    value: object, field: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(field, f"{field} must be an integer")
    if minimum is not None and value < minimum:
        raise Invalid(field, f"{field} must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise Invalid(field, f"{field} must be at most {maximum}")
    return value


def clean_ids(values: object, field: str) -> list[int]:
    """Distinct positive integer ids, in the order given."""
    if not isinstance(values, list | tuple | set | frozenset):
        raise Invalid(field, f"{field} must be a list of ids")
    seen: dict[int, None] = {}
    for value in values:
        seen[clean_int(value, field, minimum=1)] = None
    return list(seen)
