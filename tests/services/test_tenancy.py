"""Tenant isolation: a scoped session sees one program, and foreign ids look unknown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from syllabus.core.context import Context, Surface
from syllabus.core.errors import Conflict, NotFound
from syllabus.db.session import TENANT_KEY
from syllabus.domain.courses import Course, CourseItem
from syllabus.domain.enrollments import Enrollment
from syllabus.domain.groups import Group, GroupMembership
from syllabus.domain.learning_paths import LearningPath
from syllabus.domain.tenancy import TenantScopeMissing
from syllabus.domain.tenants import Domain, Tenant
from syllabus.domain.users import User
from syllabus.queries.access import course_access
from syllabus.queries.users import get_user, get_user_by_email, list_users_page
from syllabus.services.course_items import (
    CourseItemData,
    add_course_item,
    delete_course_item,
    reorder_course_items,
)
from syllabus.services.courses import CourseData, delete_course, update_course
from syllabus.services.enrollments import enroll_users_in_courses, unenroll_users_from_courses
from syllabus.services.groups import (
    GroupData,
    add_courses_to_group,
    add_users_to_group,
    create_group,
    delete_group,
    remove_users_from_group,
    update_group,
)
from syllabus.services.learning_paths import (
    LearningPathData,
    add_groups_to_learning_path,
    add_users_to_learning_path,
    create_learning_path,
    remove_users_from_learning_path,
    update_learning_path,
)
from syllabus.services.publications import publish_course
from syllabus.services.tenants import NewTenant, add_domain, create_tenant
from syllabus.services.users import (
    UserData,
    deactivate_user,
    delete_user,
    update_user,
)
from tests.factories import (
    make_course,
    make_group,
    make_item,
    make_learning_path,
    make_tenant,
    make_user,
    scope,
    unique,
)


@dataclass
class Program:
    ctx: Context
    user: User
    group: Group
    course: Course
    item: CourseItem
    path: LearningPath


def make_program(session: Session) -> Program:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx)
    return Program(
        ctx=ctx,
        user=make_user(session, ctx),
        group=make_group(session, ctx),
        course=course,
        item=make_item(session, ctx, course),
        path=make_learning_path(session, ctx, [course]),
    )


@pytest.fixture
def two(session: Session) -> tuple[Program, Program]:
    """Two programs with one of everything each; the session is then scoped to the first."""
    a, b = make_program(session), make_program(session)
    scope(session, a.ctx)
    return a, b


def ids(session: Session, model: type[Any]) -> set[int]:
    return set(session.scalars(select(model.id)))


def test_scoped_session_sees_only_its_tenants_rows(
    session: Session, two: tuple[Program, Program]
) -> None:
    a, _ = two
    assert ids(session, User) == {a.user.id}
    assert ids(session, Group) == {a.group.id}
    assert ids(session, Course) == {a.course.id}
    assert ids(session, CourseItem) == {a.item.id}
    assert ids(session, LearningPath) == {a.path.id}
    assert session.scalar(select(func.count()).select_from(Domain)) == 1
    # Joins are filtered on every entity, not just the first.
    joined = session.scalars(select(User.id).join(Course, Course.tenant_id == User.tenant_id))
    assert set(joined) == {a.user.id}


def test_get_by_primary_key_is_filtered_too(
    session_factory: sessionmaker[Session], session: Session, two: tuple[Program, Program]
) -> None:
    a, b = two
    session.flush()
    fresh = session_factory()
    try:
        scope(fresh, a.ctx)
        assert fresh.get(User, b.user.id) is None
        assert fresh.get(Group, b.group.id) is None
        found = fresh.get(User, a.user.id)
        assert found is not None
        assert found.email == a.user.email
    finally:
        fresh.close()


def test_scoped_bulk_update_cannot_touch_other_tenants(
    session: Session, two: tuple[Program, Program]
) -> None:
    a, b = two
    session.execute(update(User).values(city="Scoped").execution_options(synchronize_session=False))
    session.info[TENANT_KEY] = None
    session.expire_all()
    cities = {i: city for i, city in session.execute(select(User.id, User.city))}
    assert cities[a.user.id] == "Scoped"
    assert cities[b.user.id] is None


def test_queries_in_a_scoped_session_see_only_their_tenant(
    session: Session, two: tuple[Program, Program]
) -> None:
    a, b = two
    assert get_user(session, a.ctx, b.user.id) is None
    assert get_user_by_email(session, a.ctx, b.user.email) is None
    assert [u.id for u in list_users_page(session, a.ctx)] == [a.user.id]
    # Asking with the other program's context through a session scoped to the first finds
    # nothing either: the two filters are combined, never one replacing the other.
    assert list_users_page(session, b.ctx) == []
    assert get_user(session, b.ctx, b.user.id) is None


def test_services_work_in_a_session_scoped_to_their_tenant(
    session: Session, two: tuple[Program, Program]
) -> None:
    a, _ = two
    add_users_to_group(session, a.ctx, group_id=a.group.id, user_ids=[a.user.id])
    add_courses_to_group(session, a.ctx, group_id=a.group.id, course_ids=[a.course.id])
    enroll_users_in_courses(session, a.ctx, user_ids=[a.user.id], course_ids=[a.course.id])
    add_users_to_learning_path(session, a.ctx, path_id=a.path.id, user_ids=[a.user.id])
    update_group(session, a.ctx, group_id=a.group.id, changes=GroupData(name="Renamed"))
    update_user(session, a.ctx, user_id=a.user.id, changes=UserData(city="Rome"))
    access = course_access(session, a.ctx, a.user.id)
    assert [(x.course_id, sorted(r.via.value for r in x.reasons)) for x in access] == [
        (a.course.id, ["direct", "group", "learning_path"])
    ]


FOREIGN_CALLS: dict[str, Callable[[Session, Context, Program, Program], object]] = {
    "update_user": lambda s, c, a, b: update_user(
        s, c, user_id=b.user.id, changes=UserData(city="x")
    ),
    "deactivate_user": lambda s, c, a, b: deactivate_user(s, c, user_id=b.user.id),
    "delete_user": lambda s, c, a, b: delete_user(s, c, user_id=b.user.id),
    "add_foreign_user_to_group": lambda s, c, a, b: add_users_to_group(
        s, c, group_id=a.group.id, user_ids=[a.user.id, b.user.id]
    ),
    "add_user_to_foreign_group": lambda s, c, a, b: add_users_to_group(
        s, c, group_id=b.group.id, user_ids=[a.user.id]
    ),
    "add_foreign_course_to_group": lambda s, c, a, b: add_courses_to_group(
        s, c, group_id=a.group.id, course_ids=[b.course.id]
    ),
    "update_foreign_group": lambda s, c, a, b: update_group(
        s, c, group_id=b.group.id, changes=GroupData(name="x")
    ),
    "reparent_under_foreign_group": lambda s, c, a, b: update_group(
        s, c, group_id=a.group.id, changes=GroupData(parent_id=b.group.id)
    ),
    "create_under_foreign_group": lambda s, c, a, b: create_group(
        s, c, data=GroupData(name="Child", parent_id=b.group.id)
    ),
    "delete_foreign_group": lambda s, c, a, b: delete_group(s, c, group_id=b.group.id),
    "enroll_in_foreign_course": lambda s, c, a, b: enroll_users_in_courses(
        s, c, user_ids=[a.user.id], course_ids=[a.course.id, b.course.id]
    ),
    "enroll_foreign_user": lambda s, c, a, b: enroll_users_in_courses(
        s, c, user_ids=[b.user.id], course_ids=[a.course.id]
    ),
    "unenroll_foreign_user": lambda s, c, a, b: unenroll_users_from_courses(
        s, c, user_ids=[b.user.id], course_ids=[a.course.id]
    ),
    "update_foreign_course": lambda s, c, a, b: update_course(
        s, c, course_id=b.course.id, changes=CourseData(name="x")
    ),
    "delete_foreign_course": lambda s, c, a, b: delete_course(s, c, course_id=b.course.id),
    "add_item_to_foreign_course": lambda s, c, a, b: add_course_item(
        s, c, course_id=b.course.id, data=CourseItemData(item_type="Article", name="x")
    ),
    "delete_foreign_item": lambda s, c, a, b: delete_course_item(s, c, item_id=b.item.id),
    "reorder_with_foreign_course": lambda s, c, a, b: reorder_course_items(
        s, c, course_id=b.course.id, item_ids=[b.item.id]
    ),
    "publish_on_foreign_domain": lambda s, c, a, b: publish_course(
        s,
        c,
        course_id=a.course.id,
        domain_id=s.scalar(
            select(Domain.id)
            .where(Domain.tenant_id == b.ctx.tenant_id)
            .execution_options(all_tenants=True)
        )
        or 0,
    ),
    "path_with_foreign_course": lambda s, c, a, b: create_learning_path(
        s, c, data=LearningPathData(name="x", course_ids=[a.course.id, b.course.id])
    ),
    "update_foreign_path": lambda s, c, a, b: update_learning_path(
        s, c, path_id=b.path.id, changes=LearningPathData(name="x")
    ),
    "foreign_user_to_path": lambda s, c, a, b: add_users_to_learning_path(
        s, c, path_id=a.path.id, user_ids=[b.user.id]
    ),
    "foreign_group_to_path": lambda s, c, a, b: add_groups_to_learning_path(
        s, c, path_id=a.path.id, group_ids=[b.group.id]
    ),
}


@pytest.mark.parametrize("scoped", [True, False], ids=["scoped", "cross_tenant"])
@pytest.mark.parametrize("call", list(FOREIGN_CALLS.values()), ids=list(FOREIGN_CALLS))
def test_other_tenants_ids_are_not_found(
    session: Session,
    call: Callable[[Session, Context, Program, Program], object],
    scoped: bool,
) -> None:
    """Whether or not the session is scoped, the context's tenant decides; never Forbidden."""
    a, b = make_program(session), make_program(session)
    if scoped:
        scope(session, a.ctx)
    with pytest.raises(NotFound) as raised:
        call(session, a.ctx, a, b)
    assert raised.value.code == "not_found"
    session.info[TENANT_KEY] = None
    session.expire_all()
    # Nothing of the other program was touched.
    other = session.get(User, b.user.id)
    assert other is not None
    assert other.city is None
    assert other.is_active
    assert session.get(Group, b.group.id) is not None
    assert session.get(Course, b.course.id) is not None
    assert (
        session.scalar(
            select(func.count())
            .select_from(GroupMembership)
            .where(GroupMembership.user_id == b.user.id)
        )
        == 0
    )
    assert (
        session.scalar(
            select(func.count()).select_from(Enrollment).where(Enrollment.user_id == b.user.id)
        )
        == 0
    )


