"""Groups as an identity provider pushes them: create or replace, with their members.

A group the IdP created or changed is marked as pushed, so its membership then belongs to SCIM
(services/provisioning.py guards it on the other doors). Unknown member ids are a bad value of
the request, named by the first (lowest) id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.errors import Invalid
from syllabus.core.lookups import missing_ids
from syllabus.core.versions import Expected
from syllabus.domain.groups import Group
from syllabus.domain.users import User
from syllabus.services.groups import GroupData, create_group, set_group_members, update_group
from syllabus.services.provisioning import mark_group_pushed


@dataclass(frozen=True)
class ScimGroup:
    """What the IdP says a group is."""

    display_name: str
    external_id: str | None = None
    member_ids: Sequence[int] | None = None
    """None when the body does not say (a PUT then leaves the members alone)."""

    def as_data(self) -> GroupData:
        return GroupData(name=self.display_name, external_id=self.external_id)


def _set_members(session: Session, ctx: Context, group_id: int, member_ids: Sequence[int]) -> None:
    missing = sorted(set(missing_ids(session, ctx, User, list(member_ids))))
    if missing:
        raise Invalid("members", f"no user with id {missing[0]}")
    set_group_members(session, ctx, group_id=group_id, user_ids=member_ids)


def provision_scim_group(session: Session, ctx: Context, *, group: ScimGroup) -> Group:
    """Create the group (group.created), pushed, with its members (group.member_added)."""
    created = create_group(session, ctx, data=group.as_data())
    mark_group_pushed(session, ctx, created.id)
    if group.member_ids:
        _set_members(session, ctx, created.id, group.member_ids)
    return created


def update_scim_group(
    session: Session,
    ctx: Context,
    *,
    group_id: int,
    group: ScimGroup,
    expected_version: Expected | None = None,
) -> Group:
    """Make the group what the IdP says (group.updated), pushed; its members exactly
    ``member_ids`` when given. A stale ``expected_version`` (If-Match) is PreconditionFailed,
    nothing written."""
    changed = update_group(
        session, ctx, group_id=group_id, changes=group.as_data(), expected_version=expected_version
    )
    mark_group_pushed(session, ctx, group_id)
    if group.member_ids is not None:
        _set_members(session, ctx, group_id, group.member_ids)
    return changed
