"""The smaller composite use cases each door reaches in one call: a group with its email-domain
rules, a pushed SCIM group with its members, a suspended enrollment, publishing a new path, a
path with its users and groups, a program with its keys, a signup field with its options.

Each asserts what a caller notices: the events, and that a refused later step leaves nothing
(the request's unit of work is a savepoint here). On both databases."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from syllabus.core.context import Context, Surface
from syllabus.core.credentials import CredentialKind
from syllabus.core.errors import Conflict, Invalid, NotFound
from syllabus.domain.courses import PublishedCourse
from syllabus.domain.credentials import Credential
from syllabus.domain.groups import Group, GroupEmailDomainRule, GroupMembership
from syllabus.domain.learning_paths import LearningPath, LearningPathGroup, LearningPathUser
from syllabus.domain.provisioning import PushedGroup
from syllabus.domain.signup_manager import SignupField, SignupFieldOption
from syllabus.domain.tenants import Domain
from syllabus.services.domain_enrollments import enroll_in_publication
from syllabus.services.domain_users import register_domain_user
from syllabus.services.group_updates import create_group_with_rules, update_group_with_rules
from syllabus.services.groups import GroupData
from syllabus.services.learning_paths import LearningPathData, create_learning_path
from syllabus.services.path_publications import publish_path
from syllabus.services.scim_groups import ScimGroup, provision_scim_group, update_scim_group
from syllabus.services.signup_fields import SignupFieldData, add_signup_field
from syllabus.services.tenants import NewTenant, open_program
from syllabus.services.user_fields import UserData
from tests.factories import (
    events_since,
    last_event_id,
    make_course,
    make_group,
    make_tenant,
    make_user,
    unique,
)


def _domain_id(session: Session, ctx: Context) -> int:
    found = session.scalar(
        select(Domain.id).where(Domain.tenant_id == ctx.tenant_id, Domain.position == 0)
    )
    assert found is not None
    return found


def _count(session: Session, model: type[Any], *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_a_group_is_created_and_changed_with_its_email_domain_rules(session: Session) -> None:
    _, ctx = make_tenant(session)
    group = create_group_with_rules(
        session, ctx, data=GroupData(name=unique("G")), email_domains=["Example.com"]
    )
    rules = select(GroupEmailDomainRule.email_domain).where(
        GroupEmailDomainRule.group_id == group.id
    )
    assert list(session.scalars(rules)) == ["example.com"]

    update_group_with_rules(
        session, ctx, group_id=group.id, changes=GroupData(), email_domains=["other.org"]
    )
    assert list(session.scalars(rules)) == ["other.org"]
    update_group_with_rules(session, ctx, group_id=group.id, changes=GroupData(name="Kept"))
    assert list(session.scalars(rules)) == ["other.org"]  # not given: left alone


def test_a_bad_rule_creates_no_group(session: Session) -> None:
    _, ctx = make_tenant(session)
    name = unique("G")
    after = last_event_id(session)
    with pytest.raises(Invalid), session.begin_nested():
        create_group_with_rules(
            session, ctx, data=GroupData(name=name), email_domains=["not a host"]
        )
    assert _count(session, Group, Group.tenant_id == ctx.tenant_id, Group.name == name) == 0
    assert events_since(session, ctx, after) == []


def test_a_pushed_group_is_marked_and_gets_its_members(session: Session) -> None:
    _, ctx = make_tenant(session, surface=Surface.SCIM)
    users = [make_user(session, ctx) for _ in range(2)]
    after = last_event_id(session)

    group = provision_scim_group(
        session, ctx, group=ScimGroup(unique("IdP "), "ext-1", [u.id for u in users])
    )

    assert _count(session, PushedGroup, PushedGroup.group_id == group.id) == 1
    members = select(GroupMembership.user_id).where(GroupMembership.group_id == group.id)
    assert set(session.scalars(members)) == {u.id for u in users}
    types = [e.type for e in events_since(session, ctx, after)]
    assert types[0] == "group.created"
    assert "group.member_added" in types

    update_scim_group(session, ctx, group_id=group.id, group=ScimGroup("Renamed", None, None))
    assert set(session.scalars(members)) == {u.id for u in users}  # not given: left alone
    update_scim_group(session, ctx, group_id=group.id, group=ScimGroup("Renamed", None, []))
    assert set(session.scalars(members)) == set()


def test_an_unknown_member_names_the_lowest_id_and_creates_no_group(session: Session) -> None:
    _, ctx = make_tenant(session, surface=Surface.SCIM)
    user = make_user(session, ctx)
    name = unique("IdP ")
    with pytest.raises(Invalid) as raised, session.begin_nested():
        provision_scim_group(
            session, ctx, group=ScimGroup(name, None, [user.id, 999_999_998, 999_999_997])
        )
    assert (raised.value.field, raised.value.message) == ("members", "no user with id 999999997")
    assert _count(session, Group, Group.tenant_id == ctx.tenant_id, Group.name == name) == 0


def test_an_enrollment_can_start_suspended(session: Session) -> None:
    _, ctx = make_tenant(session, surface=Surface.SKILLJAR)
    domain_id = _domain_id(session, ctx)
    course = make_course(session, ctx)
    pc_id = session.scalar(select(PublishedCourse.id).where(PublishedCourse.course_id == course.id))
    assert pc_id is not None
    user_id = register_domain_user(
        session, ctx, domain_id=domain_id, data=UserData(email=f"{unique('e')}@example.com")
    ).user_id
    after = last_event_id(session)

    enrollment, created = enroll_in_publication(
        session, ctx, published_course_id=pc_id, user_id=user_id, active=False
    )

    assert created
    assert not enrollment.active
    types = [e.type for e in events_since(session, ctx, after)]
    assert types[-1] == "enrollment.updated"
    again, created = enroll_in_publication(
        session, ctx, published_course_id=pc_id, user_id=user_id, active=True
    )
    assert (again.id, created, again.active) == (enrollment.id, False, False)  # left as is


def test_publishing_a_new_path_creates_it(session: Session) -> None:
    _, ctx = make_tenant(session)
    domain_id = _domain_id(session, ctx)
    after = last_event_id(session)

    row = publish_path(session, ctx, path=LearningPathData(name="Onboarding"), domain_id=domain_id)

    path = session.get(LearningPath, row.path_id)
    assert path is not None
    assert (path.name, row.slug) == ("Onboarding", "onboarding")
    types = [e.type for e in events_since(session, ctx, after)]
    assert types == ["learning_path.created", "path.published"]
    assert publish_path(session, ctx, path=row.path_id, domain_id=domain_id).id == row.id


def test_a_path_is_created_with_its_users_and_groups(session: Session) -> None:
    _, ctx = make_tenant(session)
    user, group = make_user(session, ctx), make_group(session, ctx)

    path = create_learning_path(
        session, ctx, data=LearningPathData(name="P"), user_ids=[user.id], group_ids=[group.id]
    )

    assert _count(session, LearningPathUser, LearningPathUser.path_id == path.id) == 1
    assert _count(session, LearningPathGroup, LearningPathGroup.path_id == path.id) == 1


def test_an_unknown_group_creates_no_path(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    name = unique("P")
    with pytest.raises(NotFound) as raised, session.begin_nested():
        create_learning_path(
            session, ctx, data=LearningPathData(name=name), user_ids=[user.id], group_ids=[999]
        )
    assert raised.value.field == "group_ids"
    where = (LearningPath.tenant_id == ctx.tenant_id, LearningPath.name == name)
    assert _count(session, LearningPath, *where) == 0


def test_a_program_opens_with_an_api_key_and_a_scim_token(session: Session) -> None:
    acct_key = f"{unique('prog')}.example.test"
    opened = open_program(
        session, data=NewTenant(acct_key=acct_key), actor="cli", surface=Surface.CLI
    )
    kinds = session.scalars(select(Credential.kind).where(Credential.tenant_id == opened.tenant.id))
    assert sorted(kinds) == sorted([CredentialKind.API_KEY, CredentialKind.SCIM_TOKEN])
    assert opened.api_key != opened.scim_token
    ctx = Context(tenant_id=opened.tenant.id, actor="cli", surface=Surface.CLI)
    assert [e.type for e in events_since(session, ctx, 0)] == [
        "program.created",
        "credential.created",
        "credential.created",
    ]


def test_a_signup_field_comes_with_its_options_or_not_at_all(session: Session) -> None:
    _, ctx = make_tenant(session)
    domain_id = _domain_id(session, ctx)
    field = add_signup_field(
        session,
        ctx,
        domain_id=domain_id,
        data=SignupFieldData(type="PICKLIST", label="Team"),
        options=["Red", "Blue"],
    )
    values = select(SignupFieldOption.value).where(SignupFieldOption.field_id == field.id)
    assert sorted(session.scalars(values)) == ["Blue", "Red"]

    with pytest.raises(Conflict), session.begin_nested():
        add_signup_field(
            session,
            ctx,
            domain_id=domain_id,
            data=SignupFieldData(type="PICKLIST", label="Twice"),
            options=["Same", "Same"],
        )
    where = (SignupField.tenant_id == ctx.tenant_id, SignupField.label == "Twice")
    assert _count(session, SignupField, *where) == 0
