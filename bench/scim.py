"""SCIM scenarios: provisioning one user per request over HTTP, a userName filter at scale,
and an Okta-style full import paged by startIndex/count."""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable

import orjson

from bench.harness import Row, compare, not_available
from bench.http import HOST, UNTHROTTLED, serve
from bench.scenarios import Bench, ours
from syllabus.core.context import Context, Surface
from syllabus.core.credentials import CredentialKind

USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
PAGE = 100


def _scim_token(bench: Bench) -> str:
    from syllabus.services.credentials import issue_credential

    with bench.write_session() as session:
        return issue_credential(
            session, bench.ctx, kind=CredentialKind.SCIM_TOKEN, label="bench"
        ).secret


def _sequential(
    port: int, requests: list[tuple[str, str, bytes | None]], headers: dict[str, str]
) -> float:
    """Send the requests one after another on one keep-alive connection; seconds taken."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    started = time.perf_counter()
    try:
        for method, path, body in requests:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status >= 300:
                raise RuntimeError(f"{method} {path} answered {response.status}")
    finally:
        conn.close()
    return time.perf_counter() - started


def create_scenario(bench: Bench) -> list[Row]:
    """POST /scim/v2/Users one user at a time (an IdP's initial push) vs the request rate of a
    bare FastAPI endpoint driven the same way."""
    size = bench.scale.batch
    title = f"7a. SCIM create {size:,} users, one request each"
    if ours("syllabus.dialects.scim.app", "create_scim_app") is None:
        return [not_available(title, "SCIM not yet built")]
    token = _scim_token(bench)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}
    batch = next(bench._batch_numbers)
    bodies = [
        orjson.dumps(
            {
                "schemas": [USER_URN],
                "userName": f"scim{batch}x{i}@example.com",
                "name": {"givenName": "Scim", "familyName": f"User{i}"},
                "emails": [
                    {"value": f"scim{batch}x{i}@example.com", "type": "work", "primary": True}
                ],
                "active": True,
            }
        )
        for i in range(size)
    ]
    env = {"SYLLABUS_DATABASE_URL": bench.program.url, "SYLLABUS_EMBEDDED_WORKER": "0"}
    env |= UNTHROTTLED  # the check runs, as in production; the budget never runs out
    with serve("syllabus.app:create_app", factory=True, env=env) as server:
        our_time = _sequential(
            server.port, [("POST", "/scim/v2/Users", b) for b in bodies], headers
        )
    with serve("bench.baselines:fastapi_hello_app", factory=True) as server:
        base_time = _sequential(server.port, [("GET", "/hello", None)] * size, {})
    return [
        Row(
            title,
            size / our_time,
            size / base_time,
            "B1 FastAPI hello, sequential",
            "req/s",
            note="each create: auth, validation, user + profile + sources + event rows, commit",
        )
    ]


def _list_users() -> Callable[..., object] | None:
    return ours("syllabus.dialects.scim.user_routes", "list_users")


def filter_scenario(bench: Bench) -> list[Row]:
    """``filter=userName eq "..."`` (parse, compile to SQL, count + page, render) vs B2's
    indexed SELECT of the same user."""
    title = bench.name(f"7b. SCIM userName eq filter at {bench.program.users:,} users")
    list_users = _list_users()
    if list_users is None:
        return [not_available(title, "SCIM not yet built")]
    from syllabus.dialects.scim.listing import list_params

    program, raw, tid = bench.program, bench.raw, bench.program.tenant_id
    n = min(bench.scale.lookups, program.users) // 4
    emails = [program.email(i) for i in bench.seed.sample(range(program.users), n)]
    params = [list_params({"filter": f'userName eq "{e.upper()}"'}) for e in emails]
    base = "http://bench/scim/v2/"
    reader = Context(tenant_id=tid, actor="bench", surface=Surface.SCIM)

    def mine() -> None:
        for p in params:
            with bench.read_session() as session:
                found = list_users(session, reader, p, base)
                if found["totalResults"] != 1:  # type: ignore[index]
                    raise RuntimeError("userName filter did not find the user")

    def theirs() -> None:
        for e in emails:
            raw.user_by_email(tid, e)

    our_time, raw_time = compare(mine, theirs, repeats=bench.scale.repeats)
    return [
        Row(
            title,
            n / our_time,
            n / raw_time,
            "B2 raw indexed SELECT",
            "op/s",
            note=f"ours {our_time / n * 1000:.2f} ms per filtered list (unit of work each)",
        )
    ]


def import_pages_scenario(bench: Bench) -> list[Row]:
    """An Okta full import: GET /Users?startIndex=..&count=100 through every user; the last
    page against the first (offset paging over the (tenant_id, id) index)."""
    users = bench.program.users
    title = bench.name(f"7c. SCIM import page of {PAGE}, startIndex")
    list_users = _list_users()
    if list_users is None:
        return [not_available(title, "SCIM not yet built")]
    from syllabus.dialects.scim.listing import list_params

    base = "http://bench/scim/v2/"
    reader = Context(tenant_id=bench.program.tenant_id, actor="bench", surface=Surface.SCIM)
    pages = max(10, bench.scale.lookups // 40)
    last_start = max(users - PAGE + 1, 1)

    def run(start: int) -> Callable[[], None]:
        params = list_params({"startIndex": start, "count": PAGE})

        def go() -> None:
            for _ in range(pages):
                with bench.read_session() as session:
                    got = list_users(session, reader, params, base)
            if len(got["Resources"]) == 0:  # type: ignore[index]
                raise RuntimeError("empty page")

        return go

    def whole_import() -> float:
        started = time.perf_counter()
        start = 1
        while True:
            with bench.read_session() as session:
                got = list_users(
                    session, reader, list_params({"startIndex": start, "count": PAGE}), base
                )
            start += PAGE
            if start > got["totalResults"]:  # type: ignore[index]
                return time.perf_counter() - started

    first, last = compare(run(1), run(last_start), repeats=bench.scale.repeats)
    total = whole_import()
    return [
        Row(
            bench.name(f"7c. SCIM page of {PAGE} at startIndex {last_start:,} vs 1"),
            pages / last,
            pages / first,
            "ours, first page",
            "page/s",
            aim=">=0.5",
            note=f"full import of {users:,} users: {total:.1f} s",
        )
    ]
