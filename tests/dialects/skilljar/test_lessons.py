"""A user's lessons in a published course through /v1: list (page numbers), one lesson,
PUT/PATCH rolling up to course completion with its certificate and credits, exactly as through
SkyPrep; ETags, bad input naming fields, other courses' and programs' ids."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from syllabus.services.course_items import CourseItemData, add_course_item
from syllabus.services.courses import CourseData, update_course
from tests.dialects.skilljar.conftest import arrange, codec
from tests.dialects.skilljar.test_progress import NOT_FOUND, _setup
from tests.dialects.skyprep.test_users import api, events, ok
from tests.http_client import Program


def _certified(client: TestClient, program: Program, s: dict[str, Any]) -> None:
    with arrange(client, program) as (session, ctx):
        changes = CourseData(certificate=True, credits="2.50", validity_length=365)
        update_course(session, ctx, course_id=s["course_internal"], changes=changes)


def _lessons(client: TestClient, s: dict[str, Any]) -> str:
    return s["url"] + "/lessons"


def test_list_and_retrieve_lessons_with_progress(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    s = _setup(client, program, auth)
    listed = client.get(_lessons(client, s), headers=auth)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["count"] == 2
    assert body["next"] is None
    assert body["previous"] is None
    ids = [codec(client).decode("lesson", r["lesson"]["id"]) for r in body["results"]]
    assert ids == s["items"]
    assert [r["lesson"]["title"] for r in body["results"]] == ["Required", "Optional"]
    empty = body["results"][0]["lesson_progress"]
    assert empty == {
        "view_count": 0,
        "last_viewed_on": None,
        "completed_at": None,
        "success_status": None,
        "score": None,
        "max_score": None,
        "custom_data": None,
        "lesson_progress_id": None,
    }
    paged = client.get(_lessons(client, s) + "?page_size=1", headers=auth).json()
    assert paged["count"] == 2
    assert len(paged["results"]) == 1
    assert paged["next"].startswith("http://testserver/v1/users/")
    second = client.get(paged["next"], headers=auth).json()
    assert second["next"] is None
    assert second["previous"] is not None
    assert second["results"][0]["lesson"]["id"] == body["results"][1]["lesson"]["id"]
    assert client.get(_lessons(client, s) + "?page=3", headers=auth).status_code == 404
    assert client.get(_lessons(client, s) + "?page=x", headers=auth).json() == {
        "page": ["A valid integer is required."]
    }

    # Progress recorded through SkyPrep shows here.
    ok(
        api(
            client,
            program,
            "set_course_item_progress",
            user_id=str(s["user_internal"]),
            course_item_id=str(s["items"][1]),
            set_status="passed",
        )
    )
    lesson_id = body["results"][1]["lesson"]["id"]
    one = client.get(f"{_lessons(client, s)}/{lesson_id}", headers=auth)
    assert one.status_code == 200, one.text
    assert one.headers["etag"]
    progress = one.json()["lesson_progress"]
    assert progress["success_status"] == "PASSED"
    assert progress["completed_at"] is not None
    assert progress["view_count"] == 1
    assert progress["lesson_progress_id"] is not None
    assert client.get(f"{_lessons(client, s)}/{lesson_id}/", headers=auth).status_code == 200


def test_lesson_writes_roll_up_to_completion_certificate_and_credits(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    s = _setup(client, program, auth)
    _certified(client, program, s)
    required = codec(client).encode("lesson", s["items"][0])
    url = f"{_lessons(client, s)}/{required}"
    before = client.get(url, headers=auth)
    written = client.put(
        url,
        json={"lesson_progress": {"custom_data": '{"slide": 4}', "score": 9, "max_score": 10}},
        headers={**auth, "If-Match": before.headers["etag"]},
    )
    assert written.status_code == 200, written.text
    progress = written.json()["lesson_progress"]
    assert progress["custom_data"] == '{"slide": 4}'
    assert progress["score"] == 90
    assert progress["max_score"] == 100
    # A score with no passing score set passes the lesson, as through SkyPrep: the required
    # lesson is the course's only one, so the course is complete.
    assert progress["success_status"] == "PASSED"
    assert written.headers["etag"] != before.headers["etag"]
    stale = client.patch(
        url,
        json={"lesson_progress": {"completed_at": None}},
        headers={**auth, "If-Match": before.headers["etag"]},
    )
    assert stale.status_code == 412

    course = client.get(s["url"], headers=auth).json()
    assert course["course_progress"]["completed_at"] is not None
    assert course["course_progress"]["credits_earned"] == "2.5"
    assert course["course_progress"]["credit_unit_plural"] == "credits"
    certificate = course["certificate"]
    assert set(certificate) == {"code", "validate_url", "issued_at", "expires_at"}
    assert certificate["validate_url"] == f"http://testserver/certificates/{certificate['code']}"
    assert certificate["expires_at"] is not None
    listed = client.get(f"/v1/users/{s['user']}/published-courses", headers=auth).json()
    assert listed[0]["certificate"] == certificate
    assert [e.type for e in events(client, program, "lesson.completed")] == ["lesson.completed"]
    assert len(events(client, program, "course.completed")) == 1
    [issued] = events(client, program, "certificate.issued")
    assert issued.data["user_id"] == s["user_internal"]
    page = client.get(certificate["validate_url"])
    assert page.status_code == 200
    assert "Safety" in page.text
    assert "Lee" in page.text

    # Clearing the lesson's completion withdraws the course's, and revokes the certificate.
    cleared = client.patch(url, json={"lesson_progress": {"completed_at": None}}, headers=auth)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["lesson_progress"]["completed_at"] is None
    assert cleared.json()["lesson_progress"]["success_status"] is None
    course = client.get(s["url"], headers=auth).json()
    assert course["certificate"] is None
    assert course["course_progress"]["completed_at"] is None
    assert course["course_progress"]["credits_earned"] == ""
    assert client.get(certificate["validate_url"]).status_code == 410

    # Completing it again (with a date) issues a new certificate.
    done = client.patch(
        url, json={"lesson_progress": {"completed_at": "2026-05-01T10:00:00"}}, headers=auth
    )
    assert done.status_code == 200, done.text
    assert done.json()["lesson_progress"]["completed_at"] == "2026-05-01T10:00:00Z"
    again = client.get(s["url"], headers=auth).json()["certificate"]
    assert again["code"] != certificate["code"]
    failed = client.patch(url, json={"lesson_progress": {"success_status": "FAILED"}}, headers=auth)
    assert failed.json()["lesson_progress"]["success_status"] == "FAILED"
    assert failed.json()["lesson_progress"]["completed_at"] is None
    assert client.get(s["url"], headers=auth).json()["certificate"] is None


def test_lesson_bad_input_names_fields(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    s = _setup(client, program, auth)
    url = f"{_lessons(client, s)}/{codec(client).encode('lesson', s['items'][0])}"
    cases: list[tuple[Any, dict[str, Any]]] = [
        ({}, {"lesson_progress": None}),
        ({"lesson_progress": {"completed_at": "soon"}}, {"lesson_progress": ["completed_at"]}),
        ({"lesson_progress": {"success_status": "MAYBE"}}, {"lesson_progress": ["success_status"]}),
        ({"lesson_progress": {"score": -1}}, {"lesson_progress": ["score"]}),
        ({"lesson_progress": {"score": 11, "max_score": 10}}, {"lesson_progress": ["score"]}),
        ({"lesson_progress": {"max_score": 10}}, {"lesson_progress": ["max_score"]}),
        ({"lesson_progress": {"score": 1, "max_score": 0}}, {"lesson_progress": ["max_score"]}),
        (
            {"lesson_progress": {"lesson_progress_id": "zzzzzzzzzzzz"}},
            {"lesson_progress": ["lesson_progress_id"]},
        ),
        (
            {"lesson_progress": {"custom_data": "x" * 70_000}},
            {"lesson_progress": ["custom_data"]},
        ),
        (
            {"lesson_progress": {"completed_at": "2026-05-01T10:00:00Z", "score": 1}},
            None,
        ),
    ]
    for body, expected in cases:
        response = client.put(url, json=body, headers=auth)
        if expected is None:
            assert response.status_code == 200, (body, response.text)
            continue
        assert response.status_code == 400, (body, response.text)
        errors = response.json()
        assert set(errors) == set(expected), (body, errors)
        for key, nested in expected.items():
            if nested is not None:
                assert set(errors[key]) == set(nested), (body, errors)
    form = client.patch(url, data={"lesson_progress.custom_data": "from a form"}, headers=auth)
    assert form.status_code == 200, form.text
    assert form.json()["lesson_progress"]["custom_data"] == "from a form"
    empty_patch = client.patch(url, json={}, headers=auth)
    assert empty_patch.status_code == 200, empty_patch.text


def test_other_courses_programs_and_unenrolled_are_not_found(
    client: TestClient, program: Program, other_program: Program, auth: dict[str, str]
) -> None:
    s = _setup(client, program, auth)
    other = _setup(client, other_program, {"Authorization": f"Token {other_program.api_key}"})
    lesson = codec(client).encode("lesson", s["items"][0])
    # A second course in the same program: its lesson under the first course is unknown.
    second = client.post("/v1/courses", json={"title": "Second"}, headers=auth).json()["id"]
    with arrange(client, program) as (session, ctx):
        foreign = add_course_item(
            session,
            ctx,
            course_id=codec(client).decode("course", second) or 0,
            data=CourseItemData(item_type="Article", name="Elsewhere"),
        ).id
    unenrolled = client.post(
        f"/v1/domains/{program.acct_key}/users",
        json={"user": {"email": "sam@example.com"}},
        headers=auth,
    ).json()["user"]["id"]
    urls = [
        f"{_lessons(client, s)}/{codec(client).encode('lesson', foreign)}",
        f"{_lessons(client, s)}/{codec(client).encode('lesson', other['items'][0])}",
        f"{_lessons(client, s)}/{s['pc']}",
        f"{_lessons(client, s)}/nope",
        f"/v1/users/{other['user']}/published-courses/{s['pc']}/lessons/{lesson}",
        f"/v1/users/{s['user']}/published-courses/{other['pc']}/lessons/{lesson}",
        f"/v1/users/{unenrolled}/published-courses/{s['pc']}/lessons/{lesson}",
        f"/v1/users/{unenrolled}/published-courses/{s['pc']}/lessons",
        f"/v1/users/{other['user']}/published-courses/{s['pc']}/lessons",
    ]
    for url in urls:
        got = client.get(url, headers=auth)
        assert (got.status_code, got.content) == (404, NOT_FOUND), url
        if url.endswith("/lessons"):
            continue
        put = client.put(url, json={"lesson_progress": {"completed_at": None}}, headers=auth)
        assert (put.status_code, put.content) == (404, NOT_FOUND), url
    assert client.delete(f"{_lessons(client, s)}/{lesson}", headers=auth).status_code == 405


def test_openapi_declares_the_lesson_routes(client: TestClient) -> None:
    document = client.get("/v1/openapi.json").json()
    base = "/users/{user_id}/published-courses/{published_course_id}/lessons"
    listed = document["paths"][base]
    assert {op["operationId"] for op in listed.values()} == {"users_published_courses_lessons_list"}
    one = document["paths"][base + "/{lesson_id}"]
    assert {op["operationId"] for op in one.values()} == {
        "users_published_courses_lessons_retrieve",
        "users_published_courses_lessons_update",
        "users_published_courses_lessons_partial_update",
    }
    schemas = document["components"]["schemas"]
    assert schemas["LessonWrite"]["required"] == ["lesson_progress"]
    assert "custom_data" in schemas["LessonProgressWrite"]["properties"]
