"""Webhooks and the event feed: fan-out and delivery to a local receiver against a bare POST
loop, what configured webhooks cost a single write, and reading the feed by cursor."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import OperationalError

from bench.harness import Row, best_time, compare
from bench.http import _stop, free_port
from bench.scenarios import Bench
from syllabus.core.clock import utcnow
from syllabus.core.context import Context, Surface
from syllabus.db.session import unit_of_work
from syllabus.delivery.fanout import make_fan_out
from syllabus.delivery.registry import Registry
from syllabus.delivery.webhook_http import guarded_client
from syllabus.delivery.webhooks import WebhookSender
from syllabus.delivery.worker import Worker
from syllabus.domain.events import Event
from syllabus.domain.webhooks import Webhook, WebhookDelivery
from syllabus.queries.feed import Cursor, read_feed
from syllabus.services.events import record_events
from syllabus.services.users import UserData, update_user
from syllabus.services.webhooks import WebhookData, create_webhook

EVENTS = 10_000
HOOKS = 2
LATENCY_EVENTS = 300
JSON_HEADERS = {"content-type": "application/json"}


class _Sink:
    def __init__(self) -> None:
        self.count = 0
        self.arrivals: dict[str, float] = {}
        self.lock = threading.Lock()


@contextmanager
def receiver() -> Iterator[tuple[str, _Sink]]:
    sink = _Sink()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            now = time.perf_counter()
            with sink.lock:
                sink.count += 1
                event_id = orjson.loads(body).get("event_id") if body[:1] == b"{" else None
                if event_id and event_id not in sink.arrivals:
                    sink.arrivals[event_id] = now
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", sink
    finally:
        server.shutdown()
        server.server_close()


def _reset(bench: Bench, attempts: int = 5) -> None:
    """Drop the webhooks and mark every event dispatched. A worker may be fanning out or
    recording deliveries meanwhile, taking the same rows in another order: on PostgreSQL
    that can end in a deadlock, which aborts one side, so the reset is tried again."""
    for attempt in range(attempts):
        try:
            with unit_of_work(bench.factory, tenant_id=None) as session:
                session.execute(update(Event).values(dispatched_at=utcnow()))
            with unit_of_work(bench.factory, tenant_id=None) as session:
                tenant = bench.program.tenant_id
                session.execute(delete(Webhook).where(Webhook.tenant_id == tenant))
            return
        except OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1 * (attempt + 1))


def _hooks(bench: Bench, url: str, count: int) -> None:
    with bench.write_session() as session:
        for n in range(count):
            create_webhook(
                session,
                bench.ctx,
                data=WebhookData(target_url=f"{url}/{n}"),
                allow_private_targets=True,
            )


def _enrollment_events(bench: Bench, count: int) -> list[dict[str, Any]]:
    users, courses = bench.program.first_user_id, bench.program.course_ids
    return [
        {
            "enrollment_id": i + 1,
            "user_id": users + (i % bench.program.users),
            "course_id": courses[i % len(courses)],
            "domain_id": bench.program.domain_id,
        }
        for i in range(count)
    ]


def _worker(bench: Bench, **options: Any) -> tuple[Worker, WebhookSender]:
    registry = Registry()
    registry.on_event(make_fan_out(lambda kind, n: f"{kind}{n}"))
    worker = Worker(bench.factory, registry=registry, batch_size=500)
    sender = WebhookSender(
        bench.factory, allow_private=True, concurrency=HOOKS, wake=worker.wake, **options
    )
    worker.extra_passes.append(sender.run_pass)
    worker.background.append(sender.settle)
    return worker, sender


def _delivered(bench: Bench) -> int:
    with unit_of_work(bench.factory, tenant_id=None, read_only=True) as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(WebhookDelivery)
                .where(WebhookDelivery.status == "delivered")
            )
            or 0
        )


def fan_out_rows(bench: Bench) -> list[Row]:
    """10,000 events to 2 webhooks, end to end, vs the same client POSTing in a loop."""
    _reset(bench)
    with receiver() as (url, sink):
        _hooks(bench, url, HOOKS)
        with bench.write_session() as session:
            record_events(
                session, bench.ctx, "enrollment.created", _enrollment_events(bench, EVENTS)
            )
        worker, sender = _worker(bench)
        started = time.perf_counter()
        while sink.count < EVENTS * HOOKS:
            worker.wake.clear()  # as run_forever: a drain that ends sets it, and its
            if not worker.run_once():  # webhook is claimed again at once
                worker.wake.wait(worker.poll_seconds)
            if time.perf_counter() - started > 900:
                raise TimeoutError(f"only {sink.count} deliveries")
        ours = time.perf_counter() - started
        sender.close()

        client = guarded_client(allow_private=True, timeout=10, max_connections=HOOKS * 2)
        body = orjson.dumps({"event_type": "COURSE_ENROLLMENT", "n": 0})

        def loop(n: int) -> None:
            for _ in range(EVENTS):
                client.post(f"{url}/{n}", content=body, headers=JSON_HEADERS)

        started = time.perf_counter()
        with ThreadPoolExecutor(HOOKS) as pool:
            list(pool.map(loop, range(HOOKS)))
        bare = time.perf_counter() - started
        client.close()

        latencies = _latencies(bench, sink)
    _reset(bench)
    p50, p99 = statistics.median(latencies), statistics.quantiles(latencies, n=100)[98]
    return [
        Row(
            bench.name(f"W1. {EVENTS:,} events x {HOOKS} webhooks, fan-out + signed delivery"),
            EVENTS * HOOKS / ours,
            EVENTS * HOOKS / bare,
            f"bare httpx POST loop, {HOOKS} threads",
            "req/s",
            note=f"write-to-receipt p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
            f" (worker poll 0.5 s, woken by each commit)",
        )
    ]


def _latencies(bench: Bench, sink: _Sink) -> list[float]:
    """Events written one per transaction, 100/s, while an embedded-style worker runs."""
    worker, sender = _worker(bench)
    worker.poll_seconds = 0.5
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop,), daemon=True)
    thread.start()
    written: dict[str, float] = {}
    try:
        for _ in range(LATENCY_EVENTS):
            with bench.write_session() as session:
                record_events(
                    session, bench.ctx, "enrollment.created", _enrollment_events(bench, 1)
                )
                session.flush()
                event_id = session.scalar(select(Event.event_id).order_by(Event.id.desc()).limit(1))
            written[str(event_id)] = time.perf_counter()
            time.sleep(0.01)
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline and not all(e in sink.arrivals for e in written):
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=30)
        sender.close()
    return [sink.arrivals[e] - t for e, t in written.items() if e in sink.arrivals]


def _single_writes(bench: Bench) -> tuple[int, Callable[[], None]]:
    """W2's workload: ``writes`` separate ``update_user`` transactions, each recording one
    event, and the function that runs them once."""
    writes = max(200, bench.scale.lookups // 4)
    user = bench.program.first_user_id
    counter = iter(range(10**9))

    def batch() -> None:
        for _ in range(writes):
            with bench.write_session() as session:
                update_user(
                    session,
                    bench.ctx,
                    user_id=user,
                    changes=UserData(first_name=f"W{next(counter)}"),
                )

    return writes, batch


def write_overhead_rows(bench: Bench) -> list[Row]:
    """One ``update_user`` per transaction, without webhooks vs with two webhooks subscribed
    to everything and a worker delivering them meanwhile (same machine, same database)."""
    _reset(bench)
    writes, batch = _single_writes(bench)

    with receiver() as (url, _sink):
        worker, sender = _worker(bench)
        stop = threading.Event()
        thread = threading.Thread(target=worker.run_forever, args=(stop,), daemon=True)
        thread.start()
        with_hooks = without = float("inf")
        try:
            batch()  # warm-up
            for _ in range(bench.scale.repeats):  # interleaved, best of each side
                _reset(bench)
                without = min(without, best_time(batch))
                _hooks(bench, url, HOOKS)
                with_hooks = min(with_hooks, best_time(batch))
        finally:
            stop.set()
            thread.join(timeout=30)
            sender.close()
    _reset(bench)
    return [
        Row(
            bench.name("W2. single write (update_user), 2 webhooks + worker vs none"),
            writes / with_hooks,
            writes / without,
            "same writes, no webhooks",
            "write/s",
            aim=">=0.87",
        )
    ]


RECEIVER_SCRIPT = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
server.daemon_threads = True
server.serve_forever()
"""


