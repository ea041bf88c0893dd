"""The one ``Authorization`` parser: every form the specs README lists, and the edges."""

from __future__ import annotations

import base64

import pytest

from syllabus.auth.authorization import Malformed, Presented, Scheme, parse_authorization
from syllabus.auth.keys import MAX_SECRET_LENGTH


def b64(raw: str) -> str:
    return base64.b64encode(raw.encode()).decode()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f"Basic {b64('sk_1:')}", Presented(Scheme.BASIC, "sk_1")),
        (f"Basic {b64('sk_1')}", Presented(Scheme.BASIC, "sk_1")),
        (f"Basic {b64('sk_1:ignored')}", Presented(Scheme.BASIC, "sk_1")),
        (f"Basic {b64(' sk_1 :')}", Presented(Scheme.BASIC, "sk_1")),
        ("Token sk_1", Presented(Scheme.TOKEN, "sk_1")),
        ("Bearer sk_1", Presented(Scheme.BEARER, "sk_1")),
        ("bearer sk_1", Presented(Scheme.BEARER, "sk_1")),
        ("BASIC " + b64("sk_1:"), Presented(Scheme.BASIC, "sk_1")),
        ("  Bearer   sk_1  ", Presented(Scheme.BEARER, "sk_1")),
        ("Token  sk_1", Presented(Scheme.TOKEN, "sk_1")),
        ("Bearer", Presented(Scheme.BEARER, None)),
        ("Bearer   ", Presented(Scheme.BEARER, None)),
        (f"Basic {b64(':sk_1')}", Presented(Scheme.BASIC, None)),
        ("Basic ", Presented(Scheme.BASIC, None)),
        ("Basic not*base64", Presented(Scheme.BASIC, None, Malformed.NOT_BASE64)),
        (
            "Basic " + base64.b64encode(b"\xff\xfe:").decode(),
            Presented(Scheme.BASIC, None, Malformed.NOT_BASE64),
        ),
        (
            "Basic " + "A" * (4 * MAX_SECRET_LENGTH + 4),
            Presented(Scheme.BASIC, None, Malformed.TOO_LONG),
        ),
    ],
)
def test_forms_and_edges(value: str, expected: Presented) -> None:
    assert parse_authorization(value) == expected


@pytest.mark.parametrize(
    "value", [None, "", "   ", "sk_1", "Digest abc", "Bearer\tsk_1", "Key sk_1"]
)
def test_no_known_scheme_is_none(value: str | None) -> None:
    assert parse_authorization(value) is None
