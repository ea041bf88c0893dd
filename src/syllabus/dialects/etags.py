"""ETags on every door: rendered from a resource's version, and ``If-Match`` parsed back into
the version the service checks (``core.versions``). The tag is an opaque quoted string to
clients; ``W/`` prefixes are accepted (weak comparison, as both doors did before)."""

from __future__ import annotations

from syllabus.core.versions import Expected, Version


def render_etag(version: Version, *, weak: bool = False) -> str:
    tag = '"v' + ".".join(map(str, version)) + '"'
    return "W/" + tag if weak else tag


def _version(tag: str) -> Version | None:
    tag = tag.strip().removeprefix("W/")
    if len(tag) < 3 or not tag.startswith('"v') or not tag.endswith('"'):
        return None
    body = tag[2:-1]
    parts = body.split(".") if body else []
    if not all(part.isdigit() and len(part) < 19 for part in parts):
        return None
    return tuple(int(part) for part in parts)


def parse_if_match(header: str | None) -> Expected | None:
    """``None`` (no precondition) when absent or ``*``; otherwise the versions it names. A tag
    that is not one of ours names no version, so it never matches (a 412)."""
    if header is None:
        return None
    tags = [part.strip() for part in header.split(",") if part.strip()]
    if "*" in tags:
        return None
    return Expected(frozenset(v for v in map(_version, tags) if v is not None))
