"""The SkyPrep catalog actions over HTTP, on both databases:
add_course_or_learning_path_to_catalog, remove_course_or_learning_path_from_catalog,
update_catalog_enrollments."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from syllabus.db.session import unit_of_work
from syllabus.domain.catalog import CatalogEntry, CatalogEntryGroup
from tests.dialects.skyprep.group_samples import SUCCESS
from tests.dialects.skyprep.test_users import (
    NEW_YORK,
    api,
    events,
    fails,
    make_zoned_program,
    ok,
    parse_xml,
)
from tests.http_client import Program, make_program


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_zoned_program(client, "example.skyprepapp.com", NEW_YORK.key)


@pytest.fixture
def other(client: TestClient) -> Program:
    return make_program(client, "other.skyprepapp.com")


def new_id(client: TestClient, program: Program, action: str, name: str) -> int:
    found: int = ok(api(client, program, action, name=name))["id"]
    return found


def catalog(client: TestClient, program: Program) -> dict[tuple[str, int], list[int]]:
    """The program's catalog: (kind, id) -> the groups it is restricted to."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        out: dict[tuple[str, int], list[int]] = {}
        for entry in session.scalars(
            select(CatalogEntry).where(CatalogEntry.tenant_id == program.tenant_id)
        ):
            key = (
                ("course", entry.course_id) if entry.course_id else ("path", entry.learning_path_id)
            )
            out[key] = sorted(  # type: ignore[index]
                session.scalars(
                    select(CatalogEntryGroup.group_id).where(CatalogEntryGroup.entry_id == entry.id)
                )
            )
        return out


@pytest.fixture
def items(client: TestClient, program: Program) -> dict[str, int]:
    return {
        "c1": new_id(client, program, "create_course", "Safety"),
        "c2": new_id(client, program, "create_course", "Sales"),
        "p1": new_id(client, program, "create_learning_path", "Onboarding"),
        "p2": new_id(client, program, "create_learning_path", "Leadership"),
        "g1": new_id(client, program, "create_user_group", "Sales Team"),
        "g2": new_id(client, program, "create_user_group", "Support Team"),
    }


def test_add_with_the_samples_parameters(
    client: TestClient, program: Program, items: dict[str, int]
) -> None:
    i = items
    answer = ok(
        api(
            client,
            program,
            "add_course_or_learning_path_to_catalog",
            course_ids=f"{i['c1']}, {i['c2']}",
            learning_path_ids=f"{i['p1']}, {i['p2']}",
            user_group_ids=f"{i['g1']}, {i['g2']}",
        )
    )
    assert answer == SUCCESS
    groups = sorted([i["g1"], i["g2"]])
    assert catalog(client, program) == {
        ("course", i["c1"]): groups,
        ("course", i["c2"]): groups,
        ("path", i["p1"]): groups,
        ("path", i["p2"]): groups,
    }
    added = events(client, program, "catalog.item_added")
    assert added[0].data == {"course_id": i["c1"], "group_ids": groups}
    assert len(added) == 4
    # Repeated without groups, as a GET: the entry keeps its groups, nothing is duplicated.
    add = "add_course_or_learning_path_to_catalog"
    assert ok(api(client, program, add, "GET", course_ids=str(i["c1"]))) == SUCCESS
    assert catalog(client, program)[("course", i["c1"])] == groups
    assert len(events(client, program, "catalog.item_added")) == 4
    fails(api(client, program, "add_course_or_learning_path_to_catalog"), 400, "course_ids")


def test_add_is_all_or_nothing_and_foreign_ids_are_404(
    client: TestClient, program: Program, other: Program, items: dict[str, int]
) -> None:
    theirs = new_id(client, other, "create_user_group", "Theirs")
    their_course = new_id(client, other, "create_course", "Theirs")
    add = "add_course_or_learning_path_to_catalog"
    fails(
        api(client, program, add, course_ids=str(items["c1"]), user_group_ids=str(theirs)),
        404,
        "user_group_ids",
    )
    fails(api(client, program, add, course_ids=f"{items['c1']},{their_course}"), 404, "course_ids")
    fails(api(client, program, add, learning_path_ids="999999"), 404, "learning_path_ids")
    assert catalog(client, program) == {}
    fails(api(client, program, add, course_ids="abc"), 400, "course_ids")
    fails(api(client, program, add, course_ids="1", user_group_ids="x"), 400, "user_group_ids")
    fails(api(client, program, add, course_id="nope"), 400, "course_id")


