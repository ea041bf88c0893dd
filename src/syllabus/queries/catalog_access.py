"""Catalog reach: which catalog courses a user can find, for "why can this user see this?".

An entry with no groups is open to everyone; a restricted one to members of its groups. A
learning path in the catalog brings its courses with it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import exists, or_, select, union_all
from sqlalchemy.orm import Session

from syllabus.core.context import Context
from syllabus.core.lookups import possible_id
from syllabus.domain.catalog import CatalogEntry, CatalogEntryGroup
from syllabus.domain.groups import GroupMembership
from syllabus.domain.learning_paths import LearningPathItem


def catalog_course_entries(session: Session, ctx: Context, user_id: int) -> dict[int, list[int]]:
    """Per course id, the catalog entries (course or path entries) that show it to the user."""
    if not possible_id(user_id):
        return {}
    t = ctx.tenant_id
    restricted = exists().where(
        CatalogEntryGroup.tenant_id == t, CatalogEntryGroup.entry_id == CatalogEntry.id
    )
    member = exists().where(
        CatalogEntryGroup.tenant_id == t,
        CatalogEntryGroup.entry_id == CatalogEntry.id,
        GroupMembership.tenant_id == t,
        GroupMembership.group_id == CatalogEntryGroup.group_id,
        GroupMembership.user_id == user_id,
    )
    visible = or_(~restricted, member)
    courses = select(
        CatalogEntry.course_id.label("course_id"), CatalogEntry.id.label("entry_id")
    ).where(CatalogEntry.tenant_id == t, CatalogEntry.course_id.is_not(None), visible)
    paths = (
        select(LearningPathItem.course_id, CatalogEntry.id)
        .join(LearningPathItem, LearningPathItem.path_id == CatalogEntry.learning_path_id)
        .where(CatalogEntry.tenant_id == t, LearningPathItem.tenant_id == t, visible)
    )
    found: dict[int, list[int]] = defaultdict(list)
    rows: list[Any] = list(session.execute(union_all(courses, paths)))
    for row in rows:
        found[int(row[0])].append(int(row[1]))
    return {course: sorted(set(entries)) for course, entries in found.items()}
