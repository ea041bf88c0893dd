"""The public certificate validation page: whose, which course, when; 404 for unknown or
malformed codes, 410 once revoked, expired ones marked so; no sign-in needed, names escaped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from syllabus.db.session import unit_of_work
from syllabus.domain.certificates import Certificate
from syllabus.services.courses import CourseData, create_course
from syllabus.services.progress import (
    CourseProgressChanges,
    create_course_progress,
    update_course_progress,
)
from syllabus.services.users import UserData, create_user
from tests.dialects.skilljar.conftest import arrange
from tests.http_client import Program, make_program


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_program(client, "certs.example.test")


def _complete(
    client: TestClient, program: Program, first_name: str, course: str
) -> tuple[str, int, str]:
    """A user who completed a certificate course: the certificate's code, the record's id
    and the user's view key."""
    with arrange(client, program) as (session, ctx):
        data = UserData(email="c@example.com", first_name=first_name)
        user = create_user(session, ctx, data=data)
        made = create_course(session, ctx, data=CourseData(name=course, certificate=True))
        progress = create_course_progress(session, ctx, user_id=user.id, course_id=made.id)
        changes = CourseProgressChanges(status="passed")
        update_course_progress(session, ctx, progress_id=progress.id, changes=changes)
        query = session.query(Certificate.code)
        code = query.filter(Certificate.course_progress_id == progress.id).scalar()
        view_key = user.view_key
    assert isinstance(code, str)
    return code, progress.id, view_key


def _set(client: TestClient, code: str, **values: datetime) -> None:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=None) as session:
        session.execute(update(Certificate).where(Certificate.code == code).values(**values))


def test_valid_certificate_page(client: TestClient, program: Program) -> None:
    code, _, _ = _complete(client, program, "<Ada>", "Safety & Health")
    page = client.get(f"/certificates/{code}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert "Valid" in page.text
    assert "&lt;Ada&gt;" in page.text
    assert "<Ada>" not in page.text
    assert "Safety &amp; Health" in page.text
    assert "Does not expire" in page.text
    assert "c@example.com" not in page.text
    head = client.head(f"/certificates/{code}")
    assert head.status_code == 200
    assert head.content == b""


def test_unknown_malformed_revoked_and_expired(client: TestClient, program: Program) -> None:
    code, _, _ = _complete(client, program, "Ada", "Safety")
    for path in (
        f"/certificates/{code[:-1]}",
        f"/certificates/{code}x",
        "/certificates/" + "a" * 65,
        "/certificates/not%20a%20code",
        "/certificates/%3Cscript%3E",
    ):
        missing = client.get(path)
        assert missing.status_code == 404, path
        assert "No certificate has this code" in missing.text
    assert client.post(f"/certificates/{code}").status_code == 405

    past = datetime.now(UTC) - timedelta(days=1)
    _set(client, code, expires_at=past)
    expired = client.get(f"/certificates/{code}")
    assert expired.status_code == 200
    assert "Expired on" in expired.text
    _set(client, code, revoked_at=past)
    revoked = client.get(f"/certificates/{code}")
    assert revoked.status_code == 410
    assert "Revoked on" in revoked.text


def test_skyprep_public_certificate_link(client: TestClient, program: Program) -> None:
    code, progress_id, view_key = _complete(client, program, "Ada", "Safety")
    url = "/public_api/view_certificate"
    page = client.get(url, params={"course_progress_id": progress_id, "view_key": view_key})
    assert page.status_code == 200
    assert code in page.text
    assert "Safety" in page.text
    slash = client.get(url + "/", params={"course_progress_id": progress_id, "view_key": view_key})
    assert slash.status_code == 200
    for params in (
        {"course_progress_id": progress_id, "view_key": view_key + "x"},
        {"course_progress_id": progress_id + 1000, "view_key": view_key},
        {"course_progress_id": progress_id, "view_key": "k" * 201},
    ):
        assert client.get(url, params=params).status_code == 404, params
    for params, field in (
        ({"view_key": view_key}, "course_progress_id"),
        ({"course_progress_id": "-1", "view_key": view_key}, "course_progress_id"),
        ({"course_progress_id": progress_id}, "view_key"),
    ):
        refused = client.get(url, params=params)
        assert refused.status_code == 400, params
        assert refused.json()["field"] == field
    _set(client, code, revoked_at=datetime.now(UTC))
    gone = client.get(url, params={"course_progress_id": progress_id, "view_key": view_key})
    assert gone.status_code == 404
