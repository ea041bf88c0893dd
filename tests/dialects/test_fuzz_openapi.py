"""Property-based fuzzing of the ``/v1`` and SCIM OpenAPI documents (schemathesis).

Every operation in each dialect's own document is called with generated data, valid and
invalid, against the real ASGI app on a SQLite file holding a program with real users,
courses, groups, publications and enrollments. Path parameters are drawn either from the
generator or from the ids that exist, so both the 404 branches and the real handlers run.
The properties are the ones the brief demands of every route: never a 5xx (nor a traceback,
which the test client re-raises), and every 4xx answers with a JSON body.

Bounded for CI: a few examples per operation, derandomized so a run is reproducible.

The documents are built at import from the sub-app factories (their routes need no database),
so pytest lists one test per operation; the fixture then checks they equal the ones the real
app serves. (schemathesis's fixture-loaded schemas do not run under pytest 9.2.)
"""

from __future__ import annotations

import base64
import dataclasses
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.hooks import HookContext
from starlette.datastructures import State

from syllabus.app import create_app
from syllabus.dialects.scim.app import create_scim_app
from syllabus.dialects.skilljar.app import create_skilljar_app
from tests.http_client import Program, make_program, settings_for

EXAMPLES = int(os.environ.get("SYLLABUS_FUZZ_EXAMPLES", "12"))
"""Examples per operation: enough to reach the validation branches, small enough for CI
(set ``SYLLABUS_FUZZ_EXAMPLES`` to dig deeper locally)."""

SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"

# An open SSE stream never ends on its own: it has its own bounded tests in test_events.
UNBOUNDED = "/events/stream"


@dataclasses.dataclass
class World:
    """The app and the program every case authenticates as."""

    app: FastAPI
    program: Program

    @property
    def v1_auth(self) -> dict[str, str]:
        key = base64.b64encode(f"{self.program.api_key}:".encode()).decode()
        return {"Authorization": f"Basic {key}"}

    @property
    def scim_auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.program.scim_token}"}


def _created(client: TestClient, path: str, body: dict[str, Any], **kw: Any) -> dict[str, Any]:
    answer = client.post(path, json=body, **kw)
    assert answer.status_code in (200, 201), (path, answer.status_code, answer.text)
    result: dict[str, Any] = answer.json()
    return result


def _populate(client: TestClient, program: Program) -> dict[str, list[str]]:
    """Real rows of every kind the documents name in their paths, created over HTTP."""
    key = base64.b64encode(f"{program.api_key}:".encode()).decode()
    v1 = {"Authorization": f"Basic {key}"}
    scim = {"Authorization": f"Bearer {program.scim_token}"}
    domain = program.acct_key
    users = [
        _created(
            client,
            f"/v1/domains/{domain}/users",
            {"user": {"email": f"learner{n}@example.com", "first_name": f"L{n}"}},
            headers=v1,
        )["user"]
        for n in range(3)
    ]
    courses = [_created(client, "/v1/courses", {"title": f"Course {n}"}, headers=v1) for n in "AB"]
    publications = [
        _created(
            client,
            f"/v1/domains/{domain}/published-courses",
            {"course": {"id": course["id"]}},
            headers=v1,
        )
        for course in courses
    ]
    enrollments = [
        _created(
            client,
            f"/v1/domains/{domain}/published-courses/{publications[0]['id']}/enrollments",
            {"user": {"id": user["id"]}},
            headers=v1,
        )
        for user in users[:2]
    ]
    group = _created(client, "/v1/groups", {"name": "Sales"}, headers=v1)
    _created(
        client, f"/v1/groups/{group['id']}/users", {"user": {"id": users[0]["id"]}}, headers=v1
    )
    path = _created(
        client,
        f"/v1/domains/{domain}/published-paths",
        {"slug": "onboarding", "path": {"title": "Onboarding"}},
        headers=v1,
    )
    scim_user = _created(
        client,
        "/scim/v2/Users",
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "sam@example.com"},
        headers=scim,
    )
    scim_group = _created(
        client,
        "/scim/v2/Groups",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Engineering",
            "members": [{"value": scim_user["id"]}],
        },
        headers=scim,
    )
    return {
        "user_id": [u["id"] for u in users] + [scim_user["id"]],
        "course_id": [c["id"] for c in courses],
        "published_course_id": [p["id"] for p in publications],
        "enrollment_id": [e["id"] for e in enrollments],
        "group_id": [group["id"], scim_group["id"]],
        "published_path_id": [path["id"]],
        "domain_name": [domain],
    }


