"""RFC 7644 §3.5.2 PATCH, applied to a resource's SCIM representation (a dict).

The operations change a copy; the caller turns the result into one service update, so a
request either applies every operation or none. What Okta and Entra really send is accepted:
capitalised ops, path-less values with dotted or URN keys, value-filter paths with a
sub-attribute (a ``replace`` on ``emails[type eq "work"].value`` with no work email adds
one), member removal by a value list or by a filter, the read-only ``id`` echoed unchanged.
"""

from __future__ import annotations

import copy
from typing import Any

from scim2_models import (
    InvalidPathException,
    InvalidSyntaxException,
    InvalidValueException,
    MutabilityException,
    NoTargetException,
    Path,
)
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

from syllabus.dialects.scim.schema import PATCH_URN, AttrDef, ResourceDef

OPS = ("add", "replace", "remove")
MAX_OPERATIONS = 1000


def operations(body: Any) -> list[tuple[str, str | None, Any]]:
    """Check a PatchOp message; (op, path, value) for each operation, op lower-cased."""
    if not isinstance(body, dict):
        raise InvalidSyntaxException(detail="a PatchOp message must be a JSON object")
    fields = {k.lower(): v for k, v in body.items()}
    schemas = fields.get("schemas")
    if not isinstance(schemas, list) or PATCH_URN.lower() not in {str(s).lower() for s in schemas}:
        raise InvalidSyntaxException(detail=f"schemas must contain {PATCH_URN}")
    ops = fields.get("operations")
    if not isinstance(ops, list) or not ops:
        raise InvalidSyntaxException(detail="Operations must be a non-empty array")
    if len(ops) > MAX_OPERATIONS:
        raise InvalidSyntaxException(detail=f"at most {MAX_OPERATIONS} operations per request")
    out = []
    for index, raw in enumerate(ops):
        if not isinstance(raw, dict):
            raise InvalidSyntaxException(detail=f"Operations[{index}] must be an object")
        op_fields = {k.lower(): v for k, v in raw.items()}
        op = op_fields.get("op")
        if not isinstance(op, str) or op.lower() not in OPS:
            raise InvalidSyntaxException(
                detail=f"Operations[{index}].op must be add, replace or remove"
            )
        path = op_fields.get("path")
        if path is not None and (not isinstance(path, str) or not path.strip()):
            raise InvalidPathException(detail=f"Operations[{index}].path must be a string")
        if op.lower() != "remove" and "value" not in op_fields:
            raise InvalidValueException(detail=f"Operations[{index}] needs a value")
        out.append((op.lower(), path.strip() if path else None, op_fields.get("value")))
    return out


def apply_patch(resource: dict[str, Any], body: Any, spec: ResourceDef) -> dict[str, Any]:
    """The resource with every operation applied; raises without touching ``resource``."""
    result = copy.deepcopy(resource)
    for op, path, value in operations(body):
        if path is None:
            _apply_pathless(result, op, value, spec)
        elif spec.extension_urn and path.lower() == spec.extension_urn.lower():
            if op == "remove":
                result.pop(_key(result, spec.extension_urn) or spec.extension_urn, None)
            else:
                _apply_pathless(result, op, {spec.extension_urn: value}, spec)
        else:
            _apply(result, op, _parse_path(path), value, spec)
    return result


def _parse_path(path: str) -> AttrPath | ValuePath:
    try:
        node = Path(path).ast
    except (InvalidPathException, ValueError) as error:
        raise InvalidPathException(detail=f"{path!r}: {error}") from None
    if not isinstance(node, AttrPath | ValuePath):
        raise InvalidPathException(detail=f"{path!r} is not an attribute path")
    return node


def _apply_pathless(result: dict[str, Any], op: str, value: Any, spec: ResourceDef) -> None:
    if op == "remove":
        raise NoTargetException(detail="remove needs a path")
    if not isinstance(value, dict):
        raise InvalidValueException(detail=f"{op} without a path needs an object value")
    for key, item in value.items():
        ext = spec.extension_urn
        if ext is not None and key.lower() == ext.lower():
            if not isinstance(item, dict):
                raise InvalidValueException(detail=f"{key} must be an object")
            for sub_key, sub_value in item.items():
                if sub_key.lower() != "schemas":
                    _apply(result, op, _parse_path(f"{ext}:{sub_key}"), sub_value, spec)
        elif key.lower() == spec.core_urn.lower() and isinstance(item, dict):
            for sub_key, sub_value in item.items():
                _apply(result, op, _parse_path(sub_key), sub_value, spec)
        else:
            _apply(result, op, _parse_path(key), item, spec)


