"""Users through the service layer: profile fields, identity rules, PATCH semantics, events."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Conflict, Invalid, NotFound
from syllabus.core.fields import UNSET
from syllabus.domain.enrollments import Enrollment
from syllabus.domain.groups import GroupMembership
from syllabus.domain.learning_paths import LearningPathUser
from syllabus.domain.tenants import DomainMembership
from syllabus.domain.users import Role, User, UserCustomAttribute
from syllabus.queries.users import get_user, get_user_by_email
from syllabus.services.enrollments import enroll_users_in_courses
from syllabus.services.groups import add_users_to_group
from syllabus.services.learning_paths import add_users_to_learning_path
from syllabus.services.users import (
    UserData,
    create_user,
    deactivate_user,
    define_custom_attribute,
    delete_user,
    reactivate_user,
    update_user,
)
from tests.factories import (
    event_data,
    events,
    events_since,
    last_event_id,
    make_course,
    make_group,
    make_learning_path,
    make_tenant,
    make_user,
)

FULL_PROFILE: dict[str, Any] = {
    "email": "Ada.Lovelace@Example.com",
    "username": "ada",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "role": "manager",
    "sso_id": "sso-ada",
    "user_identifier": "EMP-0001",
    "title": "Analyst",
    "company": "Analytical Engines Ltd",
    "department": "Research",
    "address": "12 St James's Square",
    "address_2": "Floor 2",
    "city": "London",
    "state": "Greater London",
    "zip": "SW1Y 4JH",
    "country": "GB",
    "phone": "+44 20 7946 0000",
    "cell": "+44 7700 900000",
    "work_phone": "+44 20 7946 0001",
    "card_no": "CARD-42",
    "ssn": "000-00-0000",
    "gender": "female",
    "date_of_birth": date(1815, 12, 10),
    "time_zone": "Europe/London",
    "language": "fr",
    "locale": "en_GB",
    "notification_email": "ada.notify@example.com",
    "email_notifications": False,
    "sms_notifications": True,
    "global_content_manager": True,
    "full_permissions_for_courses_i_created": True,
    "picture_url": "https://example.com/ada.png",
    "access_start_date": date(2024, 1, 1),
    "access_end_date": date(2030, 12, 31),
    "password_expiration_date": date(2031, 6, 30),
    **{f"ca_{i}": f"slot {i}" for i in range(11)},
}


def reload(session: Session, ctx: Context, user_id: int) -> User | None:
    """The user as the database has it now, not as the session remembers it."""
    session.flush()
    session.expire_all()
    return get_user(session, ctx, user_id)


def custom_values(session: Session, user_id: int) -> dict[int, str | None]:
    rows = session.execute(
        select(UserCustomAttribute.definition_id, UserCustomAttribute.value).where(
            UserCustomAttribute.user_id == user_id
        )
    )
    return {definition_id: value for definition_id, value in rows}


def count(session: Session, model: type[Any], **where: Any) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return session.scalar(query) or 0


# --- Create ------------------------------------------------------------------------------------


def test_create_user_with_every_profile_field_reads_back(session: Session) -> None:
    _, ctx = make_tenant(session)
    manager = make_user(session, ctx)
    department = define_custom_attribute(session, ctx, key="cost_center", label="Cost center")

    user = make_user(
        session,
        ctx,
        UserData(**FULL_PROFILE, manager_id=manager.id, custom_attributes={"cost_center": "CC-7"}),
    )

    stored = reload(session, ctx, user.id)
    assert stored is not None
    for name, value in FULL_PROFILE.items():
        assert getattr(stored, name) == value, name
    assert stored.role is Role.MANAGER
    assert stored.manager_id == manager.id
    assert stored.email_normalized == "ada.lovelace@example.com"
    assert stored.is_active
    assert (stored.first_name, stored.last_name) == ("Ada", "Lovelace")
    assert custom_values(session, user.id) == {department.id: "CC-7"}
    # Every writable field of UserData is covered above, so a new field needs a line here.
    covered = {*FULL_PROFILE, "manager_id", "custom_attributes"}
    assert covered == {f.name for f in fields(UserData)}


def test_create_user_defaults(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx, email="  Plain@Example.com ")
    stored = reload(session, ctx, user.id)
    assert stored is not None
    assert stored.email == "Plain@Example.com"
    assert stored.username == "Plain@Example.com"  # username defaults to the email
    assert stored.username_normalized == "plain@example.com"
    assert stored.role is Role.LEARNER
    assert (stored.first_name, stored.last_name, stored.language) == ("", "", "en")
    assert stored.is_active
    assert stored.deactivated_at is None
    assert stored.calendar_key
    assert stored.view_key
    assert stored.calendar_key != stored.view_key


def test_create_inactive_user(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = create_user(session, ctx, data=UserData(email="idle@example.com"), active=False)
    assert not user.is_active
    assert user.deactivated_at is not None
    assert event_data(session, ctx, "user.registered")[0]["active"] is False


def test_created_user_joins_the_primary_domain(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    assert count(session, DomainMembership, user_id=user.id) == 1


def test_create_records_user_registered(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx, email="Reg@Example.com", first_name="Reg", role="admin")
    assert event_data(session, ctx, "user.registered") == [
        {
            "user_id": user.id,
            "email": "Reg@Example.com",
            "first_name": "Reg",
            "last_name": "",
            "role": "admin",
            "active": True,
        }
    ]


def test_email_is_unique_per_tenant_case_insensitively(session: Session) -> None:
    _, ctx = make_tenant(session)
    make_user(session, ctx, email="Sam@Example.com")
    with pytest.raises(Conflict) as raised:
        make_user(session, ctx, email="  sAM@example.COM")
    assert raised.value.field == "email"
    assert count(session, User, tenant_id=ctx.tenant_id) == 1


def test_same_email_in_two_tenants_is_fine(session: Session) -> None:
    _, ctx_a = make_tenant(session)
    _, ctx_b = make_tenant(session)
    a = make_user(session, ctx_a, email="shared@example.com")
    b = make_user(session, ctx_b, email="SHARED@example.com")
    assert a.id != b.id
    assert (a.tenant_id, b.tenant_id) == (ctx_a.tenant_id, ctx_b.tenant_id)


def test_username_conflict_on_create_and_update(session: Session) -> None:
    _, ctx = make_tenant(session)
    make_user(session, ctx, username="Jo")
    with pytest.raises(Conflict) as raised:
        make_user(session, ctx, username="jo")
    assert raised.value.field == "username"

    other = make_user(session, ctx)
    with pytest.raises(Conflict) as raised:
        update_user(session, ctx, user_id=other.id, changes=UserData(username="JO"))
    assert raised.value.field == "username"


def test_an_email_used_as_a_default_username_is_taken(session: Session) -> None:
    _, ctx = make_tenant(session)
    make_user(session, ctx, email="first@example.com")
    with pytest.raises(Conflict) as raised:
        make_user(session, ctx, username="FIRST@example.com")
    assert raised.value.field == "username"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "two@@example.com"}, "email"),
        ({"email": "   "}, "email"),
        ({"email": "a@" + "b" * 250 + ".com"}, "email"),
        ({"role": "superuser"}, "role"),
        ({"first_name": "x" * 101}, "first_name"),
        ({"zip": "9" * 33}, "zip"),
        ({"username": "   "}, "username"),
        ({"notification_email": "nope"}, "notification_email"),
        ({"email_notifications": "yes"}, "email_notifications"),
        ({"date_of_birth": "1990-01-01"}, "date_of_birth"),
        ({"manager_id": "7"}, "manager_id"),
        (
            {"access_start_date": date(2025, 2, 1), "access_end_date": date(2025, 1, 1)},
            "access_end_date",
        ),
    ],
)
def test_invalid_input_names_the_field(
    session: Session, changes: dict[str, Any], field: str
) -> None:
    _, ctx = make_tenant(session)
    with pytest.raises(Invalid) as raised:
        make_user(session, ctx, **{"email": "ok@example.com", **changes})
    assert raised.value.field == field
    assert count(session, User, tenant_id=ctx.tenant_id) == 0

    user = make_user(session, ctx, email="ok@example.com")
    with pytest.raises(Invalid) as raised:
        update_user(session, ctx, user_id=user.id, changes=UserData(**changes))
    assert raised.value.field == field


def test_email_is_required(session: Session) -> None:
    _, ctx = make_tenant(session)
    with pytest.raises(Invalid) as raised:
        create_user(session, ctx, data=UserData(first_name="Nomail"))
    assert raised.value.field == "email"


def test_unknown_manager_is_not_found(session: Session) -> None:
    _, ctx = make_tenant(session)
    _, other_ctx = make_tenant(session)
    foreign = make_user(session, other_ctx)
    with pytest.raises(NotFound) as raised:
        make_user(session, ctx, manager_id=foreign.id)
    assert raised.value.field == "manager_id"
    assert raised.value.ids == [str(foreign.id)]


# --- Custom attributes -------------------------------------------------------------------------


def test_custom_attributes_must_be_defined_first(session: Session) -> None:
    _, ctx = make_tenant(session)
    with pytest.raises(Invalid) as raised:
        make_user(session, ctx, custom_attributes={"shoe_size": "42"})
    assert raised.value.field == "custom_attributes.shoe_size"

    user = make_user(session, ctx)
    with pytest.raises(Invalid) as raised:
        update_user(
            session, ctx, user_id=user.id, changes=UserData(custom_attributes={"shoe_size": "42"})
        )
    assert raised.value.field == "custom_attributes.shoe_size"


def test_definitions_are_per_tenant(session: Session) -> None:
    _, ctx_a = make_tenant(session)
    _, ctx_b = make_tenant(session)
    define_custom_attribute(session, ctx_a, key="region")
    with pytest.raises(Invalid) as raised:
        make_user(session, ctx_b, custom_attributes={"region": "EMEA"})
    assert raised.value.field == "custom_attributes.region"
    define_custom_attribute(session, ctx_b, key="region")  # not a conflict in another tenant
    with pytest.raises(Conflict) as conflict:
        define_custom_attribute(session, ctx_b, key="region")
    assert conflict.value.field == "key"


def test_custom_attributes_stored_updated_and_removed(session: Session) -> None:
    _, ctx = make_tenant(session)
    region = define_custom_attribute(session, ctx, key="region")
    team = define_custom_attribute(session, ctx, key="team")
    user = make_user(session, ctx, custom_attributes={"region": "EMEA", "team": "Blue"})
    assert custom_values(session, user.id) == {region.id: "EMEA", team.id: "Blue"}

    update_user(
        session, ctx, user_id=user.id, changes=UserData(custom_attributes={"region": "APAC"})
    )
    assert custom_values(session, user.id) == {region.id: "APAC", team.id: "Blue"}

    update_user(session, ctx, user_id=user.id, changes=UserData(custom_attributes={"team": None}))
    assert custom_values(session, user.id) == {region.id: "APAC"}
    changed = [d["changed"] for d in event_data(session, ctx, "user.updated")]
    assert changed == [["custom_attributes"], ["custom_attributes"]]

    # Setting the same values again is not a change.
    update_user(
        session, ctx, user_id=user.id, changes=UserData(custom_attributes={"region": "APAC"})
    )
    assert len(events(session, ctx, "user.updated")) == 2


# --- Update ------------------------------------------------------------------------------------


def test_update_changes_only_the_fields_that_are_set(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx, first_name="Kim", last_name="Lee", city="Oslo", title="Engineer")
    version = user.version

    update_user(session, ctx, user_id=user.id, changes=UserData(city="Bergen", title=None))

    stored = reload(session, ctx, user.id)
    assert stored is not None
    assert (stored.first_name, stored.last_name) == ("Kim", "Lee")  # UNSET: untouched
    assert stored.city == "Bergen"
    assert stored.title is None  # None: cleared
    assert stored.version == version + 1
    assert event_data(session, ctx, "user.updated") == [
        {"user_id": user.id, "email": user.email, "changed": ["city", "title"]}
    ]


def test_none_clears_not_null_text_to_its_default(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx, first_name="Kim", language="de")
    update_user(session, ctx, user_id=user.id, changes=UserData(first_name=None, language=None))
    stored = reload(session, ctx, user.id)
    assert stored is not None
    assert (stored.first_name, stored.language) == ("", "en")


def test_update_with_nothing_changed_records_no_event(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx, email="same@example.com", first_name="Same", role="admin")
    before = last_event_id(session)
    version = user.version

    update_user(session, ctx, user_id=user.id, changes=UserData())
    update_user(
        session,
        ctx,
        user_id=user.id,
        changes=UserData(email="same@example.com", first_name="Same", role="admin"),
    )

    assert events_since(session, ctx, before) == []
    assert user.version == version


def test_update_email_changes_identity_and_hides_normalized_and_secret_fields(
    session: Session,
) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx, email="old@example.com")
    update_user(session, ctx, user_id=user.id, changes=UserData(email="New@Example.com", ssn="123"))
    stored = reload(session, ctx, user.id)
    assert stored is not None
    assert (stored.email, stored.email_normalized) == ("New@Example.com", "new@example.com")
    [data] = event_data(session, ctx, "user.updated")
    assert data == {
        "user_id": user.id,
        "email": "New@Example.com",
        "changed": ["email", "username"],
    }


def test_a_defaulted_username_follows_the_email_and_frees_the_old_address(
    session: Session,
) -> None:
    _, ctx = make_tenant(session)
    ann = make_user(session, ctx, email="ann@example.com")
    update_user(session, ctx, user_id=ann.id, changes=UserData(email="ann.lee@example.com"))
    assert reload(session, ctx, ann.id).username == "ann.lee@example.com"  # type: ignore[union-attr]
    newcomer = make_user(session, ctx, email="ann@example.com")
    assert newcomer.username == "ann@example.com"


def test_a_chosen_username_stays_when_the_email_changes(session: Session) -> None:
    _, ctx = make_tenant(session)
    bo = create_user(session, ctx, data=UserData(email="bo@example.com", username="bo"))
    update_user(session, ctx, user_id=bo.id, changes=UserData(email="bo2@example.com"))
    assert reload(session, ctx, bo.id).username == "bo"  # type: ignore[union-attr]


def test_update_email_case_only_is_allowed(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx, email="case@example.com")
    update_user(session, ctx, user_id=user.id, changes=UserData(email="CASE@example.com"))
    assert user.email == "CASE@example.com"


def test_update_email_to_another_users_email_conflicts(session: Session) -> None:
    _, ctx = make_tenant(session)
    make_user(session, ctx, email="taken@example.com")
    user = make_user(session, ctx)
    with pytest.raises(Conflict) as raised:
        update_user(session, ctx, user_id=user.id, changes=UserData(email="TAKEN@example.com"))
    assert raised.value.field == "email"


def test_update_keeps_the_date_range_valid_against_stored_values(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx, access_start_date=date(2025, 6, 1))
    with pytest.raises(Invalid) as raised:
        update_user(
            session, ctx, user_id=user.id, changes=UserData(access_end_date=date(2025, 5, 31))
        )
    assert raised.value.field == "access_end_date"


def test_a_user_cannot_manage_themselves(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    with pytest.raises(Invalid) as raised:
        update_user(session, ctx, user_id=user.id, changes=UserData(manager_id=user.id))
    assert raised.value.field == "manager_id"
    boss = make_user(session, ctx)
    update_user(session, ctx, user_id=user.id, changes=UserData(manager_id=boss.id))
    update_user(session, ctx, user_id=user.id, changes=UserData(manager_id=None))
    assert user.manager_id is None


def test_update_unknown_user_is_not_found(session: Session) -> None:
    _, ctx = make_tenant(session)
    with pytest.raises(NotFound) as raised:
        update_user(session, ctx, user_id=987_654_321, changes=UserData(city="x"))
    assert raised.value.field == "user_id"


def test_unset_marker_is_falsy_and_distinct_from_none() -> None:
    assert not UNSET
    assert UNSET is not None
    assert UserData(title=None).set_fields() == {"title": None}
    assert UserData().set_fields() == {}


# --- Deactivate, reactivate, delete ------------------------------------------------------------


def test_deactivate_and_reactivate_are_idempotent(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)

    deactivate_user(session, ctx, user_id=user.id)
    deactivate_user(session, ctx, user_id=user.id)
    stored = reload(session, ctx, user.id)
    assert stored is not None
    assert not stored.is_active
    assert stored.deactivated_at is not None

    reactivate_user(session, ctx, user_id=user.id)
    reactivate_user(session, ctx, user_id=user.id)
    stored = reload(session, ctx, user.id)
    assert stored is not None
    assert stored.is_active
    assert stored.deactivated_at is None

    assert [e.type for e in events(session, ctx) if e.type.startswith("user.")] == [
        "user.registered",
        "user.deactivated",
        "user.reactivated",
    ]
    assert event_data(session, ctx, "user.deactivated") == [
        {"user_id": user.id, "email": user.email}
    ]


def test_reactivating_an_active_user_records_nothing(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx)
    before = last_event_id(session)
    reactivate_user(session, ctx, user_id=user.id)
    assert events_since(session, ctx, before) == []


def test_delete_removes_the_user_and_everything_hanging_off_them(session: Session) -> None:
    _, ctx = make_tenant(session)
    define_custom_attribute(session, ctx, key="region")
    user = make_user(session, ctx, custom_attributes={"region": "EMEA"})
    report = make_user(session, ctx, manager_id=user.id)
    keeper = make_user(session, ctx)
    group = make_group(session, ctx)
    course = make_course(session, ctx)
    path = make_learning_path(session, ctx, [course])
    add_users_to_group(session, ctx, group_id=group.id, user_ids=[user.id, keeper.id])
    enroll_users_in_courses(session, ctx, user_ids=[user.id, keeper.id], course_ids=[course.id])
    add_users_to_learning_path(session, ctx, path_id=path.id, user_ids=[user.id])
    email = user.email

    delete_user(session, ctx, user_id=user.id)

    assert reload(session, ctx, user.id) is None
    for model in (
        GroupMembership,
        Enrollment,
        DomainMembership,
        LearningPathUser,
        UserCustomAttribute,
    ):
        assert count(session, model, user_id=user.id) == 0, model.__name__
    assert count(session, GroupMembership, user_id=keeper.id) == 1
    assert count(session, Enrollment, user_id=keeper.id) == 1
    remaining_report = reload(session, ctx, report.id)
    assert remaining_report is not None
    assert remaining_report.manager_id is None
    assert event_data(session, ctx, "user.deleted") == [{"user_id": user.id, "email": email}]
    with pytest.raises(NotFound):
        delete_user(session, ctx, user_id=user.id)


def test_deleted_email_can_be_registered_again(session: Session) -> None:
    _, ctx = make_tenant(session)
    user = make_user(session, ctx, email="again@example.com")
    delete_user(session, ctx, user_id=user.id)
    again = make_user(session, ctx, email="AGAIN@example.com")
    assert again.email == "AGAIN@example.com"
    assert [d["email"] for d in event_data(session, ctx, "user.registered")] == [
        "again@example.com",
        "AGAIN@example.com",
    ]


def test_identity_lengths_are_checked_after_normalizing(session: Session) -> None:
    """Lower-casing "İ" yields two characters: the normalized copy must still fit."""
    _, ctx = make_tenant(session)
    domain = "@example.com"
    email = "İ" * 10 + "a" * (254 - 10 - len(domain)) + domain
    assert len(email) == 254
    with pytest.raises(Invalid) as raised:
        make_user(session, ctx, email=email)
    assert raised.value.field == "email"
    with pytest.raises(Invalid) as raised:
        make_user(session, ctx, username="İ" * 200)
    assert raised.value.field == "username"
    fits = "İ" * 10 + "a" * (244 - 10 - len(domain)) + domain
    user = make_user(session, ctx, email=fits, username="İ" * 127)
    found = get_user(session, ctx, user.id)
    assert found is not None
    assert found.email == fits


def test_ids_of_deleted_users_are_never_given_out_again(session: Session) -> None:
    _, ctx = make_tenant(session)
    newest = make_user(session, ctx, email="gone@example.com")
    delete_user(session, ctx, user_id=newest.id)
    successor = make_user(session, ctx, email="next@example.com")
    assert successor.id > newest.id


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"first_name": "Ad\x00a"}, "first_name"),
        ({"email": "nul\x00@example.com"}, "email"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
    ],
)
def test_text_postgresql_cannot_store_or_unknown_zones_are_invalid(
    session: Session, fields: dict[str, str], field: str
) -> None:
    _, ctx = make_tenant(session)
    data = UserData(**{"email": "ok@example.com", **fields})  # type: ignore[arg-type]
    with pytest.raises(Invalid) as raised:
        create_user(session, ctx, data=data)
    assert raised.value.field == field


def test_a_nul_in_a_looked_up_email_finds_nobody(session: Session) -> None:
    _, ctx = make_tenant(session)
    assert get_user_by_email(session, ctx, "a\x00@example.com") is None
