"""Serving an app the way we serve ours, and loading it with a real load generator (wrk).

Every app (B0, B1, ours) runs under the same uvicorn settings: uvloop, httptools, one worker,
access log off, on 127.0.0.1 only. The server is pinned to core 0 and wrk to core 1, so the
load generator never steals the server's CPU (on a 2-core machine an in-process Python client
would measure itself). wrk runs one thread on its core: a second thread would only share it.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SERVER_CORE = "0"
LOAD_CORE = "1"
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class Load:
    """wrk settings: a fixed duration and a small, fixed number of connections."""

    duration: float = 5.0
    warmup: float = 1.0
    connections: int = 16
    threads: int = 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _pinned(core: str, argv: list[str]) -> list[str]:
    """Pin to one core when there are two to spare (and taskset exists)."""
    if (os.cpu_count() or 1) >= 2 and shutil.which("taskset"):
        return ["taskset", "-c", core, *argv]
    return argv


def ensure_wrk() -> str:
    """Return wrk's path, installing Debian's package first if it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("[bench] installing wrk with apt-get", file=sys.stderr, flush=True)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, check=False, **quiet).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], check=True, **quiet)
        subprocess.run(install, check=True, **quiet)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed and could not be installed")
    return found


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"


def get(port: int, path: str, headers: Mapping[str, str]) -> tuple[int, bytes]:
    """One plain request, to check a route answers 200 before it is loaded."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path, headers=dict(headers))
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


UNTHROTTLED = {"SYLLABUS_RATE_LIMIT_PER_SECOND": "1e9", "SYLLABUS_RATE_LIMIT_BURST": "1e9"}
"""Rate limiting on (its check is part of every request's cost), a budget no scenario spends."""


@contextmanager
def serve(app: str, *, factory: bool, env: Mapping[str, str] | None = None) -> Iterator[Server]:
    """Run ``app`` under uvicorn in a child process pinned to the server core; always stop it."""
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(port)]
    argv += ["--loop", "uvloop", "--http", "httptools", "--workers", "1"]
    argv += ["--no-access-log", "--log-level", "warning"]
    if factory:
        argv.append("--factory")
    process = subprocess.Popen(
        _pinned(SERVER_CORE, argv),
        cwd=REPO,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    try:
        _wait_listening(port, process)
        yield Server(port, process)
    finally:
        _stop(process)


def _wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before listening")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not listen on {HOST}:{port} within {START_TIMEOUT:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@dataclass(frozen=True)
class LoadResult:
    requests_per_second: float
    bad_responses: int
    """Non-2xx/3xx responses plus socket errors: a fast 401 must not pass for a fast 200."""


def run_wrk(url: str, headers: Mapping[str, str], load: Load, *, duration: float) -> LoadResult:
    """Load ``url`` for ``duration`` seconds from the load core; parse wrk's summary."""
    argv = [ensure_wrk(), "-t", str(load.threads), "-c", str(load.connections)]
    argv += ["-d", f"{max(1, round(duration))}s", "--timeout", "5s"]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    argv.append(url)
    out = subprocess.run(
        _pinned(LOAD_CORE, argv),
        check=True,
        capture_output=True,
        text=True,
        timeout=duration + 30,
    ).stdout
    rps = re.search(r"Requests/sec:\s*([\d.]+)", out)
    if rps is None:
        raise RuntimeError(f"could not parse wrk output:\n{out}")
    bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    bad_count = int(bad.group(1)) if bad else 0
    if errors:
        bad_count += sum(int(g) for g in errors.groups())
    return LoadResult(float(rps.group(1)), bad_count)


def measure(server: Server, path: str, headers: Mapping[str, str], load: Load) -> LoadResult:
    """Check the route answers 200, warm it up, then measure requests per second."""
    status, body = get(server.port, path, headers)
    if status != 200:
        raise RuntimeError(f"answered {status} to GET {path}: {body[:200]!r}")
    run_wrk(server.url(path), headers, load, duration=load.warmup)
    return run_wrk(server.url(path), headers, load, duration=load.duration)
