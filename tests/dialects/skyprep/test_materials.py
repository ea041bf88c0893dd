"""get_materials and the download route over HTTP, on both databases; materials stored by the
service from real files under the app's data directory."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfWriter

from syllabus.core.context import Context, Surface
from syllabus.db.session import unit_of_work
from syllabus.domain.materials import Material
from syllabus.services.materials import add_material, material_store, sign_download
from tests.dialects.skyprep.test_guards import limit
from tests.dialects.skyprep.test_power_users import same_shape
from tests.dialects.skyprep.test_users import (
    NEW_YORK,
    api,
    fails,
    make_zoned_program,
    ok,
    parse_xml,
)
from tests.http_client import Program, make_program

MATERIAL_SAMPLE: dict[str, Any] = {
    "created_at": "2026-04-15T09:00:00.000-04:00",
    "updated_at": "2026-04-15T09:00:00.000-04:00",
    "article_id": 1401,
    "id": 1401,
    "parent_id": None,
    "name": "Welcome Guide.pdf",
    "download_url": "https://example.skyprepapp.com/materials/download/1401",
    "file_extension": "pdf",
    "descriptive_extension": "PDF Document",
    "version_code": "v1",
    "page_count": 12,
    "category": "Onboarding",
}


@pytest.fixture
def program(client: TestClient) -> Program:
    return make_zoned_program(client, "example.skyprepapp.com", NEW_YORK.key)


@pytest.fixture
def other(client: TestClient) -> Program:
    return make_program(client, "other.skyprepapp.com")


def pdf_bytes(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add(
    client: TestClient, program: Program, tmp_path: Path, name: str, content: bytes, **kw: Any
) -> Material:
    source = tmp_path / f"upload-{time.monotonic_ns()}"
    source.write_bytes(content)
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    store = material_store(client.app.state.settings.data_dir)  # type: ignore[attr-defined]
    with unit_of_work(factory, tenant_id=program.tenant_id) as session:
        ctx = Context(program.tenant_id, "test", Surface.CLI)
        return add_material(session, ctx, store=store, source=source, name=name, **kw)


def keys(program: Program) -> dict[str, str]:
    return {"X-SkyPrep-API-Key": program.api_key, "X-SkyPrep-Acct-Key": program.acct_key}


def test_get_materials_in_the_samples_shape(
    client: TestClient, program: Program, tmp_path: Path
) -> None:
    guide = add(client, program, tmp_path, "Welcome Guide.pdf", pdf_bytes(3), category="Onboarding")
    notes = add(client, program, tmp_path, "notes.txt", b"hello\n")
    answer = ok(api(client, program, "get_materials", method="GET"))
    assert [m["id"] for m in answer] == [guide.id, notes.id]
    first, second = answer
    same_shape(first, MATERIAL_SAMPLE)
    assert first["article_id"] == first["id"] == guide.id
    assert (first["name"], first["file_extension"], first["descriptive_extension"]) == (
        "Welcome Guide.pdf",
        "pdf",
        "PDF Document",
    )
    assert (first["page_count"], first["category"], first["version_code"]) == (
        3,
        "Onboarding",
        "v1",
    )
    assert first["created_at"].endswith(("-04:00", "-05:00"))
    assert (second["file_extension"], second["page_count"], second["category"]) == (
        "txt",
        None,
        None,
    )
    url = urlsplit(first["download_url"])
    assert url.path == f"/materials/download/{guide.id}"
    assert program.api_key not in first["download_url"]
    assert set(parse_qs(url.query)) == {"expires", "signature"}


def test_get_materials_of_an_empty_program_and_as_xml(
    client: TestClient, program: Program, other: Program, tmp_path: Path
) -> None:
    assert ok(api(client, program, "get_materials")) == []
    add(client, other, tmp_path, "theirs.txt", b"x")
    assert ok(api(client, program, "get_materials")) == []
    add(client, program, tmp_path, "Safety Checklist.pdf", pdf_bytes(1), category="Safety")
    root = parse_xml(api(client, program, "get_materials", format="xml").content)
    assert (root.tag, root.get("type")) == ("materials", "array")
    item = root.find("material")
    assert item is not None
    assert item.findtext("name") == "Safety Checklist.pdf"
    assert item.find("parent-id").get("nil") == "true"  # type: ignore[union-attr]


def test_the_signed_download_url_streams_the_file_with_its_type(
    client: TestClient, program: Program, tmp_path: Path
) -> None:
    content = pdf_bytes(2)
    add(client, program, tmp_path, "Welcome Guide.pdf", content)
    [material] = ok(api(client, program, "get_materials"))
    response = client.get(material["download_url"])  # no key at all: the link is the grant
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-length"] == str(len(content))
    assert "Welcome%20Guide.pdf" in response.headers["content-disposition"]


def test_download_with_key_headers_and_without_a_signature(
    client: TestClient, program: Program, other: Program, tmp_path: Path
) -> None:
    material = add(client, program, tmp_path, "notes.txt", b"hello\n")
    path = f"/materials/download/{material.id}"
    response = client.get(path, headers=keys(program))
    assert (response.status_code, response.content) == (200, b"hello\n")
    assert response.headers["content-type"].startswith("text/plain")
    fails(client.get(path), 401, "api_key")
    fails(
        client.get(path, headers={**keys(program), "X-SkyPrep-API-Key": "sk_nope"}), 401, "api_key"
    )
    fails(client.get(path, headers={"X-SkyPrep-API-Key": program.api_key}), 401, "acct_key")
    # Another program's key, and a key in the query string, do not open it.
    fails(client.get(path, headers=keys(other)), 404, "material_id")
    fails(
        client.get(path, params={"api_key": program.api_key, "acct_key": program.acct_key}),
        401,
        "api_key",
    )
    fails(client.get("/materials/download/999999", headers=keys(program)), 404, "material_id")
    fails(client.get("/materials/download/abc", headers=keys(program)), 400, "material_id")


def test_a_tampered_or_expired_link_is_refused(
    client: TestClient, program: Program, other: Program, tmp_path: Path
) -> None:
    mine = add(client, program, tmp_path, "a.txt", b"mine")
    theirs = add(client, other, tmp_path, "b.txt", b"theirs")
    [material] = ok(api(client, program, "get_materials"))
    query = parse_qs(urlsplit(material["download_url"]).query)
    expires, signature = query["expires"][0], query["signature"][0]
    # The signature of one file does not open another, even with the same expiry.
    fails(
        client.get(f"/materials/download/{theirs.id}?expires={expires}&signature={signature}"),
        403,
        "signature",
    )
    later = int(expires) + 60
    fails(
        client.get(f"/materials/download/{mine.id}?expires={later}&signature={signature}"),
        403,
        "signature",
    )
    past = int(time.time()) - 10
    stale = sign_download(mine.id, mine.download_secret, past)
    fails(
        client.get(f"/materials/download/{mine.id}?expires={past}&signature={stale}"),
        403,
        "expires",
    )
    fails(client.get(f"/materials/download/{mine.id}?expires=soon&signature=x"), 400, "expires")


def test_downloads_with_key_headers_are_rate_limited_as_actions_are(
    client: TestClient, program: Program, tmp_path: Path
) -> None:
    material = add(client, program, tmp_path, "notes.txt", b"hello\n")
    path = f"/materials/download/{material.id}"
    limit(client, program, per_second=0.05, burst=3)  # before any request spends the budget
    [listed] = ok(api(client, program, "get_materials"))
    answers = [client.get(path, headers=keys(program)) for _ in range(3)]
    codes = [a.status_code for a in answers]
    assert codes[0] == 200
    assert codes[-1] == 429  # the budget (3, one spent listing) runs out within three
    assert "ratelimit" in answers[0].headers
    assert answers[-1].headers["retry-after"]
    assert answers[-1].json()["message"].startswith("rate limit exceeded")
    # The signed link carries no key: it is the grant, and not counted against the key.
    assert client.get(listed["download_url"]).status_code == 200
