"""``Idempotency-Key`` for writes, whatever the surface: fingerprint, claim, keep, replay.

A request with a key is fingerprinted (method, path, canonical parameters, credential). The
first one claims the key in its own committed transaction, so a concurrent duplicate finds
the claim and is answered ``409`` with ``Retry-After`` at once (it does not wait: a client
retrying with backoff is simpler than a server holding connections). Its response (status,
content type, body and the headers in ``KEPT_HEADERS``) is kept for 24 hours and replayed to
retries with the same fingerprint, marked ``Idempotent-Replayed: true``; another fingerprint
under the same key is ``422``. A 5xx or an exception releases the key.
Expired keys are deleted lazily, at most once a minute per process, by the claiming
transaction.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy.orm import Session, sessionmaker
from starlette.responses import Response
from starlette.types import Scope

from syllabus.auth.keys import Principal
from syllabus.core.clock import utcnow
from syllabus.db.session import unit_of_work
from syllabus.pipeline.rate_limiting import GuardError
from syllabus.services.idempotency import (
    MAX_KEY_LENGTH,
    Claim,
    IdempotencyKeyInProgress,
    IdempotencyKeyReused,
    StoredResponse,
    begin_idempotent_request,
    complete_idempotency_key,
    release_idempotency_key,
    settle_idempotency_key,
)

HEADER = "idempotency-key"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REPLAY_HEADERS = {"Idempotent-Replayed": "true"}
TTL = timedelta(hours=24)
LEASE = timedelta(minutes=5)
"""A claim still in progress after this is taken to be abandoned by a crashed process."""
IN_PROGRESS_RETRY_AFTER = 1
PURGE_EVERY_SECONDS = 60.0
KEPT_HEADERS = {
    name.lower(): name
    for name in ("ETag", "Location", "Content-Location", "Last-Modified", "Retry-After", "Allow")
}
"""The headers a replay repeats: those that are part of the answer's meaning to the client
(the version it got, where the new resource or the job's result lives, when to come back, and
the methods a 405 allows). An allow-list, not a deny-list, so nothing new leaks into a store
kept for 24 hours by default: rate-limit headers are recomputed for the replay itself,
``Set-Cookie`` and credentials are never stored, and ``Date``, ``Content-Length`` and
``Content-Type`` (kept in its own column) belong to the transport."""


def kept_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The allow-listed headers among ``headers`` (name, value pairs), by canonical name."""
    return {KEPT_HEADERS[n.lower()]: v for n, v in headers if n.lower() in KEPT_HEADERS}


def replay_headers(stored: StoredResponse, current: Mapping[str, str]) -> dict[str, str]:
    """A replay's headers: the kept ones (filtered again, so that a header taken off the list
    is not replayed from older rows), then this request's own (``current``: rate limits...),
    the replay marker and the kept content type."""
    return (
        kept_headers(stored.headers.items())
        | dict(current)
        | REPLAY_HEADERS
        | {"content-type": stored.content_type}
    )


def idempotency_key(headers: Mapping[str, str]) -> str | None:
    """The request's key, or None; a key that is empty, too long or not visible ASCII is 400."""
    key = headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not all(33 <= ord(c) <= 126 for c in key):
        raise GuardError(
            400,
            "invalid",
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} visible ASCII characters",
            field="Idempotency-Key",
        )
    return key


def _fallback(value: Any) -> Any:
    """Uploaded files and other non-JSON values are fingerprinted by name and size."""
    filename = getattr(value, "filename", None)
    if filename is not None:
        return {"filename": filename, "size": getattr(value, "size", None)}
    return repr(value)


def canonical(params: Any) -> bytes:
    """Key order and whitespace do not make two requests different."""
    return orjson.dumps(
        params, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=_fallback
    )


def canonical_body(body: bytes, content_type: str) -> bytes:
    """A JSON body in canonical form; any other body as it came."""
    if content_type.split(";")[0].strip().lower().endswith("json") and body.strip():
        try:
            return canonical(orjson.loads(body))
        except orjson.JSONDecodeError:
            return body
    return body


def fingerprint(method: str, path: str, principal: Principal, payload: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.upper(), path, str(principal.credential_id)):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    digest.update(payload)
    return digest.hexdigest()


