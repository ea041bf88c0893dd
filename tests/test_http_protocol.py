"""``syllabus serve``'s HTTP protocol bounds what a client may send and how slowly: tested on a
real uvicorn listening on 127.0.0.1, with raw sockets, as an attacker would connect."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from syllabus.cli.http_protocol import BoundedHttpToolsProtocol


class QuickProtocol(BoundedHttpToolsProtocol):
    """Short timeouts, so the tests wait fractions of a second for the server to act."""

    max_head_bytes = 8 * 1024
    head_timeout = 0.3
    body_idle_timeout = 0.3


async def echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"got %d" % len(body)})


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(echo_app, http=QuickProtocol, log_level="critical", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.01)
    yield listener.getsockname()[1]
    server.should_exit = True
    thread.join(5)


def exchange(port: int, *parts: bytes) -> bytes:
    """Send ``parts`` and read until the server closes (or 5 s pass: a failure)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        for part in parts:
            conn.sendall(part)
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
        return received


def test_a_normal_request_is_served(port: int) -> None:
    answer = exchange(
        port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"
    )
    assert answer.startswith(b"HTTP/1.1 200")
    assert b"got 3" in answer


def test_a_request_head_over_the_limit_is_431(port: int) -> None:
    huge = b"X-Filler: " + b"a" * (1024 * 1024) + b"\r\n"
    try:
        answer = exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n", huge, b"\r\n")
    except (ConnectionResetError, BrokenPipeError):
        pytest.fail("the server closed without answering")
    assert answer.startswith(b"HTTP/1.1 431")


def test_a_head_that_never_ends_is_408_and_closed(port: int) -> None:
    answer = exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n")  # and then nothing
    assert answer.startswith(b"HTTP/1.1 408")


def test_a_silent_connection_is_closed(port: int) -> None:
    assert exchange(port).startswith(b"HTTP/1.1 408")


def test_a_body_that_stops_arriving_closes_the_connection(port: int) -> None:
    answer = exchange(port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
    assert answer == b""  # closed: the application saw a disconnect and answered nothing
