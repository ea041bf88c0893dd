"""Learning paths: ordered courses, and the users and groups that follow them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from syllabus.core.errors import Invalid, NotFound
from syllabus.domain.learning_paths import (
    LearningPath,
    LearningPathGroup,
    LearningPathItem,
    LearningPathUser,
)
from syllabus.services.learning_paths import (
    LearningPathData,
    add_groups_to_learning_path,
    add_users_to_learning_path,
    create_learning_path,
    delete_learning_path,
    path_course_ids,
    remove_groups_from_learning_path,
    remove_users_from_learning_path,
    update_learning_path,
)
from tests.factories import (
    event_data,
    events_since,
    last_event_id,
    make_course,
    make_group,
    make_learning_path,
    make_tenant,
    make_users,
)


def test_create_keeps_the_course_order(session: Session) -> None:
    _, ctx = make_tenant(session)
    a, b, c = (make_course(session, ctx) for _ in range(3))
    path = make_learning_path(
        session, ctx, [c, a, b, a], name="Onboarding", description="First week"
    )
    assert path_course_ids(session, ctx, path.id) == [c.id, a.id, b.id]
    positions = session.scalars(
        select(LearningPathItem.position)
        .where(LearningPathItem.path_id == path.id)
        .order_by(LearningPathItem.position)
    )
    assert list(positions) == [1, 2, 3]
    assert (path.name, path.description, path.force_order) == ("Onboarding", "First week", True)
    assert event_data(session, ctx, "learning_path.created") == [
        {"learning_path_id": path.id, "name": "Onboarding", "course_ids": [c.id, a.id, b.id]}
    ]


def test_create_without_courses_and_name_required(session: Session) -> None:
    _, ctx = make_tenant(session)
    path = create_learning_path(session, ctx, data=LearningPathData(name="Empty"))
    assert path_course_ids(session, ctx, path.id) == []
    with pytest.raises(Invalid) as raised:
        create_learning_path(session, ctx, data=LearningPathData(description="no name"))
    assert raised.value.field == "name"
    with pytest.raises(Invalid) as raised:
        create_learning_path(session, ctx, data=LearningPathData(name="x", force_order="yes"))  # type: ignore[arg-type]
    assert raised.value.field == "force_order"


def test_unknown_course_is_not_found(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx)
    with pytest.raises(NotFound) as raised:
        make_learning_path(session, ctx, [course], course_ids=[course.id, 10**9])
    assert raised.value.ids == [str(10**9)]
    assert raised.value.field == "course_ids"


def test_update_replaces_the_order(session: Session) -> None:
    _, ctx = make_tenant(session)
    a, b, c = (make_course(session, ctx) for _ in range(3))
    path = make_learning_path(session, ctx, [a, b])

    update_learning_path(
        session, ctx, path_id=path.id, changes=LearningPathData(course_ids=[c.id, a.id])
    )
    assert path_course_ids(session, ctx, path.id) == [c.id, a.id]

    update_learning_path(session, ctx, path_id=path.id, changes=LearningPathData(name="Renamed"))
    assert path_course_ids(session, ctx, path.id) == [c.id, a.id]  # UNSET leaves courses alone
    assert path.name == "Renamed"

    before = last_event_id(session)
    update_learning_path(
        session,
        ctx,
        path_id=path.id,
        changes=LearningPathData(name="Renamed", course_ids=[c.id, a.id]),
    )
    assert events_since(session, ctx, before) == []
    update_learning_path(session, ctx, path_id=path.id, changes=LearningPathData(course_ids=[]))
    assert path_course_ids(session, ctx, path.id) == []
    assert [d["changed"] for d in event_data(session, ctx, "learning_path.updated")] == [
        ["course_ids"],
        ["name"],
        ["course_ids"],
    ]


def test_users_are_added_and_removed_with_events(session: Session) -> None:
    _, ctx = make_tenant(session)
    path = make_learning_path(session, ctx, [make_course(session, ctx)])
    a, b, c = make_users(session, ctx, 3)
    before = last_event_id(session)

    assert add_users_to_learning_path(session, ctx, path_id=path.id, user_ids=[a.id, b.id]) == [
        a.id,
        b.id,
    ]
    assert add_users_to_learning_path(session, ctx, path_id=path.id, user_ids=[b.id, c.id]) == [
        c.id
    ]
    assert remove_users_from_learning_path(
        session, ctx, path_id=path.id, user_ids=[a.id, a.id]
    ) == [a.id]
    assert remove_users_from_learning_path(session, ctx, path_id=path.id, user_ids=[a.id]) == []

    followers = session.scalars(
        select(LearningPathUser.user_id).where(LearningPathUser.path_id == path.id)
    )
    assert set(followers) == {b.id, c.id}
    assert [(e.type, e.data) for e in events_since(session, ctx, before)] == [
        ("path.enrollment_created", {"learning_path_id": path.id, "user_id": a.id}),
        ("path.enrollment_created", {"learning_path_id": path.id, "user_id": b.id}),
        ("path.enrollment_created", {"learning_path_id": path.id, "user_id": c.id}),
        ("path.enrollment_removed", {"learning_path_id": path.id, "user_id": a.id}),
    ]
    with pytest.raises(NotFound) as raised:
        add_users_to_learning_path(session, ctx, path_id=path.id, user_ids=[10**9])
    assert raised.value.field == "user_ids"


def test_groups_are_added_and_removed_with_events(session: Session) -> None:
    _, ctx = make_tenant(session)
    path = make_learning_path(session, ctx)
    one, two = make_group(session, ctx), make_group(session, ctx)
    before = last_event_id(session)

    assert add_groups_to_learning_path(session, ctx, path_id=path.id, group_ids=[one.id]) == [
        one.id
    ]
    assert add_groups_to_learning_path(
        session, ctx, path_id=path.id, group_ids=[one.id, two.id]
    ) == [two.id]
    assert remove_groups_from_learning_path(session, ctx, path_id=path.id, group_ids=[one.id]) == [
        one.id
    ]
    assert remove_groups_from_learning_path(session, ctx, path_id=path.id, group_ids=[one.id]) == []

    groups = session.scalars(
        select(LearningPathGroup.group_id).where(LearningPathGroup.path_id == path.id)
    )
    assert list(groups) == [two.id]
    assert [(e.type, e.data["group_id"]) for e in events_since(session, ctx, before)] == [
        ("path.group_added", one.id),
        ("path.group_added", two.id),
        ("path.group_removed", one.id),
    ]


def test_delete_path_removes_its_items_users_and_groups(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx)
    path = make_learning_path(session, ctx, [course], name="Gone")
    [user] = make_users(session, ctx, 1)
    group = make_group(session, ctx)
    add_users_to_learning_path(session, ctx, path_id=path.id, user_ids=[user.id])
    add_groups_to_learning_path(session, ctx, path_id=path.id, group_ids=[group.id])

    delete_learning_path(session, ctx, path_id=path.id)

    session.expire_all()
    assert session.get(LearningPath, path.id) is None
    for model in (LearningPathItem, LearningPathUser, LearningPathGroup):
        left = session.scalar(
            select(func.count()).select_from(model).where(model.path_id == path.id)
        )
        assert left == 0, model.__name__
    assert event_data(session, ctx, "learning_path.deleted") == [
        {"learning_path_id": path.id, "name": "Gone"}
    ]
