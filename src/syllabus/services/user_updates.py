"""Changing a user as the doors do: profile, active flag and groups in one call.

SkyPrep's update_user (``login_status``), /v1's user PUT/PATCH (``is_active``, ``groups``) and
SCIM's ``active`` all mean the same use case; written once here, the doors cannot drift apart
(which order the events come in, what an unknown group leaves behind).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.versions import Expected
from syllabus.domain.users import User
from syllabus.services.user_fields import UserData
from syllabus.services.user_groups import set_user_groups
from syllabus.services.users import create_user, deactivate_user, reactivate_user, update_user


def set_user_active(session: Session, ctx: Context, *, user_id: int, active: bool) -> User:
    """True reactivates the user, False deactivates them; either is a no-op when already so."""
    if active:
        return reactivate_user(session, ctx, user_id=user_id)
    return deactivate_user(session, ctx, user_id=user_id)


def update_user_profile(
    session: Session,
    ctx: Context,
    *,
    user_id: int,
    changes: UserData,
    active: bool | None = None,
    group_ids: Sequence[int] | None = None,
    expected_version: Expected | None = None,
) -> User:
    """Apply the profile ``changes`` (user.updated), then the active flag when given
    (user.deactivated / user.reactivated), then make ``group_ids`` the user's groups when given
    (group.member_added / removed). One unit: a refused step leaves none of them applied, and
    ``expected_version`` (an If-Match) is checked under the user's lock before the first."""
    user = update_user(
        session, ctx, user_id=user_id, changes=changes, expected_version=expected_version
    )
    if active is not None:
        user = set_user_active(session, ctx, user_id=user_id, active=active)
    if group_ids is not None:
        set_user_groups(session, ctx, user_id=user_id, group_ids=group_ids)
    session.flush()  # the version the answer's ETag shows is the one after every step
    return user


def create_user_in_groups(
    session: Session,
    ctx: Context,
    *,
    data: UserData,
    active: bool = True,
    group_ids: Sequence[int] | None = None,
) -> User:
    """Create the user (user.registered) and, when given, make them a member of these groups;
    an unknown group creates nobody."""
    user = create_user(session, ctx, data=data, active=active)
    if group_ids is not None:
        set_user_groups(session, ctx, user_id=user.id, group_ids=group_ids)
    return user
