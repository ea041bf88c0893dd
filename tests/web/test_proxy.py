"""Forwarded headers count only from trusted proxies: login URLs become https behind TLS."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from syllabus.app import create_app
from syllabus.config import Settings
from syllabus.web.proxy import parse_trusted
from tests.http_client import Program, make_program, settings_for


@pytest.fixture
def app_settings(fresh_db_url: str, tmp_path: Path) -> Settings:
    return replace(settings_for(fresh_db_url, tmp_path), trusted_proxies=("10.0.0.0/8", "::1"))


def client_from(settings: Settings, peer: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings), client=(peer, 40000)) as client:
        yield client


@pytest.fixture
def proxied(app_settings: Settings) -> Iterator[TestClient]:
    yield from client_from(app_settings, "10.1.2.3")


def login_url(client: TestClient, program: Program, headers: dict[str, str]) -> str:
    client.post(
        "/admin/api/create_user",
        json={"api_key": program.api_key, "acct_key": program.acct_key, "email": "a@example.com"},
    )
    body: dict[str, Any] = {
        "api_key": program.api_key,
        "acct_key": program.acct_key,
        "user_email": "a@example.com",
    }
    response = client.post("/admin/api/get_login_key", json=body, headers=headers)
    assert response.status_code == 200, response.text
    url: str = response.json()["url"]
    return url


def test_x_forwarded_proto_and_host_from_a_trusted_proxy(proxied: TestClient) -> None:
    program = make_program(proxied, "example.skyprepapp.com")
    url = login_url(
        proxied,
        program,
        {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "learn.example.com"},
    )
    assert url.startswith("https://learn.example.com/account/automated_login?login_key=")


def test_rfc_7239_forwarded_and_the_nearest_proxys_value(proxied: TestClient) -> None:
    program = make_program(proxied, "example.skyprepapp.com")
    url = login_url(
        proxied,
        program,
        {
            "Forwarded": (
                "for=203.0.113.9;proto=http;host=evil.test, "
                'for="10.0.0.7";proto=https;host=lms.example.com:8443'
            )
        },
    )
    assert url.startswith("https://lms.example.com:8443/account/automated_login?")


def test_headers_from_an_untrusted_peer_are_ignored(app_settings: Settings) -> None:
    for client in client_from(app_settings, "203.0.113.50"):
        program = make_program(client, "example.skyprepapp.com")
        url = login_url(
            client, program, {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.test"}
        )
        assert url.startswith("http://testserver/account/automated_login?")


def test_the_default_trusts_loopback_only(fresh_db_url: str, tmp_path: Path) -> None:
    settings = settings_for(fresh_db_url, tmp_path)
    assert settings.trusted_proxies == ("127.0.0.1", "::1")
    for client in client_from(settings, "127.0.0.1"):
        program = make_program(client, "example.skyprepapp.com")
        url = login_url(client, program, {"X-Forwarded-Proto": "https"})
        assert url.startswith("https://testserver/")
    for client in client_from(settings, "10.1.2.3"):
        program = make_program(client, "other.skyprepapp.com")
        url = login_url(client, program, {"X-Forwarded-Proto": "https"})
        assert url.startswith("http://testserver/")


def test_bad_values_are_ignored_and_bad_settings_refused(proxied: TestClient) -> None:
    program = make_program(proxied, "example.skyprepapp.com")
    url = login_url(proxied, program, {"X-Forwarded-Proto": "gopher", "X-Forwarded-Host": "a b/c"})
    assert url.startswith("http://testserver/")
    assert parse_trusted(["*"]) is None
    with pytest.raises(ValueError, match="does not appear"):
        parse_trusted(["10.0.0.0/8", "not-an-ip"])


def test_the_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYLLABUS_TRUSTED_PROXIES", " 10.0.0.0/8, 192.168.1.1 ,")
    assert Settings.from_env().trusted_proxies == ("10.0.0.0/8", "192.168.1.1")
