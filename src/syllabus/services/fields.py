"""The "absent" marker that keeps PATCH semantics apart from "set to null"."""

from __future__ import annotations

import enum
from typing import Final, Literal, TypeAlias, TypeVar

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
