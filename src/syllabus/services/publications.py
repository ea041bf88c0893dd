"""Publishing courses on a program's domains (Skilljar's published courses)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Conflict, Invalid
from syllabus.core.fields import UNSET, Maybe, is_set
from syllabus.core.lookups import require
from syllabus.core.validation import (
    clean_aware_datetime,
    clean_slug,
    slugify,
)
from syllabus.core.versions import Expected
from syllabus.domain.courses import (
    Course,
    PublishedCourse,
)
from syllabus.domain.tenants import Domain
from syllabus.services.events import record_event
from syllabus.services.locking import require_current


@dataclass(frozen=True)
class PublicationSettings:
    slug: Maybe[str] = UNSET
    hidden: Maybe[bool] = UNSET
    strict_enforce_group_visibility: Maybe[bool] = UNSET
    registration_required: Maybe[bool] = UNSET
    registration_starts_at: Maybe[datetime | None] = UNSET
    registration_ends_at: Maybe[datetime | None] = UNSET
    restrict_access_start_end_dates: Maybe[bool] = UNSET
    allow_self_service_reenroll: Maybe[bool] = UNSET
    unique_progress_per_enrollment: Maybe[bool] = UNSET
    require_all_prerequisites: Maybe[bool] = UNSET


def _clean_publication(
    settings: PublicationSettings, current: PublishedCourse | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if not is_set(value):
            continue
        if f.name == "slug":
            out["slug"] = clean_slug(value)
        elif f.name.endswith("_at"):
            out[f.name] = clean_aware_datetime(value, f.name)
        else:
            if not isinstance(value, bool):
                raise Invalid(f.name, f"{f.name} must be true or false")
            out[f.name] = value
    # An update is checked against the stored end it leaves in place.
    starts = out.get("registration_starts_at", current and current.registration_starts_at)
    ends = out.get("registration_ends_at", current and current.registration_ends_at)
    if starts and ends and ends < starts:
        raise Invalid(
            "registration_ends_at", "registration_ends_at is before registration_starts_at"
        )
    return out


def _free_slug(session: Session, ctx: Context, domain_id: int, base: str) -> str:
    taken = set(
        session.scalars(
            select(PublishedCourse.slug).where(
                PublishedCourse.tenant_id == ctx.tenant_id,
                PublishedCourse.domain_id == domain_id,
                PublishedCourse.slug.startswith(base),
            )
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def publish_course(
    session: Session,
    ctx: Context,
    *,
    course_id: int,
    domain_id: int,
    settings: PublicationSettings = PublicationSettings(),
) -> PublishedCourse:
    """Offer a course on a domain (idempotent: an existing publication is returned as is)."""
    course = require(session, ctx, Course, course_id, field="course_id")
    require(session, ctx, Domain, domain_id, field="domain_id")
    existing = session.scalars(
        select(PublishedCourse).where(
            PublishedCourse.tenant_id == ctx.tenant_id,
            PublishedCourse.domain_id == domain_id,
            PublishedCourse.course_id == course_id,
        )
    ).first()
    if existing is not None:
        return existing
    columns = _clean_publication(settings)
    if "slug" in columns:
        if _free_slug(session, ctx, domain_id, columns["slug"]) != columns["slug"]:
            raise Conflict(f"slug {columns['slug']!r} is already used on this domain", field="slug")
    else:
        columns["slug"] = _free_slug(session, ctx, domain_id, slugify(course.name))
    publication = PublishedCourse(
        tenant_id=ctx.tenant_id, course_id=course_id, domain_id=domain_id, **columns
    )
    session.add(publication)
    session.flush()
    record_event(
        session,
        ctx,
        "course.published",
        {"course_id": course_id, "published_course_id": publication.id, "domain_id": domain_id},
    )
    return publication


def update_publication(
    session: Session,
    ctx: Context,
    *,
    published_course_id: int,
    settings: PublicationSettings,
    expected_version: Expected | None = None,
) -> PublishedCourse:
    """With ``expected_version`` (the publication's ``version``) one changed since is
    PreconditionFailed."""
    publication = require_current(
        session,
        ctx,
        PublishedCourse,
        published_course_id,
        field="published_course_id",
        expected_version=expected_version,
    )
    columns = _clean_publication(settings, publication)
    new_slug = columns.get("slug", publication.slug)
    if (
        new_slug != publication.slug
        and _free_slug(session, ctx, publication.domain_id, new_slug) != new_slug
    ):
        raise Conflict(f"slug {columns['slug']!r} is already used on this domain", field="slug")
    changed = [name for name, value in columns.items() if getattr(publication, name) != value]
    for name in changed:
        setattr(publication, name, columns[name])
    if changed:
        session.flush()
        record_event(
            session,
            ctx,
            "course.publication_updated",
            {"published_course_id": publication.id, "changed": changed},
        )
    return publication


def unpublish_course(session: Session, ctx: Context, *, published_course_id: int) -> None:
    """Withdraw a publication; its enrollments go with it."""
    publication = require(
        session, ctx, PublishedCourse, published_course_id, field="published_course_id"
    )
    record_event(
        session,
        ctx,
        "course.unpublished",
        {
            "course_id": publication.course_id,
            "published_course_id": publication.id,
            "domain_id": publication.domain_id,
        },
    )
    session.delete(publication)
    session.flush()