def _container(result: dict[str, Any], uri: str | None, create: bool) -> dict[str, Any] | None:
    if uri is None:
        return result
    key = _key(result, uri) or uri
    found = result.get(key)
    if found is None and create:
        found = result[key] = {}
    return found if isinstance(found, dict) else None


def _key(obj: dict[str, Any], name: str) -> str | None:
    """The key of ``obj`` spelling ``name`` in any case."""
    lowered = name.lower()
    return next((k for k in obj if k.lower() == lowered), None)


def _resolve(path: AttrPath, spec: ResourceDef) -> tuple[str | None, AttrDef]:
    found = spec.find(path.attr, path.uri)
    if found is None:
        raise InvalidPathException(detail=f"unknown attribute {path}")
    uri, attr = found
    if attr.read_only or attr.ignored:
        return uri, attr  # refused or skipped whatever the sub-attribute
    if path.sub_attr is not None and path.sub_attr.lower() not in {s.lower() for s in attr.sub}:
        raise InvalidPathException(detail=f"unknown sub-attribute {path}")
    return uri, attr


def _apply(
    result: dict[str, Any], op: str, path: AttrPath | ValuePath, value: Any, spec: ResourceDef
) -> None:
    attr_path = path.attr_path if isinstance(path, ValuePath) else path
    uri, attr = _resolve(attr_path, spec)
    if attr.read_only:
        if op != "remove" and attr.name == "id" and str(value) == str(result.get("id")):
            return  # Okta echoes the id it read; an unchanged id is not a change
        raise MutabilityException(detail=f"{attr.name} is read-only")
    if attr.ignored:
        return
    container = _container(result, uri, create=op != "remove")
    if container is None:
        return
    key = _key(container, attr.name) or attr.name
    sub_attr = attr_path.sub_attr
    if isinstance(path, ValuePath):
        if not attr.multi:
            raise InvalidPathException(detail=f"{attr.name} is not multi-valued")
        if path.sub_attr is not None and path.sub_attr.lower() not in {s.lower() for s in attr.sub}:
            raise InvalidPathException(detail=f"unknown sub-attribute {path}")
        _apply_filtered(container, key, op, path, value, attr)
    elif sub_attr is not None:
        _apply_sub(container, key, op, sub_attr, value, attr)
    elif attr.multi:
        _apply_multi(container, key, op, value)
    elif op == "remove":
        container.pop(key, None)
    elif attr.sub and isinstance(value, dict) and isinstance(container.get(key), dict):
        container[key] = {**container[key], **value}  # a complex value merges its sub-attributes
    else:
        container[key] = value


def _apply_sub(
    container: dict[str, Any], key: str, op: str, sub_attr: str, value: Any, attr: AttrDef
) -> None:
    if attr.multi:
        items = container.get(key) or []
        if op == "remove":
            for item in items:
                if isinstance(item, dict):
                    item.pop(_key(item, sub_attr) or sub_attr, None)
            return
        raise InvalidPathException(
            detail=f"{attr.name}.{sub_attr}: select the values with a filter, e.g. "
            f'{attr.name}[type eq "work"].{sub_attr}'
        )
    current = container.get(key)
    if not isinstance(current, dict):
        if op == "remove":
            return
        current = container[key] = {}
    sub_key = _key(current, sub_attr) or sub_attr
    if op == "remove":
        current.pop(sub_key, None)
    else:
        current[sub_key] = value


