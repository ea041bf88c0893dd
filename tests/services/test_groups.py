"""Groups: the named hierarchy, membership, courses given by a group, categories, events."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Conflict, Invalid, NotFound
from syllabus.domain.groups import Group, GroupCategory, GroupCourse, GroupMembership
from syllabus.domain.learning_paths import LearningPathGroup
from syllabus.services.groups import (
    GroupData,
    add_courses_to_group,
    add_users_to_group,
    create_group,
    delete_group,
    remove_courses_from_group,
    remove_users_from_group,
    update_group,
)
from syllabus.services.learning_paths import add_groups_to_learning_path
from tests.factories import (
    event_data,
    events_since,
    last_event_id,
    make_course,
    make_group,
    make_learning_path,
    make_tenant,
    make_user,
    make_users,
)


def full_names(session: Session, ctx: Context) -> dict[int, str]:
    """As stored once the session's pending changes are written."""
    session.flush()
    rows = session.execute(
        select(Group.id, Group.full_name).where(Group.tenant_id == ctx.tenant_id)
    )
    return {group_id: name for group_id, name in rows}


def members(session: Session, group_id: int) -> set[int]:
    return set(
        session.scalars(select(GroupMembership.user_id).where(GroupMembership.group_id == group_id))
    )


@contextmanager
def count_statements(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    connection = session.connection()

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", record)


# --- Hierarchy ---------------------------------------------------------------------------------


def test_full_name_follows_the_hierarchy(session: Session) -> None:
    _, ctx = make_tenant(session)
    sales = make_group(session, ctx, "Sales")
    west = make_group(session, ctx, "West Region", parent=sales)
    bay = make_group(session, ctx, "Bay Area", parent=west)
    assert (sales.full_name, west.full_name, bay.full_name) == (
        "Sales",
        "Sales / West Region",
        "Sales / West Region / Bay Area",
    )
    assert west.full_name_normalized == "sales / west region"
    assert event_data(session, ctx, "group.created")[1] == {
        "group_id": west.id,
        "name": "West Region",
        "full_name": "Sales / West Region",
    }


def test_rename_updates_every_descendants_full_name(session: Session) -> None:
    _, ctx = make_tenant(session)
    sales = make_group(session, ctx, "Sales")
    west = make_group(session, ctx, "West", parent=sales)
    bay = make_group(session, ctx, "Bay", parent=west)
    east = make_group(session, ctx, "East", parent=sales)
    other = make_group(session, ctx, "Salesforce Admins")

    update_group(session, ctx, group_id=sales.id, changes=GroupData(name="Revenue"))

    assert full_names(session, ctx) == {
        sales.id: "Revenue",
        west.id: "Revenue / West",
        bay.id: "Revenue / West / Bay",
        east.id: "Revenue / East",
        other.id: "Salesforce Admins",
    }
    assert event_data(session, ctx, "group.updated") == [
        {"group_id": sales.id, "changed": ["name"]}
    ]
    # The new names are the ones uniqueness is checked against.
    with pytest.raises(Conflict):
        make_group(session, ctx, "west", parent=sales)
    make_group(session, ctx, "Sales")


def test_reparent_moves_the_subtree(session: Session) -> None:
    _, ctx = make_tenant(session)
    sales = make_group(session, ctx, "Sales")
    support = make_group(session, ctx, "Support")
    west = make_group(session, ctx, "West", parent=sales)
    bay = make_group(session, ctx, "Bay", parent=west)

    update_group(session, ctx, group_id=west.id, changes=GroupData(parent_id=support.id))
    assert full_names(session, ctx) == {
        sales.id: "Sales",
        support.id: "Support",
        west.id: "Support / West",
        bay.id: "Support / West / Bay",
    }
    assert west.parent_id == support.id

    update_group(session, ctx, group_id=west.id, changes=GroupData(parent_id=None, name="W"))
    assert full_names(session, ctx)[bay.id] == "W / Bay"
    assert west.parent_id is None
    assert [d["changed"] for d in event_data(session, ctx, "group.updated")] == [
        ["parent_id"],
        ["name", "parent_id"],
    ]


@pytest.mark.parametrize("target", ["itself", "child", "grandchild"])
def test_moving_a_group_under_its_own_subtree_is_refused(session: Session, target: str) -> None:
    _, ctx = make_tenant(session)
    top = make_group(session, ctx, "Top")
    child = make_group(session, ctx, "Child", parent=top)
    grandchild = make_group(session, ctx, "Grandchild", parent=child)
    parent = {"itself": top, "child": child, "grandchild": grandchild}[target]
    before = full_names(session, ctx)

    with pytest.raises(Invalid) as raised:
        update_group(session, ctx, group_id=top.id, changes=GroupData(parent_id=parent.id))

    assert raised.value.field == "parent_id"
    assert full_names(session, ctx) == before
    assert top.parent_id is None


def test_full_names_are_unique_case_insensitively(session: Session) -> None:
    _, ctx = make_tenant(session)
    sales = make_group(session, ctx, "Sales")
    make_group(session, ctx, "West", parent=sales)
    with pytest.raises(Conflict) as raised:
        make_group(session, ctx, "SALES")
    assert raised.value.field == "name"
    with pytest.raises(Conflict):
        make_group(session, ctx, "west", parent=sales)
    # The same name elsewhere in the tree, or in another program, is fine.
    make_group(session, ctx, "West")
    _, other = make_tenant(session)
    make_group(session, other, "Sales")


def test_rename_into_an_existing_full_name_conflicts(session: Session) -> None:
    _, ctx = make_tenant(session)
    make_group(session, ctx, "Sales")
    support = make_group(session, ctx, "Support")
    with pytest.raises(Conflict):
        update_group(session, ctx, group_id=support.id, changes=GroupData(name="sales"))
    # Changing only the case of one's own name is not a conflict with oneself.
    update_group(session, ctx, group_id=support.id, changes=GroupData(name="SUPPORT"))
    assert support.full_name == "SUPPORT"


@pytest.mark.parametrize("name", ["Sales/West", "Sales / West", "   "])
def test_group_names_cannot_be_blank_or_contain_the_separator(session: Session, name: str) -> None:
    """A "/" in a name would make full names ambiguous with the hierarchy's own."""
    _, ctx = make_tenant(session)
    with pytest.raises(Invalid) as raised:
        make_group(session, ctx, name)
    assert raised.value.field == "name"
    group = make_group(session, ctx, "Plain")
    with pytest.raises(Invalid) as raised:
        update_group(session, ctx, group_id=group.id, changes=GroupData(name=name))
    assert raised.value.field == "name"
    assert group.full_name == "Plain"


def test_group_name_is_required(session: Session) -> None:
    _, ctx = make_tenant(session)
    with pytest.raises(Invalid) as raised:
        create_group(session, ctx, data=GroupData(description="nameless"))
    assert raised.value.field == "name"


def test_discount_percent_is_validated(session: Session) -> None:
    _, ctx = make_tenant(session)
    with pytest.raises(Invalid) as raised:
        make_group(session, ctx, discount_percent=101)
    assert raised.value.field == "discount_percent"
    group = make_group(session, ctx, discount_percent=15)
    assert group.discount_percent == 15


def test_unknown_parent_is_not_found(session: Session) -> None:
    _, ctx = make_tenant(session)
    with pytest.raises(NotFound) as raised:
        make_group(session, ctx, parent_id=10**9)
    assert raised.value.field == "parent_id"


def test_update_other_fields_and_no_event_when_nothing_changes(session: Session) -> None:
    _, ctx = make_tenant(session)
    group = make_group(session, ctx, "Ops", description="old", external_id="ext-1")
    update_group(
        session,
        ctx,
        group_id=group.id,
        changes=GroupData(description="new", external_id=None, force_order=True),
    )
    assert (group.description, group.external_id, group.force_order) == ("new", None, True)
    assert group.version == 2
    before = last_event_id(session)
    update_group(session, ctx, group_id=group.id, changes=GroupData(name="Ops", description="new"))
    assert events_since(session, ctx, before) == []
    assert group.version == 2


# --- Categories --------------------------------------------------------------------------------


def test_category_is_created_on_first_use_and_reused(session: Session) -> None:
    _, ctx = make_tenant(session)
    first = make_group(session, ctx, category="Regions")
    second = make_group(session, ctx, category="Regions")
    third = make_group(session, ctx, category=None)
    assert first.category_id is not None
    assert second.category_id == first.category_id
    assert third.category_id is None
    names = session.scalars(
        select(GroupCategory.name).where(GroupCategory.tenant_id == ctx.tenant_id)
    )
    assert list(names) == ["Regions"]

    update_group(session, ctx, group_id=third.id, changes=GroupData(category="Teams"))
    assert third.category_id not in (None, first.category_id)
    update_group(session, ctx, group_id=first.id, changes=GroupData(category=None))
    assert first.category_id is None
    assert [d["changed"] for d in event_data(session, ctx, "group.updated")] == [
        ["category"],
        ["category"],
    ]


def test_categories_are_per_tenant(session: Session) -> None:
    _, ctx_a = make_tenant(session)
    _, ctx_b = make_tenant(session)
    a = make_group(session, ctx_a, category="Regions")
    b = make_group(session, ctx_b, category="Regions")
    assert a.category_id != b.category_id


# --- Delete ------------------------------------------------------------------------------------


def test_delete_is_refused_while_subgroups_exist(session: Session) -> None:
    _, ctx = make_tenant(session)
    parent = make_group(session, ctx, "Parent")
    child = make_group(session, ctx, "Child", parent=parent)
    with pytest.raises(Conflict) as raised:
        delete_group(session, ctx, group_id=parent.id)
    assert raised.value.field == "group_id"
    assert set(full_names(session, ctx)) == {parent.id, child.id}

    delete_group(session, ctx, group_id=child.id)
    delete_group(session, ctx, group_id=parent.id)
    assert full_names(session, ctx) == {}
    assert [d["group_id"] for d in event_data(session, ctx, "group.deleted")] == [
        child.id,
        parent.id,
    ]


def test_delete_removes_memberships_courses_and_paths(session: Session) -> None:
    _, ctx = make_tenant(session)
    group = make_group(session, ctx)
    user = make_user(session, ctx)
    course = make_course(session, ctx)
    path = make_learning_path(session, ctx, [course])
    add_users_to_group(session, ctx, group_id=group.id, user_ids=[user.id])
    add_courses_to_group(session, ctx, group_id=group.id, course_ids=[course.id])
    add_groups_to_learning_path(session, ctx, path_id=path.id, group_ids=[group.id])

    delete_group(session, ctx, group_id=group.id)

    for model in (GroupMembership, GroupCourse, LearningPathGroup):
        remaining = session.scalar(
            select(func.count()).select_from(model).where(model.group_id == group.id)
        )
        assert remaining == 0, model.__name__


# --- Membership --------------------------------------------------------------------------------


def test_add_and_remove_members_report_what_changed(session: Session) -> None:
    _, ctx = make_tenant(session)
    group = make_group(session, ctx)
    a, b, c = make_users(session, ctx, 3)
    before = last_event_id(session)

    assert add_users_to_group(session, ctx, group_id=group.id, user_ids=[a.id, b.id, a.id]) == [
        a.id,
        b.id,
    ]
    assert add_users_to_group(session, ctx, group_id=group.id, user_ids=[b.id, c.id]) == [c.id]
    assert add_users_to_group(session, ctx, group_id=group.id, user_ids=[a.id, b.id, c.id]) == []
    assert members(session, group.id) == {a.id, b.id, c.id}

    assert remove_users_from_group(session, ctx, group_id=group.id, user_ids=[c.id, a.id]) == [
        c.id,
        a.id,
    ]
    assert remove_users_from_group(session, ctx, group_id=group.id, user_ids=[a.id]) == []
    assert members(session, group.id) == {b.id}

    changes = [(e.type, e.data["user_id"]) for e in events_since(session, ctx, before)]
    assert changes == [
        ("group.member_added", a.id),
        ("group.member_added", b.id),
        ("group.member_added", c.id),
        ("group.member_removed", c.id),
        ("group.member_removed", a.id),
    ]


def test_membership_of_one_group_leaves_others_alone(session: Session) -> None:
    _, ctx = make_tenant(session)
    one, two = make_group(session, ctx), make_group(session, ctx)
    user = make_user(session, ctx)
    add_users_to_group(session, ctx, group_id=one.id, user_ids=[user.id])
    add_users_to_group(session, ctx, group_id=two.id, user_ids=[user.id])
    remove_users_from_group(session, ctx, group_id=one.id, user_ids=[user.id])
    assert members(session, one.id) == set()
    assert members(session, two.id) == {user.id}


@pytest.mark.parametrize("user_ids", [[0], [-1], ["7"], [True]])
def test_member_ids_must_be_positive_integers(session: Session, user_ids: list[object]) -> None:
    _, ctx = make_tenant(session)
    group = make_group(session, ctx)
    with pytest.raises(Invalid) as raised:
        add_users_to_group(session, ctx, group_id=group.id, user_ids=user_ids)  # type: ignore[arg-type]
    assert raised.value.field == "user_ids"


def test_adding_an_unknown_user_adds_nobody(session: Session) -> None:
    _, ctx = make_tenant(session)
    group = make_group(session, ctx)
    user = make_user(session, ctx)
    with pytest.raises(NotFound) as raised:
        add_users_to_group(session, ctx, group_id=group.id, user_ids=[user.id, 10**9])
    assert raised.value.ids == [str(10**9)]
    assert members(session, group.id) == set()


def test_removing_members_is_set_based(session: Session) -> None:
    """Removing 40 members costs the same number of statements as removing 4."""
    _, ctx = make_tenant(session)
    counts = []
    for size in (4, 40):
        group = make_group(session, ctx)
        users = make_users(session, ctx, size)
        ids = [u.id for u in users]
        add_users_to_group(session, ctx, group_id=group.id, user_ids=ids)
        session.flush()
        with count_statements(session) as statements:
            assert remove_users_from_group(session, ctx, group_id=group.id, user_ids=ids) == ids
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


# --- Courses given by a group ------------------------------------------------------------------


def test_add_and_remove_group_courses(session: Session) -> None:
    _, ctx = make_tenant(session)
    group = make_group(session, ctx)
    one, two = make_course(session, ctx), make_course(session, ctx)
    assert add_courses_to_group(session, ctx, group_id=group.id, course_ids=[one.id]) == [one.id]
    assert add_courses_to_group(session, ctx, group_id=group.id, course_ids=[one.id, two.id]) == [
        two.id
    ]
    assert remove_courses_from_group(
        session, ctx, group_id=group.id, course_ids=[one.id, one.id]
    ) == [one.id]
    assert remove_courses_from_group(session, ctx, group_id=group.id, course_ids=[one.id]) == []
    courses = session.scalars(select(GroupCourse.course_id).where(GroupCourse.group_id == group.id))
    assert list(courses) == [two.id]
    assert [d["course_id"] for d in event_data(session, ctx, "group.course_added")] == [
        one.id,
        two.id,
    ]
    assert [d["course_id"] for d in event_data(session, ctx, "group.course_removed")] == [one.id]


def test_full_names_must_fit_their_column(session: Session) -> None:
    _, ctx = make_tenant(session)
    parent = None
    for level in range(7):  # 7 x 255 + 6 x 3 = 1803 characters
        parent = make_group(session, ctx, str(level) * 255, parent=parent)
    with pytest.raises(Invalid) as raised:
        make_group(session, ctx, "x" * 255, parent=parent)
    assert raised.value.field == "name"
    leaf = make_group(session, ctx, "x" * 194, parent=parent)
    assert len(leaf.full_name) == 2000


def test_renaming_an_ancestor_cannot_push_descendants_past_the_limit(session: Session) -> None:
    _, ctx = make_tenant(session)
    top = make_group(session, ctx, "t")
    parent = top
    for level in range(7):  # 1 + 7 x (3 + 255) = 1807 characters at the bottom
        parent = make_group(session, ctx, str(level) * 255, parent=parent)
    before = full_names(session, ctx)

    with pytest.raises(Invalid) as raised:
        update_group(session, ctx, group_id=top.id, changes=GroupData(name="T" * 200))
    assert raised.value.field == "name"
    assert full_names(session, ctx) == before
    assert top.name == "t"

    update_group(session, ctx, group_id=top.id, changes=GroupData(name="T" * 194))
    assert max(len(name) for name in full_names(session, ctx).values()) == 2000


@pytest.mark.parametrize("value", ["false", "yes", 1, None])
def test_force_order_must_be_a_boolean(session: Session, value: object) -> None:
    _, ctx = make_tenant(session)
    with pytest.raises(Invalid) as raised:
        make_group(session, ctx, force_order=value)
    assert raised.value.field == "force_order"
    group = make_group(session, ctx)
    with pytest.raises(Invalid) as raised:
        update_group(session, ctx, group_id=group.id, changes=GroupData(force_order=value))  # type: ignore[arg-type]
    assert raised.value.field == "force_order"
    assert group.force_order is False


def test_clearing_group_type_restores_the_default(session: Session) -> None:
    _, ctx = make_tenant(session)
    group = make_group(session, ctx, group_type="team")
    assert group.group_type == "team"
    update_group(session, ctx, group_id=group.id, changes=GroupData(group_type=None))  # type: ignore[arg-type]
    assert full_names(session, ctx)  # flushed
    assert group.group_type == "user"
