"""Webhook delivery: outbox events fanned out to per-webhook queues, sent in order.

Fan-out (inside the worker's event dispatch) writes one delivery row per subscribed
webhook, with the body built then. Sending leases a whole *webhook* (``locked_until``,
``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so one worker at a time drains a queue and sends
its deliveries strictly in order: a head that fails is retried (exponential backoff with
jitter, or the receiver's Retry-After) and everything behind it waits. Each attempt is
logged before the next is sent; a worker killed mid-request leaves an unrecorded head that
the next lease holder sends again: at least once, with the same ``webhook-id``.

Drains run in the sender's own threads, after the pass that claimed them has returned: a
slow receiver holds one drain slot, never the worker's fan-out, jobs or other webhooks.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from syllabus.core.clock import utcnow
from syllabus.core.context import Context, Surface
from syllabus.db.session import unit_of_work
from syllabus.delivery.fanout import make_fan_out
from syllabus.delivery.feed import FeedPruner
from syllabus.delivery.in_flight import InFlight
from syllabus.delivery.webhook_http import (
    AttemptResult,
    GuardedClient,
    Target,
    guarded_client,
    post,
)
from syllabus.delivery.worker import Worker, backoff
from syllabus.domain.base import UTCDateTime
from syllabus.domain.webhooks import (
    DeactivateReason,
    DeliveryStatus,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from syllabus.queries.webhook_payloads import RenderId, ping_payload
from syllabus.services.webhooks import deactivate_webhook

log = logging.getLogger("syllabus.webhooks")

RETRY_WINDOW = timedelta(days=3)
CLIENT_ERROR_ATTEMPTS = 3
"""A 4xx (other than 408/425/429) or a redirect this many times in a row deactivates."""
RETRIED_CLIENT_ERRORS = frozenset({408, 425, 429})


def target_of(webhook: Webhook) -> Target:
    secrets = [webhook.secret]
    previous_until = webhook.previous_secret_until
    if webhook.previous_secret and previous_until is not None and previous_until > utcnow():
        secrets.append(webhook.previous_secret)
    return Target(
        url=webhook.target_url,
        secrets=tuple(secrets),
        username=webhook.basic_auth_username,
        password=webhook.basic_auth_password,
        headers=dict(webhook.additional_headers or {}),
    )


def ping(client: httpx.Client, webhook: Webhook) -> AttemptResult:
    """Skilljar's ping: one PING event, no retry, no deactivation."""
    now = utcnow()
    msg_id = f"msg_ping_{int(now.timestamp() * 1000)}"
    return post(client, target_of(webhook), msg_id, ping_payload(now))


