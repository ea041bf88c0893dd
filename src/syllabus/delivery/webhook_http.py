"""One signed webhook POST: the guarded HTTP client, Standard Webhooks headers, and the
classification of what came back.

The client connects only to addresses vetted at connect time (the same rules as when the
webhook was saved), so a hostname re-pointed at an internal address after the check
(DNS rebinding) is refused, and it never follows redirects nor reads proxies from the
environment, either of which would let a request land somewhere unvetted.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpcore
import httpx
import orjson
from standardwebhooks.webhooks import Webhook as Signer

from syllabus.domain.base import utcnow
from syllabus.services.webhook_targets import ForbiddenTarget, check_addresses

RESPONSE_LIMIT = 4096
"""Bytes of a receiver's answer kept in the attempt log."""
USER_AGENT = "Syllabus-Webhooks/1"


class _GuardedBackend(httpcore.SyncBackend):
    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = check_addresses(host, port, allow_private=self.allow_private)
        except ForbiddenTarget as refusal:
            raise httpcore.ConnectError(f"refused: {refusal}") from None
        except (OSError, UnicodeError) as error:
            raise httpcore.ConnectError(f"cannot resolve {host}: {error}") from None
        last: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as error:
                last = error
        assert last is not None
        raise last


def guarded_client(*, allow_private: bool, timeout: float, max_connections: int) -> httpx.Client:
    transport = httpx.HTTPTransport(
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=None)
    )
    pool = transport._pool
    assert isinstance(pool, httpcore.ConnectionPool)
    pool._network_backend = _GuardedBackend(allow_private=allow_private)
    return httpx.Client(
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
    """Send once; never raises for what the network or the receiver does."""
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
    try:
        with client.stream("POST", target.url, content=body, headers=headers) as response:
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
        )
