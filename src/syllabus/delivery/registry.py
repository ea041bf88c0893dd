"""What the worker knows how to do: job handlers by kind, and event fan-out handlers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from syllabus.domain.events import Event
from syllabus.domain.jobs import Job

JobHandler = Callable[[Session, Job], dict[str, Any] | None]
"""Runs inside the job's transaction; its writes commit together with the job's completion."""
EventHandler = Callable[[Session, Event], None]
"""Turns one outbox event into jobs (e.g. one webhook delivery per subscriber). A handler
that also has ``handle_batch(session, events)`` is handed each dispatched batch at once."""


class UnknownJobKind(LookupError):
    pass


@dataclass
class Registry:
    jobs: dict[str, JobHandler] = field(default_factory=dict)
    event_handlers: list[EventHandler] = field(default_factory=list)

    def job(self, kind: str) -> Callable[[JobHandler], JobHandler]:
        def register(handler: JobHandler) -> JobHandler:
            self.jobs[kind] = handler
            return handler

        return register

    def on_event(self, handler: EventHandler) -> EventHandler:
        self.event_handlers.append(handler)
        return handler

    def handler_for(self, kind: str) -> JobHandler:
        try:
            return self.jobs[kind]
        except KeyError:
            raise UnknownJobKind(f"no handler registered for job kind {kind!r}") from None


registry = Registry()
"""The process-wide registry; modules register their handlers at import time."""
