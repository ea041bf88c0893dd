"""A realistic demo program, built through the services like any other change."""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.cli.demo.progress import add_demo_progress
from syllabus.cli.demo.reports import add_demo_reports
from syllabus.cli.demo.rewards import add_demo_rewards
from syllabus.core.clock import utcnow
from syllabus.core.context import Context, Surface
from syllabus.domain.courses import Course
from syllabus.domain.tenants import Domain, Tenant
from syllabus.services.catalog import CatalogItems, add_to_catalog
from syllabus.services.course_items import CourseItemData, add_course_item
from syllabus.services.course_otps import issue_course_otps
from syllabus.services.courses import CourseData, create_course
from syllabus.services.enrollments import enroll_users_in_courses
from syllabus.services.group_managers import assign_manager_to_group
from syllabus.services.groups import (
    GroupData,
    add_courses_to_group,
    add_users_to_group,
    create_group,
)
from syllabus.services.ilt import TimeslotData, TrainingData, create_timeslot, create_training
from syllabus.services.ilt_registrations import register_users, update_registration
from syllabus.services.learning_paths import (
    LearningPathData,
    add_groups_to_learning_path,
    add_users_to_learning_path,
    create_learning_path,
)
from syllabus.services.login_keys import issue_login_key
from syllabus.services.materials import add_material, material_store
from syllabus.services.power_users import assign_power_users, create_dataset, create_user_role
from syllabus.services.signup_fields import (
    SignupFieldData,
    ValueChange,
    add_signup_field,
    add_signup_field_option,
    set_user_signup_values,
)
from syllabus.services.tenants import NewTenant, create_tenant
from syllabus.services.users import NewUser, UserData, create_users, define_custom_attribute

FIRST = [
    "Avery",
    "Jordan",
    "Riley",
    "Morgan",
    "Casey",
    "Taylor",
    "Quinn",
    "Harper",
    "Rowan",
    "Emerson",
    "Sasha",
    "Devon",
    "Kai",
    "Parker",
    "Reese",
    "Skyler",
    "Alex",
    "Jamie",
    "Robin",
    "Drew",
]
LAST = [
    "Nguyen",
    "Okafor",
    "Schmidt",
    "Rossi",
    "Tanaka",
    "Silva",
    "Kowalski",
    "Haddad",
    "Murphy",
    "Larsen",
    "Dubois",
    "Patel",
    "Moreau",
    "Kim",
    "Novak",
    "Fischer",
    "Costa",
    "Ali",
    "Byrne",
    "Lund",
]
TITLES = [
    "Account Executive",
    "Support Engineer",
    "Customer Success Associate",
    "Sales Manager",
    "Solutions Architect",
    "Field Technician",
]
COURSES = [
    ("New Hire Orientation", "Onboarding", "ONB-101", True, ["onboarding", "required"]),
    ("Information Security Basics", "Compliance", "SEC-110", True, ["compliance", "required"]),
    ("Product Fundamentals", "Product", "PRD-200", False, ["product"]),
    ("Consultative Selling", "Sales", "SAL-210", True, ["sales"]),
    ("Handling Escalations", "Support", "SUP-220", False, ["support"]),
    ("Workplace Safety", "Compliance", "SAF-120", True, ["compliance"]),
]
ITEMS = [
    ("Article", "Welcome Guide"),
    ("HTML", "Key Concepts"),
    ("Asset", "Walkthrough Video"),
    ("Exam", "Knowledge Check"),
]


@dataclass(frozen=True)
class DemoSummary:
    tenant_id: int
    acct_key: str
    created: bool
    users: int
    courses: int


