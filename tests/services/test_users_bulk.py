"""Bulk user creation: all-or-nothing and best-effort modes, events, and email-domain rules."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from syllabus.core.errors import BulkRejected, NotFound, RowError
from syllabus.domain.groups import GroupMembership
from syllabus.domain.tenants import DomainMembership
from syllabus.domain.users import User
from syllabus.queries.users import get_user_by_email
from syllabus.services.groups import set_email_domain_rules
from syllabus.services.tenants import add_domain
from syllabus.services.users import NewUser, UserData, create_users
from tests.factories import (
    event_data,
    events_since,
    last_event_id,
    make_group,
    make_tenant,
    make_user,
    unique,
)
from tests.hypothesis_profiles import examples


def new(email: str, **fields: Any) -> NewUser:
    return NewUser(data=UserData(email=email, **fields))


def user_emails(session: Session, tenant_id: int) -> list[str]:
    return list(
        session.scalars(select(User.email).where(User.tenant_id == tenant_id).order_by(User.id))
    )


def bad_batch() -> list[NewUser]:
    """Rows 0, 2 and 6 are good; every other row is wrong in its own way."""
    return [
        new("good.one@example.com", first_name="One"),
        new("not-an-email"),
        new("good.two@example.com", username="two"),
        new("GOOD.ONE@example.com"),  # repeats row 0, differently cased
        new("existing@example.com"),  # already registered
        new("bad.role@example.com", role="owner"),
        new("good.three@example.com"),
        new("name.clash@example.com", username="TWO"),  # repeats row 2's username
        new("long.name@example.com", last_name="x" * 101),
    ]


EXPECTED_ERRORS = [
    (1, "email"),
    (3, "email"),
    (4, "email"),
    (5, "role"),
    (7, "username"),
    (8, "last_name"),
]


def where(errors: list[RowError]) -> list[tuple[int, str | None]]:
    return [(e.index, e.field) for e in errors]


def test_atomic_batch_rejects_every_bad_row_and_writes_nothing(session: Session) -> None:
    _, ctx = make_tenant(session)
    make_user(session, ctx, email="existing@example.com")
    before = last_event_id(session)

    with pytest.raises(BulkRejected) as raised:
        create_users(session, ctx, users=bad_batch(), atomic=True)

    assert where(raised.value.rows) == EXPECTED_ERRORS
    codes = {e.index: e.code for e in raised.value.rows}
    assert codes == {
        1: "invalid",
        3: "conflict",
        4: "conflict",
        5: "invalid",
        7: "conflict",
        8: "invalid",
    }
    assert raised.value.field == "email"  # the first bad row's field
    assert user_emails(session, ctx.tenant_id) == ["existing@example.com"]
    assert events_since(session, ctx, before) == []


def test_best_effort_batch_creates_good_rows_and_reports_bad_ones(session: Session) -> None:
    _, ctx = make_tenant(session)
    make_user(session, ctx, email="existing@example.com")
    before = last_event_id(session)

    result = create_users(session, ctx, users=bad_batch(), atomic=False)

    assert where(result.errors) == EXPECTED_ERRORS
    assert user_emails(session, ctx.tenant_id) == [
        "existing@example.com",
        "good.one@example.com",
        "good.two@example.com",
        "good.three@example.com",
    ]
    created = [session.get(User, i) for i in result.created]
    assert [u.email for u in created if u is not None] == [
        "good.one@example.com",
        "good.two@example.com",
        "good.three@example.com",
    ]
    new_events = events_since(session, ctx, before)
    assert [e.type for e in new_events] == ["user.registered"] * 3
    assert [e.data["user_id"] for e in new_events] == result.created
    assert new_events[0].data["first_name"] == "One"


def test_best_effort_batch_with_only_bad_rows_creates_nothing(session: Session) -> None:
    _, ctx = make_tenant(session)
    result = create_users(
        session, ctx, users=[new("nope"), new("x@example.com", role="x")], atomic=False
    )
    assert result.created == []
    assert where(result.errors) == [(0, "email"), (1, "role")]
    assert user_emails(session, ctx.tenant_id) == []


def test_bulk_records_one_registered_event_per_user(session: Session) -> None:
    _, ctx = make_tenant(session)
    rows = [new(f"bulk{i}@example.com", last_name=f"L{i}") for i in range(25)]
    result = create_users(session, ctx, users=rows)
    assert len(result.created) == 25
    assert len(set(result.created)) == 25
    registered = event_data(session, ctx, "user.registered")
    assert [d["user_id"] for d in registered] == result.created
    assert [d["email"] for d in registered] == [f"bulk{i}@example.com" for i in range(25)]
    assert [d["last_name"] for d in registered] == [f"L{i}" for i in range(25)]
    memberships = session.scalar(
        select(func.count())
        .select_from(DomainMembership)
        .where(DomainMembership.user_id.in_(result.created))
    )
    assert memberships == 25


def test_bulk_unknown_manager_rejects_only_that_row(session: Session) -> None:
    _, ctx = make_tenant(session)
    boss = make_user(session, ctx)
    rows = [new("a@example.com", manager_id=boss.id), new("b@example.com", manager_id=10**9)]
    result = create_users(session, ctx, users=rows, atomic=False)
    assert where(result.errors) == [(1, "manager_id")]
    assert result.errors[0].code == "not_found"
    assert user_emails(session, ctx.tenant_id) == [boss.email, "a@example.com"]


def test_bulk_joins_the_given_domains(session: Session) -> None:
    _, ctx = make_tenant(session)
    extra = add_domain(session, ctx, name=f"{unique('academy')}.example.test")
    result = create_users(session, ctx, users=[new("d@example.com")], domain_ids=[extra.id])
    domains = session.scalars(
        select(DomainMembership.domain_id).where(DomainMembership.user_id == result.created[0])
    )
    assert list(domains) == [extra.id]

    _, other_ctx = make_tenant(session)
    foreign = add_domain(session, other_ctx, name=f"{unique('foreign')}.example.test")
    with pytest.raises(NotFound) as raised:
        create_users(session, ctx, users=[new("e@example.com")], domain_ids=[foreign.id])
    assert raised.value.field == "domain_ids"


# --- Email-domain rules ------------------------------------------------------------------------


def members(session: Session, group_id: int) -> set[int]:
    return set(
        session.scalars(select(GroupMembership.user_id).where(GroupMembership.group_id == group_id))
    )


def test_email_domain_rules_auto_join_new_users(session: Session) -> None:
    _, ctx = make_tenant(session)
    acme = make_group(session, ctx, "Acme")
    partners = make_group(session, ctx, "Partners")
    assert set_email_domain_rules(
        session, ctx, group_id=acme.id, email_domains=["ACME.com", "acme.co.uk", "acme.com"]
    ) == ["acme.co.uk", "acme.com"]
    set_email_domain_rules(session, ctx, group_id=partners.id, email_domains=["acme.com"])
    before = last_event_id(session)

    result = create_users(
        session,
        ctx,
        users=[new("Wile@Acme.COM"), new("road@runner.com"), new("uk@acme.co.uk")],
    )
    wile, road, uk = result.created

    assert members(session, acme.id) == {wile, uk}
    assert members(session, partners.id) == {wile}
    added = [e.data for e in events_since(session, ctx, before) if e.type == "group.member_added"]
    assert sorted((d["group_id"], d["user_id"]) for d in added) == sorted(
        [(acme.id, wile), (partners.id, wile), (acme.id, uk)]
    )
    assert {d["reason"] for d in added} == {"email_domain_rule"}
    assert road not in members(session, acme.id) | members(session, partners.id)


def test_email_domain_rules_match_the_whole_domain_only(session: Session) -> None:
    _, ctx = make_tenant(session)
    group = make_group(session, ctx)
    set_email_domain_rules(session, ctx, group_id=group.id, email_domains=["acme.com"])
    make_user(session, ctx, email="x@sub.acme.com")
    make_user(session, ctx, email="y@notacme.com")
    assert members(session, group.id) == set()


def test_replacing_email_domain_rules_stops_old_matches(session: Session) -> None:
    _, ctx = make_tenant(session)
    group = make_group(session, ctx)
    set_email_domain_rules(session, ctx, group_id=group.id, email_domains=["old.com"])
    set_email_domain_rules(session, ctx, group_id=group.id, email_domains=["new.com"])
    make_user(session, ctx, email="a@old.com")
    b = make_user(session, ctx, email="b@new.com")
    assert members(session, group.id) == {b.id}


def test_email_domain_rules_of_another_tenant_do_not_apply(session: Session) -> None:
    _, ctx_a = make_tenant(session)
    _, ctx_b = make_tenant(session)
    group = make_group(session, ctx_a)
    set_email_domain_rules(session, ctx_a, group_id=group.id, email_domains=["acme.com"])
    make_user(session, ctx_b, email="b@acme.com")
    assert members(session, group.id) == set()


# --- Property: uniqueness is by normalized email ------------------------------------------------

local_parts = st.text(alphabet="abcdefgh.", min_size=1, max_size=6).filter(
    lambda s: not s.startswith(".")
)
domains = st.sampled_from(["example.com", "Example.COM", "mail.test"])
emails = st.builds(lambda local, domain: f"{local}@{domain}", local_parts, domains)
case_flips = st.lists(st.booleans(), min_size=12, max_size=12)


def recase(email: str, flips: list[bool]) -> str:
    return "".join(c.upper() if flips[i % len(flips)] else c for i, c in enumerate(email))


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(batch=st.lists(st.tuples(emails, case_flips), min_size=1, max_size=8))
def test_bulk_keeps_the_first_of_each_normalized_email(
    session: Session, batch: list[tuple[str, list[bool]]]
) -> None:
    _, ctx = make_tenant(session)
    rows = [new(recase(email, flips)) for email, flips in batch]

    result = create_users(session, ctx, users=rows, atomic=False)

    first_index: dict[str, int] = {}
    for index, row in enumerate(rows):
        first_index.setdefault(str(row.data.email).lower(), index)
    kept = sorted(first_index.values())
    assert user_emails(session, ctx.tenant_id) == [str(rows[i].data.email) for i in kept]
    assert where(result.errors) == [(i, "email") for i in range(len(rows)) if i not in kept]
    for index in kept:
        email = str(rows[index].data.email)
        for lookup in (email, email.upper(), email.lower(), f"  {email.swapcase()} "):
            found = get_user_by_email(session, ctx, lookup)
            assert found is not None
            assert found.email == email


def test_bulk_domain_ids_may_repeat_and_may_be_empty(session: Session) -> None:
    _, ctx = make_tenant(session)
    extra = add_domain(session, ctx, name=f"{unique('twice')}.example.test")
    result = create_users(
        session,
        ctx,
        users=[new("r1@example.com"), new("r2@example.com")],
        domain_ids=[extra.id, extra.id],
    )
    joined = session.scalars(
        select(DomainMembership.user_id).where(DomainMembership.domain_id == extra.id)
    )
    assert sorted(joined) == sorted(result.created)
    none = create_users(session, ctx, users=[new("r3@example.com")], domain_ids=[])
    memberships = session.scalars(
        select(DomainMembership.id).where(DomainMembership.user_id == none.created[0])
    )
    assert list(memberships) == []
    assert user_emails(session, ctx.tenant_id)[-1] == "r3@example.com"


def test_setting_the_same_email_domain_rules_records_nothing(session: Session) -> None:
    _, ctx = make_tenant(session)
    group = make_group(session, ctx)
    set_email_domain_rules(session, ctx, group_id=group.id, email_domains=["a.com", "b.com"])
    before = last_event_id(session)
    set_email_domain_rules(session, ctx, group_id=group.id, email_domains=["B.com", "a.com"])
    assert events_since(session, ctx, before) == []
    set_email_domain_rules(session, ctx, group_id=group.id, email_domains=[])
    assert [e.data for e in events_since(session, ctx, before)] == [
        {"group_id": group.id, "changed": ["rule_email_domains"]}
    ]
