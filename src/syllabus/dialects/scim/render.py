"""SCIM responses: application/scim+json, compact orjson, ETag headers."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

MEDIA_TYPE = "application/scim+json"


def scim_response(
    body: Any, status: int = 200, *, headers: dict[str, str] | None = None
) -> Response:
    return Response(orjson.dumps(body), status, headers, MEDIA_TYPE)
