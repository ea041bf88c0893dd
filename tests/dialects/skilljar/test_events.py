"""``/v1/events`` and ``/v1/events/stream`` as a consumer follows them."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from syllabus.core.clock import utcnow
from syllabus.core.context import Context, Surface
from syllabus.db.session import unit_of_work
from syllabus.delivery.feed import FeedPruner
from syllabus.domain.events import Event
from syllabus.services.events import record_event
from tests.http_client import Program


def _record(client: TestClient, program: Program, n: int, kind: str = "test.n") -> None:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    ctx = Context(program.tenant_id, "test", Surface.CLI)
    with unit_of_work(factory, tenant_id=program.tenant_id) as session:
        record_event(session, ctx, kind, {"n": n})


def _get(client: TestClient, auth: dict[str, str], **params: Any) -> Any:
    response = client.get("/v1/events", params=params, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def test_following_next_sees_each_event_once_in_order(
    client: TestClient, program: Program, auth: dict[str, str], other_program: Program
) -> None:
    for n in range(5):
        _record(client, program, n)
    _record(client, other_program, 99)
    first = _get(client, auth, type="test.n", limit=3)
    assert [e["data"]["n"] for e in first["results"]] == [0, 1, 2]
    assert first["results"][0]["type"] == "test.n"
    assert first["results"][0]["surface"] == "cli"
    rest = _get(client, auth, type="test.n", after=first["next"])
    assert [e["data"]["n"] for e in rest["results"]] == [3, 4]
    assert "after=" in rest["next_url"]
    assert _get(client, auth, after=rest["next"])["results"] == []
    everything = _get(client, auth)["results"]
    assert {"program.created", "test.n"} <= {e["type"] for e in everything}


def test_webhook_type_names_select_the_feeds_events(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    _record(client, program, 1, "enrollment.created")
    _record(client, program, 2, "user.updated")
    chosen = _get(client, auth, type="COURSE_ENROLLMENT,test.none")["results"]
    assert [e["type"] for e in chosen] == ["enrollment.created"]


def test_bad_parameters_are_400s_naming_them(client: TestClient, auth: dict[str, str]) -> None:
    for params, field in (
        ({"after": "nope"}, "after"),
        ({"limit": "0"}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"wait": "61"}, "wait"),
        ({"wait": "-1"}, "wait"),
    ):
        response = client.get("/v1/events", params=params, headers=auth)
        assert response.status_code == 400, params
        assert field in response.json()
    assert client.get("/v1/events").status_code == 401


@pytest.mark.fresh_db  # a writer thread commits while the request waits
@pytest.mark.postgres
def test_wait_answers_as_soon_as_an_event_commits(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    start = _get(client, auth)["next"]
    writer = threading.Timer(0.5, _record, args=(client, program, 7))
    writer.start()
    began = time.monotonic()
    page = _get(client, auth, after=start, wait=10)
    elapsed = time.monotonic() - began
    writer.join()
    assert [e["data"]["n"] for e in page["results"]] == [7]
    assert 0.3 < elapsed < 5
    began = time.monotonic()
    assert _get(client, auth, after=page["next"], wait=0.5)["results"] == []
    assert time.monotonic() - began >= 0.5


def test_a_cursor_older_than_retention_is_410(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    _record(client, program, 1)
    cursor = _get(client, auth, type="test.n")["results"][0]["cursor"]
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=None) as session:
        session.execute(
            update(Event)
            .where(Event.tenant_id == program.tenant_id)
            .values(occurred_at=utcnow() - timedelta(days=40), dispatched_at=utcnow())
        )
    FeedPruner(factory).prune()
    gone = client.get("/v1/events", params={"after": cursor}, headers=auth)
    assert gone.status_code == 410
    assert "retention" in gone.json()["detail"]


def _sse_events(text: str) -> list[dict[str, str]]:
    events = []
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            if line.startswith(":") or ":" not in line:
                continue
            name, _, value = line.partition(":")
            fields[name] = value.strip()
        if "data" in fields:
            events.append(fields)
    return events


def test_the_stream_resumes_after_last_event_id(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    for n in range(3):
        _record(client, program, n)
    with client.stream(
        "GET", "/v1/events/stream", params={"type": "test.n", "duration": "0.5"}, headers=auth
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        first = _sse_events(response.read().decode())
    assert [e["event"] for e in first] == ["test.n"] * 3
    _record(client, program, 3)
    with client.stream(
        "GET",
        "/v1/events/stream",
        params={"type": "test.n", "duration": "0.5"},
        headers={**auth, "Last-Event-ID": first[1]["id"]},
    ) as response:
        resumed = _sse_events(response.read().decode())
    assert [e["id"] for e in resumed][:1] == [first[2]["id"]]
    assert len(resumed) == 2
    bad = client.get("/v1/events/stream", headers={**auth, "Last-Event-ID": "x"})
    assert bad.status_code == 400


def test_events_name_records_by_their_v1_ids_and_user_events_carry_the_email(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    """Issue 12, item 5: an id from an event goes straight to a /v1 route."""
    created = client.post(
        f"/v1/domains/{program.acct_key}/users",
        json={"user": {"email": "feed.person@example.com", "first_name": "Feed"}},
        headers=auth,
    )
    assert created.status_code in (200, 201), created.text
    user_id = created.json()["user"]["id"]
    course = client.post("/v1/courses", json={"title": "Feed course"}, headers=auth).json()
    patched = client.patch(f"/v1/users/{user_id}", json={"last_name": "Person"}, headers=auth)
    assert patched.status_code == 200, patched.text

    events = _get(client, auth, limit=1000)["results"]
    updated = next(e for e in events if e["type"] == "user.updated")
    assert updated["data"]["user_id"] == user_id
    assert updated["data"]["email"] == "feed.person@example.com"
    assert client.get(f"/v1/users/{updated['data']['user_id']}", headers=auth).status_code == 200
    made = next(e for e in events if e["type"] == "course.created")
    assert made["data"]["course_id"] == course["id"]
    for event in events:  # no integer record id is left for a record /v1 serves
        for key in ("user_id", "course_id", "group_id", "published_course_id", "domain_id"):
            assert not isinstance(event["data"].get(key), int), event
