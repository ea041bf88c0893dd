"""Learning paths offered on a domain (Skilljar's published paths), and enrolling users there.

A path enrollment is the user's enrollment in the path itself; enrolling through a published
path also registers the user on its domain, as course enrollments do.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Conflict
from syllabus.core.fields import UNSET, Maybe, is_set
from syllabus.core.lookups import require
from syllabus.core.validation import clean_slug, slugify
from syllabus.core.versions import Expected
from syllabus.domain.learning_paths import LearningPath, LearningPathUser, PublishedPath
from syllabus.domain.tenants import Domain
from syllabus.services.domain_users import add_user_to_domain
from syllabus.services.events import record_event
from syllabus.services.learning_paths import (
    LearningPathData,
    add_users_to_learning_path,
    create_learning_path,
)
from syllabus.services.locking import require_current


@dataclass(frozen=True)
class PathPublicationSettings:
    slug: Maybe[str] = UNSET
    hidden: Maybe[bool] = UNSET
    strict_enforce_group_visibility: Maybe[bool] = UNSET
    unique_progress_per_enrollment: Maybe[bool] = UNSET


def _slug_taken(session: Session, ctx: Context, domain_id: int, slug: str, own: int | None) -> bool:
    found = session.scalar(
        select(PublishedPath.id).where(
            PublishedPath.tenant_id == ctx.tenant_id,
            PublishedPath.domain_id == domain_id,
            PublishedPath.slug == slug,
        )
    )
    return found is not None and found != own


def _apply(
    session: Session, ctx: Context, row: PublishedPath, settings: PathPublicationSettings
) -> list[str]:
    changed = []
    if is_set(settings.slug):
        slug = clean_slug(settings.slug)
        if _slug_taken(session, ctx, row.domain_id, slug, row.id):
            raise Conflict(f"slug {slug!r} is already used on this domain", field="slug")
        if row.slug != slug:
            row.slug = slug
            changed.append("slug")
    for name in ("hidden", "strict_enforce_group_visibility", "unique_progress_per_enrollment"):
        value = getattr(settings, name)
        if is_set(value) and getattr(row, name) != bool(value):
            setattr(row, name, bool(value))
            changed.append(name)
    return changed


def publish_path(
    session: Session,
    ctx: Context,
    *,
    path: int | LearningPathData,
    domain_id: int,
    settings: PathPublicationSettings = PathPublicationSettings(),
) -> PublishedPath:
    """Offer a path on a domain: an existing one (its id), or a new one created from
    ``LearningPathData`` (learning_path.created). Idempotent: an existing publication is
    returned as is."""
    if isinstance(path, LearningPathData):
        require(session, ctx, Domain, domain_id, field="domain")
        path = create_learning_path(session, ctx, data=path).id
    path_id = path
    learning_path = require(session, ctx, LearningPath, path_id, field="path")
    require(session, ctx, Domain, domain_id, field="domain")
    existing = session.scalars(
        select(PublishedPath).where(
            PublishedPath.tenant_id == ctx.tenant_id,
            PublishedPath.domain_id == domain_id,
            PublishedPath.path_id == path_id,
        )
    ).first()
    if existing is not None:
        return existing
    base = slugify(learning_path.name)
    slug, n = base, 2
    while _slug_taken(session, ctx, domain_id, slug, None):
        slug, n = f"{base}-{n}", n + 1
    row = PublishedPath(tenant_id=ctx.tenant_id, path_id=path_id, domain_id=domain_id, slug=slug)
    session.add(row)
    session.flush()
    _apply(session, ctx, row, settings)
    session.flush()
    record_event(
        session,
        ctx,
        "path.published",
        {"path_id": path_id, "published_path_id": row.id, "domain_id": domain_id},
    )
    return row


def update_path_publication(
    session: Session,
    ctx: Context,
    *,
    published_path_id: int,
    settings: PathPublicationSettings,
    expected_version: Expected | None = None,
) -> PublishedPath:
    """With ``expected_version`` (the publication's ``version``) one changed since is
    PreconditionFailed."""
    row = require_current(
        session,
        ctx,
        PublishedPath,
        published_path_id,
        field="published_path_id",
        expected_version=expected_version,
    )
    changed = _apply(session, ctx, row, settings)
    if changed:
        session.flush()
        record_event(
            session,
            ctx,
            "path.publication_updated",
            {"published_path_id": row.id, "changed": changed},
        )
    return row


def unpublish_path(session: Session, ctx: Context, *, published_path_id: int) -> None:
    row = require(session, ctx, PublishedPath, published_path_id, field="published_path_id")
    record_event(
        session,
        ctx,
        "path.unpublished",
        {"published_path_id": row.id, "path_id": row.path_id, "domain_id": row.domain_id},
    )
    session.delete(row)
    session.flush()


def enroll_in_published_path(
    session: Session, ctx: Context, *, published_path_id: int, user_id: int
) -> tuple[LearningPathUser, bool]:
    """Enroll the user in the path (idempotent); returns the enrollment and whether it is new."""
    row = require(session, ctx, PublishedPath, published_path_id, field="published_path_id")
    add_user_to_domain(session, ctx, domain_id=row.domain_id, user_id=user_id)
    added = add_users_to_learning_path(session, ctx, path_id=row.path_id, user_ids=[user_id])
    enrollment = session.scalars(
        select(LearningPathUser).where(
            LearningPathUser.tenant_id == ctx.tenant_id,
            LearningPathUser.path_id == row.path_id,
            LearningPathUser.user_id == user_id,
        )
    ).one()
    return enrollment, bool(added)
