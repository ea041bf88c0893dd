"""Signup fields and manager access in the services: the rules whatever door calls them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Invalid, NotFound
from syllabus.domain.signup_manager import (
    ManagerAccess,
    ManagerAccessCourse,
    SignupFieldOption,
    UserSignupFieldValue,
)
from syllabus.domain.tenants import Domain
from syllabus.services.group_managers import remove_manager_from_group
from syllabus.services.manager_access import (
    ManagerAccessSettings,
    remove_manager_access,
    set_manager_access,
)
from syllabus.services.signup_fields import (
    SignupFieldData,
    ValueChange,
    add_signup_field,
    add_signup_field_option,
    remove_signup_field,
    set_user_signup_values,
    update_signup_field,
)
from tests.factories import event_data, make_course, make_tenant, make_user


def _domain(session: Session, ctx: Context) -> int:
    found = session.scalar(select(Domain.id).where(Domain.tenant_id == ctx.tenant_id))
    assert found is not None
    return int(found)


def test_field_settings_are_validated_naming_the_field(session: Session) -> None:
    _, ctx = make_tenant(session)
    domain_id = _domain(session, ctx)
    cases = [
        (SignupFieldData(), "label"),
        (SignupFieldData(label=" "), "label"),
        (SignupFieldData(label="x", type="DATE"), "type"),
        (SignupFieldData(label="x", regex_validator="(["), "regex_validator"),
        (SignupFieldData(label="x", order=-1), "order"),
        (SignupFieldData(label="x", required="yes"), "required"),  # type: ignore[arg-type]
        (
            SignupFieldData(label="x", regex_validator_error_text="e" * 101),
            "regex_validator_error_text",
        ),
    ]
    for data, field in cases:
        with pytest.raises(Invalid) as raised:
            add_signup_field(session, ctx, domain_id=domain_id, data=data)
        assert raised.value.field == field
    with pytest.raises(NotFound):
        add_signup_field(session, ctx, domain_id=999_999, data=SignupFieldData(label="x"))


def test_values_are_all_or_nothing_and_recorded_as_user_updates(session: Session) -> None:
    _, ctx = make_tenant(session)
    domain_id = _domain(session, ctx)
    user = make_user(session, ctx)
    text = add_signup_field(session, ctx, domain_id=domain_id, data=SignupFieldData(label="Team"))
    pick = add_signup_field(
        session, ctx, domain_id=domain_id, data=SignupFieldData(label="Size", type="PICKLIST")
    )
    add_signup_field_option(session, ctx, field_id=pick.id, value="Small")
    [options] = event_data(session, ctx, "signup_field.updated")
    assert options == {"signup_field_id": pick.id, "domain_id": domain_id, "changed": ["options"]}
    with pytest.raises(Invalid) as raised:
        set_user_signup_values(
            session,
            ctx,
            domain_id=domain_id,
            user_id=user.id,
            changes=[ValueChange(text.id, "Blue"), ValueChange(pick.id, "Huge")],
        )
    assert (raised.value.field, raised.value.details["index"]) == ("value", 1)
    assert session.scalar(select(func.count()).select_from(UserSignupFieldValue)) == 0
    assert event_data(session, ctx, "user.updated") == []
    saved = set_user_signup_values(
        session,
        ctx,
        domain_id=domain_id,
        user_id=user.id,
        changes=[ValueChange(text.id, " Blue "), ValueChange(pick.id, "Small")],
    )
    assert [v.value for v in saved] == ["Blue", "Small"]
    set_user_signup_values(
        session, ctx, domain_id=domain_id, user_id=user.id, changes=[ValueChange(text.id, "Blue")]
    )
    [update] = event_data(session, ctx, "user.updated")
    assert update["changed"] == ["signup_fields"]
    assert update["signup_field_ids"] == [text.id, pick.id]
    update_signup_field(session, ctx, field_id=text.id, data=SignupFieldData(active=False))
    with pytest.raises(Invalid) as inactive:
        set_user_signup_values(
            session, ctx, domain_id=domain_id, user_id=user.id, changes=[ValueChange(text.id, "x")]
        )
    assert inactive.value.field == "signup_field"
    remove_signup_field(session, ctx, field_id=pick.id)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(SignupFieldOption)) == 0
    assert session.scalars(select(UserSignupFieldValue.value)).all() == ["Blue"]


def test_another_programs_field_and_domain_are_unknown(session: Session) -> None:
    _, ctx = make_tenant(session)
    _, other = make_tenant(session)
    mine, theirs = _domain(session, ctx), _domain(session, other)
    field = add_signup_field(session, other, domain_id=theirs, data=SignupFieldData(label="X"))
    user = make_user(session, ctx)
    with pytest.raises(Invalid) as raised:
        set_user_signup_values(
            session, ctx, domain_id=mine, user_id=user.id, changes=[ValueChange(field.id, "x")]
        )
    assert raised.value.field == "signup_field"
    with pytest.raises(NotFound):
        set_user_signup_values(session, ctx, domain_id=theirs, user_id=user.id, changes=[])


def test_manager_access_lives_on_the_group_manager_link(session: Session) -> None:
    _, ctx = make_tenant(session)
    domain_id = _domain(session, ctx)
    user = make_user(session, ctx)
    course = make_course(session, ctx)
    settings = ManagerAccessSettings(
        group_name="Partners",
        can_create_users=True,
        course_access_level="SELECTED",
        course_ids=[course.id, 999_999],
        path_access_level="NONE",
    )
    result = set_manager_access(
        session, ctx, domain_id=domain_id, user_id=user.id, settings=settings
    )
    assert result.invalid_course_ids == [999_999]
    assert result.view.course_ids == [course.id]
    assert user.role == "manager"
    [assigned] = event_data(session, ctx, "group.manager_assigned")
    assert assigned["permissions"]["can_add_users"] is True
    assert session.scalar(select(func.count()).select_from(ManagerAccessCourse)) == 1
    # Removing the link through SkyPrep's service takes the scope with it.
    remove_manager_from_group(session, ctx, group_id=result.view.group_id, user_id=user.id)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(ManagerAccess)) == 0
    assert session.scalar(select(func.count()).select_from(ManagerAccessCourse)) == 0
    with pytest.raises(NotFound):
        remove_manager_access(session, ctx, domain_id=domain_id, user_id=user.id)
    set_manager_access(session, ctx, domain_id=domain_id, user_id=user.id, settings=settings)
    remove_manager_access(session, ctx, domain_id=domain_id, user_id=user.id)
    [removed] = event_data(session, ctx, "manager_access.removed")
    assert removed["user_id"] == user.id
    for bad, field in [
        (ManagerAccessSettings("G", "SOME", "ALL"), "course_access_level"),
        (ManagerAccessSettings("G", "ALL", None), "path_access_level"),
        (ManagerAccessSettings("", "ALL", "ALL"), "group_name"),
        (ManagerAccessSettings("G", "ALL", "ALL", course_ids=[course.id]), "course_ids"),
    ]:
        with pytest.raises(Invalid) as raised:
            set_manager_access(session, ctx, domain_id=domain_id, user_id=user.id, settings=bad)
        assert raised.value.field == field
