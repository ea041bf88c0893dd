"""Power users: roles and datasets assigned to users; removing them leaves the user."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.errors import Invalid, NotFound, NotFoundMany
from syllabus.domain.power_users import PowerUser, PowerUserDataset
from syllabus.domain.users import User
from syllabus.services.power_users import (
    assign_power_users,
    create_dataset,
    create_user_role,
    list_datasets,
    list_power_users,
    list_user_roles,
    remove_power_user,
)
from syllabus.services.users import delete_user
from tests.factories import event_data, make_course, make_tenant, make_user


def test_assign_update_remove_with_events(session: Session) -> None:
    _, ctx = make_tenant(session)
    boss, other = make_user(session, ctx), make_user(session, ctx)
    course = make_course(session, ctx)
    role = create_user_role(session, ctx, name="Trainer", permissions={"users": "assigned"})
    second = create_user_role(session, ctx, name="Reporter", permissions={"reports": "enabled"})
    north = create_dataset(session, ctx, name="North", user_ids=[other.id, other.id])
    south = create_dataset(session, ctx, name="South", course_ids=[course.id])
    [created] = event_data(session, ctx, "power_user.dataset_created")[:1]
    assert created["user_ids"] == [other.id]

    views = assign_power_users(
        session, ctx, user_ids=[boss.id, other.id], user_role_id=role.id, dataset_ids=[south.id]
    )
    assert [(v.user_id, v.user_role_id, v.dataset_ids) for v in views] == [
        (boss.id, role.id, [south.id]),
        (other.id, role.id, [south.id]),
    ]
    assert len(event_data(session, ctx, "power_user.assigned")) == 2
    again = assign_power_users(
        session,
        ctx,
        user_ids=[boss.id],
        user_role_id=second.id,
        dataset_ids=[north.id, south.id],
    )
    assert again[0].id == views[0].id
    [updated] = event_data(session, ctx, "power_user.updated")
    assert updated["before"] == {"user_role_id": role.id, "dataset_ids": [south.id]}
    assert updated["dataset_ids"] == sorted([north.id, south.id])
    assert {r.name: r.powers_count for r in list_user_roles(session, ctx)} == {
        "Trainer": 1,
        "Reporter": 1,
    }
    [n, s] = list_datasets(session, ctx)
    assert (n.user_ids, n.course_ids, s.user_ids, s.course_ids) == ([other.id], [], [], [course.id])

    assert remove_power_user(session, ctx, user_id=boss.id) is True
    assert remove_power_user(session, ctx, user_id=boss.id) is False
    assert session.get(User, boss.id) is not None  # the user stays
    [removed] = event_data(session, ctx, "power_user.removed")
    assert removed["dataset_ids"] == sorted([north.id, south.id])
    assert [v.user_id for v in list_power_users(session, ctx)] == [other.id]

    delete_user(session, ctx, user_id=other.id)
    session.expire_all()
    assert session.scalars(select(PowerUser)).all() == []
    assert session.scalars(select(PowerUserDataset)).all() == []


def test_unknown_and_foreign_ids_change_nobody(session: Session) -> None:
    _, ctx = make_tenant(session)
    _, theirs = make_tenant(session)
    user = make_user(session, ctx)
    role = create_user_role(session, ctx, name="Trainer")
    their_role = create_user_role(session, theirs, name="Trainer")
    their_dataset = create_dataset(session, theirs, name="Theirs")
    with pytest.raises(NotFoundMany) as raised:
        assign_power_users(
            session,
            ctx,
            user_ids=[user.id, 999_999],
            user_role_id=their_role.id,
            dataset_ids=[their_dataset.id],
        )
    assert raised.value.missing == {
        "user_ids": ["999999"],
        "user_role_id": [str(their_role.id)],
        "dataset_ids": [str(their_dataset.id)],
    }
    assert list_power_users(session, ctx) == []
    with pytest.raises(NotFoundMany):
        create_dataset(session, ctx, name="Bad", course_ids=[2**40])
    with pytest.raises(NotFound):
        remove_power_user(session, ctx, user_id=999_999)
    with pytest.raises(Invalid):
        assign_power_users(session, ctx, user_ids=[], user_role_id=role.id)
    with pytest.raises(Invalid):
        create_user_role(session, ctx, name=" ")