class IdempotencyGuard:
    """One per app; blocking methods (call them on a worker thread)."""

    def __init__(self, factory: sessionmaker[Session], *, ttl: timedelta = TTL) -> None:
        self.factory = factory
        self.ttl = ttl
        self._next_purge = 0.0
        self._lock = threading.Lock()

    def begin(self, principal: Principal, key: str, print_: str) -> Claim | StoredResponse:
        """Claim the key (committed at once) or return the response to replay."""
        now = utcnow()
        try:
            with unit_of_work(self.factory, tenant_id=principal.tenant_id) as session:
                return begin_idempotent_request(
                    session,
                    tenant_id=principal.tenant_id,
                    credential_id=principal.credential_id,
                    key=key,
                    fingerprint=print_,
                    now=now,
                    ttl=self.ttl,
                    lease=LEASE,
                    purge_expired=self._purge_due(),
                )
        except IdempotencyKeyInProgress as error:
            raise GuardError(
                409,
                error.code,
                error.message,
                field=error.field,
                retry_after=IN_PROGRESS_RETRY_AFTER,
            ) from None
        except IdempotencyKeyReused as error:
            raise GuardError(422, error.code, error.message, field=error.field) from None

    def keep_in(self, session: Session, claim: Claim, response: StoredResponse) -> None:
        """Store the response inside the request's own transaction (atomic with its work)."""
        complete_idempotency_key(session, claim, response=response, now=utcnow())

    def keep(self, principal: Principal, claim: Claim, response: StoredResponse) -> None:
        """Store the response in a transaction of its own; a 5xx releases the key instead."""
        with unit_of_work(self.factory, tenant_id=principal.tenant_id) as session:
            settle_idempotency_key(session, claim, response=response, now=utcnow())

    def release(self, principal: Principal, claim: Claim) -> None:
        with unit_of_work(self.factory, tenant_id=principal.tenant_id) as session:
            release_idempotency_key(session, claim)

    def _purge_due(self) -> bool:
        with self._lock:
            if time.monotonic() < self._next_purge:
                return False
            self._next_purge = time.monotonic() + PURGE_EVERY_SECONDS
            return True


def storable(response: Response) -> StoredResponse | None:
    """What of ``response`` a replay repeats; None for a stream (no body to keep)."""
    body = getattr(response, "body", None)
    if not isinstance(body, bytes):
        return None
    content_type = response.headers.get("content-type", "")
    return StoredResponse(
        response.status_code, content_type, body, kept_headers(response.headers.items())
    )


SCOPE_KEY = "syllabus.idempotency"
"""Where the guard leaves a request's ``WorkKeeper`` in its ASGI scope."""


class WorkKeeper:
    """The guard's hook into a surface's unit of work, so a write's kept answer commits with it.

    The guard puts one in the request's scope once it has claimed the key; the surface's unit
    of work hands it the response it is about to send just before committing (``keep``) and
    says when that commit went through (``committed``). Either the work and its answer are
    both kept or neither is: a process dying after the commit leaves a key that replays, not
    one "in progress" whose retry would run the work again once the lease ran out.
    """

    def __init__(self, guard: IdempotencyGuard, claim: Claim) -> None:
        self.guard = guard
        self.claim = claim
        self._staged = False
        self.kept = False
        """True once the answer committed with the work: the guard has nothing left to do."""

    def keep(self, session: Session, response: Response | StoredResponse) -> None:
        """Stage the answer in ``session`` (the write's transaction), before it commits."""
        stored = response if isinstance(response, StoredResponse) else storable(response)
        if stored is None or stored.status_code >= 500:
            return  # not kept: a 5xx releases the key, and a stream has no body to keep
        self.guard.keep_in(session, self.claim, stored)
        self._staged = True

    def committed(self) -> None:
        """The write's transaction committed: the staged answer, if any, is kept."""
        self.kept = self._staged


def work_keeper(scope: Scope) -> WorkKeeper | None:
    """The request's keeper when it carries an Idempotency-Key the guard claimed, else None."""
    keeper = scope.get(SCOPE_KEY)
    return keeper if isinstance(keeper, WorkKeeper) else None
