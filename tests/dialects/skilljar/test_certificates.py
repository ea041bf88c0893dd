"""Certificates and credits across the doors: a course completed through SkyPrep shows its
certificate and credits in /v1, one completed through /v1 validates on the public page; course
credits are written through /v1 courses and SkyPrep's update_course."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from tests.dialects.skilljar.conftest import codec
from tests.dialects.skilljar.test_progress import _setup
from tests.dialects.skyprep.test_users import api, events, ok
from tests.http_client import Program


def test_skyprep_completion_shows_certificate_and_credits_in_v1(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    s = _setup(client, program, auth)
    ok(
        api(
            client,
            program,
            "update_course",
            course_id=str(s["course_internal"]),
            certificate="true",
            credits="1.25",
        )
    )
    course_id = codec(client).encode("course", s["course_internal"])
    assert client.get(f"/v1/courses/{course_id}", headers=auth).json()["credits"] == "1.25"
    before = client.get(s["url"], headers=auth).json()
    assert before["certificate"] is None
    assert before["course_progress"]["credits_earned"] == ""
    ok(
        api(
            client,
            program,
            "set_course_item_progress",
            user_id=str(s["user_internal"]),
            course_item_id=str(s["items"][0]),
            set_status="passed",
        )
    )
    after = client.get(s["url"], headers=auth, params={"x": "1"}).json()
    assert after["course_progress"]["credits_earned"] == "1.25"
    assert after["course_progress"]["credit_unit_plural"] == "credits"
    certificate = after["certificate"]
    assert certificate["expires_at"] is None
    assert certificate["issued_at"] is not None
    assert certificate["validate_url"].startswith("http://testserver/certificates/")
    assert len(events(client, program, "certificate.issued")) == 1
    page = client.get(certificate["validate_url"])
    assert page.status_code == 200
    progress_id = codec(client).decode(
        "course_progress", after["course_progress"]["course_progress_id"]
    )
    there = ok(api(client, program, "get_course_progress", course_progress_id=progress_id))
    link = urlsplit(there["public_certificate_view_link"])
    assert link.path == "/public_api/view_certificate"
    assert client.get(f"{link.path}?{link.query}").text == page.text
    assert "Valid" in page.text
    assert "Safety" in page.text


def test_v1_completion_issues_certificate_and_clearing_revokes_it(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    s = _setup(client, program, auth)
    course_id = codec(client).encode("course", s["course_internal"])
    patched = client.patch(f"/v1/courses/{course_id}", json={"credits": "3"}, headers=auth)
    assert patched.status_code == 200, patched.text
    assert patched.json()["credits"] == "3"
    bad = client.patch(f"/v1/courses/{course_id}", json={"credits": "-1"}, headers=auth)
    assert bad.status_code == 400, bad.text
    assert "credits" in bad.json()
    bad = client.patch(f"/v1/courses/{course_id}", json={"credits": "lots"}, headers=auth)
    assert bad.status_code == 400, bad.text
    assert "credits" in bad.json()
    ok(
        api(
            client,
            program,
            "update_course",
            course_id=str(s["course_internal"]),
            certificate="true",
            validity_length="10",
        )
    )
    marked = client.put(
        s["url"], json={"course_progress": {"completed_at": "2026-05-07T19:30:00Z"}}, headers=auth
    )
    assert marked.status_code == 200, marked.text
    certificate = marked.json()["certificate"]
    assert certificate is not None
    assert certificate["expires_at"] is not None
    assert marked.json()["course_progress"]["credits_earned"] == "3"
    assert len(events(client, program, "certificate.issued")) == 1
    assert client.get(certificate["validate_url"]).status_code == 200

    again = client.put(
        s["url"], json={"course_progress": {"completed_at": "2026-05-08T19:30:00Z"}}, headers=auth
    )
    assert again.json()["certificate"] == certificate  # still the same completion
    cleared = client.put(s["url"], json={"course_progress": {"completed_at": None}}, headers=auth)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["certificate"] is None
    revoked = client.get(certificate["validate_url"])
    assert revoked.status_code == 410
    assert "Revoked" in revoked.text