@contextmanager
def _child(argv: list[str], env: dict[str, str] | None = None) -> Iterator[None]:
    process = subprocess.Popen(argv, env={**os.environ, **(env or {})}, start_new_session=True)
    try:
        yield
    finally:
        _stop(process)


def separate_worker_rows(bench: Bench) -> list[Row]:
    """W2 as deployed for heavy webhook traffic: the writer, ``syllabus worker`` and the
    receiver each in their own process, so the row shows what webhooks cost the database
    and the machine rather than a shared interpreter lock."""
    _reset(bench)
    writes, batch = _single_writes(bench)

    port = free_port()
    env = {
        "SYLLABUS_DATABASE_URL": bench.program.url,
        "SYLLABUS_WEBHOOK_ALLOW_PRIVATE_TARGETS": "1",
        "SYLLABUS_LOG_LEVEL": "warning",
    }
    with (
        tempfile.TemporaryDirectory() as data_dir,
        _child([sys.executable, "-c", RECEIVER_SCRIPT, str(port)]),
        _child(
            [sys.executable, "-m", "syllabus", "worker"], {**env, "SYLLABUS_DATA_DIR": data_dir}
        ),
    ):
        with_hooks = without = float("inf")
        batch()  # warm-up
        for _ in range(bench.scale.repeats):  # interleaved, best of each side
            _reset(bench)
            without = min(without, best_time(batch))
            _hooks(bench, f"http://127.0.0.1:{port}/hook", HOOKS)
            with_hooks = min(with_hooks, best_time(batch))
        delivered = _delivered(bench)  # proof the worker kept up, not just ran
    _reset(bench)
    return [
        Row(
            bench.name("W2b. the same, worker and receiver in their own processes"),
            writes / with_hooks,
            writes / without,
            "same writes, no webhooks",
            "write/s",
            aim=">=0.87",
            note=f"{delivered:,} deliveries made meanwhile",
        )
    ]