def ensure_demo_program(
    session: Session, acct_key: str, *, users: int = 60, data_dir: Path | None = None
) -> DemoSummary:
    """Create and fill the program unless it exists already (then leave it as it is).

    Materials are stored under ``data_dir`` (none are added without one).
    """
    tenant = session.scalars(select(Tenant).where(Tenant.acct_key == acct_key)).first()
    if tenant is not None:
        count = len(session.scalars(select(Course.id).where(Course.tenant_id == tenant.id)).all())
        return DemoSummary(tenant.id, acct_key, False, 0, count)
    tenant = create_tenant(
        session,
        data=NewTenant(
            acct_key=acct_key, name="Demo Learning Program", time_zone="America/New_York"
        ),
        actor="cli",
        surface=Surface.CLI,
    )
    ctx = Context(tenant_id=tenant.id, actor="cli:demo", surface=Surface.CLI)
    rng = random.Random(7)
    define_custom_attribute(session, ctx, key="region", label="Region")
    domain = acct_key
    people = []
    for i in range(users):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        role = "admin" if i == 0 else "manager" if i % 15 == 1 else "learner"
        people.append(
            NewUser(
                UserData(
                    email=f"{first}.{last}{i}@{domain}".lower(),
                    first_name=first,
                    last_name=last,
                    role=role,
                    title=rng.choice(TITLES),
                    company="Example Co.",
                    city=rng.choice(["New York", "Austin", "Toronto", "Berlin"]),
                    country=rng.choice(["US", "US", "CA", "DE"]),
                    user_identifier=f"EMP-{1000 + i}",
                    ca_0=rng.choice(["North America", "EMEA"]),
                    access_start_date=date(2026, 1, 1),
                    custom_attributes={"region": rng.choice(["East", "West", "Central"])},
                )
            )
        )
    user_ids = create_users(session, ctx, users=people).created

    sales = create_group(
        session,
        ctx,
        data=GroupData(
            name="Sales", category="Department", description="Learners in the sales department."
        ),
    )
    west = create_group(
        session, ctx, data=GroupData(name="West Region", parent_id=sales.id, category="Region")
    )
    support = create_group(session, ctx, data=GroupData(name="Support", category="Department"))
    new_hires = create_group(
        session, ctx, data=GroupData(name="New Hires", category="Cohort", force_order=True)
    )

    course_ids = []
    for name, category, code, certificate, tags in COURSES:
        course = create_course(
            session,
            ctx,
            data=CourseData(
                name=name,
                description=f"{name}: what every team member needs to know.",
                category=category,
                course_code=code,
                certificate=certificate,
                tags=tags,
                credits="1.0",
                estimated_course_length_in_minutes=rng.choice([30, 45, 60]),
                contact_email=f"training@{domain}",
            ),
        )
        for item_type, item_name in ITEMS:
            add_course_item(
                session,
                ctx,
                course_id=course.id,
                data=CourseItemData(
                    item_type=item_type,
                    name=item_name,
                    mandatory=item_type != "Asset",
                    passing_score=80 if item_type == "Exam" else None,
                ),
            )
        course_ids.append(course.id)

    add_users_to_group(session, ctx, group_id=sales.id, user_ids=user_ids[:20])
    add_users_to_group(session, ctx, group_id=west.id, user_ids=user_ids[10:20])
    add_users_to_group(session, ctx, group_id=support.id, user_ids=user_ids[20:40])
    add_users_to_group(session, ctx, group_id=new_hires.id, user_ids=user_ids[40:])
    add_courses_to_group(session, ctx, group_id=sales.id, course_ids=[course_ids[3]])
    add_courses_to_group(session, ctx, group_id=support.id, course_ids=[course_ids[4]])
    enroll_users_in_courses(session, ctx, user_ids=user_ids, course_ids=course_ids[:2])
    onboarding = create_learning_path(
        session,
        ctx,
        data=LearningPathData(
            name="New Hire Learning Path",
            category="Onboarding",
            course_ids=[course_ids[0], course_ids[1], course_ids[2]],
        ),
    )
    add_groups_to_learning_path(session, ctx, path_id=onboarding.id, group_ids=[new_hires.id])
    add_users_to_learning_path(session, ctx, path_id=onboarding.id, user_ids=user_ids[:5])
    add_demo_progress(session, ctx, user_ids=user_ids, course_id=course_ids[0])
    add_demo_trainings(session, ctx, user_ids=user_ids, course_id=course_ids[0])
    add_demo_rewards(session, ctx, user_ids, course_ids)
    add_demo_reports(session, ctx, course_id=course_ids[0])
    groups = {"sales": sales.id, "support": support.id, "new_hires": new_hires.id}
    _add_access_and_content(session, ctx, user_ids, course_ids, groups, onboarding.id, data_dir)
    add_demo_signup_fields(session, ctx, user_ids)
    return DemoSummary(tenant.id, acct_key, True, len(user_ids), len(course_ids))


