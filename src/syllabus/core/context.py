"""Who is acting, for which program, through which door: passed to every service call."""

from __future__ import annotations

from dataclasses import dataclass

from syllabus.domain.events import Surface


@dataclass(frozen=True, slots=True)
class Context:
    tenant_id: int
    actor: str
    """``key:<id>``, ``user:<id>``, ``scim:<token id>`` or ``cli``: never a secret."""
    surface: Surface
