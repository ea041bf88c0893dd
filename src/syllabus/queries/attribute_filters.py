"""Attribute filters (the SCIM filter language, RFC 7644 §3.4.2.2) compiled to SQL conditions.

A door parses its filter text into the small syntax tree below (the SCIM dialect does it with
scim2-models) and hands it to a query, which compiles it here against its own table of the
attributes it supports: the door never sees a column, and a filter is never run in memory.
Attribute names match case-insensitively; string comparisons follow each attribute's
caseExact (userName no, externalId yes). Multi-valued attributes (``emails``, ``members``)
compile their value filters into one condition per value row, so
``members[value eq "1" and value eq "2"]`` needs one member that is both (RFC semantics),
while ``members.value eq "1"`` alone is an EXISTS.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, false, func, not_, or_, true

Condition = ColumnElement[bool]

Namespace = Literal["core", "extension", "other"] | None
"""Which schema a path names: none given, the resource's core schema, its extension, or one
the resource does not have."""


class FilterError(ValueError):
    """The filter names an attribute the resource lacks, or compares it with the wrong kind
    of value."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class SortError(ValueError):
    """The sort attribute is unknown (``detail`` says why) or cannot be ordered by."""

    def __init__(self, detail: str, *, unsortable: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.unsortable = unsortable


@dataclass(frozen=True)
class Path:
    attr: str
    sub_attr: str | None = None
    namespace: Namespace = None
    text: str = ""
    """The path as the client wrote it, for error details."""

    def __str__(self) -> str:
        return self.text or (f"{self.attr}.{self.sub_attr}" if self.sub_attr else self.attr)


Operator = Literal["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]


@dataclass(frozen=True)
class Compare:
    path: Path
    op: Operator
    value: Any


@dataclass(frozen=True)
class Present:
    path: Path


@dataclass(frozen=True)
class Not:
    expr: Filter


@dataclass(frozen=True)
class Logical:
    op: Literal["and", "or"]
    terms: tuple[Filter, ...]


@dataclass(frozen=True)
class ValueFilter:
    """``emails[type eq "work"]``: a filter on the values of a multi-valued attribute."""

    path: Path
    filter: Filter


Filter = Compare | Present | Not | Logical | ValueFilter


class Kind(enum.Enum):
    TEXT = "text"
    """A case-insensitive string (caseExact false)."""
    EXACT = "exact"
    """A case-sensitive string (caseExact true)."""
    BOOLEAN = "boolean"
    ID = "id"
    """An integer key shown as a string."""
    DATETIME = "datetime"
    CONSTANT = "constant"
    """The same value for every row (the only email's ``type`` is ``work``)."""


@dataclass(frozen=True)
class Attr:
    kind: Kind
    column: Any = None
    lowered: bool = False
    """The column holds a lower-cased copy already (an indexed normalized column)."""
    constant: Any = None


@dataclass(frozen=True)
class MultiValued:
    """A multi-valued attribute: its sub-attributes and how a condition on one value
    becomes a condition on the resource."""

    attrs: dict[str, Attr]
    wrap: Callable[[Condition], Condition]
    default_sub: str = "value"


@dataclass(frozen=True)
class ResourceAttrs:
    """What a resource type's filters and sort may name."""

    attrs: dict[str, Attr]
    """Lower-cased names: ``username``, ``name.givenname``, ``meta.created``..."""
    multi: dict[str, MultiValued] = field(default_factory=dict)
    extension_attrs: dict[str, Attr] = field(default_factory=dict)


def compile_filter(node: Filter, spec: ResourceAttrs) -> Condition:
    return _Compiler(spec).node(node)


def sort_column(path: Path, spec: ResourceAttrs) -> Any:
    """The column a sort attribute orders by (multi-valued: its primary value)."""
    try:
        attr, _ = _Compiler(spec).resolve(path)
    except FilterError as error:
        raise SortError(error.detail) from None
    if attr.column is None:
        raise SortError(f"cannot sort by {path}", unsortable=True)
    if attr.kind is Kind.TEXT and not attr.lowered:
        return func.lower(attr.column)
    return attr.column


def order_by(
    spec: ResourceAttrs, key: Any, sort_by: Callable[[], Path] | None, descending: bool
) -> list[Any]:
    """The ORDER BY of a sorted list: the sort column, then the unique key. ``sort_by`` is
    called only now, so a door reports a bad filter before a bad sort attribute."""
    if sort_by is None:
        return [key]
    column = sort_column(sort_by(), spec)
    return [column.desc() if descending else column, key]


class _Compiler:
    def __init__(self, spec: ResourceAttrs) -> None:
        self.spec = spec

    def node(self, node: Filter) -> Condition:
        if isinstance(node, Logical):
            terms = [self.node(term) for term in node.terms]
            return and_(*terms) if node.op == "and" else or_(*terms)
        if isinstance(node, Not):
            # NULL (an absent attribute) must count as false before it is negated.
            return not_(func.coalesce(self.node(node.expr), false()))
        if isinstance(node, ValueFilter):
            return self.value_filter(node)
        if isinstance(node, Present):
            attr, wrap = self.resolve(node.path)
            return wrap(_present(attr))
        attr, wrap = self.resolve(node.path)
        return wrap(_compare(attr, node.op, node.value, str(node.path)))

    def value_filter(self, node: ValueFilter) -> Condition:
        multi = self._multi(node.path)
        if multi is None or node.path.sub_attr is not None:
            raise FilterError(f"{node.path} is not a multi-valued attribute")
        inner = _Compiler(ResourceAttrs(attrs=multi.attrs))
        return multi.wrap(inner.node(node.filter))

    def _multi(self, path: Path) -> MultiValued | None:
        if path.namespace not in (None, "core"):
            return None
        return self.spec.multi.get(path.attr.lower())

    def resolve(self, path: Path) -> tuple[Attr, Callable[[Condition], Condition]]:
        """The attribute a path names, and how a condition on it applies to the resource."""
        name = path.attr.lower()
        sub = path.sub_attr.lower() if path.sub_attr else None
        namespace = path.namespace
        if namespace == "extension" or (namespace is None and name in self.spec.extension_attrs):
            found = self.spec.extension_attrs.get(f"{name}.{sub}" if sub else name)
            if found is not None:
                return found, _same
        elif namespace in (None, "core"):
            multi = self.spec.multi.get(name)
            if multi is not None:
                sub_attr = multi.attrs.get(sub or multi.default_sub)
                if sub_attr is not None:
                    return sub_attr, multi.wrap
            else:
                found = self.spec.attrs.get(f"{name}.{sub}" if sub else name)
                if found is not None:
                    return found, _same
        raise FilterError(f"unknown or unsupported attribute {path}")


def _same(condition: Condition) -> Condition:
    return condition


def _present(attr: Attr) -> Condition:
    if attr.kind is Kind.CONSTANT:
        return true() if attr.constant is not None else false()
    if attr.kind in (Kind.TEXT, Kind.EXACT):
        return and_(attr.column.is_not(None), attr.column != "")
    return attr.column.is_not(None)  # type: ignore[no-any-return]


STRING_OPS = {"co", "sw", "ew"}
ORDERING = {"gt", "ge", "lt", "le"}


def _compare(attr: Attr, op: Operator, value: Any, name: str) -> Condition:
    if attr.kind is Kind.CONSTANT:
        return true() if _compare_constant(attr.constant, op, value) else false()
    if value is None:
        if op == "eq":
            return _absent(attr)
        if op == "ne":
            return _present(attr)
        raise FilterError(f"{name}: null can only be compared with eq or ne")
    if attr.kind is Kind.ID and op not in STRING_OPS and _as_id(value) is None:
        return true() if op == "ne" else false()  # no row has such an id
    column, operand = _operands(attr, op, value, name)
    if op == "eq":
        return column == operand  # type: ignore[no-any-return]
    if op == "ne":
        return or_(column.is_(None), column != operand)
    if op == "co":
        return column.contains(operand, autoescape=True)  # type: ignore[no-any-return]
    if op == "sw":
        return column.startswith(operand, autoescape=True)  # type: ignore[no-any-return]
    if op == "ew":
        return column.endswith(operand, autoescape=True)  # type: ignore[no-any-return]
    if op == "gt":
        return column > operand  # type: ignore[no-any-return]
    if op == "ge":
        return column >= operand  # type: ignore[no-any-return]
    if op == "lt":
        return column < operand  # type: ignore[no-any-return]
    return column <= operand  # type: ignore[no-any-return]


def _absent(attr: Attr) -> Condition:
    if attr.kind in (Kind.TEXT, Kind.EXACT):
        return or_(attr.column.is_(None), attr.column == "")
    return attr.column.is_(None)  # type: ignore[no-any-return]


def _operands(attr: Attr, op: Operator, value: Any, name: str) -> tuple[Any, Any]:
    if attr.kind in (Kind.TEXT, Kind.EXACT):
        if not isinstance(value, str):
            raise FilterError(f"{name} is compared with a string")
        if attr.kind is Kind.EXACT:
            return attr.column, value
        column = attr.column if attr.lowered else func.lower(attr.column)
        return column, value.lower()
    if op in STRING_OPS:
        raise FilterError(f"{op} needs a string attribute, not {name}")
    if attr.kind is Kind.BOOLEAN:
        if op in ORDERING:
            raise FilterError(f"{name} is a boolean: use eq or ne")
        if not isinstance(value, bool):
            raise FilterError(f"{name} is compared with true or false")
        return attr.column, value
    if attr.kind is Kind.ID:
        return attr.column, _as_id(value)
    return attr.column, _as_datetime(value, name)


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else None  # beyond BIGINT: no row has it
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _as_datetime(value: Any, name: str) -> datetime:
    if not isinstance(value, str):
        raise FilterError(f"{name} is compared with a dateTime string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise FilterError(f"{name}: {value!r} is not a dateTime") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)  # as stored; the edges of the calendar do not convert
    except OverflowError:
        raise FilterError(f"{name}: {value!r} is out of range") from None


def _compare_constant(constant: Any, op: Operator, value: Any) -> bool:
    if isinstance(constant, str) and isinstance(value, str):
        left, right = constant.lower(), value.lower()
        checks = {
            "eq": left == right,
            "ne": left != right,
            "co": right in left,
            "sw": left.startswith(right),
            "ew": left.endswith(right),
        }
        return checks.get(op, False)
    if op == "eq":
        return bool(constant == value)
    if op == "ne":
        return bool(constant != value)
    return False
