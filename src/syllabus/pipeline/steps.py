"""The steps every door takes around a request, written once.

1. identify the caller (``doors.identify``, through the door's credential extractor);
2. ``admit``: spend a rate-limit token and read the ``Idempotency-Key`` of a write;
3. with a key, an ``IdempotentRequest``: replay a kept answer, or claim the key and run;
4. ``request_work``: one unit of work for the handler, which commits the answer to keep
   together with the work (or neither);
5. a refusal from 2 or 3 (a ``GuardError``) rendered by the door (``Door.render_error``);
   domain errors by the door's own table.

The ``/v1`` and ``/scim/v2`` doors run 1-3 in ``middleware.ApiGuard`` (their credential is in a
header) and 4 in their route plumbing; the SkyPrep door, whose credential may be in the body,
runs them all from its dispatcher.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.types import Scope

from syllabus.auth.keys import Principal
from syllabus.db.session import unit_of_work
from syllabus.pipeline.idempotency import (
    SCOPE_KEY,
    WRITE_METHODS,
    IdempotencyGuard,
    WorkKeeper,
    idempotency_key,
)
from syllabus.pipeline.rate_limiting import RateLimiter, apply_rate_limit
from syllabus.services.idempotency import Claim, StoredResponse


async def admit(
    limiter: RateLimiter,
    principal: Principal,
    method: str,
    headers: Mapping[str, str],
    extra: dict[str, str],
    *,
    writes: bool | None = None,
) -> str | None:
    """Rate-limit the caller (its headers added to ``extra``) and return a write's
    ``Idempotency-Key``; raises ``GuardError`` (429, or 400 for a malformed key).

    ``writes`` says whether the request writes when the method alone does not (SkyPrep's
    actions write on GET too)."""
    await apply_rate_limit(limiter, principal, extra)
    if writes is None:
        writes = method.upper() in WRITE_METHODS
    return idempotency_key(headers) if writes else None


class IdempotentRequest:
    """A write carrying an ``Idempotency-Key``, from the claim to the kept answer.

    ``start`` replays the kept answer or claims the key and leaves a ``WorkKeeper`` in the
    request's scope (the unit of work keeps the answer with the work); ``finish`` keeps an
    answer that committed no work (an error, a route outside a unit of work); ``abort``
    releases the key when the request failed.
    """

    def __init__(
        self, guard: IdempotencyGuard, principal: Principal, key: str, fingerprint: str
    ) -> None:
        self.guard = guard
        self.principal = principal
        self.key = key
        self.fingerprint = fingerprint
        self.keeper: WorkKeeper | None = None

    async def start(self, scope: Scope) -> StoredResponse | None:
        """The answer to replay, or None once the key is claimed; raises ``GuardError``."""
        claim = await run_in_threadpool(
            self.guard.begin, self.principal, self.key, self.fingerprint
        )
        if isinstance(claim, StoredResponse):
            return claim
        self.keeper = WorkKeeper(self.guard, claim)
        scope[SCOPE_KEY] = self.keeper
        return None

    @property
    def claim(self) -> Claim:
        assert self.keeper is not None, "start() claims the key first"
        return self.keeper.claim

    async def finish(self, response: StoredResponse) -> None:
        """Keep ``response`` unless it was kept with the work (a 5xx releases the key)."""
        if self.keeper is not None and self.keeper.kept:
            return
        await run_in_threadpool(self.guard.keep, self.principal, self.claim, response)

    async def abort(self) -> None:
        """Release the key: the request failed, a retry must run it again."""
        await run_in_threadpool(self.guard.release, self.principal, self.claim)


@dataclass
class Work:
    """A handler's unit of work; the door sets ``response`` before the block ends, so an
    ``Idempotency-Key``'s answer is kept in the same transaction as the work."""

    session: Session
    response: Response | StoredResponse | None = None


@contextmanager
def request_work(
    factory: sessionmaker[Session],
    tenant_id: int,
    *,
    read_only: bool,
    keeper: WorkKeeper | None = None,
) -> Iterator[Work]:
    """One unit of work for a request: commits on success (with the kept answer, when the
    request has a ``keeper``), rolls back on any error."""
    with unit_of_work(factory, tenant_id=tenant_id, read_only=read_only) as session:
        work = Work(session)
        yield work
        if keeper is not None and work.response is not None:
            keeper.keep(session, work.response)
    if keeper is not None:
        keeper.committed()
