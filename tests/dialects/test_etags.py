"""ETags on every door: rendered from a version and parsed back from If-Match (no database)."""

from __future__ import annotations

import pytest

from syllabus.core.versions import Expected
from syllabus.dialects.etags import parse_if_match, render_etag


def test_a_rendered_tag_parses_back_to_its_version_weak_or_strong() -> None:
    for version in [(1,), (3, 0, 0), (12, 5, 7, 13, 2, 0), ()]:
        for weak in (False, True):
            assert parse_if_match(render_etag(version, weak=weak)) == Expected.of(version)


def test_absent_or_star_is_no_precondition() -> None:
    assert parse_if_match(None) is None
    assert parse_if_match("*") is None
    assert parse_if_match('"v1", *') is None


def test_a_list_names_each_of_its_versions() -> None:
    assert parse_if_match('"v1", W/"v2.0.0" ,"v3"') == Expected.of((1,), (2, 0, 0), (3,))


@pytest.mark.parametrize(
    "header", ["", '""', "v1", '"1"', '"vx"', '"v1..2"', 'W/"not-it"', '"v' + "9" * 30 + '"']
)
def test_anything_else_names_no_version_so_never_matches(header: str) -> None:
    assert parse_if_match(header) == Expected(frozenset())
