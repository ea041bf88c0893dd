"""Course access: the union of direct, group, learning-path and group-learning-path access."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from syllabus.queries.access import (
    CourseAccess,
    Reason,
    Via,
    accessible_course_ids,
    course_access,
)
from syllabus.services.courses import delete_course
from syllabus.services.enrollments import enroll_users_in_courses
from syllabus.services.groups import (
    add_courses_to_group,
    add_users_to_group,
    remove_users_from_group,
)
from syllabus.services.learning_paths import (
    add_groups_to_learning_path,
    add_users_to_learning_path,
    remove_users_from_learning_path,
)
from tests.factories import (
    make_course,
    make_group,
    make_learning_path,
    make_tenant,
    make_user,
    scope,
)


def as_dict(access: list[CourseAccess]) -> dict[int, list[Reason]]:
    return {a.course_id: a.reasons for a in access}


@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    seen: list[str] = []
    connection = session.connection()

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", record)


def test_no_access_is_an_empty_list(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    make_course(session, ctx)
    assert course_access(session, ctx, user.id) == []
    assert accessible_course_ids(session, ctx, user.id) == set()


def test_each_way_in_is_reported_with_its_source(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    direct, by_group, by_path, by_group_path, unrelated = (
        make_course(session, ctx, name) for name in ("D", "G", "P", "GP", "U")
    )
    result = enroll_users_in_courses(session, ctx, user_ids=[user.id], course_ids=[direct.id])
    [(enrollment_id, _, _)] = result.created
    group = make_group(session, ctx)
    add_users_to_group(session, ctx, group_id=group.id, user_ids=[user.id])
    add_courses_to_group(session, ctx, group_id=group.id, course_ids=[by_group.id])
    path = make_learning_path(session, ctx, [by_path])
    add_users_to_learning_path(session, ctx, path_id=path.id, user_ids=[user.id])
    group_path = make_learning_path(session, ctx, [by_group_path])
    add_groups_to_learning_path(session, ctx, path_id=group_path.id, group_ids=[group.id])

    access = course_access(session, ctx, user.id)

    assert [a.course_id for a in access] == sorted(
        [direct.id, by_group.id, by_path.id, by_group_path.id]
    )
    assert as_dict(access) == {
        direct.id: [Reason(Via.DIRECT, enrollment_id)],
        by_group.id: [Reason(Via.GROUP, group.id)],
        by_path.id: [Reason(Via.LEARNING_PATH, path.id)],
        by_group_path.id: [Reason(Via.GROUP_LEARNING_PATH, group_path.id, group.id)],
    }
    assert unrelated.id not in accessible_course_ids(session, ctx, user.id)


def test_a_course_reached_several_ways_lists_every_reason(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    course = make_course(session, ctx)
    result = enroll_users_in_courses(session, ctx, user_ids=[user.id], course_ids=[course.id])
    [(enrollment_id, _, _)] = result.created
    one, two = make_group(session, ctx), make_group(session, ctx)
    for group in (one, two):
        add_users_to_group(session, ctx, group_id=group.id, user_ids=[user.id])
        add_courses_to_group(session, ctx, group_id=group.id, course_ids=[course.id])
    path = make_learning_path(session, ctx, [course])
    add_users_to_learning_path(session, ctx, path_id=path.id, user_ids=[user.id])
    add_groups_to_learning_path(session, ctx, path_id=path.id, group_ids=[one.id, two.id])

    [access] = course_access(session, ctx, user.id)

    assert access.course_id == course.id
    assert access.reasons == sorted(
        [
            Reason(Via.DIRECT, enrollment_id),
            Reason(Via.GROUP, one.id),
            Reason(Via.GROUP, two.id),
            Reason(Via.LEARNING_PATH, path.id),
            Reason(Via.GROUP_LEARNING_PATH, path.id, one.id),
            Reason(Via.GROUP_LEARNING_PATH, path.id, two.id),
        ]
    )


def test_access_follows_membership_changes(session: Session) -> None:
    _, ctx = make_tenant(session)
    user, other = make_user(session, ctx), make_user(session, ctx)
    course, path_course = make_course(session, ctx), make_course(session, ctx)
    group = make_group(session, ctx)
    add_users_to_group(session, ctx, group_id=group.id, user_ids=[user.id, other.id])
    add_courses_to_group(session, ctx, group_id=group.id, course_ids=[course.id])
    path = make_learning_path(session, ctx, [path_course])
    add_users_to_learning_path(session, ctx, path_id=path.id, user_ids=[user.id])
    assert accessible_course_ids(session, ctx, user.id) == {course.id, path_course.id}

    remove_users_from_group(session, ctx, group_id=group.id, user_ids=[user.id])
    remove_users_from_learning_path(session, ctx, path_id=path.id, user_ids=[user.id])
    assert course_access(session, ctx, user.id) == []
    assert accessible_course_ids(session, ctx, other.id) == {course.id}

    delete_course(session, ctx, course_id=course.id)
    assert accessible_course_ids(session, ctx, other.id) == set()


def test_access_is_per_user_and_per_tenant(session: Session) -> None:
    _, ctx = make_tenant(session)
    _, other_ctx = make_tenant(session)
    user, neighbour = make_user(session, ctx), make_user(session, ctx)
    mine, theirs = make_course(session, ctx), make_course(session, ctx)
    enroll_users_in_courses(session, ctx, user_ids=[user.id], course_ids=[mine.id])
    enroll_users_in_courses(session, ctx, user_ids=[neighbour.id], course_ids=[theirs.id])
    foreign_user = make_user(session, other_ctx)
    enroll_users_in_courses(
        session,
        other_ctx,
        user_ids=[foreign_user.id],
        course_ids=[make_course(session, other_ctx).id],
    )
    assert accessible_course_ids(session, ctx, user.id) == {mine.id}
    # Another program's user id asked through this program's context reaches nothing.
    assert course_access(session, ctx, foreign_user.id) == []
    assert course_access(session, other_ctx, user.id) == []


def test_access_is_one_query_whatever_the_number_of_courses(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    courses = [make_course(session, ctx) for _ in range(6)]
    group = make_group(session, ctx)
    add_users_to_group(session, ctx, group_id=group.id, user_ids=[user.id])
    add_courses_to_group(session, ctx, group_id=group.id, course_ids=[c.id for c in courses[:3]])
    enroll_users_in_courses(
        session, ctx, user_ids=[user.id], course_ids=[c.id for c in courses[3:]]
    )
    session.flush()
    scope(session, ctx)
    with statements(session) as seen:
        access = course_access(session, ctx, user.id)
    assert len(access) == 6
    assert len(seen) == 1


def ways_in(access: list[CourseAccess]) -> set[Via]:
    return {r.via for a in access for r in a.reasons}


def test_works_in_a_tenant_scoped_session(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    course = make_course(session, ctx)
    group = make_group(session, ctx)
    add_users_to_group(session, ctx, group_id=group.id, user_ids=[user.id])
    path = make_learning_path(session, ctx, [course])
    add_groups_to_learning_path(session, ctx, path_id=path.id, group_ids=[group.id])
    scope(session, ctx)
    access = course_access(session, ctx, user.id)
    assert ways_in(access) == {Via.GROUP_LEARNING_PATH}
