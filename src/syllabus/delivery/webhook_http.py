"""One signed webhook POST: the guarded HTTP client, Standard Webhooks headers, and the
classification of what came back.

The client connects only to addresses vetted at connect time (the same rules as when the
webhook was saved), so a hostname re-pointed at an internal address after the check
(DNS rebinding) is refused, and it never follows redirects nor reads proxies from the
environment, either of which would let a request land somewhere unvetted.

Each attempt also has a total deadline (host lookup, connect, send and receive together):
httpx's own timeouts bound each socket operation only, which a receiver answering a byte at
a time never trips, and the lookup (a blocking getaddrinfo) none at all. A stopped client
abandons attempts in flight within a fraction of a second.
"""

from __future__ import annotations

import base64
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpcore
import httpx
import orjson
from standardwebhooks.webhooks import Webhook as Signer

from syllabus.core.clock import utcnow
from syllabus.services.webhook_targets import (
    ForbiddenTarget,
    IPAddress,
    ip_literal,
    vet_addresses,
)

RESPONSE_LIMIT = 4096
"""Bytes of a receiver's answer kept in the attempt log."""
USER_AGENT = "Syllabus-Webhooks/1"
WAIT_SLICE = 0.25
"""Longest single socket wait while an attempt runs, so a stop is noticed that soon."""
LOOKUPS = 16
"""Host lookups running at once per client; one more waits for a slot (within its
deadline), so a resolver that hangs cannot pile up threads."""

Resolver = Callable[..., list[tuple[Any, ...]]]
"""``socket.getaddrinfo``'s shape: what the client resolves hosts with."""


class Abandoned(httpcore.ReadError):
    """The client was stopped while a request was in flight (not the receiver's doing)."""


@dataclass
class _Budget:
    deadline: float
    """``time.monotonic()`` by which the whole attempt must be over."""
    total: float
    stopping: threading.Event
    reused: bool = False
    """Sent on a kept-alive connection that an earlier attempt had used."""
    answered: bool = False
    """At least one byte of answer came back."""


_BUDGET: ContextVar[_Budget | None] = ContextVar("webhook_attempt_budget", default=None)
"""The attempt running in this thread: httpx's sync transport does its I/O in the caller's
thread, so the network stream below reads it to bound every connect, write and read."""


def _after(seconds: float) -> float:
    return time.monotonic() + seconds