@dataclass
class WebhookSender:
    factory: sessionmaker[Session]
    allow_private: bool = False
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:webhooks")
    concurrency: int = 8
    """Webhooks drained at once, in the background of the worker's passes; each webhook's
    queue is always sent one at a time."""
    batch: int = 200
    """Deliveries read from a webhook's queue at a time."""
    drain_seconds: float = 2.0
    """A webhook's turn: then its lease goes back to the pool, so a slow receiver holds its
    drain slot from other due webhooks for at most this plus one attempt."""
    record_every: int = 50
    """Successful attempts recorded per transaction (at most 0.2 s apart)."""
    lease_seconds: float = 60.0
    timeout: float = 10.0
    retry_window: timedelta = RETRY_WINDOW
    backoff_base: float = 5.0
    backoff_cap: float = 6 * 3600.0
    max_retry_after: float = 24 * 3600.0
    client: httpx.Client | None = None
    wake: threading.Event | None = None
    """The worker's wake-up, set when a drain ends: what it left is claimed at once."""
    clock: Callable[[], datetime] = utcnow
    """What leases, retries and attempts are timed by (tests step a fake one)."""

    def __post_init__(self) -> None:
        if self.client is None:
            self.client = guarded_client(
                allow_private=self.allow_private,
                timeout=self.timeout,
                max_connections=max(2, self.concurrency * 2),
            )
        self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="webhook")
        self._stopping = threading.Event()
        self._in_flight = InFlight(self.concurrency, self.wake)
        self._pass_lock = threading.Lock()

    def stop(self) -> None:
        """Abandon attempts in flight and claim nothing more: drains release their leases at
        once, and an abandoned delivery stays pending, unrecorded, for the next holder."""
        self._stopping.set()
        if isinstance(self.client, GuardedClient):
            self.client.stop()

    def close(self) -> None:
        """Wait for the drains in flight (after ``stop``: for them to let go at once)."""
        self._pool.shutdown(wait=True)
        if self.client is not None:
            self.client.close()

    def run_pass(self) -> int:
        """Claim due webhooks for the free drain slots and start draining them in the
        background; returns webhooks claimed. The pass never waits for a receiver: the
        worker's fan-out and jobs go on while drains run, and a drain's end wakes it."""
        if self._stopping.is_set():
            return 0
        with self._pass_lock:
            free, running = self._in_flight.snapshot()
            if free <= 0:
                return 0
            claimed = self.claim(free, exclude=running)
            self._in_flight.start(self._pool, claimed, self.drain)
            return len(claimed)

    @property
    def in_flight(self) -> int:
        """Drains running now."""
        return len(self._in_flight)

    def settle(self, timeout: float | None) -> bool:
        """Wait up to ``timeout`` seconds for the drains in flight to end; True when some
        were running (``wait_idle`` then looks again for what they left)."""
        return self._in_flight.settle(timeout)

    def _due(self, now: datetime, limit: int, exclude: Collection[int]) -> Any:
        oldest_pending = (
            select(func.min(WebhookDelivery.id))
            .where(
                WebhookDelivery.webhook_id == Webhook.id,
                WebhookDelivery.status == DeliveryStatus.PENDING,
            )
            .correlate(Webhook)
            .scalar_subquery()
        )
        due = select(Webhook.id).where(
            Webhook.active.is_(True),
            or_(Webhook.retry_at.is_(None), Webhook.retry_at <= now),
            or_(Webhook.locked_until.is_(None), Webhook.locked_until < now),
            oldest_pending.is_not(None),
        )
        if exclude:
            due = due.where(Webhook.id.not_in(sorted(exclude)))
        # The longest-waiting queue first: no starvation.
        return due.order_by(oldest_pending).limit(limit)

    def claim(self, limit: int | None = None, exclude: Collection[int] = ()) -> list[int]:
        """Lease up to ``limit`` (default ``concurrency``) due webhooks, never one in
        ``exclude`` (drained here now: its lease may have run out mid-drain, and a second
        drain would break its order). A read comes first, so an idle pass never takes
        SQLite's write lock from the application's writers."""
        now, limit = self.clock(), limit or self.concurrency
        with unit_of_work(self.factory, tenant_id=None, read_only=True) as session:
            if session.execute(self._due(now, 1, exclude)).first() is None:
                return []
        with unit_of_work(self.factory, tenant_id=None) as session:
            due = self._due(now, limit, exclude).with_for_update(skip_locked=True, of=Webhook)
            ids = list(session.scalars(due))
            if ids:
                session.execute(
                    update(Webhook)
                    .where(Webhook.id.in_(ids))
                    .values(
                        locked_by=self.name,
                        locked_until=now + timedelta(seconds=self.lease_seconds),
                    )
                    .execution_options(synchronize_session=False)
                )
            return ids

    def _pending(self, webhook_id: int, started: float) -> Iterator[Any]:
        """The webhook's pending deliveries in order, read a batch at a time, until the
        queue is empty or the lease has been held ``drain_seconds``."""
        after = 0
        while True:
            with unit_of_work(self.factory, tenant_id=None, read_only=True) as session:
                queue = list(
                    session.execute(
                        select(
                            WebhookDelivery.id, WebhookDelivery.message_id, WebhookDelivery.payload
                        )
                        .where(
                            WebhookDelivery.webhook_id == webhook_id,
                            WebhookDelivery.status == DeliveryStatus.PENDING,
                            WebhookDelivery.id > after,
                        )
                        .order_by(WebhookDelivery.id)
                        .limit(self.batch)
                    )
                )
            for row in queue:
                if time.monotonic() - started >= self.drain_seconds:
                    return
                yield row
                after = row[0]
            if len(queue) < self.batch:
                return

    def drain(self, webhook_id: int) -> int:
        """Send the webhook's queue in order until it is empty, fails or the lease has been
        held ``drain_seconds`` (then the webhook goes back to the pool: fairness).

        Successes are recorded in groups (every ``record_every`` or 0.2 s), each renewing the
        lease: a worker killed in between sends those again, which at-least-once delivery
        allows; a failure is recorded at once, after the successes before it. The last
        group and the lease's release share one transaction.
        """
        sent = 0
        try:
            with unit_of_work(self.factory, tenant_id=None, read_only=True) as session:
                webhook = session.get(Webhook, webhook_id)
                if webhook is None or webhook.locked_by != self.name:
                    return 0
                target, tenant_id = target_of(webhook), webhook.tenant_id
            since = time.monotonic()
            delivered: list[tuple[int, AttemptResult, datetime]] = []
            for delivery_id, msg_id, payload in self._pending(webhook_id, since):
                assert self.client is not None
                if self._stopping.is_set():
                    break
                result = post(self.client, target, msg_id, payload)
                if result.abandoned:
                    break
                sent += 1
                if result.ok:
                    delivered.append((delivery_id, result, self.clock()))
                    if len(delivered) < self.record_every and time.monotonic() - since < 0.2:
                        continue
                held = self._record_delivered(webhook_id, tenant_id, delivered)
                delivered, since = [], time.monotonic()
                if not held:
                    return sent
                if not result.ok:
                    self._record(webhook_id, delivery_id, result)
                    return sent
            self._record_delivered(webhook_id, tenant_id, delivered, release=True)
            return sent
        except Exception:
            log.exception("draining webhook %s failed", webhook_id)
        self._release(webhook_id)
        return sent

    def _record_delivered(
        self,
        webhook_id: int,
        tenant_id: int,
        items: list[tuple[int, AttemptResult, datetime]],
        *,
        release: bool = False,
    ) -> bool:
        """Log successful attempts in one transaction, renewing the lease (or releasing it);
        True while our lease still holds."""
        if not items and not release:
            return True
        now = self.clock()
        with unit_of_work(self.factory, tenant_id=None) as session:
            connection = session.connection()
            lease: dict[str, Any] = (
                {"locked_by": None, "locked_until": None}
                if release
                else {"locked_until": now + timedelta(seconds=self.lease_seconds)}
            )
            if items:
                lease["retry_at"] = None
            held = connection.execute(
                update(Webhook)
                .where(Webhook.id == webhook_id, Webhook.locked_by == self.name)
                .values(**lease)
            ).rowcount
            if not items:
                return bool(held)
            if not held and session.get(Webhook, webhook_id) is None:
                return False  # deleted meanwhile, with its deliveries: nothing to record
            connection.execute(
                insert(WebhookAttempt),
                [
                    {
                        "tenant_id": tenant_id,
                        "delivery_id": delivery_id,
                        "attempted_at": at,
                        "status_code": result.status_code,
                        "latency_ms": result.latency_ms,
                        "response_body": result.response_body,
                        "error": None,
                    }
                    for delivery_id, result, at in items
                ],
            )
            connection.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == bindparam("b_id"))
                .values(
                    status=DeliveryStatus.DELIVERED,
                    attempts=WebhookDelivery.attempts + 1,
                    first_attempt_at=func.coalesce(
                        WebhookDelivery.first_attempt_at, bindparam("b_at", type_=UTCDateTime())
                    ),
                    last_attempt_at=bindparam("b_at", type_=UTCDateTime()),
                    delivered_at=bindparam("b_at", type_=UTCDateTime()),
                    last_status_code=bindparam("b_code"),
                ),
                [
                    {"b_id": delivery_id, "b_at": at, "b_code": result.status_code}
                    for delivery_id, result, at in items
                ],
            )
        return bool(held)

    def _release(self, webhook_id: int) -> None:
        with unit_of_work(self.factory, tenant_id=None) as session:
            session.execute(
                update(Webhook)
                .where(Webhook.id == webhook_id, Webhook.locked_by == self.name)
                .values(locked_by=None, locked_until=None)
            )

    def _record(self, webhook_id: int, delivery_id: int, result: AttemptResult) -> bool:
        """Log the attempt and move the queue on; True when the next delivery may be sent."""
        now = self.clock()
        with unit_of_work(self.factory, tenant_id=None) as session:
            webhook = session.get(Webhook, webhook_id)
            delivery = session.get(WebhookDelivery, delivery_id)
            if webhook is None or delivery is None:
                return False  # deleted meanwhile
            session.add(
                WebhookAttempt(
                    tenant_id=webhook.tenant_id,
                    delivery_id=delivery_id,
                    attempted_at=now,
                    status_code=result.status_code,
                    latency_ms=result.latency_ms,
                    response_body=result.response_body,
                    error=result.error,
                )
            )
            delivery.attempts += 1
            delivery.first_attempt_at = delivery.first_attempt_at or now
            delivery.last_attempt_at = now
            delivery.last_status_code = result.status_code
            if webhook.locked_by != self.name:
                if result.ok:
                    delivery.status = DeliveryStatus.DELIVERED
                    delivery.delivered_at = now
                return False  # our lease ran out: the new holder carries on
            if result.ok:
                delivery.status = DeliveryStatus.DELIVERED
                delivery.delivered_at = now
                webhook.retry_at = None
                webhook.locked_until = now + timedelta(seconds=self.lease_seconds)
                return True
            reason = self._give_up_reason(delivery, result, now)
            webhook.locked_by = None
            webhook.locked_until = None
            if reason is not None:
                delivery.status = DeliveryStatus.FAILED
                ctx = Context(webhook.tenant_id, "worker", Surface.WORKER)
                deactivate_webhook(session, ctx, webhook_id=webhook_id, reason=reason)
                log.warning("webhook %s deactivated: %s", webhook_id, reason.value)
            else:
                webhook.retry_at = now + self._delay(delivery.attempts, result)
            return False

    def _give_up_reason(
        self, delivery: WebhookDelivery, result: AttemptResult, now: Any
    ) -> DeactivateReason | None:
        code = result.status_code
        if code == 410:
            return DeactivateReason.HTTP_4XX_RESPONSE
        if code is not None and 300 <= code < 400 and delivery.attempts >= CLIENT_ERROR_ATTEMPTS:
            return DeactivateReason.TOO_MANY_REDIRECTS
        if (
            code is not None
            and 400 <= code < 500
            and code not in RETRIED_CLIENT_ERRORS
            and delivery.attempts >= CLIENT_ERROR_ATTEMPTS
        ):
            return DeactivateReason.HTTP_4XX_RESPONSE
        assert delivery.first_attempt_at is not None
        if now - delivery.first_attempt_at >= self.retry_window:
            return DeactivateReason.RETRY_COUNT
        return None

    def _delay(self, attempts: int, result: AttemptResult) -> timedelta:
        if result.retry_after is not None:
            return timedelta(seconds=min(result.retry_after, self.max_retry_after))
        return backoff(attempts, base=self.backoff_base, cap=self.backoff_cap)


