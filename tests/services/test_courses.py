"""Courses: publication and slugs, tags, ordered items, validation, cascading delete."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Conflict, Invalid, NotFound
from syllabus.domain.courses import Course, CourseItem, CourseTag, ItemType, PublishedCourse
from syllabus.domain.enrollments import Enrollment
from syllabus.domain.groups import GroupCourse
from syllabus.domain.learning_paths import LearningPathItem
from syllabus.domain.tenants import Domain
from syllabus.services.course_items import (
    CourseItemData,
    add_course_item,
    delete_course_item,
    reorder_course_items,
    update_course_item,
)
from syllabus.services.courses import CourseData, delete_course, update_course
from syllabus.services.enrollments import enroll_users_in_courses
from syllabus.services.groups import add_courses_to_group
from syllabus.services.learning_paths import path_course_ids
from syllabus.services.publications import (
    PublicationSettings,
    publish_course,
    unpublish_course,
    update_publication,
)
from syllabus.services.tenants import add_domain
from tests.factories import (
    event_data,
    events_since,
    last_event_id,
    make_course,
    make_group,
    make_item,
    make_learning_path,
    make_tenant,
    make_user,
    unique,
)
from tests.hypothesis_profiles import examples


def publications(session: Session, course_id: int) -> list[tuple[int, str]]:
    rows = session.execute(
        select(PublishedCourse.domain_id, PublishedCourse.slug)
        .where(PublishedCourse.course_id == course_id)
        .order_by(PublishedCourse.id)
    )
    return [(domain_id, slug) for domain_id, slug in rows]


def primary_domain_id(session: Session, ctx: Context) -> int:
    domain_id = session.scalar(
        select(Domain.id).where(Domain.tenant_id == ctx.tenant_id, Domain.position == 0)
    )
    assert domain_id is not None
    return domain_id


def tags(session: Session, course_id: int) -> list[str]:
    query = select(CourseTag.tag).where(CourseTag.course_id == course_id)
    return list(session.scalars(query.order_by(CourseTag.position)))


def item_order(session: Session, course_id: int) -> list[int]:
    """Item ids in position order; also checks the positions are exactly 1..n."""
    session.flush()
    rows = session.execute(
        select(CourseItem.id, CourseItem.position)
        .where(CourseItem.course_id == course_id)
        .order_by(CourseItem.position, CourseItem.id)
    ).all()
    assert [position for _, position in rows] == list(range(1, len(rows) + 1))
    return [item_id for item_id, _ in rows]


def count(session: Session, model: type[Any], **where: Any) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return session.scalar(query) or 0


# --- Create, publish, slugs --------------------------------------------------------------------


def test_create_publishes_on_the_primary_domain_with_a_slug(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx, "Intro to Safety: Part 1!")
    assert publications(session, course.id) == [
        (primary_domain_id(session, ctx), "intro-to-safety-part-1")
    ]
    [published] = event_data(session, ctx, "course.published")
    assert published["course_id"] == course.id
    assert published["domain_id"] == primary_domain_id(session, ctx)
    assert event_data(session, ctx, "course.created") == [
        {"course_id": course.id, "name": "Intro to Safety: Part 1!"}
    ]


def test_slugs_are_unique_per_domain(session: Session) -> None:
    _, ctx = make_tenant(session)
    first = make_course(session, ctx, "Onboarding")
    second = make_course(session, ctx, "Onboarding")
    third = make_course(session, ctx, "ONBOARDING")
    slugs = [publications(session, c.id)[0][1] for c in (first, second, third)]
    assert slugs == ["onboarding", "onboarding-2", "onboarding-3"]
    # Another program has its own domain, so its slugs start over.
    _, other = make_tenant(session)
    elsewhere = make_course(session, other, "Onboarding")
    assert publications(session, elsewhere.id)[0][1] == "onboarding"


def test_a_slug_that_merely_starts_like_another_is_not_taken(session: Session) -> None:
    _, ctx = make_tenant(session)
    longer = make_course(session, ctx, "Onboarding Advanced")
    short = make_course(session, ctx, "Onboarding")
    assert publications(session, longer.id)[0][1] == "onboarding-advanced"
    assert publications(session, short.id)[0][1] == "onboarding"


def test_unpublished_course_and_explicit_slug(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx, "Draft", publish=False)
    assert publications(session, course.id) == []
    domain_id = primary_domain_id(session, ctx)
    published = publish_course(
        session,
        ctx,
        course_id=course.id,
        domain_id=domain_id,
        settings=PublicationSettings(slug="my-draft", hidden=True),
    )
    assert (published.slug, published.hidden) == ("my-draft", True)
    # Publishing again returns the existing publication unchanged.
    assert publish_course(session, ctx, course_id=course.id, domain_id=domain_id) is published
    assert len(event_data(session, ctx, "course.published")) == 1

    other = make_course(session, ctx, "Other", publish=False)
    with pytest.raises(Conflict) as raised:
        publish_course(
            session,
            ctx,
            course_id=other.id,
            domain_id=domain_id,
            settings=PublicationSettings(slug="my-draft"),
        )
    assert raised.value.field == "slug"
    with pytest.raises(Invalid) as invalid:
        publish_course(
            session,
            ctx,
            course_id=other.id,
            domain_id=domain_id,
            settings=PublicationSettings(slug="Not A Slug"),
        )
    assert invalid.value.field == "slug"


def test_publish_on_a_second_domain_and_unpublish(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx, "Shared")
    extra = add_domain(session, ctx, name=f"{unique('extra')}.example.test")
    published = publish_course(session, ctx, course_id=course.id, domain_id=extra.id)
    assert published.slug == "shared"
    user = make_user(session, ctx)
    enroll_users_in_courses(
        session, ctx, user_ids=[user.id], course_ids=[course.id], domain_id=extra.id
    )
    enroll_users_in_courses(session, ctx, user_ids=[user.id], course_ids=[course.id])
    assert count(session, Enrollment, user_id=user.id) == 2

    unpublish_course(session, ctx, published_course_id=published.id)
    assert [d for d, _ in publications(session, course.id)] == [primary_domain_id(session, ctx)]
    assert count(session, Enrollment, user_id=user.id) == 1  # the other domain's stays


def test_update_publication_slug_and_registration_window(session: Session) -> None:
    _, ctx = make_tenant(session)
    taken = make_course(session, ctx, "Taken")
    course = make_course(session, ctx, "Mine")
    [pub_id] = session.scalars(
        select(PublishedCourse.id).where(PublishedCourse.course_id == course.id)
    )
    with pytest.raises(Conflict):
        update_publication(
            session, ctx, published_course_id=pub_id, settings=PublicationSettings(slug="taken")
        )
    starts = datetime(2025, 1, 2, tzinfo=UTC)
    with pytest.raises(Invalid) as raised:
        update_publication(
            session,
            ctx,
            published_course_id=pub_id,
            settings=PublicationSettings(
                registration_starts_at=starts, registration_ends_at=starts - timedelta(days=1)
            ),
        )
    assert raised.value.field == "registration_ends_at"
    with pytest.raises(Invalid) as raised:
        update_publication(
            session,
            ctx,
            published_course_id=pub_id,
            settings=PublicationSettings(registration_starts_at=datetime(2025, 1, 2)),
        )
    assert raised.value.field == "registration_starts_at"
    updated = update_publication(
        session, ctx, published_course_id=pub_id, settings=PublicationSettings(slug="mine-v2")
    )
    assert updated.slug == "mine-v2"
    assert publications(session, taken.id)[0][1] == "taken"
    assert event_data(session, ctx, "course.publication_updated")[-1]["changed"] == ["slug"]


# --- Fields and validation ---------------------------------------------------------------------


def test_create_with_fields_reads_back(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(
        session,
        ctx,
        "Forklift",
        description="Lift safely",
        certificate=True,
        credits="2.5",
        start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31),
        price_cents=1999,
        contact_email="trainer@example.com",
        course_code="FL-1",
        course_and_lesson_time_format="MINUTES_VERBOSE",
        ca_3="custom",
    )
    session.flush()
    session.expire_all()
    stored = session.get(Course, course.id)
    assert stored is not None
    assert stored.description == "Lift safely"
    assert stored.certificate is True
    assert stored.credits == Decimal("2.50")
    assert (stored.start_date, stored.end_date) == (date(2025, 1, 1), date(2025, 12, 31))
    assert (stored.price_cents, stored.contact_email) == (1999, "trainer@example.com")
    assert (stored.course_code, stored.ca_3) == ("FL-1", "custom")
    assert stored.course_and_lesson_time_format.value == "MINUTES_VERBOSE"


def dates(**values: Any) -> CourseData:
    return replace(CourseData(), **values)


def span(start: str, first: date, end: str, last: date) -> dict[str, Any]:
    return {start: first, end: last}


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("start_date", "end_date"),
        ("opening_date", "closing_date"),
        ("accessible_after_date", "inaccessible_after_date"),
    ],
)
def test_end_before_start_is_invalid_naming_the_end(session: Session, start: str, end: str) -> None:
    _, ctx = make_tenant(session)
    later, earlier = date(2025, 6, 2), date(2025, 6, 1)
    with pytest.raises(Invalid) as raised:
        make_course(session, ctx, **span(start, later, end, earlier))
    assert raised.value.field == end

    # Same day is fine; an update is checked against the stored other end.
    course = make_course(session, ctx, **span(start, later, end, later))
    with pytest.raises(Invalid) as raised:
        update_course(session, ctx, course_id=course.id, changes=dates(**{end: earlier}))
    assert raised.value.field == end
    update_course(session, ctx, course_id=course.id, changes=dates(**{start: None}))
    update_course(session, ctx, course_id=course.id, changes=dates(**{end: earlier}))
    assert getattr(course, end) == earlier


@pytest.mark.parametrize("credits", ["-1", "abc", "NaN", "Infinity", "1000000", -0.01])
def test_bad_credits_are_invalid(session: Session, credits: object) -> None:
    _, ctx = make_tenant(session)
    with pytest.raises(Invalid) as raised:
        make_course(session, ctx, credits=credits)
    assert raised.value.field == "credits"


@pytest.mark.parametrize(
    ("given", "stored"),
    [("0", Decimal("0.00")), (3, Decimal("3.00")), ("999999.99", Decimal("999999.99")), ("", None)],
)
def test_credits_are_stored_to_the_cent(session: Session, given: object, stored: object) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx, credits=given)
    session.flush()
    session.expire_all()
    reloaded = session.get(Course, course.id)
    assert reloaded is not None
    assert reloaded.credits == stored


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 501}, "name"),
        ({"certificate": "yes"}, "certificate"),
        ({"price_cents": -1}, "price_cents"),
        ({"validity_length": 1.5}, "validity_length"),
        ({"contact_email": "nobody"}, "contact_email"),
        ({"course_and_lesson_time_format": "DAYS"}, "course_and_lesson_time_format"),
        ({"start_date": "2025-01-01"}, "start_date"),
        ({"tags": "not-a-list"}, "tags"),
        ({"tags": ["x" * 101]}, "tags"),
    ],
)
def test_invalid_course_fields_are_named(
    session: Session, fields: dict[str, Any], field: str
) -> None:
    _, ctx = make_tenant(session)
    before = count(session, Course, tenant_id=ctx.tenant_id)
    with pytest.raises(Invalid) as raised:
        make_course(session, ctx, **{"name": "Valid", **fields})
    assert raised.value.field == field
    if field != "tags":  # tags are checked once the course row exists; the caller rolls back
        assert count(session, Course, tenant_id=ctx.tenant_id) == before


def test_update_course_records_what_changed(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx, "Old", description="d")
    update_course(
        session, ctx, course_id=course.id, changes=CourseData(name="New", description="d")
    )
    assert course.name == "New"
    assert course.version == 2
    assert event_data(session, ctx, "course.updated") == [
        {"course_id": course.id, "changed": ["name"]}
    ]
    before = last_event_id(session)
    update_course(session, ctx, course_id=course.id, changes=CourseData(name="New"))
    assert events_since(session, ctx, before) == []


# --- Tags --------------------------------------------------------------------------------------


def test_tags_keep_their_order_and_are_replaced_whole(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx, tags=["safety", " onboarding ", "safety", "", "b"])
    assert tags(session, course.id) == ["safety", "onboarding", "b"]

    update_course(session, ctx, course_id=course.id, changes=CourseData(tags=["b", "new"]))
    assert tags(session, course.id) == ["b", "new"]
    update_course(session, ctx, course_id=course.id, changes=CourseData(description="x"))
    assert tags(session, course.id) == ["b", "new"]  # UNSET leaves tags alone
    update_course(session, ctx, course_id=course.id, changes=CourseData(tags=["new", "b"]))
    assert tags(session, course.id) == ["new", "b"]  # order alone is a change
    before = last_event_id(session)
    update_course(session, ctx, course_id=course.id, changes=CourseData(tags=["new", "b"]))
    assert events_since(session, ctx, before) == []
    update_course(session, ctx, course_id=course.id, changes=CourseData(tags=[]))
    assert tags(session, course.id) == []
    assert [d["changed"] for d in event_data(session, ctx, "course.updated")] == [
        ["tags"],
        ["description"],
        ["tags"],
        ["tags"],
    ]


# --- Items -------------------------------------------------------------------------------------


def test_items_append_and_insert_at_a_position(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx)
    a = make_item(session, ctx, course, "A")
    b = make_item(session, ctx, course, "B")
    c = make_item(session, ctx, course, "C", position=1)
    d = make_item(session, ctx, course, "D", position=3)
    e = make_item(session, ctx, course, "E", position=99)
    assert item_order(session, course.id) == [c.id, a.id, d.id, b.id, e.id]
    assert (c.position, d.position, e.position) == (1, 3, 5)
    created = event_data(session, ctx, "course_item.created")
    assert [x["course_item_id"] for x in created] == [a.id, b.id, c.id, d.id, e.id]


def test_item_fields_and_validation(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx)
    starts = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    item = make_item(
        session, ctx, course, "Quiz", item_type="Quiz", passing_score=80, start_date=starts
    )
    assert item.item_type is ItemType.QUIZ
    assert (item.passing_score, item.start_date) == (80, starts)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"item_type": "Podcast"}, "item_type"),
        ({"passing_score": 101}, "passing_score"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"mandatory": "no"}, "mandatory"),
        ({"start_date": datetime(2025, 1, 1)}, "start_date"),
        ({"position": 0}, "position"),
    ]
    for fields, field in cases:
        with pytest.raises(Invalid) as raised:
            make_item(session, ctx, course, **fields)
        assert raised.value.field == field
    with pytest.raises(Invalid) as raised:
        add_course_item(session, ctx, course_id=course.id, data=CourseItemData(name="No type"))
    assert raised.value.field == "item_type"


def test_moving_an_item_renumbers_the_rest(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx)
    a, b, c, d = (make_item(session, ctx, course, n) for n in "ABCD")

    moved = update_course_item(session, ctx, item_id=a.id, changes=CourseItemData(position=3))
    assert moved.position == 3
    assert item_order(session, course.id) == [b.id, c.id, a.id, d.id]

    update_course_item(session, ctx, item_id=d.id, changes=CourseItemData(position=1))
    assert item_order(session, course.id) == [d.id, b.id, c.id, a.id]

    update_course_item(session, ctx, item_id=b.id, changes=CourseItemData(position=50))
    assert item_order(session, course.id) == [d.id, c.id, a.id, b.id]

    update_course_item(session, ctx, item_id=c.id, changes=CourseItemData(name="C2"))
    assert item_order(session, course.id) == [d.id, c.id, a.id, b.id]
    assert [x["changed"] for x in event_data(session, ctx, "course_item.updated")] == [
        ["position"],
        ["position"],
        ["position"],
        ["name"],
    ]


def test_deleting_an_item_closes_the_gap(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx)
    a, b, c = (make_item(session, ctx, course, n) for n in "ABC")
    delete_course_item(session, ctx, item_id=b.id)
    assert item_order(session, course.id) == [a.id, c.id]
    delete_course_item(session, ctx, item_id=a.id)
    assert item_order(session, course.id) == [c.id]
    assert [x["course_item_id"] for x in event_data(session, ctx, "course_item.deleted")] == [
        b.id,
        a.id,
    ]
    with pytest.raises(NotFound):
        delete_course_item(session, ctx, item_id=a.id)


def test_items_of_other_courses_are_not_renumbered(session: Session) -> None:
    _, ctx = make_tenant(session)
    one, two = make_course(session, ctx), make_course(session, ctx)
    x, y = make_item(session, ctx, one, "X"), make_item(session, ctx, one, "Y")
    p, q = make_item(session, ctx, two, "P"), make_item(session, ctx, two, "Q")
    make_item(session, ctx, one, "Z", position=1)
    delete_course_item(session, ctx, item_id=x.id)
    reorder_course_items(session, ctx, course_id=two.id, item_ids=[q.id, p.id])
    assert item_order(session, two.id) == [q.id, p.id]
    assert item_order(session, one.id)[1:] == [y.id]


def test_reorder_sets_the_whole_order(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx)
    a, b, c = (make_item(session, ctx, course, n) for n in "ABC")
    reorder_course_items(session, ctx, course_id=course.id, item_ids=[c.id, a.id, b.id])
    assert item_order(session, course.id) == [c.id, a.id, b.id]
    assert event_data(session, ctx, "course_item.reordered") == [
        {"course_id": course.id, "course_item_ids": [c.id, a.id, b.id]}
    ]


def test_reorder_must_name_every_item_exactly_once(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx)
    other = make_course(session, ctx)
    a, b, c = (make_item(session, ctx, course, n) for n in "ABC")
    stranger = make_item(session, ctx, other, "S")
    for bad in (
        [a.id, b.id],
        [a.id, b.id, c.id, c.id],
        [a.id, b.id, b.id],
        [a.id, b.id, c.id, stranger.id],
        [a.id, b.id, stranger.id],
        [],
    ):
        with pytest.raises(Invalid) as raised:
            reorder_course_items(session, ctx, course_id=course.id, item_ids=bad)
        assert raised.value.field == "course_item_ids"
    assert item_order(session, course.id) == [a.id, b.id, c.id]
    assert event_data(session, ctx, "course_item.reordered") == []


# --- Delete ------------------------------------------------------------------------------------


def test_delete_course_cascades(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx, "Doomed", tags=["t"])
    keep = make_course(session, ctx, "Kept")
    make_item(session, ctx, course)
    user = make_user(session, ctx)
    group = make_group(session, ctx)
    enroll_users_in_courses(session, ctx, user_ids=[user.id], course_ids=[course.id, keep.id])
    add_courses_to_group(session, ctx, group_id=group.id, course_ids=[course.id, keep.id])
    path = make_learning_path(session, ctx, [keep, course])

    delete_course(session, ctx, course_id=course.id)

    session.expire_all()
    assert session.get(Course, course.id) is None
    for model in (
        CourseItem,
        CourseTag,
        PublishedCourse,
        Enrollment,
        GroupCourse,
        LearningPathItem,
    ):
        assert count(session, model, course_id=course.id) == 0, model.__name__
    assert count(session, Enrollment, course_id=keep.id) == 1
    assert path_course_ids(session, ctx, path.id) == [keep.id]
    assert event_data(session, ctx, "course.deleted") == [
        {"course_id": course.id, "name": "Doomed"}
    ]
    with pytest.raises(NotFound) as raised:
        delete_course(session, ctx, course_id=course.id)
    assert raised.value.field == "course_id"


def test_moving_an_item_to_where_it_already_is_records_nothing(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx)
    a, b = make_item(session, ctx, course, "A"), make_item(session, ctx, course, "B")
    before = last_event_id(session)
    update_course_item(session, ctx, item_id=a.id, changes=CourseItemData(position=1))
    update_course_item(session, ctx, item_id=b.id, changes=CourseItemData(position=2))
    update_course_item(session, ctx, item_id=b.id, changes=CourseItemData(position=99))
    assert item_order(session, course.id) == [a.id, b.id]
    assert events_since(session, ctx, before) == []


def test_price_must_fit_the_column_on_every_database(session: Session) -> None:
    _, ctx = make_tenant(session)
    with pytest.raises(Invalid) as raised:
        make_course(session, ctx, price_cents=3_000_000_000)
    assert raised.value.field == "price_cents"
    course = make_course(session, ctx, price_cents=2**31 - 1)
    session.flush()
    session.expire_all()
    stored = session.get(Course, course.id)
    assert stored is not None
    assert stored.price_cents == 2**31 - 1


item_operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.one_of(st.none(), st.integers(1, 8))),
        st.tuples(st.just("move"), st.integers(0, 7), st.integers(1, 8)),
        st.tuples(st.just("delete"), st.integers(0, 7)),
        st.tuples(st.just("reorder"), st.randoms(use_true_random=False)),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=examples(20),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations=item_operations)
def test_item_positions_match_a_list_model(
    session: Session, operations: list[tuple[Any, ...]]
) -> None:
    """Whatever the sequence of edits, positions are 1..n in the order a plain list predicts."""
    _, ctx = make_tenant(session)
    course = make_course(session, ctx, publish=False)
    model: list[int] = []
    for operation in operations:
        kind = operation[0]
        if kind == "add":
            position = operation[1]
            item = make_item(
                session, ctx, course, **({} if position is None else {"position": position})
            )
            index = len(model) if position is None else min(position, len(model) + 1) - 1
            model.insert(index, item.id)
            assert item.position == index + 1
        elif kind == "move" and model:
            item_id = model[operation[1] % len(model)]
            moved = update_course_item(
                session, ctx, item_id=item_id, changes=CourseItemData(position=operation[2])
            )
            model.remove(item_id)
            model.insert(min(operation[2], len(model) + 1) - 1, item_id)
            assert moved.position == model.index(item_id) + 1
        elif kind == "delete" and model:
            delete_course_item(session, ctx, item_id=model.pop(operation[1] % len(model)))
        elif kind == "reorder":
            operation[1].shuffle(model)
            reorder_course_items(session, ctx, course_id=course.id, item_ids=list(model))
        assert item_order(session, course.id) == model


def test_registration_window_is_checked_against_the_stored_end(session: Session) -> None:
    _, ctx = make_tenant(session)
    course = make_course(session, ctx)
    [pub_id] = session.scalars(
        select(PublishedCourse.id).where(PublishedCourse.course_id == course.id)
    )
    ends = datetime(2025, 1, 31, tzinfo=UTC)
    update_publication(
        session,
        ctx,
        published_course_id=pub_id,
        settings=PublicationSettings(registration_ends_at=ends),
    )
    with pytest.raises(Invalid) as raised:
        update_publication(
            session,
            ctx,
            published_course_id=pub_id,
            settings=PublicationSettings(registration_starts_at=ends + timedelta(days=1)),
        )
    assert raised.value.field == "registration_ends_at"
    stored = session.get(PublishedCourse, pub_id)
    assert stored is not None
    assert stored.registration_starts_at is None
    update_publication(
        session,
        ctx,
        published_course_id=pub_id,
        settings=PublicationSettings(registration_starts_at=ends - timedelta(days=30)),
    )
    assert stored.registration_starts_at == ends - timedelta(days=30)


def test_change_subscribe_key_suspends_otps_and_reverting_revives_them(session: Session) -> None:
    from syllabus.core.errors import Invalid, NotFound
    from syllabus.services.course_otps import issue_course_otps, redeem_course_otp
    from syllabus.services.courses import change_subscribe_key
    from tests.factories import event_data, make_course, make_tenant, make_user

    _, ctx = make_tenant(session)
    _, other = make_tenant(session)
    course = make_course(session, ctx)
    first, second = make_user(session, ctx), make_user(session, ctx)
    original = course.subscribe_key
    keys = issue_course_otps(session, ctx, course_id=course.id, count=2)
    change_subscribe_key(session, ctx, course_id=course.id, subscribe_key="SPRING-2027")
    assert course.subscribe_key == "SPRING-2027"
    with pytest.raises(NotFound):
        redeem_course_otp(session, ctx, secret=keys[0], user_id=first.id)
    # Keys issued under the new subscribe key work at once.
    [fresh] = issue_course_otps(session, ctx, course_id=course.id)
    redeem_course_otp(session, ctx, secret=fresh, user_id=second.id)
    change_subscribe_key(session, ctx, course_id=course.id, subscribe_key=original)
    assert redeem_course_otp(session, ctx, secret=keys[0], user_id=first.id) == course.id
    random_key = change_subscribe_key(session, ctx, course_id=course.id).subscribe_key
    assert random_key not in (original, "SPRING-2027")
    assert len(random_key) >= 12
    with pytest.raises(NotFound):
        redeem_course_otp(session, ctx, secret=keys[1], user_id=second.id)
    changes = event_data(session, ctx, "course.updated")
    assert [c["changed"] for c in changes] == [["subscribe_key"]] * 3
    for bad in ("", "abc", "has space", "x" * 65):
        with pytest.raises(Invalid) as caught:
            change_subscribe_key(session, ctx, course_id=course.id, subscribe_key=bad)
        assert caught.value.field == "subscribe_key"
    with pytest.raises(NotFound) as missing:
        change_subscribe_key(session, other, course_id=course.id, subscribe_key="abcd")
    assert missing.value.field == "course_id"
