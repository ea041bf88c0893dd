"""Two writers with the same ``If-Match`` at the same moment, on a real server and PostgreSQL:
exactly one wins, the other is answered 412.

The test holds a row lock of its own on the resource's table, sends both requests, waits until
PostgreSQL shows both of them blocked on a lock, then lets go. With the precondition read under
the row lock, the second writer reads the first one's change and fails it; without that lock
both would have compared the old tag before blocking, and both would have written.
"""

from __future__ import annotations

import base64
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, text

from syllabus.core.credentials import CredentialKind
from syllabus.db.engine import make_engine
from syllabus.db.session import make_sessionmaker, unit_of_work
from syllabus.services.credentials import issue_credential
from tests.conftest import Databases
from tests.dialects.guards.test_real_servers import servers
from tests.factories import make_tenant

pytestmark = pytest.mark.slow
WAIT_SECONDS = 30.0
_programs = itertools.count(1)


class Served:
    """A real server on the fresh database and a program's credentials."""

    def __init__(self, base: str, domain: str, api_key: str, scim_token: str) -> None:
        self.base = base
        self.domain = domain
        self.auth = {"Authorization": "Basic " + base64.b64encode(f"{api_key}:".encode()).decode()}
        self.scim = {"Authorization": f"Bearer {scim_token}"}

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**(self.scim if path.startswith("/scim") else self.auth)}
        headers |= kwargs.pop("headers", {})
        return httpx.request(method, self.base + path, headers=headers, timeout=60, **kwargs)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.call("POST", path, json=body)
        assert answer.status_code in (200, 201), answer.text
        result: dict[str, Any] = answer.json()
        return result


# PostgreSQL row locks only: SQLite serializes writers with BEGIN IMMEDIATE.
@pytest.fixture(scope="module", params=["postgresql"])
def race_server(
    request: pytest.FixtureRequest,
    databases: Databases,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, str]]:
    """One real server on one fresh database for the module; each test has its own program."""
    url, remove = databases.fresh(request.getfixturevalue("postgres_server"))
    env = {"SYLLABUS_RATE_LIMIT_PER_SECOND": "0"}
    try:
        with servers(url, tmp_path_factory.mktemp("race"), 1, **env) as bases:
            yield bases[0], url
    finally:
        remove()


@pytest.fixture
def served(race_server: tuple[str, str]) -> tuple[Served, str]:
    base, url = race_server
    engine = make_engine(url)
    with unit_of_work(make_sessionmaker(engine), tenant_id=None) as session:
        tenant, ctx = make_tenant(session, f"race-{next(_programs)}.example")
        api_key = issue_credential(session, ctx, kind=CredentialKind.API_KEY).secret
        scim = issue_credential(session, ctx, kind=CredentialKind.SCIM_TOKEN).secret
    engine.dispose()
    return Served(base, tenant.acct_key, api_key, scim), url


def _published_course(s: Served) -> dict[str, Any]:
    course = s.post("/v1/courses", {"title": "Safety"})
    return s.post(f"/v1/domains/{s.domain}/published-courses", {"course": {"id": course["id"]}})


def _learner(s: Served) -> dict[str, Any]:
    body = {"user": {"email": "lee@example.com", "first_name": "Lee"}}
    return s.post(f"/v1/domains/{s.domain}/users", body)["user"]


def _enrolled(s: Served) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    pc, user = _published_course(s), _learner(s)
    url = f"/v1/domains/{s.domain}/published-courses/{pc['id']}/enrollments"
    return pc, user, s.post(url, {"user": {"id": user["id"]}})


def domain(s: Served) -> tuple[str, str, list[dict[str, Any]]]:
    return f"/v1/domains/{s.domain}", "domains", [{"catalog_title": "A"}, {"catalog_title": "B"}]


def domain_user(s: Served) -> tuple[str, str, list[dict[str, Any]]]:
    url = f"/v1/domains/{s.domain}/users/{_learner(s)['id']}"
    return url, "domain_memberships", [{"active": False}, {"marketing_optin": True}]


def published_course(s: Served) -> tuple[str, str, list[dict[str, Any]]]:
    url = f"/v1/domains/{s.domain}/published-courses/{_published_course(s)['id']}"
    return url, "published_courses", [{"hidden": True}, {"slug": "other"}]


def enrollment(s: Served) -> tuple[str, str, list[dict[str, Any]]]:
    pc, _, enrolled = _enrolled(s)
    url = f"/v1/domains/{s.domain}/published-courses/{pc['id']}/enrollments/{enrolled['id']}"
    return url, "enrollments", [{"active": False}, {"expires_at": "2030-01-01T00:00:00Z"}]


def user_published_course(s: Served) -> tuple[str, str, list[dict[str, Any]]]:
    pc, user, _ = _enrolled(s)
    url = f"/v1/users/{user['id']}/published-courses/{pc['id']}"
    bodies = [
        {"course_progress": {"completed_at": "2026-05-07T19:30:00Z"}},
        {"course_progress": {"completed_at": "2026-06-01T08:00:00Z"}},
    ]
    return url, "enrollments", bodies


def published_path(s: Served) -> tuple[str, str, list[dict[str, Any]]]:
    body = {"slug": "onboarding", "path": {"title": "Onboarding"}}
    created = s.post(f"/v1/domains/{s.domain}/published-paths", body)
    url = f"/v1/domains/{s.domain}/published-paths/{created['id']}"
    return url, "published_paths", [{"hidden": True}, {"slug": "other"}]


def scim_user(s: Served) -> tuple[str, str, list[dict[str, Any]]]:
    body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "sam@ex.com"}
    created = s.post("/scim/v2/Users", body)
    op = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    bodies = [
        {"schemas": [op], "Operations": [{"op": "replace", "path": "displayName", "value": n}]}
        for n in ("One", "Two")
    ]
    return f"/scim/v2/Users/{created['id']}", "users", bodies


def _waiting(connection: Connection) -> int:
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    count = int(connection.execute(query).scalar_one())
    connection.rollback()  # the statistics are a snapshot per transaction
    return count


@pytest.mark.parametrize(
    "arrange",
    [
        domain,
        domain_user,
        published_course,
        enrollment,
        user_published_course,
        published_path,
        scim_user,
    ],
)
def test_same_if_match_at_once_lets_exactly_one_through(
    served: tuple[Served, str], arrange: Callable[[Served], tuple[str, str, list[dict[str, Any]]]]
) -> None:
    s, url = served
    path, table, bodies = arrange(s)
    tag = s.call("GET", path).headers["etag"]
    answers: list[httpx.Response] = []
    engine = make_engine(url)
    try:
        with engine.connect() as blocker, engine.connect() as watcher:
            blocker.execute(text(f"SELECT id FROM {table} FOR UPDATE"))

            def send(body: dict[str, Any]) -> None:
                answers.append(s.call("PATCH", path, json=body, headers={"If-Match": tag}))

            threads = [threading.Thread(target=send, args=(b,)) for b in bodies]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + WAIT_SECONDS
            while _waiting(watcher) < 2:
                assert time.monotonic() < deadline, "both writers should wait on the row lock"
                time.sleep(0.05)
            blocker.rollback()
            for thread in threads:
                thread.join()
    finally:
        engine.dispose()
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 412], [(a.status_code, a.text) for a in answers]
    winner = next(a for a in answers if a.status_code == 200)
    assert s.call("GET", path).headers["etag"] == winner.headers["etag"]
