"""Who is calling: the program's API key, sent the four ways real Skilljar clients send it.

HTTP Basic with the key as the username, as ``base64("key:")`` (official) and as
``base64("key")`` with no colon; ``Token <key>`` and ``Bearer <key>`` (the guide). SCIM tokens
are a different credential kind and are refused here.
"""

from __future__ import annotations

import base64
import binascii

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from syllabus.auth.cache import PrincipalCache
from syllabus.auth.keys import MAX_SECRET_LENGTH, Principal, authenticate
from syllabus.db.session import unit_of_work
from syllabus.dialects.skilljar.errors import Unauthorized
from syllabus.domain.credentials import CredentialKind

CACHE_SCOPE = "skilljar"
NO_CREDENTIALS = "Authentication credentials were not provided."
BAD_CREDENTIALS = "Invalid username/password."


def presented_key(authorization: str | None) -> str | None:
    """The key in an Authorization header value, or None when there is none."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    scheme = scheme.lower()
    value = value.strip()
    if scheme == "basic":
        if len(value) > 4 * MAX_SECRET_LENGTH:
            raise Unauthorized(BAD_CREDENTIALS)
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized(
                "Invalid basic header. Credentials not correctly base64 encoded."
            ) from None
        return decoded.partition(":")[0].strip() or None
    if scheme in {"token", "bearer"}:
        return value or None
    return None


def _check(factory: sessionmaker[Session], key: str) -> Principal | None:
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        return authenticate(session, key, CredentialKind.API_KEY)


async def principal_for(request: Request) -> Principal:
    """The authenticated program, from the cache or one indexed lookup; 401 otherwise."""
    key = presented_key(request.headers.get("authorization"))
    if key is None:
        raise Unauthorized(NO_CREDENTIALS)
    state = request.app.state
    cache: PrincipalCache = state.auth_cache
    cache_key = cache.key(CredentialKind.API_KEY, key, CACHE_SCOPE)
    principal = cache.get(cache_key)
    if principal is None:
        principal = await run_in_threadpool(_check, state.session_factory, key)
        if principal is None:
            raise Unauthorized(BAD_CREDENTIALS)
        cache.put(cache_key, principal)
    return principal