def _values(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _identity(item: Any) -> Any:
    if isinstance(item, dict):
        return str(item.get(_key(item, "value") or "value"))
    return str(item)


def _apply_multi(container: dict[str, Any], key: str, op: str, value: Any) -> None:
    current = container.get(key) or []
    if op == "replace":
        container[key] = _values(value) if value is not None else []
    elif op == "add":
        seen = {_identity(item) for item in current}
        added = [v for v in _values(value) if _identity(v) not in seen]
        container[key] = current + added
    elif value is None:
        container.pop(key, None)
    else:
        # Entra's legacy member removal: remove only the values named, never all.
        gone = {_identity(v) for v in _values(value)}
        container[key] = [item for item in current if _identity(item) not in gone]


def _apply_filtered(
    container: dict[str, Any], key: str, op: str, path: ValuePath, value: Any, attr: AttrDef
) -> None:
    items = container.get(key) or []
    matching = [i for i, item in enumerate(items) if _matches(item, path.val_filter)]
    sub = path.sub_attr
    if op == "remove":
        if sub is None:
            container[key] = [item for i, item in enumerate(items) if i not in matching]
        else:
            for i in matching:
                items[i].pop(_key(items[i], sub) or sub, None)
        return
    if not matching:
        implied = _implied(path.val_filter)
        if implied is None:
            raise NoTargetException(detail=f"no value of {attr.name} matches the filter")
        new = dict(implied)
        if sub is None:
            if not isinstance(value, dict):
                raise InvalidValueException(detail=f"{attr.name} values are objects")
            new.update(value)
        else:
            new[sub] = value
        container[key] = [*items, new]
        return
    for i in matching:
        if sub is not None:
            items[i][_key(items[i], sub) or sub] = value
        elif isinstance(value, dict):
            items[i] = {**items[i], **value} if op == "add" else dict(value)
        else:
            raise InvalidValueException(detail=f"{attr.name} values are objects")
    container[key] = items


def _implied(node: FilterNode) -> dict[str, Any] | None:
    """The value a filter of ``eq`` conjunctions describes, to add when none matches."""
    if isinstance(node, Comparison) and node.op is CompareOperator.eq:
        if node.attr_path.sub_attr is not None or node.attr_path.uri is not None:
            return None
        return {node.attr_path.attr: node.value}
    if isinstance(node, LogicalExpr) and node.op is LogicalOperator.and_:
        out: dict[str, Any] = {}
        for term in node.terms:
            part = _implied(term)
            if part is None:
                return None
            out.update(part)
        return out
    return None


def _matches(item: Any, node: FilterNode) -> bool:
    """Evaluate a value filter on one value of one resource (already in memory)."""
    if isinstance(node, LogicalExpr):
        results = (_matches(item, term) for term in node.terms)
        return all(results) if node.op is LogicalOperator.and_ else any(results)
    if isinstance(node, Not):
        return not _matches(item, node.expr)
    if not isinstance(item, dict):
        item = {"value": item}
    if isinstance(node, Present):
        found = item.get(_key(item, node.attr_path.attr) or "")
        return found not in (None, "", [])
    if isinstance(node, Comparison):
        actual = item.get(_key(item, node.attr_path.attr) or "")
        return _compare(actual, node.op, node.value)
    raise InvalidPathException(detail="unsupported value filter")


def _compare(actual: Any, op: CompareOperator, expected: Any) -> bool:
    if isinstance(actual, str) and isinstance(expected, str):
        actual, expected = actual.lower(), expected.lower()
    elif isinstance(expected, bool) and isinstance(actual, str):
        actual = actual.lower() == "true"
    elif isinstance(actual, bool | int) or isinstance(expected, bool | int):
        actual, expected = str(actual).lower(), str(expected).lower()
    if op is CompareOperator.eq:
        return bool(actual == expected)
    if op is CompareOperator.ne:
        return bool(actual != expected)
    if actual is None or expected is None:
        return False
    if op is CompareOperator.co:
        return str(expected) in str(actual)
    if op is CompareOperator.sw:
        return str(actual).startswith(str(expected))
    if op is CompareOperator.ew:
        return str(actual).endswith(str(expected))
    try:
        if op is CompareOperator.gt:
            return bool(actual > expected)
        if op is CompareOperator.ge:
            return bool(actual >= expected)
        if op is CompareOperator.lt:
            return bool(actual < expected)
        return bool(actual <= expected)
    except TypeError:
        return False
