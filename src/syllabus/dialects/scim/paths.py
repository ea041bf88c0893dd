"""SCIM's resource endpoints in any letter case (``/scim/v2/users``, ``/GROUPS/.search``).

RFC 7644 names them ``Users``, ``Groups``, ``Schemas``, ``ResourceTypes`` and
``ServiceProviderConfig``, but some IdPs and SDKs send them lower-cased. Rather than a twin
route per spelling, the SCIM app rewrites the first segment to its canonical case on the way
in; ids and everything after the first segment are left as sent.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

CANONICAL = {
    name.lower(): name
    for name in ("Users", "Groups", "Schemas", "ResourceTypes", "ServiceProviderConfig")
}


class CanonicalResourcePaths:
    """ASGI middleware: the first segment under the mount in the case the routes declare."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = _canonical(scope)
        await self.app(scope, receive, send)


def _canonical(scope: Scope) -> Scope:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    prefix = root if root and path.startswith(root) else ""
    rest = path[len(prefix) :]
    segment = rest[1:].split("/", 1)[0]
    canonical = CANONICAL.get(segment.lower())
    if canonical is None or canonical == segment:
        return scope
    start = len(prefix) + 1
    fixed = path[:start] + canonical + path[start + len(segment) :]
    raw: bytes = scope.get("raw_path") or path.encode()
    raw_start = raw.find(b"/" + segment.encode(), len(prefix.encode()))
    if raw_start >= 0:  # the segment has no escapes (it matched a plain name)
        raw = raw[: raw_start + 1] + canonical.encode() + raw[raw_start + 1 + len(segment) :]
    return {**scope, "path": fixed, "raw_path": raw}
