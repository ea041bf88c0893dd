"""Loose SkyPrep inputs and Rails-style outputs, without a database."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zoneinfo
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syllabus.core.errors import Invalid
from syllabus.core.fields import UNSET
from syllabus.dialects.skyprep.params import (
    Params,
    parse_bool,
    parse_date,
    parse_id,
    parse_ids,
    parse_list,
    parse_text,
)
from syllabus.dialects.skyprep.render import json_bytes, rails_time, xml_bytes, xml_chunks
from syllabus.dialects.skyprep.time_zones import RAILS_ZONES, iana_zone, rails_zone_name


@pytest.mark.parametrize(
    ("value", "expected"),
    [(7, 7), ("7", 7), (" 42 ", 42), (3.0, 3), ("9" * 25, int("9" * 25))],
)
def test_ids_as_numbers_or_numeric_strings(value: object, expected: int) -> None:
    assert parse_id(value, "user_id") == expected


@pytest.mark.parametrize("value", [0, -1, "0", "-1", "1.5", 1.5, "1e3", "abc", "", True, None, [1]])
def test_bad_ids_name_the_field(value: object) -> None:
    with pytest.raises(Invalid) as raised:
        parse_id(value, "user_id")
    assert raised.value.field == "user_id"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("FALSE", False),
        ("1", True),
        ("0", False),
        (1, True),
        (0, False),
        (" t ", True),
        ("off", False),
    ],
)
def test_booleans(value: object, expected: bool) -> None:
    assert parse_bool(value, "flag") is expected


@pytest.mark.parametrize("value", ["", "maybe", 2, None, [True], "truthy"])
def test_bad_booleans(value: object) -> None:
    with pytest.raises(Invalid, match="flag"):
        parse_bool(value, "flag")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("July 31, 2015", date(2015, 7, 31)),
        ("july 31 2015", date(2015, 7, 31)),
        ("Jul. 31, 2015", date(2015, 7, 31)),
        ("Sept 1st, 2015", date(2015, 9, 1)),
        ("31 July 2015", date(2015, 7, 31)),
        ("  July   31,  2015 ", date(2015, 7, 31)),
        ("2015-07-31", date(2015, 7, 31)),
        ("2015/7/31", date(2015, 7, 31)),
        ("2015-07-31T23:30:00-05:00", date(2015, 7, 31)),
        ("2015-07-31T10:00:00Z", date(2015, 7, 31)),
        ("2015-07-31 10:00", date(2015, 7, 31)),
    ],
)
def test_dates_as_the_spec_writes_them_or_iso_8601(text: str, expected: date) -> None:
    assert parse_date(text, "access_start_date") == expected


@pytest.mark.parametrize("value", [None, "", "   "])
def test_blank_dates_clear(value: object) -> None:
    assert parse_date(value, "access_start_date") is None


@pytest.mark.parametrize(
    "value",
    ["July 32, 2015", "Febtember 1, 2015", "2015-02-30", "31/07/2015", "soon", 20150731, ["x"]],
)
def test_bad_dates_name_the_field(value: object) -> None:
    with pytest.raises(Invalid) as raised:
        parse_date(value, "access_start_date")
    assert raised.value.field == "access_start_date"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("84,96,101", ["84", "96", "101"]),
        ("84, 96 , 101", ["84", "96", "101"]),
        ("84,,96,", ["84", "96"]),
        ([84, "96"], ["84", "96"]),
        ("", []),
        (None, []),
        (7, ["7"]),
    ],
)
def test_lists_comma_separated_or_json_arrays(value: object, expected: list[str]) -> None:
    assert parse_list(value, "course_ids") == expected


def test_lists_of_ids_and_other_separators() -> None:
    assert parse_ids("505, 680,4", "user_group_ids") == [505, 680, 4]
    assert parse_list("Forensics Lab;Miami PD Staff", "user_groups", separator=";") == [
        "Forensics Lab",
        "Miami PD Staff",
    ]
    with pytest.raises(Invalid, match="course_ids"):
        parse_ids("1,two", "course_ids")
    with pytest.raises(Invalid, match="course_ids"):
        parse_ids([[1]], "course_ids")


def test_text_accepts_numbers_and_rejects_what_no_column_can_hold() -> None:
    assert parse_text(10001, "zip") == "10001"
    assert parse_text(None, "zip") is None
    for bad in (True, {"a": 1}, ["a"], "nul\x00", "\ud800"):
        with pytest.raises(Invalid) as raised:
            parse_text(bad, "zip")
        assert raised.value.field == "zip"


def test_params_absent_is_unset_and_keys_are_forgiving() -> None:
    p = Params({"address ": "10 Dexter Drive", "ids[]": ["1", "2"], "user_id": "", "flag": "1"})
    assert p.text("address") == "10 Dexter Drive"
    assert p.ids("ids") == [1, 2]
    assert p.id("user_id") is UNSET
    assert p.boolean("flag") is True
    assert p.text("missing") is UNSET
    assert p.date("missing") is UNSET
    assert Params({"address": "exact", "address ": "spaced"}).text("address") == "exact"
    assert Params({"address ": "spaced", "address": "exact"}).text("address") == "exact"


@given(st.text(max_size=60))
def test_any_text_is_a_date_or_an_invalid_naming_the_field(text: str) -> None:
    outcome: object
    try:
        outcome = parse_date(text, "d")
    except Invalid as error:
        outcome = error.field
    assert outcome is None or isinstance(outcome, date) or outcome == "d"


# --- Rendering ------------------------------------------------------------------------------


def test_rails_time_has_milliseconds_and_the_zones_offset() -> None:
    moment = datetime(2026, 5, 1, 13, 0, 0, 123456, tzinfo=UTC)
    new_york = moment.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    assert rails_time(new_york) == "2026-05-01T09:00:00.123-04:00"
    assert rails_time(moment) == "2026-05-01T13:00:00.123Z"
    assert rails_time(moment.astimezone(zoneinfo.ZoneInfo("Etc/UTC"))).endswith("Z")
    london = moment.astimezone(zoneinfo.ZoneInfo("Europe/London"))
    assert rails_time(london) == "2026-05-01T14:00:00.123+01:00"
    assert rails_time(new_york, fraction=False) == "2026-05-01T09:00:00-04:00"


def test_json_renders_dates_and_times_as_rails_does() -> None:
    moment = datetime(2026, 5, 1, 13, 0, tzinfo=UTC)
    assert json_bytes({"d": date(2015, 7, 31), "t": moment, "n": None}) == (
        b'{"d":"2015-07-31","t":"2026-05-01T13:00:00.000Z","n":null}'
    )


def test_time_zones_render_as_rails_names() -> None:
    assert rails_zone_name("America/New_York") == "Eastern Time (US & Canada)"
    assert rails_zone_name("Europe/London") == "London"
    assert rails_zone_name("Etc/UTC") == rails_zone_name("UTC") == "UTC"
    assert rails_zone_name("Europe/Kyiv") == "Kyiv"
    assert rails_zone_name("America/Toronto") == "America/Toronto"  # no Rails name: as is
    assert iana_zone("Eastern Time (US & Canada)") == "America/New_York"
    assert iana_zone("eastern time (us & canada)") == "America/New_York"
    assert iana_zone("Europe/Paris") == "Europe/Paris"
    available = zoneinfo.available_timezones()
    assert all(iana in available for iana in RAILS_ZONES.values())
    for name, iana in RAILS_ZONES.items():
        assert RAILS_ZONES[rails_zone_name(iana)] == iana, name


def _parse(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314  (our own output)


def test_xml_marks_types_nils_and_arrays_with_dashed_names() -> None:
    data = {
        "user_id": 1,
        "admin": False,
        "created_at": datetime(2026, 5, 1, 13, 0, tzinfo=UTC),
        "access_start_date": date(2015, 7, 31),
        "address": None,
        "tags": ["onboarding", "required"],
        "categories": [],
        "moved": {"course_enrollments": 2},
        "credits": 1.5,
    }
    root = _parse(xml_bytes(data))
    assert root.tag == "hash"
    assert [(child.tag, child.get("type")) for child in root] == [
        ("user-id", "integer"),
        ("admin", "boolean"),
        ("created-at", "dateTime"),
        ("access-start-date", "date"),
        ("address", None),
        ("tags", "array"),
        ("categories", "array"),
        ("moved", None),
        ("credits", "float"),
    ]
    assert root.find("address").get("nil") == "true"  # type: ignore[union-attr]
    assert [t.tag for t in root.find("tags")] == ["tag", "tag"]  # type: ignore[union-attr]
    assert root.findtext("created-at") == "2026-05-01T13:00:00Z"
    assert root.findtext("moved/course-enrollments") == "2"
    assert _parse(xml_bytes([1, 2], "ids")).tag == "ids"


@given(st.text())
def test_any_text_makes_well_formed_xml(text: str) -> None:
    data: dict[str, Any] = {"name": text, "list": [text]}
    root = _parse(xml_bytes(data, "user"))
    parsed = root.findtext("name") or ""
    if all(
        c in "\t\n\r" or ("\x20" <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd") or c > "\uffff"
        for c in text
    ):
        assert parsed == text  # every character XML can carry survives, \r included
    streamed = b"".join(xml_chunks([[{"name": text}]], "users"))
    assert _parse(streamed)[0].findtext("name") == parsed


def test_a_blank_value_is_absent_whatever_the_type_but_null_and_empty_lists_are_values() -> None:
    p = Params({"id": " ", "flag": "", "on": "", "ids[]": [""], "tags": [], "title": None})
    for name in ("id", "flag", "on", "ids"):
        assert name not in p
    assert p.id("id") is UNSET
    assert p.boolean("flag") is UNSET
    assert p.date("on") is UNSET
    assert p.ids("ids") is UNSET
    assert p.strings("tags") == []
    assert p.text("title") is None
