"""The lifecycle through the official routes, and what one door writes the other reads."""

from __future__ import annotations

from fastapi.testclient import TestClient

from syllabus.services.course_items import CourseItemData, add_course_item
from syllabus.services.tenants import add_domain
from tests.dialects.skilljar.conftest import arrange, codec
from tests.http_client import Program


def test_official_lifecycle(client: TestClient, program: Program, auth: dict[str, str]) -> None:
    domain = program.acct_key
    course = client.post(
        "/v1/courses",
        json={"title": "Safety 101", "short_description": "Basics", "labels": ["safety"]},
        headers=auth,
    )
    assert course.status_code == 201, course.text
    course_id = course.json()["id"]
    assert course.json()["labels"] == ["safety"]
    with arrange(client, program) as (session, ctx):
        add_course_item(
            session,
            ctx,
            course_id=codec(client).decode("course", course_id) or 0,
            data=CourseItemData(item_type="Article", name="Welcome"),
        )
    lessons = client.get(f"/v1/lessons?course_id={course_id}", headers=auth).json()
    assert [(lesson["title"], lesson["type"]) for lesson in lessons["results"]] == [
        ("Welcome", "HTML")
    ]

    published = client.post(
        f"/v1/domains/{domain}/published-courses",
        json={"course": {"id": course_id}, "slug": "safety-101"},
        headers=auth,
    )
    assert published.status_code == 201, published.text
    pc = published.json()
    assert pc["course"] == {
        "id": course_id,
        "title": "Safety 101",
        "lesson_count": 1,
        "required_lesson_count": 1,
    }
    assert pc["course_url"] == f"https://{domain}/safety-101"

    # An existing user of the program who is not on this domain cannot be enrolled yet.
    user = client.post(
        f"/v1/domains/{domain}/users",
        json={"user": {"email": "lee@example.com", "first_name": "Lee"}},
        headers=auth,
    ).json()["user"]
    enrollments = f"/v1/domains/{domain}/published-courses/{pc['id']}/enrollments"
    first = client.post(enrollments, json={"user": {"id": user["id"]}}, headers=auth)
    assert first.status_code == 201, first.text
    again = client.post(enrollments, json={"user": {"id": user["id"]}}, headers=auth)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    listed = client.get(enrollments, headers=auth).json()
    assert listed["count"] == 1
    assert listed["results"][0]["user"]["email"] == "lee@example.com"

    patched = client.patch(
        f"{enrollments}/{first.json()['id']}", json={"active": False}, headers=auth
    )
    assert patched.json()["active"] is False
    progress = client.get(f"/v1/users/{user['id']}/published-courses", headers=auth).json()
    assert progress[0]["published_course_id"] == pc["id"]
    assert progress[0]["all_enrollments"][0]["active"] is False

    access = client.get(f"/v1/users/{user['id']}/access", headers=auth).json()
    assert access["courses"] == []  # the only enrollment is inactive

    client.patch(f"{enrollments}/{first.json()['id']}", json={"active": True}, headers=auth)
    access = client.get(f"/v1/users/{user['id']}/access", headers=auth).json()
    assert [c["course_id"] for c in access["courses"]] == [course_id]
    assert access["courses"][0]["via"][0]["type"] == "direct"

    assert client.delete(f"/v1/courses/{course_id}", headers=auth).status_code == 204
    assert client.get(f"/v1/courses/{course_id}", headers=auth).status_code == 404


def test_enrollment_needs_domain_membership(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    with arrange(client, program) as (session, ctx):
        add_domain(session, ctx, name="partners.example.test")
    domain = "partners.example.test"
    course_id = client.post("/v1/courses", json={"title": "Partners"}, headers=auth).json()["id"]
    pc = client.post(
        f"/v1/domains/{domain}/published-courses", json={"course": {"id": course_id}}, headers=auth
    ).json()
    enrollments = f"/v1/domains/{domain}/published-courses/{pc['id']}/enrollments"
    user = client.post("/v1/users", json={"email": "out@example.com"}, headers=auth).json()
    refused = client.post(enrollments, json={"user": {"id": user["id"]}}, headers=auth)
    assert refused.status_code == 400
    assert refused.json() == {"user": ["User is not registered on this domain."]}
    client.post(
        f"/v1/domains/{domain}/users", json={"user": {"email": user["email"]}}, headers=auth
    )
    assert (
        client.post(enrollments, json={"user": {"id": user["id"]}}, headers=auth).status_code == 201
    )
    garbage = client.post(enrollments, json={"user": {"id": "usr_abc123"}}, headers=auth)
    assert garbage.status_code == 400
    assert list(garbage.json()) == ["user"]
    # A publication on one domain is not found under another.
    assert (
        client.get(
            f"/v1/domains/{program.acct_key}/published-courses/{pc['id']}", headers=auth
        ).status_code
        == 404
    )


def test_cross_dialect_visibility(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    keys = {"api_key": program.api_key, "acct_key": program.acct_key}
    made_here = client.post(
        "/v1/users", json={"email": "both@example.com", "first_name": "Both"}, headers=auth
    ).json()
    internal = codec(client).decode("user", made_here["id"])
    there = client.get("/admin/api/get_user", params={**keys, "user_id": internal}).json()
    assert there["email"] == "both@example.com"
    assert there["first_name"] == "Both"

    made_there = client.post(
        "/admin/api/create_user", data={**keys, "email": "skyprep@example.com"}
    ).json()
    public = codec(client).encode("user", int(made_there["id"]))
    here = client.get(f"/v1/users/{public}", headers=auth).json()
    assert here["email"] == "skyprep@example.com"
    client.patch(f"/v1/users/{public}", json={"last_name": "Renamed"}, headers=auth)
    again = client.get("/admin/api/get_user", params={**keys, "user_id": made_there["id"]})
    assert again.json()["last_name"] == "Renamed"
