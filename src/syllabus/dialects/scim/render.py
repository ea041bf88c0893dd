"""SCIM responses: application/scim+json, compact orjson, and ``attributes`` /
``excludedAttributes`` projection (RFC 7644 §3.9) on resources rendered as plain dicts.

Resources are built as dicts rather than scim2-models objects: a page of 100 users costs
over 100 ms through pydantic and a few through dicts; the payloads are the same, and the
scim2-tester and scim2-client suites validate them against scim2-models.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from scim2_models import ResponseParameters
from starlette.responses import Response

MEDIA_TYPE = "application/scim+json"
ALWAYS = {"schemas", "id"}
"""Attributes returned whatever the client selects (returned: always)."""


def scim_response(
    body: Any, status: int = 200, *, headers: dict[str, str] | None = None
) -> Response:
    return Response(orjson.dumps(body), status, headers, MEDIA_TYPE)


def timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _key(obj: dict[str, Any], name: str) -> str | None:
    lowered = name.lower()
    return next((k for k in obj if k.lower() == lowered), None)


def _parts(path: str, core_urn: str, extension_urn: str | None) -> tuple[str | None, list[str]]:
    """(the extension URN or None, the attribute names) a selection path names."""
    lowered = path.lower()
    if extension_urn and lowered == extension_urn.lower():
        return extension_urn, []
    for urn, target in ((extension_urn, extension_urn), (core_urn, None)):
        if urn and lowered.startswith(urn.lower() + ":"):
            return target, path[len(urn) + 1 :].split(".")
    return None, path.split(".")


def project(
    body: dict[str, Any],
    params: ResponseParameters[Any] | None,
    core_urn: str,
    extension_urn: str | None = None,
) -> dict[str, Any]:
    """Keep only the selected attributes, or drop the excluded ones (never id or schemas)."""
    if params is None or not (params.attributes or params.excluded_attributes):
        return body
    if params.attributes:
        out: dict[str, Any] = {k: v for k, v in body.items() if k in ALWAYS}
        for path in params.attributes:
            _copy(body, out, *_parts(str(path), core_urn, extension_urn))
    else:
        out = dict(body)
        for path in params.excluded_attributes or []:
            _drop(out, *_parts(str(path), core_urn, extension_urn))
    if extension_urn and extension_urn not in out and "schemas" in out:
        out["schemas"] = [s for s in out["schemas"] if s != extension_urn]
    return out


def _copy(
    source: dict[str, Any], target: dict[str, Any], urn: str | None, names: list[str]
) -> None:
    if urn is not None:
        inner = source.get(urn)
        if not isinstance(inner, dict):
            return
        if not names:
            target[urn] = inner
            return
        source, target = inner, target.setdefault(urn, {})
    if not names:
        return
    key = _key(source, names[0])
    if key is None or key in ALWAYS:
        return
    value = source[key]
    if len(names) == 1:
        target[key] = value
    elif isinstance(value, dict):
        sub = _key(value, names[1])
        if sub is not None:
            target.setdefault(key, {})[sub] = value[sub]
    elif isinstance(value, list):
        picked = [
            {k: v for k, v in item.items() if k.lower() == names[1].lower()} for item in value
        ]
        target[key] = [p for p in picked if p]


def _drop(body: dict[str, Any], urn: str | None, names: list[str]) -> None:
    if urn is not None:
        if not names:
            body.pop(urn, None)
            return
        inner = body.get(urn)
        if not isinstance(inner, dict):
            return
        body[urn] = inner = dict(inner)
        body = inner
    if not names:
        return
    key = _key(body, names[0])
    if key is None or key in ALWAYS:
        return
    if len(names) == 1:
        body.pop(key)
        return
    value = body[key]
    if isinstance(value, dict):
        body[key] = {k: v for k, v in value.items() if k.lower() != names[1].lower()}
    elif isinstance(value, list):
        body[key] = [
            {k: v for k, v in item.items() if k.lower() != names[1].lower()} for item in value
        ]
