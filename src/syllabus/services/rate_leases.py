"""A shared bucket spent from memory: each process leases tokens in chunks.

``SqlBuckets.take`` is exact but costs every request a database round trip. ``LeasedBuckets``
takes a *chunk* of tokens from the shared bucket in one statement (which grants what is
there, possibly fewer) and then answers from memory until the chunk is spent or stale:

- chunk: ``max(1, min(burst // 10, per_second // 5, MAX_CHUNK))``. ``per_second // 5`` is a
  fifth of a second of refill, so a key running at its limit costs a process at most about
  five round trips a second; ``burst // 10`` keeps what one process holds to a tenth of the
  bucket, so a burst split over several processes still sees most of the budget;
  ``MAX_CHUNK`` caps what can float in absolute terms for very large policies.
- staleness: a lease older than ``LEASE_TTL`` seconds is not spent; its unused tokens are
  credited back to the shared bucket by the process's next lease for that key (same
  statement, no extra round trip).
- refusal: when the shared bucket grants nothing, the request is refused with the
  ``Retry-After`` computed from the shared state, and this process refuses that key from
  memory until the shared bucket will have a token again.

Bound: tokens are only ever spent after the shared bucket gave them, so a burst admits at
most ``burst`` tokens plus what leases taken earlier still hold: at most ``processes * chunk``
more, spent at most ``LEASE_TTL`` after they were leased. Unused tokens of an idle process
are missing from the shared bucket (at most ``chunk`` per process and key) until that process
leases again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from syllabus.services.rate_limits import Decision, Grant, RatePolicy, SqlBuckets, describe

MAX_CHUNK = 1000
LEASE_TTL = 1.0
"""Seconds a leased chunk may be spent: the longest a token waits between bucket and use."""


def chunk_size(policy: RatePolicy) -> int:
    return max(1, min(int(policy.burst) // 10, int(policy.per_second) // 5, MAX_CHUNK))


@dataclass(slots=True)
class _Lease:
    """One key's tokens in this process, and the shared bucket as last seen (local clock)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    policy: RatePolicy | None = None
    """The policy the lease was taken under: a changed policy (CLI) goes to the bucket."""
    tokens: int = 0
    expires: float = 0.0
    tat: float = 0.0
    """The shared ``tat`` moved to this process's clock (``tat - seen_at + local now``)."""
    blocked_until: float = 0.0
    """Before this (local clock) the shared bucket is known to hold no token."""


class LeasedBuckets:
    """``SqlBuckets`` spent in chunks: one round trip per chunk instead of per request."""

    def __init__(self, shared: SqlBuckets, clock: Callable[[], float] = time.monotonic) -> None:
        self.shared = shared
        self._clock = clock
        self._leases: dict[int, _Lease] = {}
        self._lock = threading.Lock()

    def _lease_of(self, credential_id: int) -> _Lease:
        with self._lock:
            lease = self._leases.get(credential_id)
            if lease is None:
                lease = self._leases[credential_id] = _Lease()
            return lease

    def _from_memory(self, lease: _Lease, now: float, policy: RatePolicy) -> Decision | None:
        """Spend a leased token or repeat a known refusal; None when the bucket must be asked."""
        if lease.policy != policy:
            return None
        if lease.tokens > 0 and now < lease.expires:
            lease.tokens -= 1
            return self._decision(lease, now, True, policy)
        if now < lease.blocked_until:
            return describe(lease.tat, now, False, policy)
        return None

    def _decision(self, lease: _Lease, now: float, allowed: bool, policy: RatePolicy) -> Decision:
        shared = describe(lease.tat, now, allowed, policy)
        remaining = min(int(policy.burst), shared.remaining + lease.tokens)
        return Decision(allowed, policy, remaining, shared.reset, shared.retry_after)

    def take_nowait(
        self, credential_id: int, tenant_id: int, policy: RatePolicy
    ) -> Decision | None:
        with self._lock:
            lease = self._leases.get(credential_id)
        if lease is None or not lease.lock.acquire(blocking=False):
            return None  # no lease yet, or another thread is renewing it: ``take`` waits
        try:
            return self._from_memory(lease, self._clock(), policy)
        finally:
            lease.lock.release()

    def take(self, credential_id: int, tenant_id: int, policy: RatePolicy) -> Decision:
        lease = self._lease_of(credential_id)
        with lease.lock:
            decision = self._from_memory(lease, self._clock(), policy)
            if decision is not None:
                return decision
            # Leftovers go back only under the policy they were counted in.
            give_back = lease.tokens if lease.policy == policy else 0
            lease.tokens = 0
            grant: Grant = self.shared.lease(
                credential_id, tenant_id, policy, chunk_size(policy), give_back
            )
            now = self._clock()
            lease.policy = policy
            lease.tat = grant.tat - grant.seen_at + now
            if grant.granted > 0:
                lease.tokens = grant.granted - 1
                lease.expires = now + LEASE_TTL
                lease.blocked_until = 0.0
                return self._decision(lease, now, True, policy)
            refused = describe(lease.tat, now, False, policy)
            # The shared bucket holds a token again once the debt is back within the burst.
            lease.blocked_until = now + (lease.tat - now) - (policy.burst - 1) * policy.interval
            return refused

    def close(self) -> None:
        with self._lock:
            self._leases.clear()
        self.shared.close()
