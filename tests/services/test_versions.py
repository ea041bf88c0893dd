"""Lost-update protection in the services, whatever door calls them: every change moves the
resource's version, and a stale expected version is PreconditionFailed with nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import PreconditionFailed
from syllabus.core.versions import Expected, Version
from syllabus.domain.courses import Course
from syllabus.domain.enrollments import Enrollment
from syllabus.domain.events import Event
from syllabus.domain.groups import Group
from syllabus.domain.progress import CourseProgress, ItemProgress
from syllabus.domain.signup_manager import ManagerAccess
from syllabus.domain.tenants import Domain, DomainMembership
from syllabus.domain.users import User
from syllabus.queries.manager_access import manager_links
from syllabus.services.courses import CourseData, update_course
from syllabus.services.domain_enrollments import (
    EnrollmentChanges,
    enroll_in_publication,
    enrollment_version,
    update_enrollment,
)
from syllabus.services.domain_users import (
    MembershipSettings,
    domain_user_version,
    update_domain_membership,
)
from syllabus.services.domains import DomainSettings, update_domain
from syllabus.services.groups import GroupData, delete_group, set_group_members, update_group
from syllabus.services.lesson_progress import lesson_version, update_lesson_progress
from syllabus.services.manager_access import (
    ManagerAccessSettings,
    manager_access_version,
    remove_manager_access,
    set_manager_access,
)
from syllabus.services.progress import CourseProgressChanges, update_course_progress
from syllabus.services.publications import (
    PublicationSettings,
    publish_course,
    update_publication,
)
from syllabus.services.signup_fields import (
    SignupFieldData,
    ValueChange,
    add_signup_field,
    set_user_signup_values,
    update_signup_field,
)
from syllabus.services.user_fields import UserData
from syllabus.services.users import deprovision_user, update_user
from tests.factories import make_course, make_group, make_item, make_tenant, make_user


def _domain(session: Session, ctx: Context) -> Domain:
    found = session.scalars(select(Domain).where(Domain.tenant_id == ctx.tenant_id)).first()
    assert found is not None
    return found


def _count_events(session: Session, ctx: Context) -> int:
    return len(session.scalars(select(Event.id).where(Event.tenant_id == ctx.tenant_id)).all())


def _refuses_stale(
    session: Session,
    ctx: Context,
    write: Callable[[Expected | None], Any],
    current: Callable[[], Version],
) -> None:
    """A write with the version of before is refused, writes nothing and records nothing;
    with the current version (or none) it goes ahead and moves the version."""
    before = current()
    write(Expected.of(before))
    after = current()
    assert after != before
    events = _count_events(session, ctx)
    with pytest.raises(PreconditionFailed) as raised:
        write(Expected.of(before))
    assert raised.value.code == "precondition_failed"
    session.expire_all()
    assert current() == after
    assert _count_events(session, ctx) == events
    write(Expected.of(before, after))  # any of the tags an If-Match lists
    assert current() != after


def _version_of(session: Session, model: type[Any], row_id: int) -> int:
    value = session.scalar(select(model.version).where(model.id == row_id))
    assert value is not None
    return int(value)


def test_user_updates_check_and_move_the_version(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    names = iter(f"Name {n}" for n in range(10))
    _refuses_stale(
        session,
        ctx,
        lambda expected: update_user(
            session,
            ctx,
            user_id=user.id,
            changes=UserData(first_name=next(names)),
            expected_version=expected,
        ),
        lambda: (_version_of(session, User, user.id),),
    )


def test_a_user_deleted_through_scim_checks_the_version(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    stale = Expected.of(_version_of(session, User, user.id))
    update_user(session, ctx, user_id=user.id, changes=UserData(first_name="Moved"))
    with pytest.raises(PreconditionFailed):
        deprovision_user(session, ctx, user_id=user.id, expected_version=stale)
    session.expire_all()
    kept = session.get(User, user.id)
    assert kept is not None
    assert kept.is_active
    fresh = Expected.of(_version_of(session, User, user.id))
    deprovision_user(session, ctx, user_id=user.id, expected_version=fresh)
    assert not session.get(User, user.id).is_active  # type: ignore[union-attr]


def test_group_version_moves_with_its_members_and_is_checked(session: Session) -> None:
    _, ctx = make_tenant(session)
    group = make_group(session, ctx)
    user = make_user(session, ctx)
    before = _version_of(session, Group, group.id)
    set_group_members(session, ctx, group_id=group.id, user_ids=[user.id])
    assert _version_of(session, Group, group.id) > before
    names = iter(f"Team {n}" for n in range(10))
    _refuses_stale(
        session,
        ctx,
        lambda expected: update_group(
            session,
            ctx,
            group_id=group.id,
            changes=GroupData(name=next(names)),
            expected_version=expected,
        ),
        lambda: (_version_of(session, Group, group.id),),
    )
    with pytest.raises(PreconditionFailed):
        delete_group(session, ctx, group_id=group.id, expected_version=Expected.of(before))
    assert session.get(Group, group.id) is not None


def test_course_updates_check_the_version(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx)
    names = iter(f"Course {n}" for n in range(10))
    _refuses_stale(
        session,
        ctx,
        lambda expected: update_course(
            session,
            ctx,
            course_id=course.id,
            changes=CourseData(name=next(names)),
            expected_version=expected,
        ),
        lambda: (_version_of(session, Course, course.id),),
    )


def test_domain_and_publication_updates_check_the_version(session: Session) -> None:
    _, ctx = make_tenant(session)
    domain = _domain(session, ctx)
    titles = iter(f"Catalog {n}" for n in range(10))
    _refuses_stale(
        session,
        ctx,
        lambda expected: update_domain(
            session,
            ctx,
            domain_id=domain.id,
            settings=DomainSettings(catalog_title=next(titles)),
            expected_version=expected,
        ),
        lambda: (_version_of(session, Domain, domain.id),),
    )
    publication = publish_course(
        session, ctx, course_id=make_course(session, ctx).id, domain_id=domain.id
    )
    flags = iter([True, True, False])  # the refused write takes one too
    _refuses_stale(
        session,
        ctx,
        lambda expected: update_publication(
            session,
            ctx,
            published_course_id=publication.id,
            settings=PublicationSettings(hidden=next(flags)),
            expected_version=expected,
        ),
        lambda: (_version_of(session, type(publication), publication.id),),
    )


def test_domain_user_version_follows_user_membership_and_answers(session: Session) -> None:
    _, ctx = make_tenant(session)
    domain = _domain(session, ctx)
    user = make_user(session, ctx)

    def current() -> Version:
        row = session.scalars(
            select(DomainMembership).where(
                DomainMembership.domain_id == domain.id, DomainMembership.user_id == user.id
            )
        ).one()
        session.refresh(row)
        return domain_user_version(_version_of(session, User, user.id), row.version)

    field = add_signup_field(session, ctx, domain_id=domain.id, data=SignupFieldData(label="Team"))
    before = current()
    set_user_signup_values(
        session,
        ctx,
        domain_id=domain.id,
        user_id=user.id,
        changes=[ValueChange(field_id=field.id, value="Blue")],
    )
    answered = current()
    assert answered != before
    update_signup_field(session, ctx, field_id=field.id, data=SignupFieldData(label="Squad"))
    relabelled = current()
    assert relabelled != answered
    update_user(session, ctx, user_id=user.id, changes=UserData(last_name="Moved"))
    assert current() != relabelled
    flags = iter([False, False, True])  # the refused write takes one too
    _refuses_stale(
        session,
        ctx,
        lambda expected: update_domain_membership(
            session,
            ctx,
            domain_id=domain.id,
            user_id=user.id,
            settings=MembershipSettings(active=next(flags)),
            expected_version=expected,
        ),
        current,
    )


def test_enrollment_version_follows_its_progress_record_and_is_checked(session: Session) -> None:
    _, ctx = make_tenant(session)
    domain = _domain(session, ctx)
    user = make_user(session, ctx)
    course = make_course(session, ctx)
    publication = publish_course(session, ctx, course_id=course.id, domain_id=domain.id)
    enrollment, _ = enroll_in_publication(
        session, ctx, published_course_id=publication.id, user_id=user.id
    )

    def record() -> CourseProgress | None:
        return session.scalars(
            select(CourseProgress).where(
                CourseProgress.user_id == user.id, CourseProgress.course_id == course.id
            )
        ).first()

    def current() -> Version:
        found = record()
        shown = (found.id, _version_of(session, CourseProgress, found.id)) if found else None
        return enrollment_version(_version_of(session, Enrollment, enrollment.id), shown)

    before = current()
    found = record()
    assert found is not None
    update_course_progress(
        session, ctx, progress_id=found.id, changes=CourseProgressChanges(score=50)
    )
    assert current() != before
    flags = iter([False, False, True])  # the refused write takes one too
    _refuses_stale(
        session,
        ctx,
        lambda expected: update_enrollment(
            session,
            ctx,
            enrollment_id=enrollment.id,
            changes=EnrollmentChanges(active=next(flags)),
            expected_version=expected,
        ),
        current,
    )


def test_lesson_progress_checks_the_version(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    course = make_course(session, ctx)
    item = make_item(session, ctx, course)

    def current() -> Version:
        row = session.scalars(
            select(ItemProgress).where(
                ItemProgress.user_id == user.id, ItemProgress.course_item_id == item.id
            )
        ).first()
        shown = (row.id, _version_of(session, ItemProgress, row.id)) if row else None
        return lesson_version(item.version, shown)

    texts = iter(f"note {n}" for n in range(10))
    _refuses_stale(
        session,
        ctx,
        lambda expected: update_lesson_progress(
            session,
            ctx,
            user_id=user.id,
            item_id=item.id,
            custom_data=next(texts),
            expected_version=expected,
        ),
        current,
    )


def test_manager_access_checks_the_whole_setting(session: Session) -> None:
    _, ctx = make_tenant(session)
    domain = _domain(session, ctx)
    user = make_user(session, ctx)
    settings = ManagerAccessSettings(
        group_name="Partners", course_access_level="ALL", path_access_level="ALL"
    )

    def current() -> Version:
        rows = manager_links(session, ctx, user.id)
        return manager_access_version([(r.id, r.version, r.access_version) for r in rows])

    _refuses_stale(
        session,
        ctx,
        lambda expected: set_manager_access(
            session,
            ctx,
            domain_id=domain.id,
            user_id=user.id,
            settings=settings,
            expected_version=expected,
        ),
        current,
    )
    stale = Expected.of(())
    with pytest.raises(PreconditionFailed):
        remove_manager_access(
            session, ctx, domain_id=domain.id, user_id=user.id, expected_version=stale
        )
    assert session.scalars(select(ManagerAccess).where(ManagerAccess.user_id == user.id)).all()
    remove_manager_access(
        session, ctx, domain_id=domain.id, user_id=user.id, expected_version=Expected.of(current())
    )
    assert current() == ()


def test_core_updates_move_the_version_too(session: Session) -> None:
    """Statements that bypass the ORM still move it: the database computes version + 1."""
    _, ctx = make_tenant(session)
    course = make_course(session, ctx)
    before = _version_of(session, Course, course.id)
    session.execute(update(Course).where(Course.id == course.id).values(name="Renamed"))
    assert _version_of(session, Course, course.id) == before + 1


def test_no_expected_version_means_no_check(session: Session) -> None:
    """SkyPrep and the CLI pass none: the write goes ahead whatever the version."""
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    update_user(session, ctx, user_id=user.id, changes=UserData(first_name="A"))
    update_user(
        session, ctx, user_id=user.id, changes=UserData(first_name="B"), expected_version=None
    )
    session.expire_all()
    assert session.get(User, user.id).first_name == "B"  # type: ignore[union-attr]
