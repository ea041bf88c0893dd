"""The catalog actions of SkyPrep's admin API: add_course_or_learning_path_to_catalog,
remove_course_or_learning_path_from_catalog, update_catalog_enrollments.

Each takes courses and learning paths as ``course_ids``/``learning_path_ids`` or (as the remove
and update samples spell them) ``course_id``/``learning_path_id``, one id or a comma-separated
list; errors name the parameter as the caller spelled it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from syllabus.core.errors import DomainError, Invalid
from syllabus.core.fields import is_set
from syllabus.dialects.skyprep.actions import Call, action
from syllabus.dialects.skyprep.params import Params
from syllabus.services import catalog
from syllabus.services.catalog import CatalogItems

SUCCESS = {"message": "success"}
KINDS = ("course", "learning_path")

CatalogHandler = Callable[[Session, Call, CatalogItems], Any]


def _spelled(p: Params, kind: str) -> str:
    """The parameter the caller used for ``kind`` (the plural when neither was sent)."""
    for name in (f"{kind}_ids", f"{kind}_id"):
        if name in p:
            return name
    return f"{kind}_ids"


def _ids(p: Params, name: str) -> list[int]:
    values = p.ids(name) if name in p else []
    return values if is_set(values) else []


def catalog_action(name: str) -> Callable[[CatalogHandler], CatalogHandler]:
    """Register an action given the items parsed, with errors renamed to the caller's words."""

    def register(fn: CatalogHandler) -> CatalogHandler:
        @functools.wraps(fn)
        def handler(session: Session, call: Call) -> Any:
            p = Params(call.params)
            wire = {f"{kind}_ids": _spelled(p, kind) for kind in KINDS}
            wire["group_ids"] = "user_group_ids"
            try:
                items = CatalogItems(
                    course_ids=_ids(p, wire["course_ids"]),
                    learning_path_ids=_ids(p, wire["learning_path_ids"]),
                )
                return fn(session, call, items)
            except DomainError as error:
                error.field = wire.get(error.field or "", error.field)
                raise

        action(name)(handler)
        return fn

    return register


@catalog_action("add_course_or_learning_path_to_catalog")
def add_course_or_learning_path_to_catalog(
    session: Session, call: Call, items: CatalogItems
) -> dict[str, str]:
    """``user_group_ids`` (optional) restrict the items to those groups' members."""
    group_ids = _ids(Params(call.params), "user_group_ids")
    catalog.add_to_catalog(session, call.ctx, items=items, group_ids=group_ids)
    return SUCCESS


@catalog_action("remove_course_or_learning_path_from_catalog")
def remove_course_or_learning_path_from_catalog(
    session: Session, call: Call, items: CatalogItems
) -> dict[str, str]:
    catalog.remove_from_catalog(session, call.ctx, items=items)
    return SUCCESS


@catalog_action("update_catalog_enrollments")
def update_catalog_enrollments(session: Session, call: Call, items: CatalogItems) -> dict[str, str]:
    """The listed items become visible to exactly ``user_group_ids`` (``[]``: everyone)."""
    p = Params(call.params)
    if "user_group_ids" not in p:
        raise Invalid("group_ids", "user_group_ids is required (an empty list [] for everyone)")
    group_ids = _ids(p, "user_group_ids")
    catalog.set_catalog_groups(session, call.ctx, items=items, group_ids=group_ids)
    return SUCCESS