def _remaining(budget: _Budget | None, timeout: float | None) -> float | None:
    """Seconds a socket operation may wait: its own timeout, cut to the attempt's deadline."""
    if budget is None:
        return timeout
    if budget.stopping.is_set():
        raise Abandoned("abandoned: the sender is stopping")
    left = budget.deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout(f"the attempt took longer than {budget.total:g}s in total")
    return left if timeout is None else min(left, timeout)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every wait fits in the current attempt's total deadline.

    httpx's timeouts apply to each socket operation, so a receiver trickling one byte a
    second would keep an attempt alive for ever; here a read also ends at the deadline, and
    waits in short slices so that a stopping sender abandons it promptly.
    """

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner
        self._used_by: _Budget | None = None

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        budget = _BUDGET.get()
        if budget is None:
            return self._inner.read(max_bytes, timeout)
        limit = budget.deadline if timeout is None else min(budget.deadline, _after(timeout))
        while True:
            _remaining(budget, None)  # raises once stopping, or past the total deadline
            wait = limit - time.monotonic()
            if wait <= 0:
                raise httpcore.ReadTimeout("timed out reading the response")
            try:
                data = self._inner.read(max_bytes, min(wait, WAIT_SLICE))
            except httpcore.ReadTimeout:
                continue  # nothing was consumed: look at the stop flag and deadlines again
            budget.answered = budget.answered or bool(data)
            return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        budget = _BUDGET.get()
        wait = _remaining(budget, timeout)
        if budget is not None:
            budget.reused = budget.reused or (self._used_by not in (None, budget))
            self._used_by = budget
        self._inner.write(buffer, wait)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        wait = _remaining(_BUDGET.get(), timeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, wait))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.SyncBackend):
    def __init__(self, *, allow_private: bool, resolver: Resolver = socket.getaddrinfo) -> None:
        self.allow_private = allow_private
        self.resolver = resolver
        self._lookups = threading.BoundedSemaphore(LOOKUPS)

    def resolve(self, host: str, port: int, timeout: float | None) -> list[IPAddress]:
        """``host``'s addresses, looked up within the attempt's deadline (and ``timeout``,
        the connect timeout). getaddrinfo cannot be interrupted, so it runs in a thread of
        its own that is waited for only that long: a lookup abandoned (out of time, or the
        client stopping) finishes in the background and its answer is dropped."""
        literal = ip_literal(host)
        if literal is not None:
            return [literal]
        budget = _BUDGET.get()
        until = _lookup_deadline(budget, timeout)
        _wait_for(lambda wait: self._lookups.acquire(timeout=wait), budget, until, host)
        answer: Future[list[tuple[Any, ...]]] = Future()

        def look_up() -> None:
            try:
                answer.set_result(self.resolver(host, port, type=socket.SOCK_STREAM))
            except BaseException as error:  # handed to the waiting attempt, if still there
                answer.set_exception(error)
            finally:
                self._lookups.release()

        try:
            threading.Thread(target=look_up, name="webhook-lookup", daemon=True).start()
        except BaseException:
            self._lookups.release()
            raise
        _wait_for(lambda wait: _settled(answer, wait), budget, until, host)
        return [ipaddress.ip_address(info[4][0]) for info in answer.result()]

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = vet_addresses(
                host, self.resolve(host, port, timeout), allow_private=self.allow_private
            )
        except ForbiddenTarget as refusal:
            raise httpcore.ConnectError(f"refused: {refusal}") from None
        except (OSError, UnicodeError) as error:
            raise httpcore.ConnectError(f"cannot resolve {host}: {error}") from None
        last: Exception | None = None
        for address in addresses:
            wait = _remaining(_BUDGET.get(), timeout)
            try:
                return _DeadlineStream(
                    super().connect_tcp(str(address), port, wait, local_address, socket_options)
                )
            except httpcore.ConnectError as error:
                last = error
        assert last is not None
        raise last


def _lookup_deadline(budget: _Budget | None, timeout: float | None) -> float | None:
    until = None if timeout is None else _after(timeout)
    if budget is not None:
        until = budget.deadline if until is None else min(until, budget.deadline)
    return until


def _settled(answer: Future[Any], wait: float) -> bool:
    try:
        answer.exception(wait)
    except FutureTimeout:
        return False
    return True


def _wait_for(
    done: Callable[[float], bool], budget: _Budget | None, until: float | None, host: str
) -> None:
    """Call ``done(wait)`` in short slices until it is True; a stopping client abandons the
    attempt, and ``until`` passing is a connect timeout (retried like any network error)."""
    while True:
        if budget is not None and budget.stopping.is_set():
            raise Abandoned("abandoned: the sender is stopping")
        left = WAIT_SLICE if until is None else until - time.monotonic()
        if left <= 0:
            raise httpcore.ConnectTimeout(f"looking up {host} took too long")
        if done(min(left, WAIT_SLICE)):
            return


class GuardedClient(httpx.Client):
    """The webhook client: ``timeout`` bounds each whole attempt made through ``post``
    (connect, send and receive together), and ``stop`` abandons attempts in flight."""

    def __init__(self, *, total_timeout: float, **options: Any) -> None:
        super().__init__(**options)
        self.total_timeout = total_timeout
        self.stopping = threading.Event()

    def stop(self) -> None:
        self.stopping.set()

    @contextmanager
    def attempt(self, deadline: float | None = None) -> Iterator[_Budget]:
        """Run one attempt under the total deadline (``post`` does this)."""
        deadline = deadline or time.monotonic() + self.total_timeout
        budget = _Budget(deadline, self.total_timeout, self.stopping)
        token = _BUDGET.set(budget)
        try:
            yield budget
        finally:
            _BUDGET.reset(token)


def guarded_client(
    *,
    allow_private: bool,
    timeout: float,
    max_connections: int,
    resolver: Resolver = socket.getaddrinfo,
) -> GuardedClient:
    """The webhook client; ``resolver`` looks hosts up (the OS's, but for tests)."""
    transport = httpx.HTTPTransport(
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=None)
    )
    pool = transport._pool
    assert isinstance(pool, httpcore.ConnectionPool)
    pool._network_backend = _GuardedBackend(allow_private=allow_private, resolver=resolver)
    return GuardedClient(
        total_timeout=timeout,
        transport=transport,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        follow_redirects=False,
        trust_env=False,
        headers={"user-agent": USER_AGENT},
    )


