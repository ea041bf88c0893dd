"""What the SCIM routes read and answer, declared in ``/scim/v2/openapi.json``.

The handlers take the raw request (SCIM attribute names are case-insensitive, bodies arrive
as ``application/scim+json``), so FastAPI cannot infer their bodies, query parameters or
statuses; this module states them (RFC 7643/7644) so clients and fuzzers see the real surface.
"""

from __future__ import annotations

import copy
from typing import Any

from syllabus.dialects.scim.schema import ENTERPRISE_URN

MEDIA_TYPES = ("application/scim+json", "application/json")

_STRING = {"type": "string"}
_SCHEMAS = {"type": "array", "items": _STRING}

USER_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["schemas", "userName"],
    "properties": {
        "schemas": _SCHEMAS,
        "userName": _STRING,
        "externalId": _STRING,
        "displayName": _STRING,
        "title": _STRING,
        "locale": _STRING,
        "active": {"type": "boolean"},
        "name": {
            "type": "object",
            "properties": {"givenName": _STRING, "familyName": _STRING, "formatted": _STRING},
        },
        "emails": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "value": _STRING,
                    "type": _STRING,
                    "primary": {"type": "boolean"},
                },
            },
        },
        ENTERPRISE_URN: {
            "type": "object",
            "properties": {
                "employeeNumber": _STRING,
                "department": _STRING,
                "manager": {"type": "object", "properties": {"value": _STRING}},
            },
        },
    },
}

GROUP_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["schemas", "displayName"],
    "properties": {
        "schemas": _SCHEMAS,
        "displayName": _STRING,
        "externalId": _STRING,
        "members": {
            "type": "array",
            "items": {"type": "object", "required": ["value"], "properties": {"value": _STRING}},
        },
    },
}

PATCH_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["schemas", "Operations"],
    "properties": {
        "schemas": _SCHEMAS,
        "Operations": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["op"],
                "properties": {
                    "op": {"type": "string", "enum": ["add", "remove", "replace"]},
                    "path": _STRING,
                    "value": {},
                },
            },
        },
    },
}

SEARCH_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "schemas": _SCHEMAS,
        "filter": _STRING,
        "startIndex": {"type": "integer"},
        "count": {"type": "integer"},
        "sortBy": _STRING,
        "sortOrder": {"type": "string", "enum": ["ascending", "descending"]},
        "attributes": {"type": "array", "items": _STRING},
        "excludedAttributes": {"type": "array", "items": _STRING},
        "cursor": _STRING,
    },
}


def _query(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema}


PROJECTION = [_query("attributes", _STRING), _query("excludedAttributes", _STRING)]
LISTING = [
    _query("filter", _STRING),
    _query("startIndex", {"type": "integer"}),
    _query("count", {"type": "integer"}),
    _query("sortBy", _STRING),
    _query("sortOrder", {"type": "string", "enum": ["ascending", "descending"]}),
    _query("cursor", _STRING),
    *PROJECTION,
]
IF_MATCH = {"name": "If-Match", "in": "header", "required": False, "schema": _STRING}

_ERROR = {"description": "SCIM error (RFC 7644 §3.12)"}
_RESOURCE = {"description": "The resource"}
_LIST = {"description": "ListResponse"}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {media: {"schema": copy.deepcopy(schema)} for media in MEDIA_TYPES},
    }


def _operations() -> dict[tuple[str, str], dict[str, Any]]:
    """Per (method, path): parameters, body and statuses to put in the generated document."""
    declared: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, body in (("Users", USER_BODY), ("Groups", GROUP_BODY)):
        one = f"/{kind}/{{{kind[:-1].lower()}_id}}"
        declared[("get", f"/{kind}")] = {
            "parameters": LISTING,
            "responses": {"200": _LIST, "400": _ERROR},
        }
        declared[("post", f"/{kind}/.search")] = {
            "requestBody": _body(SEARCH_BODY),
            "responses": {"200": _LIST, "400": _ERROR},
        }
        declared[("post", f"/{kind}")] = {
            "parameters": PROJECTION,
            "requestBody": _body(body),
            "responses": {"201": _RESOURCE, "400": _ERROR, "409": _ERROR},
        }
        declared[("get", one)] = {
            "parameters": PROJECTION,
            "responses": {"200": _RESOURCE, "404": _ERROR},
        }
        for method, write in (("put", body), ("patch", PATCH_BODY)):
            declared[(method, one)] = {
                "parameters": [*PROJECTION, IF_MATCH],
                "requestBody": _body(write),
                "responses": {
                    "200": _RESOURCE,
                    "400": _ERROR,
                    "404": _ERROR,
                    "409": _ERROR,
                    "412": _ERROR,
                },
            }
        declared[("delete", one)] = {
            "parameters": [IF_MATCH],
            "responses": {"204": {"description": "Deleted"}, "404": _ERROR, "412": _ERROR},
        }
    declared[("post", "/.search")] = {
        "requestBody": _body(SEARCH_BODY),
        "responses": {"200": _LIST, "400": _ERROR, "501": _ERROR},
    }
    declared[("post", "/Bulk")] = {
        "responses": {"501": {"description": "Bulk operations are not supported"}},
    }
    return declared


def declare(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with each operation's real parameters, body and statuses filled in."""
    for (method, path), extra in _operations().items():
        operation = document["paths"][path][method]
        params = [p for p in operation.get("parameters", []) if p["in"] == "path"]
        operation["parameters"] = params + copy.deepcopy(extra.get("parameters", []))
        if not operation["parameters"]:
            del operation["parameters"]
        if "requestBody" in extra:
            operation["requestBody"] = extra["requestBody"]
        # FastAPI's 200/422 describe neither what these handlers answer nor how they fail.
        operation["responses"] = copy.deepcopy(extra["responses"])
    return document
