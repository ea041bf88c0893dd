"""Concurrent writes to one user's signup values and manager access, against a real server:
each request is its own transaction, none fails, and the end state is one row per thing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import func, select

from syllabus.core.context import Context, Surface
from syllabus.core.credentials import CredentialKind
from syllabus.db.session import unit_of_work
from syllabus.dialects.skilljar.ids import IdCodec
from syllabus.domain.groups import Group, GroupManager
from syllabus.domain.signup_manager import UserSignupFieldValue
from syllabus.domain.tenants import Domain
from syllabus.services.credentials import issue_credential
from syllabus.services.signup_fields import SignupFieldData, add_signup_field
from syllabus.services.tenants import NewTenant, create_tenant
from syllabus.services.users import UserData, create_user
from tests.dialects.skyprep.test_ilt_concurrency import server  # noqa: F401  (fixture)

CLIENTS = 8
ACCT = "race.example.test"


def test_concurrent_saves_and_grants_end_in_one_row(server: tuple[str, Any]) -> None:  # noqa: F811
    base, app = server
    factory = app.state.session_factory
    ids = IdCodec(app.state.secret_key)
    with unit_of_work(factory, tenant_id=None) as session:
        tenant = create_tenant(
            session, data=NewTenant(acct_key=ACCT), actor="t", surface=Surface.CLI
        )
        ctx = Context(tenant.id, "test", Surface.CLI)
        api_key = issue_credential(session, ctx, kind=CredentialKind.API_KEY).secret
    with unit_of_work(factory, tenant_id=tenant.id) as session:
        domain_id = session.scalar(select(Domain.id).where(Domain.tenant_id == tenant.id))
        assert domain_id is not None
        field = add_signup_field(session, ctx, domain_id=domain_id, data=SignupFieldData(label="T"))
        user = create_user(session, ctx, data=UserData(email="racer@example.com"))
        field_id, user_id = ids.encode("signup_field", field.id), ids.encode("user", user.id)
        raw_user = user.id
        others = [
            ids.encode("user", create_user(session, ctx, data=UserData(email=f"o{n}@e.com")).id)
            for n in range(CLIENTS)
        ]
    auth = {"Authorization": f"Token {api_key}"}
    root = f"{base}/v1/domains/{ACCT}/users/{user_id}"

    def save(n: int) -> int:
        body = {"signup_field": {"id": field_id}, "value": f"v{n}"}
        return httpx.post(f"{root}/signup-fields", json=body, headers=auth, timeout=60).status_code

    def grant(n: int) -> int:
        body = {"group_name": f"Team {n}", "course_access_level": "ALL", "path_access_level": "ALL"}
        return httpx.put(f"{root}/manager-access", json=body, headers=auth, timeout=60).status_code

    def share(other: str) -> int:
        body = {"group_name": "Shared", "course_access_level": "ALL", "path_access_level": "ALL"}
        url = f"{base}/v1/domains/{ACCT}/users/{other}/manager-access"
        return httpx.put(url, json=body, headers=auth, timeout=60).status_code

    with ThreadPoolExecutor(CLIENTS) as pool:
        saved = list(pool.map(save, range(CLIENTS)))
        granted = list(pool.map(grant, range(CLIENTS)))
        shared = list(pool.map(share, others))
    assert saved == [201] * CLIENTS
    assert granted == [200] * CLIENTS
    assert shared == [200] * CLIENTS
    with unit_of_work(factory, tenant_id=tenant.id, read_only=True) as session:
        values = session.scalar(select(func.count()).select_from(UserSignupFieldValue))
        links = session.scalar(
            select(func.count()).select_from(GroupManager).where(GroupManager.user_id == raw_user)
        )
        groups = session.scalar(
            select(func.count()).select_from(Group).where(Group.name == "Shared")
        )
    assert values == 1
    assert links == 1
    assert groups == 1
