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


Action = Callable[[Session, Call], Any]
ACTIONS: dict[str, Action] = {}


def action(name: str) -> Callable[[Action], Action]:
    def register(fn: Action) -> Action:
        ACTIONS[name] = fn
        return fn

    return register


@action("test_connection")
def test_connection(session: Session, call: Call) -> dict[str, Any]:
    tenant = get_tenant(session, call.ctx.tenant_id)
    return {"message": "success", "acct_key": tenant.acct_key}


@action("available_api_calls")
def available_api_calls(session: Session, call: Call) -> list[str]:
    return sorted(ACTIONS)
