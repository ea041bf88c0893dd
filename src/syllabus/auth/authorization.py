"""The one parser of ``Authorization`` header values, for every door that reads one.

The forms real clients send (specs README): HTTP Basic with the secret as the user name, as
``base64("key:")`` (official) or ``base64("key")`` with no colon; ``Token <key>`` and
``Bearer <key>`` (the integration guide), schemes in any case, surrounding whitespace ignored.
A door decides which schemes it takes (SCIM: Bearer only); the rate-limit guard and the route
behind it read the header through this same function, so they always agree on who is calling.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from enum import StrEnum

from syllabus.auth.keys import MAX_SECRET_LENGTH


class Scheme(StrEnum):
    BASIC = "basic"
    TOKEN = "token"  # noqa: S105 (a scheme name, not a secret)
    BEARER = "bearer"


class Malformed(StrEnum):
    """Why a Basic value names no one (each door words its own 401)."""

    TOO_LONG = "too_long"
    """Longer than any secret's encoding could be: refused before decoding."""
    NOT_BASE64 = "not_base64"
    """Not base64, or not UTF-8 once decoded."""


@dataclass(frozen=True, slots=True)
class Presented:
    """What an ``Authorization`` value carries: its scheme and the secret, or why none."""

    scheme: Scheme
    secret: str | None
    """The secret, or None when the value names none (``Bearer`` alone, ``base64(":x")``)."""
    malformed: Malformed | None = None


def parse_authorization(value: str | None) -> Presented | None:
    """The scheme and secret in an ``Authorization`` value; None when there is no known scheme."""
    if not value:
        return None
    name, _, rest = value.strip().partition(" ")
    rest = rest.strip()
    try:
        scheme = Scheme(name.lower())
    except ValueError:
        return None
    if scheme is not Scheme.BASIC:
        return Presented(scheme, rest or None)
    if len(rest) > 4 * MAX_SECRET_LENGTH:
        return Presented(scheme, None, Malformed.TOO_LONG)
    try:
        decoded = base64.b64decode(rest, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return Presented(scheme, None, Malformed.NOT_BASE64)
    return Presented(scheme, decoded.partition(":")[0].strip() or None)
