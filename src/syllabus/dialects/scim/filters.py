"""SCIM filters (RFC 7644 §3.4.2.2) and sortBy, read into the queries' attribute filters.

scim2-models parses the text; this module turns its syntax tree into
``syllabus.queries.attribute_filters``' own, naming each path's schema relative to the
resource (its core schema, its extension, or one it lacks). The users and groups queries
compile that tree against their columns, so this door holds no SQL; their ``FilterError`` and
``SortError`` become SCIM's invalidFilter and invalidValue here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from scim2_models import InvalidFilterException, InvalidValueException, ScimFilter
from scim2_models.path import (
    AttrPath,
    Comparison,
    FilterNode,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)

from syllabus.queries import attribute_filters as q

MAX_FILTER_CHARS = 4096
MAX_FILTER_TERMS = 100
"""An IdP's filter is one or a few comparisons; these bounds keep a crafted one from costing
seconds of parsing or a statement deeper than the database accepts (answered invalidFilter)."""


def parse_filter(text: str) -> FilterNode:
    if len(text) > MAX_FILTER_CHARS:
        raise InvalidFilterException(
            detail=f"the filter is longer than {MAX_FILTER_CHARS} characters"
        )
    try:
        node = ScimFilter(text).ast
    except InvalidFilterException:
        raise
    except (ValueError, TypeError, RecursionError) as error:
        raise InvalidFilterException(detail=str(error) or "the filter cannot be read") from None
    if _terms(node) > MAX_FILTER_TERMS:
        raise InvalidFilterException(detail=f"the filter has more than {MAX_FILTER_TERMS} terms")
    return node


def _terms(node: FilterNode) -> int:
    """The comparisons and presence tests in ``node``."""
    if isinstance(node, LogicalExpr):
        return sum(_terms(term) for term in node.terms)
    if isinstance(node, Not):
        return _terms(node.expr)
    if isinstance(node, ValuePath):
        return _terms(node.val_filter)
    return 1


class Schemas:
    """How one resource type names its schemas, for reading paths relative to it."""

    def __init__(self, core_urn: str, extension_urn: str | None = None) -> None:
        self.core = core_urn.lower()
        self.extension = extension_urn.lower() if extension_urn else None

    def path(self, attr_path: AttrPath) -> q.Path:
        uri = attr_path.uri.lower() if attr_path.uri else None
        namespace: q.Namespace = None
        if uri is not None:
            namespace = (
                "extension" if uri == self.extension else "core" if uri == self.core else "other"
            )
        return q.Path(attr_path.attr, attr_path.sub_attr, namespace, str(attr_path))

    def node(self, node: FilterNode) -> q.Filter:
        if isinstance(node, LogicalExpr):
            terms = tuple(self.node(term) for term in node.terms)
            if node.op is LogicalOperator.and_:
                return q.Logical("and", terms)
            return q.Logical("or", terms)
        if isinstance(node, Not):
            return q.Not(self.node(node.expr))
        if isinstance(node, ValuePath):
            return q.ValueFilter(self.path(node.attr_path), self.node(node.val_filter))
        if isinstance(node, Present):
            return q.Present(self.path(node.attr_path))
        if isinstance(node, Comparison):
            return q.Compare(self.path(node.attr_path), node.op.value, node.value)
        raise InvalidFilterException(detail=f"unsupported filter expression {node}")


def read_filter(text: str | None, schemas: Schemas) -> q.Filter | None:
    """The filter a list asks for, parsed (a syntax error is SCIM's invalidFilter)."""
    return schemas.node(parse_filter(text)) if text else None


def read_sort(text: str | None, schemas: Schemas) -> Callable[[], q.Path] | None:
    """The sortBy attribute, read when the query asks for it (after the filter compiled)."""
    if not text:
        return None

    def path() -> q.Path:
        try:
            node = parse_filter(f"{text} pr")
            if not isinstance(node, Present):
                raise InvalidFilterException(detail=f"{text!r} is not an attribute path")
        except (ValueError, InvalidFilterException):
            raise InvalidValueException(detail=f"sortBy: {text!r} is not an attribute") from None
        return schemas.path(node.attr_path)

    return path


@contextmanager
def scim_errors(sort_by: str | None) -> Iterator[None]:
    """A query's filter and sort errors, as SCIM answers them."""
    try:
        yield
    except q.FilterError as error:
        raise InvalidFilterException(detail=error.detail) from None
    except q.SortError as error:
        detail = f"cannot sort by {sort_by!r}" if error.unsortable else error.detail
        raise InvalidValueException(detail=f"sortBy: {detail}") from None