def add_demo_trainings(
    session: Session, ctx: Context, *, user_ids: list[int], course_id: int
) -> None:
    """Two instructor-led trainings: a past session with attendance taken, an upcoming one
    that is full with a waitlist and a cancellation, and a virtual one with seats left."""
    workshop = create_training(
        session,
        ctx,
        data=TrainingData(
            name="Onboarding Workshop",
            description="Live onboarding session for new hires.",
            course_id=course_id,
        ),
    )
    add_course_item(
        session,
        ctx,
        course_id=course_id,
        data=CourseItemData(item_type="ILT", name="Onboarding Workshop", content_id=workshop.id),
    )
    managers = create_training(
        session,
        ctx,
        data=TrainingData(
            name="Manager Workshop", description="Live manager training.", session_type="virtual"
        ),
    )
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)

    def slot(training_id: int, days: int, capacity: int, **fields: Any) -> int:
        start = today + timedelta(days=days, hours=9)
        data = TimeslotData(
            display_timezone="America/New_York",
            commencement_time=start,
            end_time=start + timedelta(hours=2),
            capacity=capacity,
            instructor="Pat Instructor",
            **fields,
        )
        return create_timeslot(session, ctx, training_id=training_id, data=data).id

    past = slot(workshop.id, -14, 10, location="Training Room A", description="Bring a laptop.")
    upcoming = slot(workshop.id, 7, 5, location="Training Room A", description="Bring a laptop.")
    online = slot(managers.id, 10, 25, location="Video call", session_type="virtual")
    learners = user_ids[-14:]  # the last ones, whatever the demo's size
    attended = register_users(session, ctx, timeslot_id=past, user_ids=learners[:6])
    for registration in attended[:5]:
        update_registration(session, ctx, registration_id=registration.id, status="attended")
    update_registration(session, ctx, registration_id=attended[5].id, status="absent")
    seats = register_users(session, ctx, timeslot_id=upcoming, user_ids=learners[6:14])
    update_registration(session, ctx, registration_id=seats[0].id, status="cancelled")
    register_users(session, ctx, timeslot_id=online, user_ids=user_ids[1:4])


MATERIALS = [
    ("Welcome Guide.pdf", "Onboarding", 12),
    ("Safety Checklist.pdf", "Safety", 2),
    ("Escalation Playbook.txt", "Support", None),
]


def _add_access_and_content(
    session: Session,
    ctx: Context,
    user_ids: list[int],
    course_ids: list[int],
    groups: dict[str, int],
    path_id: int,
    data_dir: Path | None,
) -> None:
    """Power users, group managers, catalog entries, keys and materials: one of each kind of
    record the SkyPrep actions read, so each answers real data."""
    role = create_user_role(
        session,
        ctx,
        name="Regional Training Manager",
        description="Can manage assigned users, groups, and courses.",
        permissions={"users": "assigned", "courses": "assigned", "reports": "enabled"},
    )
    dataset = create_dataset(
        session, ctx, name="Sales Region Dataset", user_ids=user_ids[:20], course_ids=course_ids[3:]
    )
    assign_power_users(
        session, ctx, user_ids=[user_ids[16]], user_role_id=role.id, dataset_ids=[dataset.id]
    )
    assign_manager_to_group(session, ctx, group_id=groups["sales"], user_id=user_ids[1])
    assign_manager_to_group(session, ctx, group_id=groups["support"], user_id=user_ids[31])
    add_to_catalog(session, ctx, items=CatalogItems(course_ids=course_ids[:3]))
    add_to_catalog(
        session,
        ctx,
        items=CatalogItems(course_ids=[course_ids[3]], learning_path_ids=[path_id]),
        group_ids=[groups["sales"], groups["new_hires"]],
    )
    issue_login_key(session, ctx, user_id=user_ids[2], key_type="daily")
    issue_course_otps(session, ctx, course_id=course_ids[0], count=3)
    if data_dir is None:
        return
    from pypdf import PdfWriter

    store = material_store(data_dir)
    with tempfile.TemporaryDirectory() as scratch:
        for name, category, pages in MATERIALS:
            source = Path(scratch) / name
            if pages is None:
                source.write_text(f"{name}: who to call, and when.\n", encoding="utf-8")
            else:
                writer = PdfWriter()
                for _ in range(pages):
                    writer.add_blank_page(width=612, height=792)
                with source.open("wb") as out:
                    writer.write(out)
            add_material(session, ctx, store=store, source=source, category=category)


def add_demo_signup_fields(session: Session, ctx: Context, user_ids: list[int]) -> None:
    """A picklist signup field on the primary domain, answered by the first ten users."""
    domain_id = session.scalar(
        select(Domain.id).where(Domain.tenant_id == ctx.tenant_id).order_by(Domain.position)
    )
    assert domain_id is not None
    field = add_signup_field(
        session,
        ctx,
        domain_id=domain_id,
        data=SignupFieldData(
            type="PICKLIST",
            label="Team size",
            help_text="How many people on your team will take training?",
            required=True,
            order=3500,
        ),
    )
    choices = ["1-10", "11-50", "51-200", "200+"]
    for choice in choices:
        add_signup_field_option(session, ctx, field_id=field.id, value=choice)
    for index, user_id in enumerate(user_ids[:10]):
        change = ValueChange(field_id=field.id, value=choices[index % len(choices)])
        set_user_signup_values(session, ctx, domain_id=domain_id, user_id=user_id, changes=[change])
