"""A router that answers every path with and without its trailing slash, never redirecting, and
hands each write's response to its unit of work.

The official document writes ``/v1/users``; the guide writes ``/v1/users/``. Some clients do not
follow redirects and a redirected POST becomes a GET, so both forms are real routes; the
OpenAPI document lists the official form only.

A write handler's response is recorded on its ``Api`` before the unit of work commits, so an
``Idempotency-Key``'s answer is kept in the same transaction as the work (see ``api.py``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

from syllabus.dialects.skilljar.api import Api

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _recording(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """``endpoint``, noting what it returns on the request's ``Api`` (FastAPI reads the
    signature through ``__wrapped__``, so the parameters and dependencies are unchanged)."""

    def record(kwargs: dict[str, Any], response: Any) -> Any:
        for value in kwargs.values():
            if isinstance(value, Api):
                value.response = response
        return response

    if inspect.iscoroutinefunction(endpoint):

        @functools.wraps(endpoint)
        async def wrapped_async(*args: Any, **kwargs: Any) -> Any:
            return record(kwargs, await endpoint(*args, **kwargs))

        return wrapped_async

    @functools.wraps(endpoint)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return record(kwargs, endpoint(*args, **kwargs))

    return wrapped


class SkilljarRouter(APIRouter):
    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if WRITE_METHODS & set(kwargs.get("methods") or ()):
            endpoint = _recording(endpoint)
        super().add_api_route(path, endpoint, **kwargs)
        alias = path[:-1] if path.endswith("/") else path + "/"
        alias_kwargs = {**kwargs, "include_in_schema": False}
        alias_kwargs.pop("operation_id", None)
        super().add_api_route(alias, endpoint, **alias_kwargs)
