"""The action table: each SkyPrep action name maps to one function of (session, call)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from syllabus.core.context import Context


@dataclass(frozen=True, slots=True)
class Call:
    ctx: Context
    acct_key: str
    """The program's acct_key."""
    time_zone: str
    """The program's IANA time zone."""
    params: dict[str, Any]
    origin: str = ""
    """``scheme://host[:port]`` the request came to, for links back to this server."""
    data_dir: Path | None = None
    """The deployment's data directory, for actions that leave files (async reports)."""


Handler = Callable[[Session, Call], Any]
Answer = Callable[[Call], Any]


@dataclass(frozen=True, slots=True)
class Action:
    handler: Handler | None = None
    read_only: bool = False
    """Read-only actions run in a deferred transaction, so on SQLite they never queue for
    the write lock behind writers."""
    answer: Answer | None = None
    """For actions that need nothing but the caller's identity: with a cached key they are
    answered on the event loop, without a thread hop or a database round trip."""
    file_formats: frozenset[str] = frozenset()
    """``format`` values the router leaves to the handler (a report's csv/xlsx) instead of
    reading them as the answer's json/xml."""


ACTIONS: dict[str, Action] = {}


def _add(name: str, spec: Action) -> None:
    # Two modules claiming one action name would otherwise let import order decide silently.
    if name in ACTIONS:
        raise RuntimeError(f"SkyPrep action {name!r} is registered twice")
    ACTIONS[name] = spec


def action(
    name: str, *, read_only: bool = False, file_formats: frozenset[str] = frozenset()
) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _add(name, Action(handler=fn, read_only=read_only, file_formats=file_formats))
        return fn

    return register


def identity_action(name: str) -> Callable[[Answer], Answer]:
    def register(fn: Answer) -> Answer:
        _add(name, Action(answer=fn, read_only=True))
        return fn

    return register


@identity_action("test_connection")
def test_connection(call: Call) -> dict[str, Any]:
    return {"message": "success", "acct_key": call.acct_key}


@identity_action("available_api_calls")
def available_api_calls(call: Call) -> list[str]:
    return sorted(ACTIONS)