def test_not_found_lists_only_the_unknown_ids(session: Session) -> None:
    a, b = make_program(session), make_program(session)
    with pytest.raises(NotFound) as raised:
        add_users_to_group(
            session, a.ctx, group_id=a.group.id, user_ids=[a.user.id, b.user.id, 10**9]
        )
    assert raised.value.ids == sorted([str(b.user.id), str(10**9)])
    assert raised.value.field == "user_ids"
    assert raised.value.entity == "user"


def test_a_session_without_tenant_scope_cannot_read_tenant_data(
    session_factory: sessionmaker[Session], session: Session
) -> None:
    _, ctx = make_tenant(session)
    session.flush()
    unscoped = session_factory()
    try:
        with pytest.raises(TenantScopeMissing):
            unscoped.scalars(select(User)).all()
        with pytest.raises(TenantScopeMissing):
            update_user(unscoped, ctx, user_id=1, changes=UserData(city="x"))
        with pytest.raises(TenantScopeMissing):
            make_user(unscoped, ctx)
        with pytest.raises(TenantScopeMissing):
            get_user(unscoped, ctx, 1)
        # Tables that belong to no tenant stay readable.
        assert unscoped.scalar(select(Tenant.id).where(Tenant.id == ctx.tenant_id)) == ctx.tenant_id
    finally:
        unscoped.close()


