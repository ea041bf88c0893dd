"""Users over HTTP: the guide's lifecycle, the official routes, lookups, ETags, forms."""

from __future__ import annotations

from fastapi.testclient import TestClient

from syllabus.services.courses import CourseData, create_course
from syllabus.services.users import define_custom_attribute
from tests.dialects.skilljar.conftest import arrange, codec
from tests.http_client import Program


def test_guide_provision_and_enroll(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    with arrange(client, program) as (session, ctx):
        course = create_course(session, ctx, data=CourseData(name="Onboarding"))
    course_id = codec(client).encode("course", course.id)

    # Guard the create with the email filter, as the guide says.
    found = client.get("/v1/users/?email=new.hire@example.com", headers=auth).json()
    assert found["results"] == []
    created = client.post(
        "/v1/users/",
        json={"email": "New.Hire@example.com", "first_name": "New", "last_name": "Hire"},
        headers=auth,
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert 12 <= len(user["id"]) <= 13
    assert user["email"] == "New.Hire@example.com"
    assert user["is_active"] is True
    assert user["user"]["id"] == user["id"]
    assert created.headers["etag"]

    duplicate = client.post("/v1/users/", json={"email": "new.hire@EXAMPLE.com"}, headers=auth)
    assert duplicate.status_code == 400
    assert list(duplicate.json()) == ["email"]

    enrolled = client.post(
        f"/v1/users/{user['id']}/enrollments/", json={"course_id": course_id}, headers=auth
    )
    assert enrolled.status_code == 201, enrolled.text
    assert enrolled.json()["course_id"] == course_id
    again = client.post(
        f"/v1/users/{user['id']}/enrollments/", json={"course_id": course_id}, headers=auth
    )
    assert again.status_code == 200
    assert again.json()["id"] == enrolled.json()["id"]

    listed = client.get(f"/v1/users/{user['id']}/enrollments/", headers=auth).json()
    assert listed["count"] == 1
    assert listed["results"][0]["status"] == "enrolled"
    progress = client.get(f"/v1/users/{user['id']}/published-courses", headers=auth).json()
    assert [p["course"]["title"] for p in progress] == ["Onboarding"]
    assert progress[0]["enrollment_id"] == enrolled.json()["id"]


def test_guide_deactivate_on_offboard(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    user = client.post("/v1/users", json={"email": "leaver@example.com"}, headers=auth).json()
    found = client.get("/v1/users/?email=LEAVER@example.com", headers=auth).json()
    assert [u["id"] for u in found["results"]] == [user["id"]]
    patched = client.patch(f"/v1/users/{user['id']}/", json={"is_active": False}, headers=auth)
    assert patched.status_code == 200
    assert patched.json()["is_active"] is False
    assert patched.json()["inactive_at"] is not None
    inactive = client.get("/v1/users?is_inactive=true", headers=auth).json()
    assert [u["id"] for u in inactive["results"]] == [user["id"]]
    active = client.get("/v1/users?is_inactive=false", headers=auth).json()
    assert active["results"] == []


def test_lookup_by_email_sso_and_external_id(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    user = client.post(
        "/v1/users",
        json={"email": "ana@example.com", "sso_id": "okta|42", "external_id": "EMP-7"},
        headers=auth,
    ).json()
    for path in (
        "/v1/users/by-email/ANA@example.com",
        "/v1/users/by-sso-id/okta|42",
        "/v1/users/by-external-id/EMP-7/",
    ):
        response = client.get(path, headers=auth)
        assert response.status_code == 200, path
        assert response.json()["id"] == user["id"]
    assert (
        client.get("/v1/users?sso_id=okta|42", headers=auth).json()["results"][0]["id"]
        == (user["id"])
    )
    missing = client.get("/v1/users/by-email/nobody@example.com", headers=auth)
    assert missing.status_code == 404
    assert missing.content == b'{"detail":"Not found."}'


def test_if_match_protects_against_lost_updates(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    user = client.post("/v1/users", json={"email": "etag@example.com"}, headers=auth).json()
    first = client.get(f"/v1/users/{user['id']}", headers=auth)
    tag = first.headers["etag"]
    ok = client.patch(
        f"/v1/users/{user['id']}",
        json={"first_name": "One"},
        headers={**auth, "If-Match": tag},
    )
    assert ok.status_code == 200
    assert ok.headers["etag"] != tag
    stale = client.put(
        f"/v1/users/{user['id']}",
        json={"first_name": "Two"},
        headers={**auth, "If-Match": tag},
    )
    assert stale.status_code == 412
    assert client.get(f"/v1/users/{user['id']}", headers=auth).json()["first_name"] == "One"


def test_form_encoded_writes_with_python_booleans(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    created = client.post(
        "/v1/users/", data={"email": "form@example.com", "first_name": "Form"}, headers=auth
    )
    assert created.status_code == 201, created.text
    user_id = created.json()["id"]
    patched = client.patch(f"/v1/users/{user_id}/", data={"is_active": "False"}, headers=auth)
    assert patched.json()["is_active"] is False
    multipart = client.patch(
        f"/v1/users/{user_id}", files={"is_active": (None, "True")}, headers=auth
    )
    assert multipart.status_code == 200, multipart.text
    assert multipart.json()["is_active"] is True


def test_custom_attributes_must_be_defined_first(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    with arrange(client, program) as (session, ctx):
        define_custom_attribute(session, ctx, key="region")
    user = client.post("/v1/users", json={"email": "ca@example.com"}, headers=auth).json()
    ok = client.patch(
        f"/v1/users/{user['id']}", json={"custom_attributes": {"region": "EMEA"}}, headers=auth
    )
    assert ok.json()["custom_attributes"] == {"region": "EMEA"}
    unknown = client.patch(
        f"/v1/users/{user['id']}", json={"custom_attributes": {"shoe_size": "9"}}, headers=auth
    )
    assert unknown.status_code == 400
    assert "shoe_size" in unknown.text


def test_foreign_and_garbage_ids_are_404(
    client: TestClient, program: Program, other_program: Program, auth: dict[str, str]
) -> None:
    theirs = client.post(
        "/v1/users",
        json={"email": "theirs@example.com"},
        headers={"Authorization": f"Token {other_program.api_key}"},
    ).json()
    for path in (
        f"/v1/users/{theirs['id']}",
        "/v1/users/usr_abc123",
        "/v1/users/zzzzzzzzzzzzz",
        f"/v1/users/{theirs['id']}/published-courses",
    ):
        response = client.get(path, headers=auth)
        assert response.status_code == 404, path
        assert response.content == b'{"detail":"Not found."}'
    assert client.patch(f"/v1/users/{theirs['id']}", json={}, headers=auth).status_code == 404


def test_published_courses_is_a_bare_empty_array(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    user = client.post("/v1/users", json={"email": "empty@example.com"}, headers=auth).json()
    response = client.get(f"/v1/users/{user['id']}/published-courses", headers=auth)
    assert response.status_code == 200
    assert response.content == b"[]"
