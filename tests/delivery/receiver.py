"""A real webhook receiver on 127.0.0.1 that verifies every request as a receiver would
(``standardwebhooks``), and can be told to fail: answer a status, stall, or hang up."""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook as Verifier


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def message_id(self) -> str:
        return self.headers["webhook-id"]

    def json(self) -> dict[str, Any]:
        return json.loads(self.body)  # type: ignore[no-any-return]


@dataclass
class Behaviour:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hang_up: bool = False
    """Close the connection without answering."""
    reset: bool = False
    """Abort the connection (RST) without a byte of answer."""
    close_after: bool = False
    """Answer, then close the connection though it was not announced (an idle proxy's close)."""
    trickle: float = 0.0
    """Send the answer one byte every this many seconds (each read is quick, the whole slow)."""

    @property
    def succeeds(self) -> bool:
        """A prompt 2xx: the sender has no reason to send the request again."""
        quick = not (self.delay or self.hang_up or self.trickle or self.reset)
        return quick and 200 <= self.status < 300


@dataclass
class Receiver:
    url: str
    secrets: list[str] = field(default_factory=list)
    """Every received request must verify with at least one of these."""
    script: list[Behaviour] = field(default_factory=list)
    """Consumed one per request; then ``default``."""
    default: Behaviour = field(default_factory=Behaviour)
    received: list[Received] = field(default_factory=list)
    """Verified requests answered 2xx (the ones a receiver would have processed)."""
    requests: int = 0
    arrivals: list[str] = field(default_factory=list)
    """``webhook-id`` of every verified request as it arrived, whatever was answered."""
    unverified: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    outcomes: list[tuple[str, Behaviour]] = field(default_factory=list)
    """(``webhook-id``, how it was answered) of every verified request, as it arrived."""

    def next_behaviour(self, message_id: str | None = None) -> Behaviour:
        """How to answer the next request; a verified one is logged in ``arrivals``."""
        with self.lock:
            self.requests += 1
            behaviour = self.script.pop(0) if self.script else self.default
            if message_id is not None:
                self.arrivals.append(message_id)
                self.outcomes.append((message_id, behaviour))
            return behaviour

    def failures(self) -> Counter[str]:
        """Per ``webhook-id``, the requests answered with anything but a prompt 2xx."""
        with self.lock:
            return Counter(i for i, b in self.outcomes if not b.succeeds)

    def verify(self, headers: dict[str, str], body: bytes) -> bool:
        for secret in self.secrets:
            try:
                Verifier(secret).verify(body, headers)
                return True
            except Exception:  # noqa: S112 (try the next secret)
                continue
        return False

    def ids(self) -> list[str]:
        with self.lock:
            return [r.message_id for r in self.received]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"received {len(self.received)} of {count}")


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            ok = receiver.verify(headers, body)
            behaviour = receiver.next_behaviour(headers.get("webhook-id", "?") if ok else None)
            if behaviour.delay:
                time.sleep(behaviour.delay)
            if behaviour.hang_up:
                self.close_connection = True
                with contextlib.suppress(OSError):  # the sender may have gone already
                    self.wfile.write(b"HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\npartial")
                    self.wfile.flush()
                    self.connection.shutdown(2)
                return
            if behaviour.reset:
                self.close_connection = True
                linger = struct.pack("ii", 1, 0)  # close with RST, not FIN
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                return
            if behaviour.trickle:  # never recorded as received: no sender waits it out
                self._trickle(behaviour.status, b'{"status": "slow"}', behaviour.trickle)
                return
            status = behaviour.status if ok else 401
            if not ok:
                with receiver.lock:
                    receiver.unverified.append(headers.get("webhook-id", "?"))
            elif 200 <= status < 300:
                with receiver.lock:
                    receiver.received.append(Received(headers, body, time.monotonic()))
            answer = f'{{"status": {status}}}'.encode()
            self.send_response(status)
            for name, value in behaviour.headers.items():
                self.send_header(name, value)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the sender may have timed out and gone
                self.wfile.write(answer)
            if behaviour.close_after:
                self.close_connection = True

        def _trickle(self, status: int, answer: bytes, pause: float) -> None:
            self.close_connection = True
            head = f"HTTP/1.1 {status} OK\r\ncontent-length: {len(answer)}\r\n\r\n"
            with contextlib.suppress(OSError):  # the sender gives up and hangs up
                for byte in head.encode() + answer:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(pause)

    return Handler


@contextmanager
def running_receiver(port: int = 0) -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(Receiver(url="")))
    receiver = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hook")
    server.RequestHandlerClass = _handler(receiver)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
