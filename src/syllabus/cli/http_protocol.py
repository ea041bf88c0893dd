"""The HTTP/1.1 protocol ``syllabus serve`` runs: uvicorn's httptools protocol with the bounds
it lacks. uvicorn limits neither the size of a request head nor how long a client may take to
send it or its body, so one client could hold a connection (and its memory) forever.

- A request head (request line and headers) larger than ``max_head_bytes`` is answered 431 and
  the connection closed. Bytes are counted as they arrive, before httptools buffers a header
  whole, so a 100 MB header costs at most one read beyond the limit.
- A head not complete ``head_timeout`` seconds after its first byte (or after the connection
  opened) is answered 408 and the connection closed.
- A body that sends nothing for ``body_idle_timeout`` seconds closes the connection; the
  application sees a disconnect.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD_BYTES = 64 * 1024
HEAD_TIMEOUT_SECONDS = 30.0
BODY_IDLE_TIMEOUT_SECONDS = 60.0
LINGER_SECONDS = 2.0
"""After a refusal, how long what the client still sends is read and dropped, so it can read
the answer instead of a reset (a client mid-upload does not stop to read)."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    max_head_bytes = MAX_HEAD_BYTES
    head_timeout = HEAD_TIMEOUT_SECONDS
    body_idle_timeout = BODY_IDLE_TIMEOUT_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_open = True
        self._head_bytes = 0
        self._body_open = False
        self._refused = False
        self._timer: asyncio.TimerHandle | None = None

    # --- connection ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.head_timeout, self._head_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._head_open:
            self._head_bytes += len(data)
        elif self._body_open:
            self._arm(self.body_idle_timeout, self._body_timed_out)
        super().data_received(data)
        # Counted before parsing, judged after: the head may have ended inside this read.
        if self._head_open and self._head_bytes > self.max_head_bytes:
            self._refuse(431, "Request Header Fields Too Large")

    def send_400_response(self, msg: str) -> None:
        if not self._refused:
            super().send_400_response(msg)

    # --- parser callbacks ---------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._head_open:  # the next request on a kept-alive connection
            self._head_open, self._head_bytes = True, 0
            self._arm(self.head_timeout, self._head_timed_out)

    def on_headers_complete(self) -> None:
        self._head_open = False
        self._body_open = True
        self._arm(self.body_idle_timeout, self._body_timed_out)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._body_open = False
        self._disarm()
        super().on_message_complete()

    # --- bounds -------------------------------------------------------------------------

    def _arm(self, delay: float, callback: Any) -> None:
        self._disarm()
        self._timer = self.loop.call_later(delay, callback)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _head_timed_out(self) -> None:
        if self._head_open and not self.transport.is_closing():
            self._refuse(408, "Request Timeout")

    def _body_timed_out(self) -> None:
        if self._body_open and not self.transport.is_closing():
            self.transport.close()

    def _refuse(self, status: int, reason: str) -> None:
        self._refused = True
        body = reason.encode("ascii")
        self.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (status, body, len(body), body)
        )
        if self.transport.can_write_eof():
            self.transport.write_eof()  # answered; what still arrives is dropped until
        self._arm(LINGER_SECONDS, self.transport.close)
