"""A group changed together with its email-domain rules, as /v1's group create/PUT/PATCH do.

``rule_email_domains`` is a field of the group on that door; writing the rules in the same call
as the group keeps the two in one use case (a bad domain leaves the group unchanged)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.versions import Expected
from syllabus.domain.groups import Group
from syllabus.services.groups import GroupData, create_group, set_email_domain_rules, update_group


def create_group_with_rules(
    session: Session, ctx: Context, *, data: GroupData, email_domains: Sequence[str] = ()
) -> Group:
    """Create the group (group.created) and, when any are given, its email-domain rules."""
    group = create_group(session, ctx, data=data)
    if email_domains:
        set_email_domain_rules(session, ctx, group_id=group.id, email_domains=email_domains)
    return group


def update_group_with_rules(
    session: Session,
    ctx: Context,
    *,
    group_id: int,
    changes: GroupData,
    email_domains: Sequence[str] | None = None,
    expected_version: Expected | None = None,
) -> Group:
    """Apply ``changes`` (group.updated) and, when given, replace the email-domain rules;
    ``expected_version`` (an If-Match) is checked under the group's lock before either."""
    group = update_group(
        session, ctx, group_id=group_id, changes=changes, expected_version=expected_version
    )
    if email_domains is not None:
        set_email_domain_rules(session, ctx, group_id=group_id, email_domains=email_domains)
    return group
