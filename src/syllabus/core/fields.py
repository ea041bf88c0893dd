"""The "absent" marker that keeps PATCH semantics apart from "set to null"."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, Final, Literal, TypeAlias, TypeVar

from typing_extensions import TypeIs

T = TypeVar("T")


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> Literal[False]:
        return False


UNSET: Final = _Unset.UNSET
Unset: TypeAlias = Literal[_Unset.UNSET]
Maybe: TypeAlias = T | Unset
"""A field of a change set: a value (possibly None) or UNSET, meaning leave it alone."""


def is_set(value: T | Unset) -> TypeIs[T]:
    return value is not UNSET


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


class ChangeSet:
    """Base of the services' input dataclasses: every field defaults to UNSET."""

    def set_fields(self) -> dict[str, Any]:
        """The fields the caller set, by name (called per row in bulk paths: kept cheap)."""
        values = {}
        for name in _field_names(type(self)):
            value = getattr(self, name)
            if value is not UNSET:
                values[name] = value
        return values
