"""Group managers and creating a group with its members: the rules, whatever door calls them."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.errors import Invalid, NotFound
from syllabus.domain.groups import MANAGER_PERMISSIONS, Group, GroupManager, GroupMembership
from syllabus.services.group_creation import create_group_with_members
from syllabus.services.group_managers import (
    ManagerPermissions,
    assign_manager_to_group,
    remove_manager_from_group,
    update_manager_permissions,
)
from syllabus.services.groups import GroupData
from syllabus.services.learning_paths import (
    add_courses_to_learning_path,
    path_course_ids,
    remove_courses_from_learning_path,
)
from syllabus.services.users import delete_user
from tests.factories import (
    event_data,
    make_course,
    make_group,
    make_learning_path,
    make_tenant,
    make_user,
)


def test_assign_update_remove_with_events(session: Session) -> None:
    _, ctx = make_tenant(session)
    group = make_group(session, ctx)
    boss = make_user(session, ctx, role="manager")
    manager = assign_manager_to_group(
        session,
        ctx,
        group_id=group.id,
        user_id=boss.id,
        permissions=ManagerPermissions(can_remove_users=True),
    )
    assert manager.can_remove_users is True
    assert manager.can_edit_user_password is False  # a default
    [assigned] = event_data(session, ctx, "group.manager_assigned")
    assert assigned["permissions"] == {n: getattr(manager, n) for n in MANAGER_PERMISSIONS}
    update_manager_permissions(
        session,
        ctx,
        group_id=group.id,
        user_id=boss.id,
        permissions=ManagerPermissions(can_remove_users=True, can_add_users=False),
    )
    [updated] = event_data(session, ctx, "group.manager_permissions_updated")
    assert updated["changed"] == ["can_add_users"]
    assert remove_manager_from_group(session, ctx, group_id=group.id, user_id=boss.id) is True
    assert remove_manager_from_group(session, ctx, group_id=group.id, user_id=boss.id) is False
    assert len(event_data(session, ctx, "group.manager_removed")) == 1


def test_rules(session: Session) -> None:
    _, ctx = make_tenant(session)
    _, elsewhere = make_tenant(session)
    group = make_group(session, ctx)
    learner = make_user(session, ctx)
    stranger = make_user(session, elsewhere, role="manager")
    with pytest.raises(Invalid) as error:
        assign_manager_to_group(session, ctx, group_id=group.id, user_id=learner.id)
    assert error.value.field == "user_id"
    with pytest.raises(NotFound):
        assign_manager_to_group(session, ctx, group_id=group.id, user_id=stranger.id)
    boss = make_user(session, ctx, role="manager")
    with pytest.raises(Invalid) as error:
        assign_manager_to_group(
            session,
            ctx,
            group_id=group.id,
            user_id=boss.id,
            permissions=ManagerPermissions(can_add_users="yes"),  # type: ignore[arg-type]
        )
    assert error.value.field == "can_add_users"
    with pytest.raises(NotFound):
        update_manager_permissions(
            session, ctx, group_id=group.id, user_id=boss.id, permissions=ManagerPermissions()
        )
    assert event_data(session, ctx, "group.manager_assigned") == []


def test_a_deleted_manager_leaves_no_record(session: Session) -> None:
    _, ctx = make_tenant(session)
    group = make_group(session, ctx)
    boss = make_user(session, ctx, role="admin")
    assign_manager_to_group(session, ctx, group_id=group.id, user_id=boss.id)
    delete_user(session, ctx, user_id=boss.id)
    session.flush()
    assert (
        session.scalars(select(GroupManager).where(GroupManager.group_id == group.id)).all() == []
    )


def test_create_group_with_members_names_every_unknown_and_writes_nothing(session: Session) -> None:
    _, ctx = make_tenant(session)
    _, elsewhere = make_tenant(session)
    user = make_user(session, ctx, email="known@example.com")
    theirs = make_user(session, elsewhere)
    course = make_course(session, ctx)
    with pytest.raises(NotFound) as error:
        create_group_with_members(
            session,
            ctx,
            data=GroupData(name="Atomic"),
            user_ids=[user.id, theirs.id],
            user_emails=["KNOWN@example.com", "ghost@example.com"],
            course_ids=[course.id, 987654],
        )
    assert set(error.value.ids) == {
        f"user {theirs.id}",
        "user ghost@example.com",
        "course 987654",
    }
    assert session.scalars(select(Group).where(Group.tenant_id == ctx.tenant_id)).all() == []
    group = create_group_with_members(
        session,
        ctx,
        data=GroupData(name="Atomic"),
        user_ids=[user.id],
        user_emails=["KNOWN@example.com"],
        course_ids=[course.id],
    )
    member_ids = session.scalars(
        select(GroupMembership.user_id).where(GroupMembership.group_id == group.id)
    ).all()
    assert member_ids == [user.id]


def test_courses_appended_to_and_removed_from_a_path(session: Session) -> None:
    _, ctx = make_tenant(session)
    a, b, c = (make_course(session, ctx) for _ in range(3))
    path = make_learning_path(session, ctx, [a])
    added = add_courses_to_learning_path(
        session, ctx, path_id=path.id, course_ids=[c.id, a.id, b.id]
    )
    assert added == [c.id, b.id]
    assert path_course_ids(session, ctx, path.id) == [a.id, c.id, b.id]
    assert remove_courses_from_learning_path(
        session, ctx, path_id=path.id, course_ids=[c.id, 999]
    ) == [c.id]
    assert path_course_ids(session, ctx, path.id) == [a.id, b.id]
