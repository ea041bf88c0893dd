"""``/v1/webhooks`` as a Skilljar client uses it, with a real receiver for ping and delivery."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from syllabus.core.clock import utcnow
from syllabus.core.context import Context, Surface
from syllabus.db.session import unit_of_work
from syllabus.services.enrollments import enroll_users_in_courses
from tests.delivery.receiver import Behaviour, running_receiver
from tests.delivery.webhook_helpers import webhook_worker
from tests.dialects.skilljar.conftest import basic
from tests.factories import make_course, make_user
from tests.http_client import Program, make_program


@pytest.fixture(scope="module")
def http_settings() -> dict[str, Any]:
    return {"webhook_allow_private_targets": True}


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_program(client, "academy.example.test")


@pytest.fixture
def auth(program: Program) -> dict[str, str]:
    return basic(program.api_key)


def _enroll_someone(client: TestClient, program: Program) -> None:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    ctx = Context(program.tenant_id, "test", Surface.CLI)
    with unit_of_work(factory, tenant_id=program.tenant_id) as session:
        user = make_user(session, ctx, first_name="Ada", last_name="Lovelace")
        course = make_course(session, ctx, "Engines 101")
        enroll_users_in_courses(session, ctx, user_ids=[user.id], course_ids=[course.id])


def _create(client: TestClient, auth: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post("/v1/webhooks", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_create_read_update_delete(client: TestClient, auth: dict[str, str]) -> None:
    created = _create(
        client,
        auth,
        target_url="http://127.0.0.1:9/hook",
        event_type="course.completed",
        basic_auth_username="u",
        basic_auth_password="p4ss",
        additional_headers={"X-Env": "prod"},
    )
    assert created["secret"].startswith("whsec_")
    assert created["event_type"] == "COURSE_COMPLETION"
    assert created["active"] is True
    assert created["deactivate_reason"] is None
    assert "basic_auth_password" not in created
    assert len(created["id"]) in (12, 13)
    hook_id = created["id"]

    read = client.get(f"/v1/webhooks/{hook_id}", headers=auth).json()
    assert "secret" not in read
    assert "p4ss" not in str(read)
    assert read["additional_headers"] == {"X-Env": "prod"}

    listed = client.get("/v1/webhooks/", headers=auth).json()
    assert listed["count"] == 1
    assert [w["id"] for w in listed["results"]] == [hook_id]

    patched = client.patch(
        f"/v1/webhooks/{hook_id}", json={"event_type": None, "active": False}, headers=auth
    ).json()
    assert patched["event_type"] is None
    assert patched["active"] is False
    assert patched["basic_auth_username"] == "u"

    put = client.put(
        f"/v1/webhooks/{hook_id}",
        data={"target_url": "http://127.0.0.1:9/other", "event_type": "LESSON_COMPLETION"},
        headers=auth,
    ).json()
    assert put["target_url"] == "http://127.0.0.1:9/other"
    assert put["active"] is True  # what PUT leaves out returns to its default
    assert put["basic_auth_username"] == ""
    assert put["additional_headers"] == {}

    assert client.delete(f"/v1/webhooks/{hook_id}", headers=auth).status_code == 204
    gone = client.get(f"/v1/webhooks/{hook_id}", headers=auth)
    assert gone.status_code == 404
    assert gone.content == b'{"detail":"Not found."}'


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "target_url"),
        ({"target_url": ""}, "target_url"),
        ({"target_url": "ftp://example.com/x"}, "target_url"),
        ({"target_url": "http://169.254.169.254/latest"}, "target_url"),
        ({"target_url": "https://x.example/h", "event_type": "COURSE_EXPLODED"}, "event_type"),
        ({"target_url": "https://x.example/h", "additional_headers": []}, "additional_headers"),
        (
            {"target_url": "https://x.example/h", "additional_headers": {"webhook-id": "x"}},
            "additional_headers",
        ),
        ({"target_url": "https://x.example/h", "active": "maybe"}, "active"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    client: TestClient, auth: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = client.post("/v1/webhooks", json=body, headers=auth)
    assert response.status_code == 400, response.text
    assert field in response.json()


def test_another_programs_webhook_is_not_found(
    client: TestClient, auth: dict[str, str], program: Program
) -> None:
    other = make_program(client, "other.example.test")
    hook_id = _create(client, basic(other.api_key), target_url="https://x.example/h")["id"]
    for method in ("get", "delete"):
        assert getattr(client, method)(f"/v1/webhooks/{hook_id}", headers=auth).status_code == 404
    assert client.post(f"/v1/webhooks/{hook_id}/ping", headers=auth).status_code == 404
    assert client.get("/v1/webhooks/notanid", headers=auth).status_code == 404


def test_ping_reaches_the_receiver_signed(client: TestClient, auth: dict[str, str]) -> None:
    with running_receiver() as receiver:
        created = _create(client, auth, target_url=receiver.url)
        receiver.secrets.append(created["secret"])
        answer = client.post(f"/v1/webhooks/{created['id']}/ping", headers=auth).json()
        assert answer == {"succeeded": True, "http_status_code": 200, "message": "Ping succeeded."}
        assert receiver.received[0].json()["event_type"] == "PING"
        receiver.default = Behaviour(status=503)
        failed = client.post(f"/v1/webhooks/{created['id']}/ping", headers=auth).json()
        assert failed["succeeded"] is False
        assert failed["http_status_code"] == 503
    dead = _create(client, auth, target_url="http://127.0.0.1:9/nobody")
    down = client.post(f"/v1/webhooks/{dead['id']}/ping", headers=auth).json()
    assert down["succeeded"] is False
    assert down["http_status_code"] is None
    assert "ConnectError" in down["message"]
    assert client.get(f"/v1/webhooks/{created['id']}", headers=auth).json()["active"]


@pytest.mark.parametrize(
    "slug",
    [
        "course-completion",
        "course-enrollment",
        "dashboard-task-created",
        "domain-enrollment",
        "lesson-completion",
        "path-completion",
        "path-enrollment",
        "purchase-fulfillment",
        "quiz-completion",
        "vilt-registration",
    ],
)
def test_samples_come_from_the_programs_data(
    client: TestClient, auth: dict[str, str], program: Program, slug: str
) -> None:
    _enroll_someone(client, program)
    response = client.get(f"/v1/webhooks/sample-{slug}", headers=auth)
    assert response.status_code == 200
    (event,) = response.json()["results"]
    assert event["event_type"] == slug.upper().replace("-", "_").replace(
        "VILT_REGISTRATION", "VILT_EVENT_REGISTRATION"
    )
    assert event["user"]["first_name"] == "Ada"
    if slug != "domain-enrollment":  # joining a domain names no course
        assert event["course"]["title"] == "Engines 101"
    assert event["domain"]["name"] == "academy.example.test"


@pytest.mark.fresh_db  # the sender drains in threads of its own
def test_deliveries_are_logged_resent_and_replayed(
    client: TestClient, auth: dict[str, str], program: Program
) -> None:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with running_receiver() as receiver, webhook_worker(factory) as pump:
        created = _create(client, auth, target_url=receiver.url, event_type="COURSE_ENROLLMENT")
        receiver.secrets.append(created["secret"])
        _enroll_someone(client, program)
        pump.until(lambda: len(receiver.received) == 1)
        log = client.get(f"/v1/webhooks/{created['id']}/deliveries", headers=auth).json()
        (delivery,) = log["results"]
        assert delivery["status"] == "delivered"
        assert delivery["message_id"] == receiver.received[0].message_id
        (attempt,) = delivery["attempts"]
        assert attempt["http_status_code"] == 200
        assert attempt["latency_ms"] >= 0

        resent = client.post(
            f"/v1/webhooks/{created['id']}/deliveries/{delivery['id']}/resend", headers=auth
        )
        assert resent.status_code == 202
        pump.until(lambda: len(receiver.received) == 2)
        assert receiver.received[1].message_id == receiver.received[0].message_id

    since = (utcnow() - timedelta(hours=1)).isoformat()
    replay = client.post(
        f"/v1/webhooks/{created['id']}/replay", json={"since": since}, headers=auth
    )
    assert replay.status_code == 202
    assert replay.json() == {"replayed": 0}  # nothing failed or missed
    missing = client.post(f"/v1/webhooks/{created['id']}/replay", json={}, headers=auth)
    assert missing.status_code == 400
    assert "since" in missing.json()
    bad = client.post(f"/v1/webhooks/{created['id']}/deliveries/zzzzzzzzzzzz/resend", headers=auth)
    assert bad.status_code == 404
