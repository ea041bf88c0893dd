"""Following ``next`` sees every user exactly once, even while users are being added."""

from __future__ import annotations

import itertools
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient

from syllabus.services.user_fields import UserData
from syllabus.services.user_import import NewUser, create_users
from tests.dialects.skilljar.conftest import arrange
from tests.http_client import Program

_serial = itertools.count()


def add_users(client: TestClient, program: Program, count: int) -> None:
    batch = [NewUser(data=UserData(email=f"p{next(_serial)}@example.com")) for _ in range(count)]
    with arrange(client, program) as (session, ctx):
        create_users(session, ctx, users=batch)


def walk(client: TestClient, url: str, auth: dict[str, str], between: Any = None) -> list[Any]:
    seen: list[Any] = []
    pages = 0
    while url:
        response = client.get(url, headers=auth)
        assert response.status_code == 200, response.text
        body = response.json()
        seen.extend(u["id"] for u in body["results"])
        url = body["next"]
        pages += 1
        if between is not None:
            between()
    return seen


@pytest.mark.parametrize("mode", ["cursor", "page"])
def test_every_user_exactly_once_while_users_are_added(
    client: TestClient, program: Program, auth: dict[str, str], mode: str
) -> None:
    add_users(client, program, 250)
    before = walk(client, "/v1/users?page_size=10000", auth)
    assert len(before) == 250
    start = "/v1/users?page_size=40" + ("&page=1" if mode == "page" else "")
    seen = walk(client, start, auth, between=lambda: add_users(client, program, 7))
    assert len(seen) == len(set(seen)), "a user was returned twice"
    assert set(before) <= set(seen), "a user that existed before the walk was skipped"


def test_links_are_absolute_and_keep_filters(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    add_users(client, program, 5)
    first = client.get(
        "/v1/users?page_size=2&is_inactive=false", headers={**auth, "Host": "lms.example.org"}
    ).json()
    assert first["next"].startswith("http://lms.example.org/v1/users?")
    assert "is_inactive=false" in first["next"]
    assert first["previous"] is None
    assert "count" not in first
    second = client.get(first["next"], headers=auth).json()
    back = client.get(second["previous"], headers=auth).json()
    assert [u["id"] for u in back["results"]] == [u["id"] for u in first["results"]]

    numbered = client.get("/v1/users?page=2&page_size=2", headers=auth).json()
    assert numbered["count"] == 5
    assert numbered["next"].endswith("page=3&page_size=2") or "page=3" in numbered["next"]
    assert "page=" not in numbered["previous"]
    beyond = client.get("/v1/users?page=9&page_size=2", headers=auth)
    assert beyond.status_code == 404
    for bad in ("page=0", "page_size=abc", "cursor=nonsense"):
        response = client.get(f"/v1/users?{bad}", headers=auth)
        assert response.status_code == 400, bad


def test_page_size_ten_thousand_is_honoured(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    add_users(client, program, 10_050)
    first = client.get("/v1/users?page_size=10000", headers=auth).json()
    assert len(first["results"]) == 10_000
    rest = client.get(first["next"], headers=auth).json()
    assert len(rest["results"]) == 50
    assert rest["next"] is None
    numbered = client.get("/v1/users?page=1&page_size=20000", headers=auth).json()
    assert len(numbered["results"]) == 10_000
    assert numbered["count"] == 10_050


@pytest.mark.fresh_db
@pytest.mark.postgres
def test_concurrent_writer_thread_does_not_break_the_walk(
    client: TestClient, program: Program, auth: dict[str, str]
) -> None:
    add_users(client, program, 300)
    before = set(walk(client, "/v1/users?page_size=10000", auth))
    stop = threading.Event()

    def writer() -> None:
        while not stop.is_set():
            add_users(client, program, 3)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        seen = walk(client, "/v1/users?page_size=25", auth)
    finally:
        stop.set()
        thread.join()
    assert len(seen) == len(set(seen))
    assert before <= set(seen)
