"""Who is acting, for which program, through which door (the surface): passed to every service
call. The doors are core vocabulary, below the tables that record them."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Surface(enum.StrEnum):
    """The door a change came through."""

    SKYPREP = "skyprep"
    SKILLJAR = "skilljar"
    SCIM = "scim"
    WEB = "web"
    CLI = "cli"
    WORKER = "worker"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Context:
    tenant_id: int
    actor: str
    """``key:<id>``, ``user:<id>``, ``scim:<token id>`` or ``cli``: never a secret."""
    surface: Surface