def feed_rows(bench: Bench) -> list[Row]:
    """Every event of the program read by cursor, 1,000 a page, vs a raw keyset SELECT."""
    tenant = bench.program.tenant_id
    reader = Context(tenant_id=tenant, actor="bench", surface=Surface.SKILLJAR)
    with bench.read_session() as session:
        total = int(session.scalar(select(func.count()).where(Event.tenant_id == tenant)) or 0)

    def mine() -> None:
        cursor: Cursor | None = None
        read = 0
        while True:
            with bench.read_session() as session:
                page = read_feed(session, reader, after=cursor, limit=1000)
            read += len(page.events)
            if not page.events:
                break
            cursor = page.next
        if read < total:
            raise RuntimeError(f"feed read {read} of {total}")

    raw: Any = bench.raw
    sql = raw._sql(
        "SELECT id, event_id, type, occurred_at, surface, actor, data FROM events"
        " WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT 1000"
    )

    def theirs() -> None:
        after = 0
        while rows := raw.conn.execute(sql, (tenant, after)).fetchall():
            after = rows[-1][0]
            [orjson.loads(r[6]) if isinstance(r[6], str) else r[6] for r in rows]

    our_time, raw_time = compare(mine, theirs, repeats=bench.scale.repeats)
    return [
        Row(
            bench.name(f"W3. event feed by cursor ({total:,} events, pages of 1,000)"),
            total / our_time,
            total / raw_time,
            "B2 keyset SELECT on events",
            "event/s",
        )
    ]


def webhooks_scenario(bench: Bench) -> list[Row]:
    return [
        *fan_out_rows(bench),
        *write_overhead_rows(bench),
        *separate_worker_rows(bench),
        *feed_rows(bench),
    ]
