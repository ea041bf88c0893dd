"""The rate limiter every surface calls once per authenticated request, and its headers.

Headers follow draft-ietf-httpapi-ratelimit-headers-10 (the latest revision whose text we
checked; -08 onwards share this syntax): structured-field lists whose items are a quoted
policy name with parameters,

    RateLimit-Policy: "per-key";q=200;w=4      quota q requests per window w seconds
    RateLimit: "per-key";r=57;t=3              r left now; t seconds until the quota is whole

A token bucket of ``burst`` tokens refilled at ``per_second`` is advertised as a quota of
``burst`` over the seconds an empty bucket takes to fill. A refused request also gets
``Retry-After``: the seconds until one token is back.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from syllabus.auth.keys import Principal
from syllabus.config import Settings
from syllabus.db.session import unit_of_work
from syllabus.services.rate_leases import LeasedBuckets
from syllabus.services.rate_limits import (
    Buckets,
    Decision,
    MemoryBuckets,
    RatePolicy,
    SqlBuckets,
    program_rate_limit,
)

log = logging.getLogger("syllabus.rate_limits")

POLICY_NAME = "per-key"
POLICY_TTL_SECONDS = 5.0
"""How long a process trusts its copy of a program's override (CLI changes apply within it)."""


@dataclass(eq=False)
class GuardError(Exception):
    """A guard's refusal, for the dialect to render in its own error style."""

    status: int
    code: str
    """``rate_limited``, ``idempotency_in_progress``, ``idempotency_key_reused`` or
    ``invalid`` (a malformed ``Idempotency-Key``)."""
    message: str
    field: str | None = None
    retry_after: int | None = None

    def headers(self) -> dict[str, str]:
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}


def rate_limit_headers(decision: Decision) -> dict[str, str]:
    policy = decision.policy
    return {
        "RateLimit-Policy": f'"{POLICY_NAME}";q={int(policy.burst)};w={policy.window}',
        "RateLimit": f'"{POLICY_NAME}";r={decision.remaining};t={decision.reset}',
    }


def bucket_engine(url: str) -> Engine:
    """PostgreSQL connections for bucket takes: autocommit, no ping on checkout.

    So a take is one statement and one round trip; a dead connection fails that one take
    (which then lets the request through) and is replaced by the pool.
    """
    return create_engine(
        url, isolation_level="AUTOCOMMIT", pool_size=5, max_overflow=20, pool_recycle=3600
    )


class RateLimiter:
    """One per app: the deployment's default policy, programs' overrides, and the buckets."""

    def __init__(
        self,
        default: RatePolicy,
        buckets: Buckets,
        factory: sessionmaker[Session],
    ) -> None:
        self.default = default
        self.buckets = buckets
        self.factory = factory
        self._policies: dict[int, tuple[float, RatePolicy]] = {}
        self._lock = threading.Lock()

    @classmethod
    def for_settings(
        cls, settings: Settings, engine: Engine, factory: sessionmaker[Session]
    ) -> RateLimiter:
        default = RatePolicy(settings.rate_limit_per_second, settings.rate_limit_burst)
        if engine.dialect.name == "postgresql" and default.enabled:
            shared = SqlBuckets(bucket_engine(settings.database_url))
            return cls(default, LeasedBuckets(shared), factory)
        return cls(default, MemoryBuckets(), factory)

    @property
    def enabled(self) -> bool:
        """``SYLLABUS_RATE_LIMIT_PER_SECOND=0`` switches limiting off everywhere."""
        return self.default.enabled

    def close(self) -> None:
        self.buckets.close()

    def forget_policies(self) -> None:
        with self._lock:
            self._policies.clear()

    def _cached_policy(self, tenant_id: int) -> RatePolicy | None:
        with self._lock:
            entry = self._policies.get(tenant_id)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def policy_for(self, tenant_id: int) -> RatePolicy:
        """The program's override if it has one, else the default (blocking on a miss)."""
        cached = self._cached_policy(tenant_id)
        if cached is not None:
            return cached
        with unit_of_work(self.factory, tenant_id=tenant_id, read_only=True) as session:
            policy = program_rate_limit(session, tenant_id) or self.default
        with self._lock:
            self._policies[tenant_id] = (time.monotonic() + POLICY_TTL_SECONDS, policy)
        return policy

    def take_nowait(self, principal: Principal) -> tuple[bool, Decision | None]:
        """(decided, decision) from memory alone: safe on the event loop, never blocks."""
        policy = self._cached_policy(principal.tenant_id)
        if policy is None:
            return False, None
        if not policy.enabled:
            return True, None
        decision = self.buckets.take_nowait(principal.credential_id, principal.tenant_id, policy)
        return decision is not None, decision

    def take(self, principal: Principal) -> Decision | None:
        """Spend one of the caller's tokens; None when no limit applies (or the store failed).

        May block (a policy read, a bucket lease): call it from a thread, as ``check`` does.
        """
        if not self.enabled:
            return None
        policy = self.policy_for(principal.tenant_id)
        if not policy.enabled:
            return None
        try:
            return self.buckets.take(principal.credential_id, principal.tenant_id, policy)
        except SQLAlchemyError:
            # Failing open: a database hiccup must not turn every request into an error.
            log.warning("rate-limit take failed; request let through", exc_info=True)
            return None

    async def check(self, principal: Principal) -> Decision | None:
        """``take`` from async code: from memory on the loop when possible (a leased token, a
        known refusal), else on a worker thread so the event loop never waits on the database.
        """
        if not self.enabled:
            return None
        decided, decision = self.take_nowait(principal)
        if decided:
            return decision
        return await run_in_threadpool(self.take, principal)


def refusal(decision: Decision) -> GuardError:
    return GuardError(
        status=429,
        code="rate_limited",
        message=(
            f"rate limit exceeded: {decision.policy.per_second:g} requests per second with "
            f"bursts of {int(decision.policy.burst)} per key; retry in {decision.retry_after} s"
        ),
        retry_after=decision.retry_after,
    )


async def apply_rate_limit(
    limiter: RateLimiter, principal: Principal, headers: dict[str, str]
) -> None:
    """The one call a surface makes after authenticating: add the headers, raise on refusal."""
    decision = await limiter.check(principal)
    if decision is None:
        return
    headers.update(rate_limit_headers(decision))
    if not decision.allowed:
        raise refusal(decision)
