"""Collect an action's parameters from wherever SkyPrep clients put them.

Query string, urlencoded or multipart form, or a JSON object body (a JSON body on a GET
too), merged with the body winning over the query string.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request

from syllabus.services.errors import Invalid

MAX_BODY_BYTES = 10 * 1024 * 1024


async def collect_params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        for key in form:
            values = form.getlist(key)
            params[key] = values[0] if len(values) == 1 else list(values)
        return params
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise Invalid("body", f"request body is larger than {MAX_BODY_BYTES} bytes")
    if body.strip():
        try:
            decoded = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise Invalid("body", "request body is not valid JSON") from None
        if not isinstance(decoded, dict):
            raise Invalid("body", "a JSON body must be an object of parameters")
        params.update(decoded)
    return params
