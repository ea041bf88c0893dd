"""The SkyPrep course actions over HTTP: get_courses, get_course, create_course, update_course,
destroy_course. Shapes are checked key by key against the spec's samples (course_samples.py)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from syllabus.core.context import Context, Surface
from syllabus.db.session import unit_of_work
from syllabus.dialects.skyprep import courses as skyprep_courses
from syllabus.services.course_items import CourseItemData, add_course_item
from tests.dialects.skyprep.course_samples import ARTICLE_ITEM, COURSE, EXAM_ITEM, SUCCESS
from tests.dialects.skyprep.test_users import (
    NEW_YORK,
    TIMESTAMP,
    api,
    events,
    fails,
    make_zoned_program,
    ok,
    parse_xml,
)
from tests.http_client import Program, make_program

T = TypeVar("T")
COURSE_MAY_BE_NULL = {
    # Keys the spec shows with a value that a course may not have.
    "credits",
    "contact_email",
    "category",
    "course_code",
    "estimated_course_length_in_minutes",
}
ITEM_MAY_BE_NULL = {"article_id"}
"""An Exam item has no article of its own: its article_id is null (the sample repeats 311)."""
FULL_COURSE = {
    "description": "Overview of company policies and onboarding tasks.",
    "certificate": "true",
    "credits": "1.0",
    "contact_email": "training@example.com",
    "category": "Onboarding",
    "course_code": "ONB-101",
    "estimated_course_length_in_minutes": "60",
    "tags": "onboarding, required",
}


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_zoned_program(client, "example.skyprepapp.com", NEW_YORK.key)


@pytest.fixture
def other(client: TestClient) -> Program:
    return make_program(client, "other.skyprepapp.com")


def arrange(client: TestClient, program: Program, fn: Callable[[Session, Context], T]) -> T:
    """Run ``fn`` through the services in a committed unit of work of the program."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=program.tenant_id) as session:
        return fn(session, Context(program.tenant_id, "test", Surface.CLI))


def new_course(client: TestClient, program: Program, name: str, **params: Any) -> dict[str, Any]:
    course: dict[str, Any] = ok(api(client, program, "create_course", name=name, **params))
    return course


def add_items(client: TestClient, program: Program, course_id: int) -> None:
    """An Article (content 311) and an Exam (content 312), as get_course's sample shows."""

    def items(session: Session, ctx: Context) -> None:
        for name, item_type, content_id in (
            ("Welcome Guide", "Article", 311),
            ("Orientation Quiz", "Exam", 312),
        ):
            data = CourseItemData(item_type=item_type, name=name, content_id=content_id)
            add_course_item(session, ctx, course_id=course_id, data=data)

    arrange(client, program, items)


def _same_type(key: str, value: Any, sample: Any, may_be_null: set[str]) -> None:
    if sample is None:  # the spec shows null: any scalar (or null) will do
        assert value is None or type(value) in (str, int), key
    elif value is None:
        assert key in may_be_null, key
    else:
        assert type(value) is type(sample), (key, value)


