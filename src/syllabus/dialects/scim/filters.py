"""SCIM filters (RFC 7644 §3.4.2.2) compiled to SQLAlchemy conditions, never run in memory.

scim2-models parses the filter into a syntax tree; this module walks the tree with a table
of the attributes each resource type supports. Attribute names match case-insensitively;
string comparisons follow each attribute's caseExact (userName no, externalId yes).
Multi-valued attributes (``emails``, ``members``) compile their value filters into one
condition per value row, so ``members[value eq "1" and value eq "2"]`` needs one member
that is both (RFC semantics), while ``members.value eq "1"`` alone is an EXISTS.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scim2_models import InvalidFilterException, InvalidValueException, ScimFilter
from scim2_models.path import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterNode,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)
from sqlalchemy import ColumnElement, and_, false, func, not_, or_, true

Condition = ColumnElement[bool]


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
    """What a resource type's filters and sortBy may name."""

    core_urn: str
    attrs: dict[str, Attr]
    """Lower-cased names: ``username``, ``name.givenname``, ``meta.created``..."""
    multi: dict[str, MultiValued] = field(default_factory=dict)
    extension_urn: str | None = None
    extension_attrs: dict[str, Attr] = field(default_factory=dict)


def parse_filter(text: str) -> FilterNode:
    try:
        return ScimFilter(text).ast
    except InvalidFilterException:
        raise
    except (ValueError, TypeError) as error:
        raise InvalidFilterException(detail=str(error)) from None


def compile_filter(text: str, spec: ResourceAttrs) -> Condition:
    return _Compiler(spec).node(parse_filter(text))


def sort_column(text: str, spec: ResourceAttrs) -> Any:
    """The column a ``sortBy`` attribute orders by (multi-valued: its primary value)."""
    try:
        attr_path = _parse_attr_path(text)
    except (ValueError, InvalidFilterException):
        raise InvalidValueException(detail=f"sortBy: {text!r} is not an attribute") from None
    compiler = _Compiler(spec)
    try:
        attr, _ = compiler.resolve(attr_path)
    except InvalidFilterException as error:
        raise InvalidValueException(detail=f"sortBy: {error.detail}") from None
    if attr.column is None:
        raise InvalidValueException(detail=f"sortBy: cannot sort by {text!r}")
    if attr.kind is Kind.TEXT and not attr.lowered:
        return func.lower(attr.column)
    return attr.column


def _parse_attr_path(text: str) -> AttrPath:
    node = parse_filter(f"{text} pr")
    if not isinstance(node, Present):
        raise InvalidFilterException(detail=f"{text!r} is not an attribute path")
    return node.attr_path


class _Compiler:
    def __init__(self, spec: ResourceAttrs) -> None:
        self.spec = spec

    def node(self, node: FilterNode) -> Condition:
        if isinstance(node, LogicalExpr):
            terms = [self.node(term) for term in node.terms]
            return and_(*terms) if node.op is LogicalOperator.and_ else or_(*terms)
        if isinstance(node, Not):
            # NULL (an absent attribute) must count as false before it is negated.
            return not_(func.coalesce(self.node(node.expr), false()))
        if isinstance(node, ValuePath):
            return self.value_path(node)
        if isinstance(node, Present):
            attr, wrap = self.resolve(node.attr_path)
            return wrap(_present(attr))
        if isinstance(node, Comparison):
            attr, wrap = self.resolve(node.attr_path)
            return wrap(_compare(attr, node.op, node.value, str(node.attr_path)))
        raise InvalidFilterException(detail=f"unsupported filter expression {node}")

    def value_path(self, node: ValuePath) -> Condition:
        multi = self._multi(node.attr_path)
        if multi is None or node.attr_path.sub_attr is not None:
            raise InvalidFilterException(detail=f"{node.attr_path} is not a multi-valued attribute")
        inner = _Compiler(ResourceAttrs(core_urn=self.spec.core_urn, attrs=multi.attrs))
        return multi.wrap(inner.node(node.val_filter))

    def _multi(self, attr_path: AttrPath) -> MultiValued | None:
        if attr_path.uri is not None and attr_path.uri.lower() != self.spec.core_urn.lower():
            return None
        return self.spec.multi.get(attr_path.attr.lower())

    def resolve(self, attr_path: AttrPath) -> tuple[Attr, Callable[[Condition], Condition]]:
        """The attribute a path names, and how a condition on it applies to the resource."""
        name = attr_path.attr.lower()
        sub = attr_path.sub_attr.lower() if attr_path.sub_attr else None
        uri = attr_path.uri.lower() if attr_path.uri else None
        ext = self.spec.extension_urn.lower() if self.spec.extension_urn else None
        if (uri is not None and uri == ext) or (uri is None and name in self.spec.extension_attrs):
            key = f"{name}.{sub}" if sub else name
            found = self.spec.extension_attrs.get(key)
            if found is not None:
                return found, _same
        elif uri is None or uri == self.spec.core_urn.lower():
            multi = self.spec.multi.get(name)
            if multi is not None:
                sub_attr = multi.attrs.get(sub or multi.default_sub)
                if sub_attr is not None:
                    return sub_attr, multi.wrap
            else:
                found = self.spec.attrs.get(f"{name}.{sub}" if sub else name)
                if found is not None:
                    return found, _same
        raise InvalidFilterException(detail=f"unknown or unsupported attribute {attr_path}")