def _documents() -> tuple[dict[str, Any], dict[str, Any]]:
    """The two documents as the sub-apps build them; no request reaches these instances."""
    parent = State({"settings": None, "session_factory": None, "auth_cache": None})
    parent.secret_key = "documents-only"
    skilljar = create_skilljar_app(parent).openapi()
    scim = create_scim_app(None, None).openapi()  # type: ignore[arg-type]
    scim["servers"] = [{"url": "/scim/v2"}]  # what mounting adds as the root path
    return skilljar, scim


V1_DOCUMENT, SCIM_DOCUMENT = _documents()
v1 = schemathesis.openapi.from_dict(V1_DOCUMENT).exclude(path=UNBOUNDED)
scim = schemathesis.openapi.from_dict(SCIM_DOCUMENT)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, databases: Any) -> Iterator[World]:
    url, remove = databases.fresh(None)  # SQLite: the PostgreSQL paths have their own tests
    data_dir = tmp_path_factory.mktemp("fuzz")
    # Rate limits off, so no 429 masks what a case would have answered.
    config = dataclasses.replace(settings_for(url, data_dir), rate_limit_per_second=0.0)
    app = create_app(config)
    try:
        with TestClient(app, raise_server_exceptions=True) as client:
            assert client.get("/v1/openapi.json").json() == V1_DOCUMENT
            assert client.get("/scim/v2/openapi.json").json() == SCIM_DOCUMENT
            program = make_program(client, "fuzz.example.test")
            _REAL_IDS.update(_populate(client, program))
            yield World(app, program)
    finally:
        _REAL_IDS.clear()
        remove()


_REAL_IDS: dict[str, list[str]] = {}
"""Ids that exist in the fuzzed program, filled by the ``world`` fixture before any case."""


def _real_ids(context: HookContext, path_parameters: dict[str, Any] | None) -> Any:
    """Half the time, a path parameter names a row that exists in the program."""
    if not path_parameters:
        return st.just(path_parameters)
    choices: list[st.SearchStrategy[dict[str, Any]]] = [st.just(path_parameters)]
    real = {name: _REAL_IDS[name] for name in path_parameters if _REAL_IDS.get(name)}
    if real:
        drawn = st.fixed_dictionaries({k: st.sampled_from(v) for k, v in real.items()})
        choices.append(drawn.map(lambda ids: {**path_parameters, **ids}))
    return st.one_of(choices)


def _short_waits(context: HookContext, query: dict[str, Any] | None) -> Any:
    """A long-poll's ``wait`` (up to 60 s) capped at a tenth of a second, keeping the run
    bounded; values the route must reject are left as generated."""
    if not query:
        return query
    wait = query.get("wait")
    if isinstance(wait, int | float) and not isinstance(wait, bool) and wait > 0.1:
        return {**query, "wait": 0.1}
    return query


v1.hook("flatmap_path_parameters")(_real_ids)
v1.hook("map_query")(_short_waits)
scim.hook("flatmap_path_parameters")(_real_ids)


def _declared(case: Case, status: int) -> bool:
    """Whether the operation's document names this status (SCIM's 501 for what it lacks)."""
    return str(status) in case.operation.definition.raw.get("responses", {})


def _check(case: Case, response: Response) -> None:
    if response.status_code == 501 and _declared(case, 501):
        return  # RFC 7644 §3.12: an optional operation the provider does not offer
    case.validate_response(response, checks=[not_a_server_error])
    assert response.status_code < 500, (case.method, case.formatted_path, response.text)
    if 400 <= response.status_code < 500 and case.method != "HEAD":
        content_type = response.headers.get("content-type", [""])[0]
        assert "json" in content_type, (case.method, case.formatted_path, content_type)
        assert isinstance(response.json(), dict), (case.method, case.formatted_path)


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@v1.parametrize()
@FUZZ
def test_v1_never_a_server_error(case: Case, world: World) -> None:
    response = case.call(headers=world.v1_auth, app=world.app)
    _check(case, response)
    if response.status_code == 404 and case.method != "HEAD":
        assert set(response.json()) == {"detail"}, (case.formatted_path, response.text)  # DRF


@scim.parametrize()
@FUZZ
def test_scim_never_a_server_error(case: Case, world: World) -> None:
    response = case.call(headers=world.scim_auth, app=world.app)
    _check(case, response)
    if 400 <= response.status_code < 500 and case.method != "HEAD":
        error = response.json()  # RFC 7644 §3.12, whatever went wrong
        assert error["schemas"] == [SCIM_ERROR], (case.method, case.formatted_path, error)
        assert error["status"] == str(response.status_code), error
