"""SkyPrep's way in: an API key with the program's ``acct_key`` beside it, from the parameters
or the ``X-SkyPrep-*`` headers; the action dispatcher and the material downloads both come
through here, so both are identified, cached and rate limited alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request

from syllabus.auth.cache import PrincipalCache
from syllabus.auth.keys import Principal, tenant_has_domain
from syllabus.core.credentials import CredentialKind
from syllabus.db.session import unit_of_work
from syllabus.dialects.skyprep.errors import Unauthorized
from syllabus.pipeline.doors import Door

SKYPREP = Door(
    "skyprep",
    CredentialKind.API_KEY,
    lambda headers: headers.get("x-skyprep-api-key"),
    render_error=None,  # in the request's format: ``_refusal``
)
"""SkyPrep's door: an API key with the program's ``acct_key`` beside it, cached per acct_key.
``extract`` is the header form (``X-SkyPrep-Api-Key``); the dispatcher reads the ``api_key``
parameter first (``credentials``), since it may travel in the body."""


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return None if value is None else str(value)


def credentials(params: dict[str, Any], headers: Headers) -> tuple[str, str]:
    api_key = _first(params.pop("api_key", None)) or SKYPREP.extract(headers)
    acct_key = _first(params.pop("acct_key", None)) or headers.get("x-skyprep-acct-key")
    if not api_key:
        raise Unauthorized("api_key is required", field="api_key")
    if not acct_key:
        raise Unauthorized("acct_key is required", field="acct_key")
    return api_key, acct_key


def _authenticate(
    factory: sessionmaker[Session], cache: PrincipalCache, api_key: str, acct_key: str
) -> Principal:
    """Check the key and acct_key (a cache miss), before any guard or action runs."""
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        principal = SKYPREP.verify(session, api_key)
        if principal is None:
            raise Unauthorized("invalid api_key", field="api_key")
        if not tenant_has_domain(session, principal.tenant_id, acct_key):
            raise Unauthorized("acct_key does not belong to this api_key", field="acct_key")
    cache.put(cache.key(SKYPREP.kind, api_key, acct_key), principal)
    return principal


async def skyprep_caller(request: Request, api_key: str, acct_key: str) -> Principal:
    """The caller behind the key and acct_key: from the cache, else checked in a thread."""
    cache: PrincipalCache = request.app.state.auth_cache
    principal = cache.get(cache.key(SKYPREP.kind, api_key, acct_key))
    if principal is None:
        factory = request.app.state.session_factory
        principal = await run_in_threadpool(_authenticate, factory, cache, api_key, acct_key)
    return principal
