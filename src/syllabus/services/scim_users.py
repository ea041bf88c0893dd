"""Users as an identity provider keeps them: provision (or revive), and replace.

An IdP's POST of a user it DELETEd earlier (soft delete) brings back the same record, with its
learning history, instead of failing on the email; its PUT and PATCH set the profile, the SCIM
presentation (display name, email labels) and the active flag together. Both are rules of the
write path, so they live here rather than in the SCIM door.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.versions import Expected
from syllabus.domain.provisioning import ScimUserProfile
from syllabus.domain.users import User
from syllabus.queries.users.scim import scim_deleted_user
from syllabus.services.provisioning import forget_scim_deletion, set_scim_profile
from syllabus.services.user_fields import UserData
from syllabus.services.user_updates import set_user_active
from syllabus.services.users import create_user, update_user


@dataclass(frozen=True)
class ScimUser:
    """What the IdP says a user is."""

    data: UserData
    """The profile; ``email`` and ``username`` are always given."""
    active: bool | None
    """None when the IdP does not say (a PUT then leaves the status alone)."""
    display_name: str | None = None
    email_type: str | None = None
    email_primary: bool | None = None


def _deleted_user(session: Session, ctx: Context, user: ScimUser) -> User | None:
    """A user the IdP deleted earlier with this userName or email."""
    username, email = str(user.data.username or ""), str(user.data.email or "")
    return scim_deleted_user(session, ctx, username, email)


def _profile(
    session: Session, ctx: Context, user: User, scim: ScimUser, *, created: bool = False
) -> ScimUserProfile | None:
    return set_scim_profile(
        session,
        ctx,
        user_id=user.id,
        display_name=scim.display_name,
        email_type=scim.email_type,
        email_primary=scim.email_primary,
        user=user,
        created=created,
    )


def update_scim_user(
    session: Session,
    ctx: Context,
    *,
    user_id: int,
    user: ScimUser,
    expected_version: Expected | None = None,
) -> tuple[User, ScimUserProfile | None]:
    """Make the user what the IdP says: profile (user.updated), presentation, then the active
    flag when it is given (user.deactivated / user.reactivated). Returns the user and its SCIM
    profile. A stale ``expected_version`` (If-Match) is PreconditionFailed, nothing written."""
    row = update_user(
        session, ctx, user_id=user_id, changes=user.data, expected_version=expected_version
    )
    profile = _profile(session, ctx, row, user)
    if user.active is not None and user.active != row.is_active:
        row = set_user_active(session, ctx, user_id=row.id, active=user.active)
    return row, profile


def provision_scim_user(
    session: Session, ctx: Context, *, user: ScimUser
) -> tuple[User, ScimUserProfile | None]:
    """Create the user (user.registered), active unless the IdP says otherwise; or, when the
    IdP deleted a user with this userName or email before, revive that one: SCIM sees them
    again, with this profile, active unless the IdP says otherwise."""
    active = user.active is not False
    returning = _deleted_user(session, ctx, user)
    if returning is not None:
        forget_scim_deletion(session, ctx, returning.id)
        revived = replace(user, active=active)
        return update_scim_user(session, ctx, user_id=returning.id, user=revived)
    created = create_user(session, ctx, data=user.data, active=active)
    return created, _profile(session, ctx, created, user, created=True)
