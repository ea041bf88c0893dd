"""Who is calling, the same way on every door: a credential extractor, then one cached check.

A ``Door`` names how a surface takes its callers: which part of the request holds the secret
(its ``extract``or), which credential kind it must be, and how the door words a guard's refusal.
``identify`` is the one check every door makes (a cache hit, or one indexed lookup in a thread);
the ``/v1`` and ``/scim/v2`` guard middleware leaves the principal it found in the request's
scope (``PRINCIPAL_KEY``), so the route behind it does not look the caller up a second time.

A new way in is one extractor: a web page's session cookie is a ``Door`` whose ``extract``
reads the cookie and whose ``check`` resolves the session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Scope

from syllabus.auth.authorization import Scheme, parse_authorization
from syllabus.auth.cache import PrincipalCache
from syllabus.auth.keys import Principal, authenticate
from syllabus.db.session import unit_of_work
from syllabus.dialects.guards.rate_limiting import GuardError
from syllabus.dialects.responses import JSONResponse
from syllabus.domain.credentials import CredentialKind

PRINCIPAL_KEY = "syllabus.principal"
"""Where the guard leaves the caller it identified in the request's ASGI scope."""
SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"

Extractor = Callable[[Headers], str | None]
"""The secret a request presents, or None; never raises (the route words its own 401)."""
Check = Callable[[Session, str], Principal | None]
"""Who a secret is (a blocking read in a read-only unit of work), or None."""
ErrorRenderer = Callable[[GuardError], Response]


def authorization_secret(*schemes: Scheme) -> Extractor:
    """An extractor reading ``Authorization`` in one of ``schemes``
    (``syllabus.auth.authorization``, the one parser)."""
    accepted = frozenset(schemes)

    def extract(headers: Headers) -> str | None:
        presented = parse_authorization(headers.get("authorization"))
        if presented is None or presented.scheme not in accepted:
            return None
        return presented.secret

    return extract


def detail_error(error: GuardError) -> Response:
    """DRF's shape, which ``/v1`` clients parse: ``{"detail": "..."}``."""
    return JSONResponse({"detail": error.message}, error.status)


def scim_error(error: GuardError) -> Response:
    """RFC 7644 §3.12: the error schema, ``status`` as a string, and ``detail``."""
    body = {"schemas": [SCIM_ERROR_SCHEMA], "status": str(error.status), "detail": error.message}
    return JSONResponse(body, error.status, media_type="application/scim+json")


@dataclass(frozen=True)
class Door:
    """One way in: where its secret travels, what kind it is, how its refusals look."""

    name: str
    """The door's name; also the scope its principals are cached under."""
    kind: CredentialKind
    extract: Extractor
    render_error: ErrorRenderer = detail_error
    check: Check | None = field(default=None)
    """Defaults to ``authenticate(session, secret, kind)``."""

    def verify(self, session: Session, secret: str) -> Principal | None:
        if self.check is not None:
            return self.check(session, secret)
        return authenticate(session, secret, self.kind)


V1 = Door("skilljar", CredentialKind.API_KEY, authorization_secret(*Scheme))
"""Skilljar's ``/v1``: the API key in Basic (with or without the colon), Token or Bearer."""
SCIM = Door(
    "scim",
    CredentialKind.SCIM_TOKEN,
    authorization_secret(Scheme.BEARER),
    render_error=scim_error,
)
"""``/scim/v2``: a SCIM token, as a Bearer token only (RFC 7644 §2)."""


def check_secret(
    factory: sessionmaker[Session], cache: PrincipalCache, door: Door, secret: str, scope: str
) -> Principal | None:
    """The blocking check on a cache miss; a success is cached under ``scope``."""
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        principal = door.verify(session, secret)
    if principal is not None:
        cache.put(cache.key(door.kind, secret, scope), principal)
    return principal


async def identify(
    factory: sessionmaker[Session],
    cache: PrincipalCache,
    door: Door,
    secret: str,
    scope: str | None = None,
) -> Principal | None:
    """The caller behind ``secret`` on ``door``: from the cache, else one lookup in a thread."""
    scope = door.name if scope is None else scope
    principal = cache.get(cache.key(door.kind, secret, scope))
    if principal is not None:
        return principal
    return await run_in_threadpool(check_secret, factory, cache, door, secret, scope)


def identified(scope: Scope, door: Door) -> Principal | None:
    """The principal the guard found for this request on ``door``, if it ran and found one."""
    principal = scope.get(PRINCIPAL_KEY)
    if isinstance(principal, Principal) and principal.kind is door.kind:
        return principal
    return None
