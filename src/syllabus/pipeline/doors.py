"""Who is calling, the same way on every door: a credential extractor, then one cached check.

A ``Door`` names how a surface takes its callers: which part of the request holds the secret
(its ``extract``or), which credential kind it must be, and how the door words a guard's refusal.
Each dialect defines its own (``skilljar.auth.V1``, ``scim.endpoint.SCIM``, ``skyprep.router``).
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
from syllabus.core.credentials import CredentialKind
from syllabus.db.session import unit_of_work
from syllabus.pipeline.rate_limiting import GuardError

PRINCIPAL_KEY = "syllabus.principal"
"""Where the guard leaves the caller it identified in the request's ASGI scope."""

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


@dataclass(frozen=True)
class Door:
    """One way in: where its secret travels, what kind it is, how its refusals look."""

    name: str
    """The door's name; also the scope its principals are cached under."""
    kind: CredentialKind
    extract: Extractor
    render_error: ErrorRenderer | None
    """A guard's refusal (429, a reused key...) in the door's own error shape; None for a door
    that words it per request (SkyPrep answers in the format the request asked for)."""
    check: Check | None = field(default=None)
    """Defaults to ``authenticate(session, secret, kind)``."""

    def verify(self, session: Session, secret: str) -> Principal | None:
        if self.check is not None:
            return self.check(session, secret)
        return authenticate(session, secret, self.kind)


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
