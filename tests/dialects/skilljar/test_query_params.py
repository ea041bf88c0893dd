"""``/v1`` query parameters declared once: the models parse them (DRF's messages, raised when
the route reads the field) and are the only way a route reads the query string."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from syllabus.dialects import skilljar
from syllabus.dialects.skilljar.errors import FieldErrors
from syllabus.dialects.skilljar.query_params import EventsQuery, Paging, UserFilters

SOURCES = Path(skilljar.__file__).parent


def _error(read: object) -> dict[str, list[str]]:
    with pytest.raises(FieldErrors) as caught:
        read()  # type: ignore[operator]
    return caught.value.errors


def test_a_bad_value_is_raised_when_read_and_the_others_stay_readable() -> None:
    paging = Paging.model_validate({"page": "abc", "page_size": "0", "cursor": "n1"})
    assert paging.cursor == "n1"
    assert _error(lambda: paging.page) == {"page": ["A valid integer is required."]}
    assert _error(lambda: paging.page_size) == {
        "page_size": ["Ensure this value is greater than or equal to 1."]
    }


def test_empty_means_absent_for_numbers_and_booleans_not_for_text() -> None:
    assert Paging.model_validate({"page": "", "page_size": ""}).page is None
    users = UserFilters.model_validate({"is_inactive": "", "email": ""})
    assert users.is_inactive is None
    assert users.email == ""


def test_drf_words_and_messages() -> None:
    users = UserFilters.model_validate({"is_inactive": "True", "first_name": "a\x00"})
    assert users.is_inactive is True
    assert _error(lambda: users.first_name) == {"first_name": ["Null characters are not allowed."]}
    bad = UserFilters.model_validate({"is_inactive": "maybe"})
    assert _error(lambda: bad.is_inactive) == {"is_inactive": ["Must be a valid boolean."]}
    events = EventsQuery.model_validate({"limit": "0", "wait": "x", "type": ["a,b", "c"]})
    assert events.type == ["a", "b", "c"]
    assert _error(lambda: events.limit) == {"limit": ["Ensure this value is between 1 and 1000."]}
    assert _error(lambda: events.wait) == {"wait": ["A valid number is required."]}


def test_no_route_reads_the_query_string_by_hand() -> None:
    by_hand = re.compile(r"query_params\s*(\.get|\.getlist|\[)|query_params\b(?!\.py)")
    for path in sorted(SOURCES.glob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "include_query_params" in line or "remove_query_params" in line:
                continue
            if "import" in line and "query_params" in line:
                continue
            assert not by_hand.search(line), f"{path.name}:{number} reads the query by hand"
