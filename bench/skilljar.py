"""Skilljar dialect scenarios over HTTP (a real uvicorn server).

8. Following ``next`` through every user, 1,000 per page: the last page's latency against the
   first's, and the whole walk against a raw keyset scan of the same rows.
9. Resolving a user by email: one ``GET /v1/users?email=`` against the scan the integration
   guide describes (pages of 100, following ``next`` until the email shows up; 1,000 requests
   at 100,000 users when the user is the last one).
"""

from __future__ import annotations

import base64
import http.client
import json
import time
from typing import Any
from urllib.parse import urlsplit

from bench.harness import Row, not_available
from bench.http import HOST, UNTHROTTLED, serve
from bench.scenarios import Bench, ours

WALK_PAGE = 1_000
GUIDE_PAGE = 100


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


class _Client:
    """One keep-alive connection, as an integration script would hold."""

    def __init__(self, port: int, key: str) -> None:
        self.conn = http.client.HTTPConnection(HOST, port, timeout=600)
        self.headers = _auth(key)

    def get(self, url: str) -> tuple[dict[str, Any], float]:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        started = time.perf_counter()
        self.conn.request("GET", path, headers=self.headers)
        response = self.conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}: {body[:200]!r}")
        return (json.loads(body) if body else {}), elapsed

    def close(self) -> None:
        self.conn.close()


def _server(bench: Bench) -> Any:
    env = {"SYLLABUS_DATABASE_URL": bench.program.url, "SYLLABUS_EMBEDDED_WORKER": "0"}
    env |= UNTHROTTLED  # the check runs, as in production; the budget never runs out
    return serve("syllabus.app:create_app", factory=True, env=env)


def walk_scenario(bench: Bench) -> list[Row]:
    program = bench.program
    title = f"8. /v1/users, {program.users:,} users by next, {WALK_PAGE:,} a page"
    if ours("syllabus.dialects.skilljar.app", "create_skilljar_app") is None:
        return [not_available(title, "the /v1 dialect is not yet built")]
    with _server(bench) as server:
        client = _Client(server.port, program.api_key)
        client.get(f"/v1/users?page_size={WALK_PAGE}")  # warm caches and the key
        latencies: list[float] = []
        seen = 0
        url: str | None = f"http://{HOST}/v1/users?page_size={WALK_PAGE}"
        started = time.perf_counter()
        while url:
            body, elapsed = client.get(url)
            latencies.append(elapsed)
            seen += len(body["results"])
            url = body["next"]
        total = time.perf_counter() - started
        client.close()
    if seen != program.users:
        return [not_available(title, f"walk saw {seen:,} users, not {program.users:,}")]
    tid = program.tenant_id
    started = time.perf_counter()
    after, raw_rows = 0, 0
    while True:
        page = bench.raw.users_page(tid, after, WALK_PAGE)
        if not page:
            break
        raw_rows += len(page)
        after = page[-1][0]
    raw_total = time.perf_counter() - started
    first, last = latencies[0], latencies[-2] if len(latencies) > 1 else latencies[-1]
    return [
        Row(
            f"{title}: last full page vs first",
            1 / last,
            1 / first,
            "ours, first page",
            "page/s",
            aim=">=0.8",
            note=f"first {first * 1000:.0f} ms, last {last * 1000:.0f} ms, {len(latencies)} pages",
        ),
        Row(
            f"{title}: whole walk",
            seen / total,
            raw_rows / raw_total,
            "B2 raw keyset scan",
            "row/s",
            note=f"{total:.1f} s vs {raw_total:.2f} s",
        ),
    ]


def lookup_scenario(bench: Bench) -> list[Row]:
    program = bench.program
    title = f"9. user by email, {program.users:,} users"
    if ours("syllabus.dialects.skilljar.app", "create_skilljar_app") is None:
        return [not_available(title, "the /v1 dialect is not yet built")]
    email = program.email(program.users - 1)  # the last user: the scan's worst case
    with _server(bench) as server:
        client = _Client(server.port, program.api_key)
        client.get("/v1/ping")
        best = float("inf")
        for _ in range(max(3, bench.scale.repeats)):
            body, elapsed = client.get(f"/v1/users?email={email}")
            if [u["email"].lower() for u in body["results"]] != [email.lower()]:
                raise RuntimeError(f"email filter answered {body['results']!r}")
            best = min(best, elapsed)
        requests = 0
        found = False
        url: str | None = f"http://{HOST}/v1/users?page_size={GUIDE_PAGE}"
        started = time.perf_counter()
        while url and not found:
            body, _ = client.get(url)
            requests += 1
            found = any(u["email"].lower() == email.lower() for u in body["results"])
            url = body["next"]
        scan = time.perf_counter() - started
        client.close()
    if not found:
        return [not_available(title, "the page scan never found the user")]
    return [
        Row(
            f"{title}: one request vs the guide's page scan",
            1 / best,
            1 / scan,
            f"scan of {requests:,} pages of {GUIDE_PAGE}",
            "lookup/s",
            note=f"{best * 1000:.1f} ms vs {scan:.1f} s",
        )
    ]