def attach_webhooks(
    worker: Worker, *, ids: RenderId, allow_private_targets: bool, retention_days: float = 30.0
) -> WebhookSender:
    """Give a worker the webhook fan-out and sender, and the feed's pruning (``serve``'s
    embedded worker and ``syllabus worker`` both call this)."""
    if not any(hasattr(h, "webhooks_fan_out") for h in worker.registry.event_handlers):
        worker.registry.on_event(make_fan_out(ids))
    sender = WebhookSender(
        worker.factory,
        allow_private=allow_private_targets,
        name=f"{worker.name}:webhooks",
        wake=worker.wake,
        clock=worker.clock,
    )
    worker.extra_passes.append(sender.run_pass)
    worker.background.append(sender.settle)
    pruner = FeedPruner(worker.factory, retention=timedelta(days=retention_days))
    worker.extra_passes.append(pruner.run_pass)
    return sender


@dataclass
class WebhookPinger:
    """``POST /v1/webhooks/{id}/ping``: answered in the request, through the same guarded
    client and signing as deliveries (the app hands it to the Skilljar dialect)."""

    allow_private: bool
    timeout: float = 10.0
    """The whole ping's deadline (connect, send and receive)."""
    _client: httpx.Client | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def client(self) -> httpx.Client:
        """Opened on first use, so an app started again after ``close`` pings again."""
        with self._lock:
            if self._client is None:
                self._client = guarded_client(
                    allow_private=self.allow_private, timeout=self.timeout, max_connections=10
                )
            return self._client

    def __call__(self, webhook: Webhook) -> tuple[bool, int | None, str]:
        """(succeeded, HTTP status or None, message)."""
        result = ping(self.client, webhook)
        if result.ok:
            return True, result.status_code, "Ping succeeded."
        if result.status_code is not None:
            return False, result.status_code, f"Target answered HTTP {result.status_code}."
        return False, None, f"Could not reach the target: {result.error}"

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()
