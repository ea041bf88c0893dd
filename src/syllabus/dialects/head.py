"""``HEAD`` wherever ``GET`` is served, and the ``Allow`` header of a 405, for the REST surfaces.

FastAPI routes declare their methods one by one, so a ``GET`` route does not answer ``HEAD``
as Starlette's own routes do. Rather than a twin route per ``GET``, the surface's app runs a
``HEAD`` as the ``GET`` and drops the body on the way out: status and every header (``ETag``,
``Content-Length``, the guards' rate-limit headers) are the ``GET``'s, by construction. Once
the headers are out the ``GET`` is cancelled, so a stream (server-sent events) ends at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import anyio
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """ASGI middleware: a ``HEAD`` request is routed as ``GET`` and answered without a body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        with anyio.CancelScope() as producing:

            async def headers_only(message: Message) -> None:
                if message["type"] == "http.response.start":
                    await send(message)
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                    # The body is not wanted: stop making it (an event stream never ends).
                    producing.cancel()

            await self.app({**scope, "method": "GET"}, receive, headers_only)


def allowed_methods(request: Request, routes: Iterable[Any]) -> list[str]:
    """Every method some route serves at the request's path (FastAPI has a route per method),
    with ``HEAD`` wherever ``GET`` is, and ``OPTIONS``."""
    path = request.scope.get("route_path") or request.url.path
    root = request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    methods: set[str] = set()
    for route in routes:
        if getattr(route, "methods", None) and route.path_regex.match(path):
            methods.update(route.methods)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods | {"OPTIONS"})
