"""The action table: each SkyPrep action name maps to one function of (session, call)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from syllabus.services.context import Context
from syllabus.services.tenants import get_tenant


@dataclass(frozen=True, slots=True)
class Call:
    ctx: Context
    params: dict[str, Any]


Handler = Callable[[Session, Call], Any]


@dataclass(frozen=True, slots=True)
class Action:
    handler: Handler
    read_only: bool
    """Read-only actions run in a deferred transaction, so on SQLite they never queue for
    the write lock behind writers."""


ACTIONS: dict[str, Action] = {}


def action(name: str, *, read_only: bool = False) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        ACTIONS[name] = Action(fn, read_only)
        return fn

    return register


@action("test_connection", read_only=True)
def test_connection(session: Session, call: Call) -> dict[str, Any]:
    tenant = get_tenant(session, call.ctx.tenant_id)
    return {"message": "success", "acct_key": tenant.acct_key}


@action("available_api_calls", read_only=True)
def available_api_calls(session: Session, call: Call) -> list[str]:
    return sorted(ACTIONS)