def test_all_tenants_option_lifts_the_filter_for_one_statement(
    session: Session, two: tuple[Program, Program]
) -> None:
    a, b = two
    everyone = set(session.scalars(select(User.id).execution_options(all_tenants=True)))
    assert {a.user.id, b.user.id} <= everyone
    assert ids(session, User) == {a.user.id}


def test_domain_names_are_unique_across_programs(session: Session) -> None:
    _, ctx_a = make_tenant(session)
    tenant_b, ctx_b = make_tenant(session)
    name = f"{unique('shared')}.example.test"
    add_domain(session, ctx_a, name=name)
    scope(session, ctx_b)
    with pytest.raises(Conflict) as raised:
        add_domain(session, ctx_b, name=name.upper())
    assert raised.value.field == "name"
    with pytest.raises(Conflict) as raised:
        add_domain(session, ctx_b, name=tenant_b.acct_key)
    assert raised.value.field == "name"


def test_acct_keys_are_unique(session: Session) -> None:
    tenant, _ = make_tenant(session)
    with pytest.raises(Conflict) as raised:
        create_tenant(
            session,
            data=NewTenant(acct_key=tenant.acct_key.upper()),
            actor="cli",
            surface=Surface.CLI,
        )
    assert raised.value.field == "acct_key"


BEYOND = 2**31  # past PostgreSQL's INTEGER primary keys: cannot exist, must still look unknown

