"""Mass enrollment: users into courses, groups and learning paths at once, all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from syllabus.core.errors import Invalid, NotFound, NotFoundMany
from syllabus.queries.access import accessible_course_ids
from syllabus.services.mass_enrollment import mass_enroll
from tests.factories import (
    event_data,
    events_since,
    last_event_id,
    make_course,
    make_group,
    make_learning_path,
    make_tenant,
    make_users,
    scope,
)


def test_mass_enroll_links_every_user_to_everything(session: Session) -> None:
    _, ctx = make_tenant(session)
    scope(session, ctx)
    users = [u.id for u in make_users(session, ctx, 3)]
    courses = [make_course(session, ctx) for _ in range(2)]
    group = make_group(session, ctx)
    in_path = make_course(session, ctx)
    path = make_learning_path(session, ctx, [in_path])

    result = mass_enroll(
        session,
        ctx,
        user_ids=users,
        course_ids=[c.id for c in courses],
        group_ids=[group.id],
        learning_path_ids=[path.id],
    )

    assert len(result.courses.created) == 6
    assert result.group_members_added == {group.id: users}
    assert result.path_users_added == {path.id: users}
    for user in users:
        assert accessible_course_ids(session, ctx, user) == {
            courses[0].id,
            courses[1].id,
            in_path.id,
        }
    assert len(event_data(session, ctx, "group.member_added")) == 3
    again = mass_enroll(session, ctx, user_ids=users, group_ids=[group.id])
    assert again.group_members_added == {group.id: []}


def test_an_unknown_id_of_any_kind_writes_nothing_and_names_them_all(session: Session) -> None:
    _, ctx = make_tenant(session)
    _, other_ctx = make_tenant(session)
    scope(session, ctx)
    users = [u.id for u in make_users(session, ctx, 2)]
    course = make_course(session, ctx)
    group = make_group(session, ctx)
    foreign_group = make_group(session, other_ctx)
    before = last_event_id(session)

    with pytest.raises(NotFound) as error:
        mass_enroll(
            session,
            ctx,
            user_ids=users,
            course_ids=[course.id],
            group_ids=[group.id, foreign_group.id, 999_999],
        )
    assert (error.value.field, error.value.ids) == ("group_ids", [str(foreign_group.id), "999999"])
    assert events_since(session, ctx, before) == []
    with pytest.raises(NotFound) as error:
        mass_enroll(session, ctx, user_ids=[*users, 888_888, 777_777], course_ids=[course.id])
    assert (error.value.field, error.value.ids) == ("user_ids", ["888888", "777777"])
    with pytest.raises(NotFoundMany) as many:
        mass_enroll(
            session,
            ctx,
            user_emails=[" Nobody@Example.com", "nobody@example.com"],
            user_ids=[*users, 888_888],
            course_ids=[course.id, 424_242],
            group_ids=[foreign_group.id],
            learning_path_ids=[555_555],
        )
    assert many.value.field == "user_emails"
    assert many.value.missing == {
        "user_emails": ["Nobody@Example.com"],
        "user_ids": ["888888"],
        "course_ids": ["424242"],
        "group_ids": [str(foreign_group.id)],
        "learning_path_ids": ["555555"],
    }
    assert many.value.message == (
        "user not found: Nobody@Example.com; user not found: 888888; course not found: 424242; "
        f"group not found: {foreign_group.id}; learning_path not found: 555555"
    )
    with pytest.raises(Invalid):
        mass_enroll(session, ctx, user_ids=users, learning_path_ids=[0])
    assert events_since(session, ctx, before) == []
