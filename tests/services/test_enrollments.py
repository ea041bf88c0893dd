"""Direct enrollments: many users by many courses, idempotent, with events and domain access."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Invalid, NotFound
from syllabus.domain.courses import PublishedCourse
from syllabus.domain.enrollments import Enrollment
from syllabus.domain.tenants import DomainMembership
from syllabus.queries.access import Via, accessible_course_ids, course_access
from syllabus.services.enrollments import enroll_users_in_courses, unenroll_users_from_courses
from syllabus.services.groups import add_courses_to_group, add_users_to_group
from syllabus.services.learning_paths import add_users_to_learning_path
from syllabus.services.tenants import add_domain
from syllabus.services.users import NewUser, UserData, create_users
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
    unique,
)


def pairs(session: Session, ctx: Context) -> set[tuple[int, int]]:
    rows = session.execute(
        select(Enrollment.user_id, Enrollment.course_id).where(
            Enrollment.tenant_id == ctx.tenant_id
        )
    )
    return {(user_id, course_id) for user_id, course_id in rows}


def test_enroll_many_users_in_many_courses(session: Session) -> None:
    _, ctx = make_tenant(session)
    users = make_users(session, ctx, 3)
    courses = [make_course(session, ctx) for _ in range(2)]
    user_ids, course_ids = [u.id for u in users], [c.id for c in courses]

    result = enroll_users_in_courses(session, ctx, user_ids=user_ids, course_ids=course_ids)

    expected = {(u, c) for u in user_ids for c in course_ids}
    assert pairs(session, ctx) == expected
    assert {(u, c) for _, u, c in result.created} == expected
    assert len({e for e, _, _ in result.created}) == 6
    assert result.already_enrolled == 0
    created = event_data(session, ctx, "enrollment.created")
    assert {(d["user_id"], d["course_id"]) for d in created} == expected
    assert {d["enrollment_id"] for d in created} == {e for e, _, _ in result.created}
    publication = dict(
        session.execute(
            select(PublishedCourse.course_id, PublishedCourse.id).where(
                PublishedCourse.course_id.in_(course_ids)
            )
        ).all()
    )
    assert {(d["course_id"], d["published_course_id"]) for d in created} == set(publication.items())


def test_enrolling_again_creates_nothing(session: Session) -> None:
    _, ctx = make_tenant(session)
    a, b, c = make_users(session, ctx, 3)
    one, two = make_course(session, ctx), make_course(session, ctx)
    enroll_users_in_courses(session, ctx, user_ids=[a.id, b.id], course_ids=[one.id])
    before = last_event_id(session)

    again = enroll_users_in_courses(session, ctx, user_ids=[a.id, b.id], course_ids=[one.id])
    assert again.created == []
    assert again.already_enrolled == 2
    assert events_since(session, ctx, before) == []

    mixed = enroll_users_in_courses(
        session, ctx, user_ids=[a.id, b.id, c.id, c.id], course_ids=[one.id, two.id]
    )
    new_pairs = {(a.id, two.id), (b.id, two.id), (c.id, one.id), (c.id, two.id)}
    assert {(u, co) for _, u, co in mixed.created} == new_pairs
    assert mixed.already_enrolled == 2
    added = [e.data for e in events_since(session, ctx, before)]
    assert {(d["user_id"], d["course_id"]) for d in added} == new_pairs
    assert len(pairs(session, ctx)) == 6


@pytest.mark.parametrize("unknown", ["user", "course"])
def test_unknown_ids_fail_the_whole_call_naming_them(session: Session, unknown: str) -> None:
    _, ctx = make_tenant(session)
    _, other = make_tenant(session)
    user = make_user(session, ctx)
    course = make_course(session, ctx, publish=False)
    foreign_user = make_user(session, other)
    foreign_course = make_course(session, other)
    missing = 10**9
    before = last_event_id(session)

    user_ids, course_ids = [user.id], [course.id]
    if unknown == "user":
        user_ids += [foreign_user.id, missing]
    else:
        course_ids += [foreign_course.id, missing]
    with pytest.raises(NotFound) as raised:
        enroll_users_in_courses(session, ctx, user_ids=user_ids, course_ids=course_ids)

    foreign_id = foreign_user.id if unknown == "user" else foreign_course.id
    assert raised.value.ids == sorted([str(foreign_id), str(missing)])
    assert raised.value.field == f"{unknown}_ids"
    assert raised.value.entity == unknown
    assert pairs(session, ctx) == set()
    assert events_since(session, ctx, before) == []
    published = session.scalars(
        select(PublishedCourse.id).where(PublishedCourse.course_id == course.id)
    )
    assert list(published) == []  # nothing was published on the way to failing


def test_enrolling_in_an_unpublished_course_publishes_it(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    course = make_course(session, ctx, "Hidden Gem", publish=False)
    enroll_users_in_courses(session, ctx, user_ids=[user.id], course_ids=[course.id])
    [published] = event_data(session, ctx, "course.published")
    assert published["course_id"] == course.id
    assert pairs(session, ctx) == {(user.id, course.id)}


def test_enrolling_on_a_domain_makes_the_user_a_member_of_it(session: Session) -> None:
    _, ctx = make_tenant(session)
    academy = add_domain(session, ctx, name=f"{unique('academy')}.example.test")
    course = make_course(session, ctx)
    result = create_users(
        session, ctx, users=[NewUser(data=UserData(email="m@example.com"))], domain_ids=[]
    )
    [user_id] = result.created

    def domains() -> set[int]:
        query = select(DomainMembership.domain_id).where(DomainMembership.user_id == user_id)
        return set(session.scalars(query))

    assert domains() == set()
    enroll_users_in_courses(
        session, ctx, user_ids=[user_id], course_ids=[course.id], domain_id=academy.id
    )
    assert domains() == {academy.id}
    [created] = event_data(session, ctx, "enrollment.created")
    assert created["domain_id"] == academy.id
    # Enrolling on the same domain again does not duplicate the membership.
    other = make_course(session, ctx)
    enroll_users_in_courses(
        session, ctx, user_ids=[user_id], course_ids=[other.id], domain_id=academy.id
    )
    memberships = session.scalars(
        select(DomainMembership.id).where(DomainMembership.user_id == user_id)
    )
    assert len(list(memberships)) == 1


def test_unknown_domain_is_not_found(session: Session) -> None:
    _, ctx = make_tenant(session)
    _, other = make_tenant(session)
    foreign = add_domain(session, other, name=f"{unique('foreign')}.example.test")
    user, course = make_user(session, ctx), make_course(session, ctx)
    with pytest.raises(NotFound) as raised:
        enroll_users_in_courses(
            session, ctx, user_ids=[user.id], course_ids=[course.id], domain_id=foreign.id
        )
    assert raised.value.field == "domain_id"
    assert pairs(session, ctx) == set()


def test_expiry_must_carry_a_time_zone(session: Session) -> None:
    _, ctx = make_tenant(session)
    user, course = make_user(session, ctx), make_course(session, ctx)
    with pytest.raises(Invalid) as raised:
        enroll_users_in_courses(
            session,
            ctx,
            user_ids=[user.id],
            course_ids=[course.id],
            expires_at=datetime(2030, 1, 1),
        )
    assert raised.value.field == "expires_at"
    expires = datetime(2030, 1, 1, tzinfo=UTC)
    enroll_users_in_courses(
        session, ctx, user_ids=[user.id], course_ids=[course.id], expires_at=expires
    )
    session.expire_all()
    stored = session.scalar(select(Enrollment.expires_at).where(Enrollment.user_id == user.id))
    assert stored == expires


def test_empty_lists_enroll_nobody(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    result = enroll_users_in_courses(session, ctx, user_ids=[user.id], course_ids=[])
    assert (result.created, result.already_enrolled) == ([], 0)
    with pytest.raises(Invalid) as raised:
        enroll_users_in_courses(session, ctx, user_ids=[user.id, 0], course_ids=[1])
    assert raised.value.field == "user_ids"


# --- Unenroll ----------------------------------------------------------------------------------


def test_unenroll_removes_only_direct_enrollments(session: Session) -> None:
    _, ctx = make_tenant(session)
    user, bystander = make_users(session, ctx, 2)
    direct, by_group, by_path = (make_course(session, ctx) for _ in range(3))
    group = make_group(session, ctx)
    add_users_to_group(session, ctx, group_id=group.id, user_ids=[user.id])
    add_courses_to_group(session, ctx, group_id=group.id, course_ids=[by_group.id])
    path = make_learning_path(session, ctx, [by_path])
    add_users_to_learning_path(session, ctx, path_id=path.id, user_ids=[user.id])
    all_three = [direct.id, by_group.id, by_path.id]
    enroll_users_in_courses(session, ctx, user_ids=[user.id, bystander.id], course_ids=all_three)
    before = last_event_id(session)

    removed = unenroll_users_from_courses(
        session, ctx, user_ids=[user.id], course_ids=[direct.id, by_group.id, by_path.id]
    )

    assert {(u, c) for _, u, c in removed} == {(user.id, c) for c in all_three}
    assert pairs(session, ctx) == {(bystander.id, c) for c in all_three}
    access = {a.course_id: [r.via for r in a.reasons] for a in course_access(session, ctx, user.id)}
    assert access == {by_group.id: [Via.GROUP], by_path.id: [Via.LEARNING_PATH]}
    removed_events = [e.data for e in events_since(session, ctx, before)]
    assert sorted(removed_events, key=lambda d: d["course_id"]) == sorted(
        ({"enrollment_id": e, "user_id": u, "course_id": c} for e, u, c in removed),
        key=lambda d: d["course_id"],
    )
    assert {e.type for e in events_since(session, ctx, before)} == {"enrollment.removed"}

    # Nothing left to remove: nothing removed, nothing recorded.
    after = last_event_id(session)
    assert unenroll_users_from_courses(session, ctx, user_ids=[user.id], course_ids=all_three) == []
    assert events_since(session, ctx, after) == []
    assert accessible_course_ids(session, ctx, user.id) == {by_group.id, by_path.id}


def test_unenroll_removes_enrollments_on_every_domain(session: Session) -> None:
    _, ctx = make_tenant(session)
    extra = add_domain(session, ctx, name=f"{unique('extra')}.example.test")
    user, course = make_user(session, ctx), make_course(session, ctx)
    enroll_users_in_courses(session, ctx, user_ids=[user.id], course_ids=[course.id])
    enroll_users_in_courses(
        session, ctx, user_ids=[user.id], course_ids=[course.id], domain_id=extra.id
    )
    removed = unenroll_users_from_courses(session, ctx, user_ids=[user.id], course_ids=[course.id])
    assert len(removed) == 2
    assert pairs(session, ctx) == set()


def test_unenroll_unknown_ids_is_not_found(session: Session) -> None:
    _, ctx = make_tenant(session)
    user, course = make_user(session, ctx), make_course(session, ctx)
    enroll_users_in_courses(session, ctx, user_ids=[user.id], course_ids=[course.id])
    with pytest.raises(NotFound) as raised:
        unenroll_users_from_courses(session, ctx, user_ids=[user.id], course_ids=[course.id, 10**9])
    assert raised.value.ids == [str(10**9)]
    assert pairs(session, ctx) == {(user.id, course.id)}