BEYOND_CALLS: dict[str, Callable[[Session, Context, Program], object]] = {
    "update_user": lambda s, c, a: update_user(s, c, user_id=BEYOND, changes=UserData(city="x")),
    "manager": lambda s, c, a: update_user(
        s, c, user_id=a.user.id, changes=UserData(manager_id=BEYOND)
    ),
    "group_members": lambda s, c, a: add_users_to_group(
        s, c, group_id=a.group.id, user_ids=[a.user.id, BEYOND]
    ),
    "group": lambda s, c, a: add_users_to_group(s, c, group_id=BEYOND, user_ids=[a.user.id]),
    "parent": lambda s, c, a: create_group(s, c, data=GroupData(name="x", parent_id=BEYOND)),
    "enroll": lambda s, c, a: enroll_users_in_courses(
        s, c, user_ids=[a.user.id], course_ids=[2**40]
    ),
    "course": lambda s, c, a: delete_course(s, c, course_id=2**63),
    "path_users": lambda s, c, a: add_users_to_learning_path(
        s, c, path_id=a.path.id, user_ids=[BEYOND]
    ),
}


@pytest.mark.parametrize("call", list(BEYOND_CALLS.values()), ids=list(BEYOND_CALLS))
def test_ids_beyond_the_key_range_are_not_found(
    session: Session, call: Callable[[Session, Context, Program], object]
) -> None:
    """On PostgreSQL such an id overflows INTEGER; it must be a 404, not a database error."""
    a = make_program(session)
    with pytest.raises(NotFound):
        call(session, a.ctx, a)


def test_reads_and_removals_with_ids_beyond_the_key_range_find_nothing(session: Session) -> None:
    a = make_program(session)
    assert get_user(session, a.ctx, BEYOND) is None
    assert course_access(session, a.ctx, BEYOND) == []
    assert remove_users_from_group(session, a.ctx, group_id=a.group.id, user_ids=[BEYOND]) == []
    assert (
        remove_users_from_learning_path(session, a.ctx, path_id=a.path.id, user_ids=[BEYOND]) == []
    )