def epoch_of(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def assert_item_shape(item: dict[str, Any]) -> None:
    sample = EXAM_ITEM if item["item_type"] == "Exam" else ARTICLE_ITEM
    assert list(item) == list(sample)
    for key, value in sample.items():
        _same_type(key, item[key], value, ITEM_MAY_BE_NULL)
    assert item["course_item_id"] == item["id"]
    for key in ("created_at", "updated_at"):
        assert TIMESTAMP.match(item[key]), item[key]
        assert item[f"{key}_int"] == epoch_of(item[key])


def assert_course_shape(
    course: dict[str, Any], *, may_be_null: set[str] = COURSE_MAY_BE_NULL
) -> None:
    """The spec sample's keys, in its order, each with the sample's JSON type."""
    assert list(course) == list(COURSE)
    for key, sample in COURSE.items():
        if key != "course_items":
            _same_type(key, course[key], sample, may_be_null)
    assert course["course_id"] == course["id"]
    assert all(type(tag) is str for tag in course["tags"])
    for key in ("created_at", "updated_at"):
        assert TIMESTAMP.match(course[key]), (key, course[key])
        assert course[key].endswith(("-04:00", "-05:00")), course[key]  # New York
    for item in course["course_items"]:
        assert_item_shape(item)


# --- get_course -----------------------------------------------------------------------------


def test_get_course_answers_the_samples_shape_with_items_by_type(
    client: TestClient, program: Program
) -> None:
    created = new_course(client, program, "New Hire Orientation", **FULL_COURSE)
    add_items(client, program, created["id"])
    for course_id in (
        created["id"],
        str(created["id"]),
        f" {created['id']} ",
        float(created["id"]),
    ):
        course = ok(api(client, program, "get_course", course_id=course_id))
        assert course["id"] == created["id"], course_id
    assert_course_shape(course, may_be_null=set())
    article, exam = course["course_items"]
    assert (article["item_type"], article["article_id"], article["position"]) == ("Article", 311, 1)
    assert (exam["item_type"], exam["exam_id"], exam["article_id"], exam["position"]) == (
        "Exam",
        312,
        None,
        2,
    )
    assert (article["name"], exam["name"]) == ("Welcome Guide", "Orientation Quiz")
    assert course["tags"] == ["onboarding", "required"]
    assert (course["credits"], course["estimated_course_length_in_minutes"]) == ("1.0", 60)
    assert course["certificate"] is True


def test_get_course_needs_a_valid_course_id(client: TestClient, program: Program) -> None:
    fails(api(client, program, "get_course"), 400, "course_id")
    fails(api(client, program, "get_course", course_id="abc"), 400, "course_id")
    fails(api(client, program, "get_course", course_id=0), 400, "course_id")
    fails(api(client, program, "get_course", course_id=[1, 2]), 400, "course_id")


def test_unknown_and_other_programs_courses_are_404(
    client: TestClient, program: Program, other: Program
) -> None:
    theirs = new_course(client, other, "Theirs")
    for action in ("get_course", "update_course", "destroy_course"):
        fails(api(client, program, action, course_id=theirs["id"]), 404, "course_id")
        fails(api(client, program, action, course_id=10**12), 404, "course_id")
        fails(api(client, program, action, course_id="9" * 25), 404, "course_id")
    assert ok(api(client, other, "get_course", course_id=theirs["id"]))["name"] == "Theirs"


# --- get_courses ----------------------------------------------------------------------------


def test_get_courses_answers_every_course_in_id_order(
    client: TestClient, program: Program, other: Program
) -> None:
    response = api(client, program, "get_courses")
    assert response.content == b"[]"
    first = new_course(client, program, "New Hire Orientation", **FULL_COURSE)
    second = new_course(client, program, "Workplace Safety Basics")
    new_course(client, other, "Elsewhere")
    add_items(client, program, first["id"])
    courses = ok(api(client, program, "get_courses"))
    assert [c["id"] for c in courses] == [first["id"], second["id"]]
    assert_course_shape(courses[0], may_be_null=set())
    assert_course_shape(courses[1])
    assert courses[0] == ok(api(client, program, "get_course", course_id=first["id"]))
    assert courses[1]["course_items"] == []
    assert courses[1]["tags"] == []


def test_get_courses_streams_across_pages(
    client: TestClient, program: Program, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(skyprep_courses, "STREAM_PAGE", 2)
    ids = [new_course(client, program, f"Course {i}", tags=[f"t{i}"])["id"] for i in range(5)]
    courses = ok(api(client, program, "get_courses", "GET"))
    assert [c["id"] for c in courses] == ids
    assert [c["tags"] for c in courses] == [[f"t{i}"] for i in range(5)]
    root = parse_xml(api(client, program, "get_courses", format="xml").content)
    assert (root.tag, root.get("type")) == ("courses", "array")
    assert [int(c.findtext("id") or 0) for c in root] == ids
    assert [c.find("tags").get("type") for c in root] == ["array"] * 5  # type: ignore[union-attr]


# --- create_course --------------------------------------------------------------------------


def test_create_course_with_the_specs_sample_parameters(
    client: TestClient, program: Program
) -> None:
    course = ok(api(client, program, "create_course", name="Pratice to Perfect", active="true"))
    assert_course_shape(course)
    assert (course["name"], course["active"], course["course_items"]) == (
        "Pratice to Perfect",
        True,
        [],
    )
    assert (course["type_of_training"], course["picture_url"], course["credits"]) == (
        "Online",
        "",
        None,
    )
    assert [e.data["course_id"] for e in events(client, program, "course.created")] == [
        course["id"]
    ]
    # Published on the program's first domain, where SkyPrep enrollments live.
    assert len(events(client, program, "course.published")) == 1
    assert ok(api(client, program, "get_course", course_id=course["id"])) == course


def test_create_course_reads_loose_inputs(client: TestClient, program: Program) -> None:
    course = new_course(
        client,
        program,
        "Loose",
        active="0",
        certificate=1,
        credits=2.5,
        start_date="July 31, 2015",
        end_date="2015-08-31",
        validity_length="0",
        tags=["a", " b ", "a"],
        ca_3="custom",
    )
    assert (course["active"], course["certificate"], course["credits"]) == (False, True, "2.5")
    assert (course["start_date"], course["end_date"]) == ("2015-07-31", "2015-08-31")
    midnight = datetime(2015, 7, 31, tzinfo=zoneinfo.ZoneInfo(NEW_YORK.key))
    assert course["start_date_int"] == int(midnight.timestamp())
    assert course["accessible_after_date_int"] == 0
    assert (course["validity_length"], course["tags"], course["ca_3"]) == (0, ["a", "b"], "custom")
    form = client.post(
        "/admin/api/create_course",
        data={"api_key": program.api_key, "acct_key": program.acct_key, "name": "Form"},
    )
    assert ok(form)["name"] == "Form"
    query = client.post(
        "/admin/api/create_course/",
        params={"api_key": program.api_key, "acct_key": program.acct_key, "name": "Query"},
    )
    assert ok(query)["name"] == "Query"


def test_bad_create_course_input_is_400_naming_the_field(
    client: TestClient, program: Program
) -> None:
    fails(api(client, program, "create_course"), 400, "name")
    fails(api(client, program, "create_course", name="  "), 400, "name")
    fails(api(client, program, "create_course", name="X", active="maybe"), 400, "active")
    fails(
        api(client, program, "create_course", name="X", validity_length="-1"),
        400,
        "validity_length",
    )
    fails(api(client, program, "create_course", name="X", start_date="someday"), 400, "start_date")
    fails(api(client, program, "create_course", name="X", credits="lots"), 400, "credits")
    fails(
        api(client, program, "create_course", name="X", contact_email="nope"), 400, "contact_email"
    )
    fails(
        api(
            client,
            program,
            "create_course",
            name="X",
            start_date="2020-02-01",
            end_date="2020-01-01",
        ),
        400,
        "end_date",
    )
    assert ok(api(client, program, "get_courses")) == []


# --- update_course --------------------------------------------------------------------------


def test_update_course_with_the_specs_sample_parameters(
    client: TestClient, program: Program
) -> None:
    created = new_course(client, program, "Draft", active="false", **FULL_COURSE)
    add_items(client, program, created["id"])
    course = ok(
        api(
            client,
            program,
            "update_course",
            course_id=str(created["id"]),
            name="How to Catch A Serial Killer",
            active="true",
        )
    )
    assert_course_shape(course, may_be_null=set())
    assert (course["name"], course["active"]) == ("How to Catch A Serial Killer", True)
    assert course["tags"] == created["tags"]
    assert course["category"] == "Onboarding"
    assert len(course["course_items"]) == 2
    assert ok(api(client, program, "get_course", course_id=created["id"])) == course
    [updated] = events(client, program, "course.updated")
    assert sorted(updated.data["changed"]) == ["active", "name"]


def test_update_course_clears_and_replaces(client: TestClient, program: Program) -> None:
    created = new_course(client, program, "C", **FULL_COURSE)
    course = ok(
        api(client, program, "update_course", course_id=created["id"], category=None, tags="x,y")
    )
    assert (course["category"], course["tags"]) == (None, ["x", "y"])
    course = ok(api(client, program, "update_course", course_id=created["id"], tags=[]))
    assert course["tags"] == []
    unchanged = ok(api(client, program, "update_course", course_id=created["id"]))
    assert unchanged == course
    fails(api(client, program, "update_course", name="X"), 400, "course_id")
    fails(api(client, program, "update_course", course_id=created["id"], name=None), 400, "name")


# --- destroy_course -------------------------------------------------------------------------


def test_destroy_course_deletes_it(client: TestClient, program: Program) -> None:
    created = new_course(client, program, "Doomed")
    add_items(client, program, created["id"])
    assert ok(api(client, program, "destroy_course", course_id=str(created["id"]))) == SUCCESS
    fails(api(client, program, "get_course", course_id=created["id"]), 404, "course_id")
    fails(api(client, program, "destroy_course", course_id=created["id"]), 404, "course_id")
    assert [e.data["course_id"] for e in events(client, program, "course.deleted")] == [
        created["id"]
    ]


# --- XML ------------------------------------------------------------------------------------


def test_course_xml_is_the_same_data_rails_style(client: TestClient, program: Program) -> None:
    created = new_course(client, program, "Xml & Co", **FULL_COURSE)
    add_items(client, program, created["id"])
    response = api(client, program, "get_course", format="xml", course_id=created["id"])
    assert response.headers["content-type"].startswith("application/xml")
    root = parse_xml(response.content)
    assert root.tag == "course"
    assert root.findtext("name") == "Xml & Co"
    assert root.find("id").get("type") == "integer"  # type: ignore[union-attr]
    assert root.find("start-date").get("nil") == "true"  # type: ignore[union-attr]
    assert [t.text for t in root.find("tags")] == ["onboarding", "required"]  # type: ignore[union-attr]
    items = root.find("course-items")
    assert items is not None
    assert items.get("type") == "array"
    assert [i.findtext("item-type") for i in items] == ["Article", "Exam"]
    assert items[1].findtext("exam-id") == "312"
    bad = api(client, program, "get_course", format="xml")
    assert bad.status_code == 400
    assert parse_xml(bad.content).findtext("field") == "course_id"
