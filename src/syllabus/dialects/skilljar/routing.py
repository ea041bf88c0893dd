"""A router that answers every path with and without its trailing slash, never redirecting.

The official document writes ``/v1/users``; the guide writes ``/v1/users/``. Some clients do not
follow redirects and a redirected POST becomes a GET, so both forms are real routes; the
OpenAPI document lists the official form only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter


class SkilljarRouter(APIRouter):
    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().add_api_route(path, endpoint, **kwargs)
        alias = path[:-1] if path.endswith("/") else path + "/"
        alias_kwargs = {**kwargs, "include_in_schema": False}
        alias_kwargs.pop("operation_id", None)
        super().add_api_route(alias, endpoint, **alias_kwargs)