def _same(condition: Condition) -> Condition:
    return condition


def _present(attr: Attr) -> Condition:
    if attr.kind is Kind.CONSTANT:
        return true() if attr.constant is not None else false()
    if attr.kind in (Kind.TEXT, Kind.EXACT):
        return and_(attr.column.is_not(None), attr.column != "")
    return attr.column.is_not(None)  # type: ignore[no-any-return]


STRING_OPS = {CompareOperator.co, CompareOperator.sw, CompareOperator.ew}
ORDERING = {CompareOperator.gt, CompareOperator.ge, CompareOperator.lt, CompareOperator.le}


def _compare(attr: Attr, op: CompareOperator, value: Any, name: str) -> Condition:
    if attr.kind is Kind.CONSTANT:
        return true() if _compare_constant(attr.constant, op, value) else false()
    if value is None:
        if op is CompareOperator.eq:
            return _absent(attr)
        if op is CompareOperator.ne:
            return _present(attr)
        raise InvalidFilterException(detail=f"{name}: null can only be compared with eq or ne")
    if attr.kind is Kind.ID and op not in STRING_OPS and _as_id(value) is None:
        return true() if op is CompareOperator.ne else false()  # no row has such an id
    column, operand = _operands(attr, op, value, name)
    if op is CompareOperator.eq:
        return column == operand  # type: ignore[no-any-return]
    if op is CompareOperator.ne:
        return or_(column.is_(None), column != operand)
    if op is CompareOperator.co:
        return column.contains(operand, autoescape=True)  # type: ignore[no-any-return]
    if op is CompareOperator.sw:
        return column.startswith(operand, autoescape=True)  # type: ignore[no-any-return]
    if op is CompareOperator.ew:
        return column.endswith(operand, autoescape=True)  # type: ignore[no-any-return]
    if op is CompareOperator.gt:
        return column > operand  # type: ignore[no-any-return]
    if op is CompareOperator.ge:
        return column >= operand  # type: ignore[no-any-return]
    if op is CompareOperator.lt:
        return column < operand  # type: ignore[no-any-return]
    return column <= operand  # type: ignore[no-any-return]


def _absent(attr: Attr) -> Condition:
    if attr.kind in (Kind.TEXT, Kind.EXACT):
        return or_(attr.column.is_(None), attr.column == "")
    return attr.column.is_(None)  # type: ignore[no-any-return]


def _operands(attr: Attr, op: CompareOperator, value: Any, name: str) -> tuple[Any, Any]:
    if attr.kind in (Kind.TEXT, Kind.EXACT):
        if not isinstance(value, str):
            raise InvalidFilterException(detail=f"{name} is compared with a string")
        if attr.kind is Kind.EXACT:
            return attr.column, value
        column = attr.column if attr.lowered else func.lower(attr.column)
        return column, value.lower()
    if op in STRING_OPS:
        raise InvalidFilterException(detail=f"{op.value} needs a string attribute, not {name}")
    if attr.kind is Kind.BOOLEAN:
        if op in ORDERING:
            raise InvalidFilterException(detail=f"{name} is a boolean: use eq or ne")
        if not isinstance(value, bool):
            raise InvalidFilterException(detail=f"{name} is compared with true or false")
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
        raise InvalidFilterException(detail=f"{name} is compared with a dateTime string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidFilterException(detail=f"{name}: {value!r} is not a dateTime") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)  # as stored; the edges of the calendar do not convert
    except OverflowError:
        raise InvalidFilterException(detail=f"{name}: {value!r} is out of range") from None


def _compare_constant(constant: Any, op: CompareOperator, value: Any) -> bool:
    if isinstance(constant, str) and isinstance(value, str):
        left, right = constant.lower(), value.lower()
        checks = {
            CompareOperator.eq: left == right,
            CompareOperator.ne: left != right,
            CompareOperator.co: right in left,
            CompareOperator.sw: left.startswith(right),
            CompareOperator.ew: left.endswith(right),
        }
        return checks.get(op, False)
    if op is CompareOperator.eq:
        return bool(constant == value)
    if op is CompareOperator.ne:
        return bool(constant != value)
    return False
