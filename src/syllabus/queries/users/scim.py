"""Users as the SCIM door reads them: counted, filtered pages with each user's SCIM profile,
single users, a deleted user coming back, and the drift report.

SCIM's handlers hand the user they read to the services and render it again after the
change, so these reads return ORM entities (scoped by the session's ORM tenant filter) rather
than the Core rows of the other projections.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select, true
from sqlalchemy.orm import Session

from syllabus.core.context import Context, Surface
from syllabus.core.lookups import possible_id
from syllabus.domain.groups import GroupMembership
from syllabus.domain.provisioning import ScimDeletedUser, ScimUserProfile, UserAttributeSource
from syllabus.domain.users import User
from syllabus.queries.attribute_filters import (
    Attr,
    Filter,
    Kind,
    MultiValued,
    Path,
    ResourceAttrs,
    compile_filter,
    order_by,
)
from syllabus.queries.counted_pages import Page, counted_page
from syllabus.queries.orm_scope import check_scope


def visible_to_scim() -> ColumnElement[bool]:
    """Users an IdP has DELETEd are kept for admins but no longer exist for SCIM."""
    return ~exists().where(ScimDeletedUser.user_id == User.id)


def _profile(column: Any) -> Any:
    """A profile column of the filtered user, as a correlated scalar subquery."""
    return (
        select(column).where(ScimUserProfile.user_id == User.id).correlate(User).scalar_subquery()
    )


SCIM_USER_ATTRS = ResourceAttrs(
    attrs={
        "id": Attr(Kind.ID, User.id),
        "username": Attr(Kind.TEXT, User.username_normalized, lowered=True),
        "externalid": Attr(Kind.EXACT, User.sso_id),
        "name.givenname": Attr(Kind.TEXT, User.first_name),
        "name.familyname": Attr(Kind.TEXT, User.last_name),
        "displayname": Attr(
            Kind.TEXT,
            func.coalesce(
                _profile(ScimUserProfile.display_name),
                func.trim(User.first_name + " " + User.last_name),
            ),
        ),
        "active": Attr(Kind.BOOLEAN, User.is_active),
        "title": Attr(Kind.TEXT, User.title),
        "locale": Attr(Kind.TEXT, User.locale),
        "meta.created": Attr(Kind.DATETIME, User.created_at),
        "meta.lastmodified": Attr(Kind.DATETIME, User.updated_at),
    },
    multi={
        "emails": MultiValued(
            attrs={
                "value": Attr(Kind.TEXT, User.email_normalized, lowered=True),
                "type": Attr(
                    Kind.TEXT, func.coalesce(_profile(ScimUserProfile.email_type), "work")
                ),
                "primary": Attr(
                    Kind.BOOLEAN, func.coalesce(_profile(ScimUserProfile.email_primary), true())
                ),
            },
            wrap=lambda condition: condition,
        ),
        "groups": MultiValued(
            attrs={"value": Attr(Kind.ID, GroupMembership.group_id)},
            # Selecting a column keeps a FROM when ``condition`` folds to false (an id no row
            # can have), which a bare EXISTS would lose ("no tables specified").
            wrap=lambda condition: (
                select(GroupMembership.group_id)
                .where(and_(GroupMembership.user_id == User.id, condition))
                .exists()
            ),
        ),
    },
    extension_attrs={
        "employeenumber": Attr(Kind.TEXT, User.user_identifier),
        "department": Attr(Kind.TEXT, User.department),
        "manager.value": Attr(Kind.ID, User.manager_id),
        "manager": Attr(Kind.ID, User.manager_id),
    },
)
"""What a SCIM User filter or sortBy may name: the core schema's attributes, ``emails`` and
``groups`` (multi-valued) and the enterprise extension's."""


def scim_user_page(
    session: Session,
    ctx: Context,
    *,
    where: Filter | None,
    sort_by: Callable[[], Path] | None,
    descending: bool,
    offset: int,
    limit: int,
    after_id: int | None = None,
) -> Page:
    """A counted page of users, filtered and sorted by SCIM attributes, each row a (user,
    SCIM profile or None) pair: the profiles come in the same statement, so a page is one
    statement (two when it must be counted). Raises ``FilterError`` or ``SortError``."""
    check_scope(session, ctx)
    condition = compile_filter(where, SCIM_USER_ATTRS) if where is not None else None
    order = order_by(SCIM_USER_ATTRS, User.id, sort_by, descending)
    statement = select(User, ScimUserProfile).outerjoin(
        ScimUserProfile, ScimUserProfile.user_id == User.id
    )
    clauses = [visible_to_scim()] if condition is None else [condition, visible_to_scim()]
    pairs = counted_page(
        session, User, statement, clauses, order, offset=offset, limit=limit, after_id=after_id
    )
    return Page(total=pairs.total, rows=[(user, profile) for user, profile in pairs.rows])


def scim_user_with_profile(
    session: Session, ctx: Context, user_id: int
) -> tuple[User, ScimUserProfile | None] | None:
    """The user SCIM sees with this id and its SCIM profile, in one statement."""
    check_scope(session, ctx)
    if not possible_id(user_id):
        return None
    found = session.execute(
        select(User, ScimUserProfile)
        .outerjoin(ScimUserProfile, ScimUserProfile.user_id == User.id)
        .where(User.id == user_id, visible_to_scim())
    ).first()
    return None if found is None else (found[0], found[1])


def scim_deleted_user(session: Session, ctx: Context, username: str, email: str) -> User | None:
    """A user the IdP DELETEd earlier with this userName or email: provisioning them again
    brings the same record (and its learning history) back."""
    check_scope(session, ctx)
    return session.scalars(
        select(User)
        .join(ScimDeletedUser, ScimDeletedUser.user_id == User.id)
        .where(
            (User.username_normalized == username.lower())
            | (User.email_normalized == email.strip().lower())
        )
        .order_by(User.id)
        .limit(1)
    ).first()


@dataclass(frozen=True)
class Drift:
    user_id: int
    email: str
    attribute: str
    surface: str
    written_at: datetime


def scim_drift_report(session: Session, ctx: Context) -> list[Drift]:
    """Owned attributes whose last write came through another door than SCIM, by user."""
    check_scope(session, ctx)
    rows = session.execute(
        select(
            UserAttributeSource.user_id,
            User.email,
            UserAttributeSource.attribute,
            UserAttributeSource.surface,
            UserAttributeSource.written_at,
        )
        .join(User, User.id == UserAttributeSource.user_id)
        .where(UserAttributeSource.surface != Surface.SCIM.value)
        .order_by(UserAttributeSource.user_id, UserAttributeSource.attribute)
    )
    return [Drift(*row) for row in rows]
