"""A user's manager links with their Skilljar scope stamps: the state an ``ETag`` names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, bindparam
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import possible_id
from syllabus.domain.groups import GroupManager
from syllabus.domain.signup_manager import ManagerAccess
from syllabus.domain.tenancy import execute_scoped, scoped_select

_links = GroupManager.__table__.c
_access = ManagerAccess.__table__.c

_LINKS_OF_USER = (
    scoped_select(
        GroupManager,
        _links.id,
        _links.group_id,
        _links.updated_at,
        _links.version,
        _access.updated_at.label("access_updated_at"),
        _access.version.label("access_version"),
    )
    .outerjoin(ManagerAccess.__table__, _access.manager_id == _links.id)
    .where(_links.user_id == bindparam("user_id"))
    .order_by(_links.id)
)


def manager_links(session: Session, ctx: Context, user_id: int) -> Sequence[Row[Any]]:
    if not possible_id(user_id):
        return []
    return execute_scoped(session, ctx.tenant_id, _LINKS_OF_USER, {"user_id": user_id}).all()