def test_add_answers_xml(client: TestClient, program: Program, items: dict[str, int]) -> None:
    response = api(
        client,
        program,
        "add_course_or_learning_path_to_catalog",
        course_ids=str(items["c1"]),
        format="xml",
    )
    assert response.status_code == 200, response.text
    root = parse_xml(response.content)
    assert root.findtext(".//message") == "success"


def test_remove_with_the_samples_parameters(
    client: TestClient, program: Program, other: Program, items: dict[str, int]
) -> None:
    i = items
    ok(
        api(
            client,
            program,
            "add_course_or_learning_path_to_catalog",
            course_ids=[i["c1"], i["c2"]],
            learning_path_ids=[i["p1"]],
            user_group_ids=[i["g1"]],
        )
    )
    remove = "remove_course_or_learning_path_from_catalog"
    answer = ok(api(client, program, remove, course_id=str(i["c2"]), learning_path_id=str(i["p1"])))
    assert answer == SUCCESS
    assert catalog(client, program) == {("course", i["c1"]): [i["g1"]]}
    removed = [e.data for e in events(client, program, "catalog.item_removed")]
    assert removed == [
        {"course_id": i["c2"], "group_ids": [i["g1"]]},
        {"learning_path_id": i["p1"], "group_ids": [i["g1"]]},
    ]
    # Only one of the two, as a form; removing what is not listed is fine.
    response = client.post(
        f"/admin/api/{remove}",
        data={"api_key": program.api_key, "acct_key": program.acct_key, "course_id": i["c1"]},
    )
    assert ok(response) == SUCCESS
    assert ok(api(client, program, remove, course_id=i["c1"])) == SUCCESS
    assert catalog(client, program) == {}
    their_path = new_id(client, other, "create_learning_path", "Theirs")
    fails(api(client, program, remove, learning_path_id=their_path), 404, "learning_path_id")
    fails(api(client, program, remove), 400, "course_ids")
    fails(api(client, program, remove, course_id="1.5x"), 400, "course_id")


def test_update_catalog_enrollments_with_the_samples_parameters(
    client: TestClient, program: Program, other: Program, items: dict[str, int]
) -> None:
    i = items
    ok(
        api(
            client,
            program,
            "add_course_or_learning_path_to_catalog",
            course_ids=[i["c1"], i["c2"]],
            learning_path_ids=[i["p1"], i["p2"]],
            user_group_ids=[i["g1"]],
        )
    )
    update = "update_catalog_enrollments"
    answer = ok(
        api(
            client,
            program,
            update,
            course_id=f"{i['c1']}, {i['c2']}",
            learning_path_id=f"{i['p1']}, {i['p2']}",
            user_group_ids=f"{i['g2']}",
        )
    )
    assert answer == SUCCESS
    assert list(catalog(client, program).values()) == [[i["g2"]]] * 4
    changed = [e.data for e in events(client, program, "catalog.groups_changed")]
    assert len(changed) == 4
    assert changed[0] == {
        "course_id": i["c1"],
        "added_group_ids": [i["g2"]],
        "removed_group_ids": [i["g1"]],
        "group_ids": [i["g2"]],
    }
    # Blank is absent, and the groups are required; an empty list: visible to everyone.
    fails(api(client, program, update, course_id=i["c1"], user_group_ids=""), 400, "user_group_ids")
    assert catalog(client, program)[("course", i["c1"])] == [i["g2"]]
    ok(api(client, program, update, course_id=i["c1"], user_group_ids=[]))
    assert catalog(client, program)[("course", i["c1"])] == []

    theirs = new_id(client, other, "create_user_group", "Theirs")
    fails(
        api(client, program, update, course_id=i["c1"], user_group_ids=theirs),
        404,
        "user_group_ids",
    )
    fails(api(client, program, update, course_id=i["c1"]), 400, "user_group_ids")
    fails(api(client, program, update, course_id="x", user_group_ids=[]), 400, "course_id")
    ok(api(client, program, "remove_course_or_learning_path_from_catalog", course_id=i["c2"]))
    fails(api(client, program, update, course_id=i["c2"], user_group_ids=[]), 404, "course_id")
    assert catalog(client, program)[("course", i["c1"])] == []
