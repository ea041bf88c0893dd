"""Independent checkers against a live uvicorn SCIM endpoint on 127.0.0.1: scim2-tester (the
suite fails on any ERROR or CRITICAL result) and the scim-sanity probe."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import check_server
from scim2_tester.utils import Status

from syllabus.core.context import Context, Surface
from syllabus.core.credentials import CredentialKind
from syllabus.db.session import unit_of_work
from syllabus.services.credentials import issue_credential
from syllabus.services.tenants import NewTenant, create_tenant
from tests.dialects.scim.live import live_server

pytestmark = pytest.mark.slow


@pytest.fixture
def live(fresh_db_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(SCIM base URL, token) of a program on a real server."""
    with live_server(fresh_db_url, tmp_path) as (base, app):
        factory = app.state.session_factory  # type: ignore[attr-defined]
        with unit_of_work(factory, tenant_id=None) as session:
            tenant = create_tenant(
                session, data=NewTenant(acct_key="idp.example.test"), actor="t", surface=Surface.CLI
            )
            ctx = Context(tenant.id, "t", Surface.CLI)
            token = issue_credential(
                session, ctx, kind=CredentialKind.SCIM_TOKEN, label="okta"
            ).secret
        yield f"{base}/scim/v2", token


def test_scim2_tester_finds_no_error(live: tuple[str, str]) -> None:
    url, token = live
    client = SyncSCIMClient(Client(base_url=url, headers={"Authorization": f"Bearer {token}"}))
    results = check_server(client)
    counts = Counter(r.status.name for r in results)
    print(f"scim2-tester: {len(results)} checks, {dict(sorted(counts.items()))}")
    failures: list[Any] = [
        (r.status.name, r.title, r.reason)
        for r in results
        if r.status in (Status.ERROR, Status.CRITICAL)
    ]
    assert not failures, failures
    # It exercised both resource types, not only discovery.
    assert counts["SUCCESS"] >= 70


def test_scim_sanity_probe(live: tuple[str, str]) -> None:
    url, token = live
    probe = [sys.executable, "-m", "scim_sanity", "probe", url, "--token", token]
    done = subprocess.run(
        [*probe, "--i-accept-side-effects"], capture_output=True, text=True, timeout=120
    )
    summary = re.search(r"(\d+) passed, (\d+) failed, (\d+) skipped", done.stdout)
    assert summary, done.stdout + done.stderr
    print(f"scim-sanity: {summary.group(0)}")
    failed = re.findall(r"\[FAIL\] (.+)", done.stdout)
    # The one check we fail on purpose: adding a member id that is no user is a 400
    # invalidValue here (memberships reference real users), not a silent success.
    assert failed == ["PATCH /Groups/{id} add member"], done.stdout
    assert int(summary.group(1)) >= 27
