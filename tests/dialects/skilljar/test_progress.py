"""Course progress through /v1: what the SkyPrep door records shows here, a completion marked
here shows there, with its events; ETags, bad input and other programs' ids."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from syllabus.services.course_items import CourseItemData, add_course_item
from syllabus.services.learning_paths import (
    LearningPathData,
    add_courses_to_learning_path,
    add_users_to_learning_path,
    create_learning_path,
)
from tests.dialects.skilljar.conftest import arrange, codec
from tests.dialects.skyprep.test_users import api, events, ok
from tests.http_client import Program
from tests.statements import statements_during

NOT_FOUND = b'{"detail":"Not found."}'


def _setup(client: TestClient, program: Program, auth: dict[str, str]) -> dict[str, Any]:
    """A course of a required and an optional lesson, published, and an enrolled user."""
    domain = program.acct_key
    course_id = client.post("/v1/courses", json={"title": "Safety"}, headers=auth).json()["id"]
    internal_course = codec(client).decode("course", course_id) or 0
    with arrange(client, program) as (session, ctx):
        items = [
            add_course_item(
                session,
                ctx,
                course_id=internal_course,
                data=CourseItemData(item_type="Article", name=name, mandatory=mandatory),
            ).id
            for name, mandatory in (("Required", True), ("Optional", False))
        ]
    pc = client.post(
        f"/v1/domains/{domain}/published-courses", json={"course": {"id": course_id}}, headers=auth
    ).json()
    user = client.post(
        f"/v1/domains/{domain}/users",
        json={"user": {"email": "lee@example.com", "first_name": "Lee"}},
        headers=auth,
    ).json()["user"]
    enrollments = f"/v1/domains/{domain}/published-courses/{pc['id']}/enrollments"
    enrolled = client.post(enrollments, json={"user": {"id": user["id"]}}, headers=auth)
    assert enrolled.status_code == 201, enrolled.text
    return {
        "user": user["id"],
        "user_internal": codec(client).decode("user", user["id"]),
        "course_internal": internal_course,
        "pc": pc["id"],
        "items": items,
        "enrollments": enrollments,
        "url": f"/v1/users/{user['id']}/published-courses/{pc['id']}",
    }


def test_skyprep_progress_shows_in_v1(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    s = _setup(client, program, auth)
    listed = client.get(f"/v1/users/{s['user']}/published-courses", headers=auth).json()
    progress = listed[0]["course_progress"]
    assert progress["completed_lesson_count"] == 0
    assert progress["completed_at"] is None
    assert progress["course_progress_id"] is not None
    assert listed[0]["all_enrollments"][0]["course_progress_id"] == progress["course_progress_id"]
    assert listed[0]["course"]["lesson_count"] == 2

    for item in s["items"]:
        ok(
            api(
                client,
                program,
                "set_course_item_progress",
                user_id=str(s["user_internal"]),
                course_item_id=str(item),
                set_status="passed",
            )
        )
    one = client.get(s["url"], headers=auth)
    assert one.status_code == 200
    progress = one.json()["course_progress"]
    assert progress["completed_lesson_count"] == 2
    assert progress["completed_required_lesson_count"] == 1

    progress_id = codec(client).decode("course_progress", progress["course_progress_id"])
    ok(
        api(
            client,
            program,
            "update_course_progress",
            course_progress_id=progress_id,
            set_status="passed",
            completion_date="2026-05-07T15:30:00Z",
        )
    )
    progress = client.get(s["url"], headers=auth).json()["course_progress"]
    assert progress["completed_at"] == "2026-05-07T15:30:00Z"
    assert progress["success_status"] == "PASSED"
    assert client.get(f"/v1/users/{s['user']}", headers=auth).json()["completion_count"] == 1
    users = client.get("/v1/users", headers=auth).json()["results"]
    assert [u["completion_count"] for u in users if u["id"] == s["user"]] == [1]
    guide = client.get(f"/v1/users/{s['user']}/enrollments", headers=auth).json()["results"]
    assert guide[0]["status"] == "completed"
    assert guide[0]["progress"] == 100
    by_domain = client.get(s["enrollments"], headers=auth).json()["results"]
    assert by_domain[0]["status"] == "completed"
    assert by_domain[0]["completed_at"] == "2026-05-07T15:30:00Z"


def test_v1_completion_shows_in_skyprep_with_events(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    s = _setup(client, program, auth)
    before = client.get(s["url"], headers=auth)
    marked = client.patch(
        s["url"],
        json={"course_progress": {"completed_at": "2026-05-07T19:30:00Z"}},
        headers={**auth, "If-Match": before.headers["etag"]},
    )
    assert marked.status_code == 200, marked.text
    assert marked.json()["course_progress"]["completed_at"] == "2026-05-07T19:30:00Z"
    assert marked.headers["etag"] != before.headers["etag"]
    progress_id = codec(client).decode(
        "course_progress", marked.json()["course_progress"]["course_progress_id"]
    )
    there = ok(api(client, program, "get_course_progress", course_progress_id=progress_id))
    assert there["status"] == "passed"
    completed = datetime.fromisoformat(there["completion_date"])
    assert completed == datetime(2026, 5, 7, 19, 30, tzinfo=UTC)
    done = events(client, program, "course.completed")
    assert [(e.data["course_progress_id"], e.data["user_id"]) for e in done] == [
        (progress_id, s["user_internal"])
    ]
    assert events(client, program, "course_progress.updated")

    # A stale validator is refused; marking again keeps one completion event.
    stale = client.put(
        s["url"],
        json={"course_progress": {"completed_at": None}},
        headers={**auth, "If-Match": before.headers["etag"]},
    )
    assert stale.status_code == 412
    cleared = client.put(s["url"], json={"course_progress": {"completed_at": None}}, headers=auth)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["course_progress"]["completed_at"] is None
    there = ok(api(client, program, "get_course_progress", course_progress_id=progress_id))
    assert there["status"] == "in-progress"
    assert client.get(f"/v1/users/{s['user']}", headers=auth).json()["completion_count"] == 0

    scored = client.patch(
        s["url"], json={"course_progress": {"score": 8, "max_score": 10}}, headers=auth
    )
    assert scored.status_code == 200, scored.text
    assert scored.json()["course_progress"]["score"] == 80
    assert scored.json()["course_progress"]["max_score"] == 100
    assert scored.json()["course_progress"]["completed_at"] is None
    assert client.get(s["url"], headers=auth).json()["course_progress"]["score"] == 80
    form = client.patch(s["url"], data={"course_progress.score": "70"}, headers=auth)
    assert form.status_code == 200, form.text
    assert form.json()["course_progress"]["score"] == 70
    assert len(events(client, program, "course.completed")) == 1


def test_bad_input_and_other_programs(
    client: TestClient, program: Program, other_program: Program, auth: dict[str, str]
) -> None:
    s = _setup(client, program, auth)
    cases: list[tuple[Any, dict[str, Any]]] = [
        ({}, {"course_progress": ["This field is required."]}),
        ({"course_progress": {"completed_at": "yesterday"}}, {"course_progress": ["completed_at"]}),
        ({"course_progress": {"score": -1}}, {"course_progress": ["score"]}),
        ({"course_progress": {"score": 11, "max_score": 10}}, {"course_progress": ["score"]}),
        ({"course_progress": {"max_score": 10}}, {"course_progress": ["max_score"]}),
        ({"course_progress": {"score": 0, "max_score": 0}}, {"course_progress": ["max_score"]}),
        ({"course_progress": "done"}, {"course_progress": None}),
        ({"published_course_id": "nope", "course_progress": {}}, {"published_course_id": None}),
    ]
    for body, expected in cases:
        response = client.put(s["url"], json=body, headers=auth)
        assert response.status_code == 400, (body, response.text)
        errors = response.json()
        assert set(errors) == set(expected), (body, errors)
        for key, nested in expected.items():
            if isinstance(nested, list) and nested and nested[0] == "This field is required.":
                assert errors[key] == nested
            elif nested is not None:
                assert set(errors[key]) == set(nested), (body, errors)
    not_json = client.patch(s["url"], content=b"[1]", headers=auth)
    assert not_json.status_code == 400
    other = _setup(client, other_program, {"Authorization": f"Token {other_program.api_key}"})
    unknown_urls = [
        f"/v1/users/{other['user']}/published-courses/{s['pc']}",
        f"/v1/users/{s['user']}/published-courses/{other['pc']}",
        other["url"],
        f"/v1/users/{s['user']}/published-courses/zzz",
    ]
    for url in unknown_urls:
        for method in ("GET", "PUT", "PATCH"):
            kwargs: dict[str, Any] = {} if method == "GET" else {"json": {"course_progress": {}}}
            response = client.request(method, url, headers=auth, **kwargs)
            assert response.status_code == 404, (method, url)
            assert response.content == NOT_FOUND
    progress = client.get(s["url"], headers=auth).json()["course_progress"]
    assert progress["completed_at"] is None
    assert events(client, program, "course.completed") == []


def _statements(client: TestClient, url: str, auth: dict[str, str]) -> int:
    engine: Engine = client.app.state.session_factory.kw["bind"]  # type: ignore[attr-defined]

    def read() -> None:
        assert client.get(url, headers=auth).status_code == 200

    return len(statements_during(engine, read))


def test_progress_reads_do_not_grow_with_the_page(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    s = _setup(client, program, auth)
    domain = program.acct_key
    lists = [
        f"/v1/users/{s['user']}/published-courses",
        f"/v1/users/{s['user']}/enrollments",
        s["enrollments"],
        "/v1/users",
    ]
    _statements(client, lists[0], auth)  # warm caches
    small = [_statements(client, url, auth) for url in lists]
    for n in range(3):
        course = client.post("/v1/courses", json={"title": f"C{n}"}, headers=auth).json()["id"]
        pc = client.post(
            f"/v1/domains/{domain}/published-courses", json={"course": {"id": course}}, headers=auth
        ).json()["id"]
        enrollments = f"/v1/domains/{domain}/published-courses/{pc}/enrollments"
        client.post(enrollments, json={"user": {"id": s["user"]}}, headers=auth)
        learner = client.post(
            f"/v1/domains/{domain}/users",
            json={"user": {"email": f"l{n}@example.com"}},
            headers=auth,
        ).json()["user"]["id"]
        client.post(s["enrollments"], json={"user": {"id": learner}}, headers=auth)
        url = f"/v1/users/{learner}/published-courses/{s['pc']}"
        marked = client.patch(url, json={"course_progress": {"completed_at": None}}, headers=auth)
        assert marked.status_code == 200
    assert len(client.get(lists[0], headers=auth).json()) == 4
    assert client.get(s["enrollments"], headers=auth).json()["count"] == 4
    assert [_statements(client, url, auth) for url in lists] == small


def test_path_progress_counts_passed_courses(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    s = _setup(client, program, auth)
    domain = program.acct_key
    second = client.post("/v1/courses", json={"title": "Second"}, headers=auth).json()["id"]
    pc2 = client.post(
        f"/v1/domains/{domain}/published-courses", json={"course": {"id": second}}, headers=auth
    ).json()["id"]
    enrollments = f"/v1/domains/{domain}/published-courses/{pc2}/enrollments"
    assert client.post(enrollments, json={"user": {"id": s["user"]}}, headers=auth).is_success
    with arrange(client, program) as (session, ctx):
        path = create_learning_path(session, ctx, data=LearningPathData(name="Track"))
        course_ids = [s["course_internal"], codec(client).decode("course", second) or 0]
        add_courses_to_learning_path(session, ctx, path_id=path.id, course_ids=course_ids)
        add_users_to_learning_path(session, ctx, path_id=path.id, user_ids=[s["user_internal"]])
    mine = f"/v1/users/{s['user']}/published-path-enrollments"

    def progress() -> dict[str, Any]:
        listed = client.get(mine, headers=auth).json()
        assert listed[0]["published_path"]["course_count"] == 2
        result: dict[str, Any] = listed[0]["published_path_progress"]
        return result

    assert progress()["completed_course_count"] == 0
    first = {"course_progress": {"completed_at": "2026-05-01T10:00:00Z"}}
    assert client.patch(s["url"], json=first, headers=auth).status_code == 200
    assert progress()["completed_course_count"] == 1
    assert progress()["completed_at"] is None
    last = {"course_progress": {"completed_at": "2026-05-03T10:00:00Z"}}
    url2 = f"/v1/users/{s['user']}/published-courses/{pc2}"
    assert client.put(url2, json=last, headers=auth).status_code == 200
    assert progress()["completed_course_count"] == 2
    assert progress()["completed_required_course_count"] == 2
    assert progress()["completed_at"] == "2026-05-03T10:00:00Z"


def test_openapi_declares_the_progress_routes(client: TestClient) -> None:
    document = client.get("/v1/openapi.json").json()
    operations = document["paths"]["/users/{user_id}/published-courses/{published_course_id}"]
    assert {op["operationId"] for op in operations.values()} == {
        "users_published_courses_retrieve",
        "users_published_courses_update",
        "users_published_courses_partial_update",
    }
    schemas = document["components"]["schemas"]
    assert "completed_at" in schemas["CourseProgressWrite"]["properties"]
    assert schemas["ProgressWrite"]["required"] == ["course_progress"]