def sign(secrets: Iterable[str], message_id: str, moment: datetime, body: bytes) -> str:
    """``webhook-signature``: one ``v1,<base64>`` per live secret, space separated."""
    text = body.decode()
    return " ".join(Signer(s).sign(message_id, moment, text) for s in secrets)


@dataclass(frozen=True)
class Target:
    """What sending needs from a webhook row, read once per claim."""

    url: str
    secrets: tuple[str, ...]
    username: str
    password: str
    headers: dict[str, str]

    def __repr__(self) -> str:  # never print the password or the secrets
        return f"Target({self.url!r})"


@dataclass(frozen=True)
class AttemptResult:
    status_code: int | None
    latency_ms: int
    response_body: str
    error: str | None
    retry_after: float | None
    """Seconds asked for by a Retry-After header, when one was sent."""
    abandoned: bool = False
    """The sender stopped mid-attempt: nothing to hold against the receiver."""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, (moment - now).total_seconds())


def post(
    client: httpx.Client, target: Target, message_id: str, payload: dict[str, Any]
) -> AttemptResult:
    """Send once; never raises for what the network or the receiver does.

    A kept-alive connection the receiver closed unannounced fails before any answer; that
    request is sent again at once on a fresh connection (same ``webhook-id``, same deadline)
    rather than counted as the receiver's failure."""
    body = orjson.dumps(payload)
    moment = utcnow()
    headers = {
        **target.headers,
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": sign(target.secrets, message_id, moment, body),
    }
    if target.username or target.password:
        pair = f"{target.username}:{target.password}".encode()
        headers["authorization"] = "Basic " + base64.b64encode(pair).decode()
    started = time.perf_counter()
    deadline: float | None = None
    for again in (False, True):
        budget = client.attempt(deadline) if isinstance(client, GuardedClient) else nullcontext()
        with budget as spent:
            result = _send(client, target.url, body, headers, started)
        stale = spent is not None and spent.reused and not spent.answered
        if result.ok or result.abandoned or result.status_code is not None or not stale or again:
            return result
        deadline = spent.deadline if spent is not None else None
    raise AssertionError("unreachable")


def _send(
    client: httpx.Client, url: str, body: bytes, headers: dict[str, str], started: float
) -> AttemptResult:
    try:
        with client.stream("POST", url, content=body, headers=headers) as response:
            kept = bytearray()
            for chunk in response.iter_bytes():
                kept.extend(chunk[: RESPONSE_LIMIT - len(kept)])
                if len(kept) >= RESPONSE_LIMIT:
                    break
            latency = int((time.perf_counter() - started) * 1000)
            return AttemptResult(
                status_code=response.status_code,
                latency_ms=latency,
                response_body=kept.decode(errors="replace"),
                error=None,
                retry_after=retry_after_seconds(response.headers.get("retry-after"), utcnow()),
            )
    except httpx.HTTPError as error:
        latency = int((time.perf_counter() - started) * 1000)
        return AttemptResult(
            status_code=None,
            latency_ms=latency,
            response_body="",
            error=f"{type(error).__name__}: {error}"[:500],
            retry_after=None,
            abandoned=isinstance(error.__cause__ or error.__context__, Abandoned),
        )
