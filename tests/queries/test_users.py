"""User lookups and keyset pages."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.queries.users import (
    MAX_PAGE,
    get_user,
    get_user_by_email,
    list_user_rows_page,
    list_users_page,
)
from syllabus.services.users import NewUser, UserData, create_users, deactivate_user
from tests.factories import make_tenant, make_user, scope, unique
from tests.hypothesis_profiles import examples


def test_get_user_by_email_is_case_insensitive(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx, email="Mixed.Case@Example.org")
    for lookup in (
        "Mixed.Case@Example.org",
        "mixed.case@example.org",
        "MIXED.CASE@EXAMPLE.ORG",
        "  mixed.CASE@example.org\t",
    ):
        found = get_user_by_email(session, ctx, lookup)
        assert found is not None, lookup
        assert found.id == user.id
    assert get_user_by_email(session, ctx, "mixed.case@example.com") is None
    assert get_user_by_email(session, ctx, "") is None


def test_lookups_stay_in_their_tenant(session: Session) -> None:
    _, ctx_a = make_tenant(session)
    _, ctx_b = make_tenant(session)
    a = make_user(session, ctx_a, email="same@example.com")
    b = make_user(session, ctx_b, email="same@example.com")
    found_a = get_user_by_email(session, ctx_a, "SAME@example.com")
    found_b = get_user_by_email(session, ctx_b, "same@EXAMPLE.com")
    assert (found_a and found_a.id, found_b and found_b.id) == (a.id, b.id)
    assert get_user(session, ctx_a, b.id) is None
    found = get_user(session, ctx_b, b.id)
    assert found is not None
    assert found.email == "same@example.com"


def test_pages_include_inactive_users_and_clamp_the_limit(session: Session) -> None:
    _, ctx = make_tenant(session)
    users = [make_user(session, ctx) for _ in range(3)]
    deactivate_user(session, ctx, user_id=users[1].id)
    assert [u.id for u in list_users_page(session, ctx, limit=0)] == [users[0].id]
    assert [u.id for u in list_users_page(session, ctx, limit=-5)] == [users[0].id]
    assert [u.id for u in list_users_page(session, ctx, limit=MAX_PAGE * 10)] == [
        u.id for u in users
    ]
    rows = list_user_rows_page(session, ctx, after_id=users[0].id, limit=1)
    assert [tuple(r) for r in rows] == [(users[1].id, users[1].email, "", "", False)]


def _populate(session: Session, counts: list[tuple[int, int]]) -> tuple[Context, list[int]]:
    """Users in two programs created in alternating batches, so their ids interleave."""
    _, ctx = make_tenant(session)
    _, other = make_tenant(session)
    mine: list[int] = []
    for own, foreign in counts:
        batch = [NewUser(UserData(email=f"{unique('p')}@example.com")) for _ in range(own)]
        mine += create_users(session, ctx, users=batch).created
        noise = [NewUser(UserData(email=f"{unique('n')}@example.com")) for _ in range(foreign)]
        create_users(session, other, users=noise)
    return ctx, mine


@settings(
    max_examples=examples(20),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    counts=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 4)), min_size=1, max_size=4),
    limit=st.integers(1, 7),
    scoped=st.booleans(),
)
def test_keyset_pages_cover_every_user_exactly_once_in_id_order(
    session: Session, counts: list[tuple[int, int]], limit: int, scoped: bool
) -> None:
    session.info["tenant_id"] = None
    ctx, expected = _populate(session, counts)
    if scoped:
        scope(session, ctx)

    seen: list[int] = []
    pages: list[int] = []
    after: int | None = None
    while True:
        page = list_users_page(session, ctx, after_id=after, limit=limit)
        rows = list_user_rows_page(session, ctx, after_id=after, limit=limit)
        assert [r.id for r in rows] == [u.id for u in page]
        assert all(u.tenant_id == ctx.tenant_id for u in page)
        assert len(page) <= limit
        if not page:
            break
        pages.append(len(page))
        seen += [u.id for u in page]
        after = page[-1].id
        assert len(pages) <= len(expected) + 1, "pagination does not terminate"

    assert seen == sorted(expected)
    # Only the last page may be short, and no page is empty before the end.
    assert all(size == limit for size in pages[:-1])
    session.info["tenant_id"] = None
