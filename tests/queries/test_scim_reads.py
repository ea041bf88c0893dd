"""SCIM's users and groups reads: attribute filters compiled against the queries' own columns,
counted pages, sorts, and the errors a door turns into invalidFilter / invalidValue."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.domain.tenancy import TenantScopeMissing
from syllabus.queries import attribute_filters as q
from syllabus.queries.groups.scim import scim_group_members, scim_group_page
from syllabus.queries.users.scim import scim_user_page
from syllabus.services.groups import set_group_members
from tests.factories import make_group, make_tenant, make_user, scope


def _path(attr: str, sub: str | None = None, namespace: q.Namespace = None) -> q.Path:
    return q.Path(attr, sub, namespace, f"{attr}.{sub}" if sub else attr)


def _user_ids(session: Session, ctx: Context, where: q.Filter | None, **kw: object) -> list[int]:
    page = scim_user_page(
        session,
        ctx,
        where=where,
        sort_by=kw.pop("sort_by", None),  # type: ignore[arg-type]
        descending=bool(kw.pop("descending", False)),
        offset=0,
        limit=100,
    )
    assert page.total == len(page.rows)
    return [user.id for user, _ in page.rows]


def test_user_filters_compile_against_the_users_columns(session: Session) -> None:
    _, ctx = make_tenant(session)
    ann = make_user(session, ctx, email="Ann@Example.org", first_name="Ann", title="Dean")
    bob = make_user(session, ctx, email="bob@example.org", first_name="Bob")
    group = make_group(session, ctx)
    set_group_members(session, ctx, group_id=group.id, user_ids=[bob.id])
    _, other = make_tenant(session)
    make_user(session, other, email="ann@example.org")
    scope(session, ctx)

    email = q.Compare(_path("emails", "value"), "eq", "ann@EXAMPLE.org")
    assert _user_ids(session, ctx, email) == [ann.id]
    assert _user_ids(session, ctx, q.Present(_path("title"))) == [ann.id]
    assert _user_ids(session, ctx, q.Not(q.Present(_path("title")))) == [bob.id]
    member = q.Compare(_path("groups", "value"), "eq", str(group.id))
    assert _user_ids(session, ctx, member) == [bob.id]
    either = q.Logical("or", (email, member))
    assert _user_ids(session, ctx, either) == [ann.id, bob.id]
    by_name = lambda: _path("name", "givenName")  # noqa: E731
    assert _user_ids(session, ctx, None, sort_by=by_name, descending=True) == [bob.id, ann.id]


def test_group_filters_and_members(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    first, second = make_group(session, ctx), make_group(session, ctx)
    set_group_members(session, ctx, group_id=second.id, user_ids=[user.id])
    scope(session, ctx)
    where = q.Compare(_path("members", "value"), "eq", str(user.id))
    page = scim_group_page(
        session, ctx, where=where, sort_by=None, descending=False, offset=0, limit=10
    )
    assert (page.total, [g.id for g in page.rows]) == (1, [second.id])
    members = scim_group_members(session, ctx, [first.id, second.id])
    assert members[first.id] == []
    assert [uid for uid, _ in members[second.id]] == [user.id]


@pytest.mark.parametrize(
    ("where", "detail"),
    [
        (q.Compare(_path("nosuch"), "eq", "x"), "unknown or unsupported attribute nosuch"),
        (q.Compare(_path("active"), "gt", True), "active is a boolean: use eq or ne"),
        (q.Compare(_path("title"), "eq", 5), "title is compared with a string"),
        (q.ValueFilter(_path("title"), q.Present(_path("value"))), "title is not a multi-valued"),
        (q.Compare(_path("userName", None, "other"), "eq", "a"), "unknown or unsupported"),
    ],
)
def test_bad_filters_raise_filter_error(session: Session, where: q.Filter, detail: str) -> None:
    _, ctx = make_tenant(session)
    scope(session, ctx)
    with pytest.raises(q.FilterError) as raised:
        _user_ids(session, ctx, where)
    assert raised.value.detail.startswith(detail)


def test_a_bad_filter_is_reported_before_the_sort_is_even_read(session: Session) -> None:
    _, ctx = make_tenant(session)
    scope(session, ctx)

    def never() -> q.Path:
        raise AssertionError("the sort was read before the filter compiled")

    with pytest.raises(q.FilterError):
        _user_ids(session, ctx, q.Present(_path("nosuch")), sort_by=never)
    with pytest.raises(q.SortError) as unknown:
        _user_ids(session, ctx, None, sort_by=lambda: _path("nosuch"))
    assert not unknown.value.unsortable
    with pytest.raises(q.SortError) as constant:
        scim_group_page(
            session,
            ctx,
            where=None,
            sort_by=lambda: _path("members", "type"),
            descending=False,
            offset=0,
            limit=1,
        )
    assert constant.value.unsortable


def test_an_orm_read_refuses_a_session_serving_another_program(session: Session) -> None:
    _, mine = make_tenant(session)
    _, theirs = make_tenant(session)
    scope(session, theirs)
    with pytest.raises(TenantScopeMissing):
        _user_ids(session, mine, None)
    with pytest.raises(TenantScopeMissing):
        scim_group_members(session, mine, [1])
