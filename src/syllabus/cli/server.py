"""``serve``, ``worker`` and ``demo``: running Syllabus."""

from __future__ import annotations

import json
import logging
import os
import signal
from typing import Annotated

import typer

from syllabus.auth.sessions import load_or_create_secret_key
from syllabus.cli.common import (
    CLI_ACTOR,
    app,
    err,
    fail,
    load_settings,
    redacted_url,
    session_factory,
)
from syllabus.cli.demo import ensure_demo_program
from syllabus.config import Settings
from syllabus.core.context import Context, Surface
from syllabus.core.credentials import CredentialKind
from syllabus.core.errors import DomainError
from syllabus.db.engine import make_engine
from syllabus.db.migrate import upgrade
from syllabus.db.session import make_sessionmaker, unit_of_work
from syllabus.delivery.housekeeping import attach_housekeeping
from syllabus.delivery.webhooks import attach_webhooks
from syllabus.delivery.worker import Worker, stop_event, wait_idle
from syllabus.dialects.skilljar.ids import IdCodec
from syllabus.services.credentials import issue_credential


@app.command()
def demo(
    acct_key: Annotated[str, typer.Argument()] = "demo.example",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Fill a program (created if missing) with demo users, groups, courses and enrollments."""
    settings = load_settings()
    upgrade(settings.database_url)
    api_key = _prepare_demo(settings, acct_key)
    if as_json:
        typer.echo(json.dumps({"acct_key": acct_key, "api_key": api_key}))
    else:
        _print_how_to_call(settings, acct_key, api_key)


def _prepare_demo(settings: Settings, acct_key: str) -> str:
    factory = session_factory(settings)
    try:
        with unit_of_work(factory, tenant_id=None) as session:
            summary = ensure_demo_program(session, acct_key, data_dir=settings.data_dir)
            ctx = Context(tenant_id=summary.tenant_id, actor=CLI_ACTOR, surface=Surface.CLI)
            api_key = issue_credential(
                session, ctx, kind=CredentialKind.API_KEY, label="demo"
            ).secret
    except DomainError as error:
        raise fail(error) from None
    state = (
        f"created with {summary.users} users and {summary.courses} courses"
        if summary.created
        else "already there"
    )
    err.print(f"demo program {acct_key}: {state}")
    return api_key


def _print_how_to_call(settings: Settings, acct_key: str, api_key: str) -> None:
    """Plain output (no wrapping) so the commands can be copied as they are."""
    base = f"http://{settings.host}:{settings.port}"
    headers = f"-H 'X-SkyPrep-API-Key: {api_key}' -H 'X-SkyPrep-Acct-Key: {acct_key}'"
    typer.echo(
        f"""
Syllabus demo program
  acct_key: {acct_key}
  api_key:  {api_key}   (a new key; only its hash is stored)

Try:
  curl {base}/health
  curl -X POST {base}/admin/api/test_connection {headers}
  curl -X POST {base}/admin/api/available_api_calls -d api_key={api_key} -d acct_key={acct_key}
"""
    )


GRACEFUL_SHUTDOWN_SECONDS = 10
"""On SIGTERM, how long requests in flight may finish before their connections are cut
(SSE clients then resume with Last-Event-ID)."""


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (SYLLABUS_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (SYLLABUS_PORT).")] = None,
    workers: Annotated[int, typer.Option(help="HTTP worker processes.")] = 1,
    embedded_worker: Annotated[
        bool, typer.Option(help="Run the background worker in-process.")
    ] = True,
    with_demo: Annotated[
        bool, typer.Option("--demo", help="Create the demo program first.")
    ] = False,
) -> None:
    """Migrate the database, then serve all dialects with uvicorn."""
    import uvicorn

    from syllabus.cli.http_protocol import BoundedHttpToolsProtocol

    if host:
        os.environ["SYLLABUS_HOST"] = host
    if port:
        os.environ["SYLLABUS_PORT"] = str(port)
    os.environ["SYLLABUS_EMBEDDED_WORKER"] = "1" if embedded_worker else "0"
    settings = load_settings()
    upgrade(settings.database_url)
    if with_demo:
        _print_how_to_call(settings, "demo.example", _prepare_demo(settings, "demo.example"))
    err.print(f"database: {redacted_url(settings.database_url)}")
    uvicorn.run(
        "syllabus.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level=settings.log_level,
        access_log=False,
        proxy_headers=False,  # ProxyHeaders (web/proxy.py) applies SYLLABUS_TRUSTED_PROXIES
        http=BoundedHttpToolsProtocol,  # bounded heads, head and body timeouts
        # Event streams and long polls never finish on their own: without a bound, one
        # subscriber keeps a SIGTERM from ever stopping the server (and its worker).
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="Process what is due, then exit.")] = False,
) -> None:
    """Run a background worker (several may run at once; work is claimed in the database)."""
    settings = load_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    factory = make_sessionmaker(engine)
    runner = Worker(
        factory,
        lease_seconds=settings.job_lease_seconds,
        poll_seconds=settings.worker_poll_seconds,
    )
    secret_key = load_or_create_secret_key(settings.secret_key, settings.data_dir, engine)
    sender = attach_webhooks(
        runner,
        ids=IdCodec(secret_key).encode,
        allow_private_targets=settings.webhook_allow_private_targets,
        retention_days=settings.event_retention_days,
    )
    attach_housekeeping(
        runner,
        job_retention_days=settings.job_retention_days,
        report_retention_days=settings.report_retention_days,
    )
    if once:
        wait_idle(runner, timeout=None)  # every drain started included
        sender.close()
        return
    stop = stop_event(runner)

    def shut_down(*_: object) -> None:
        sender.stop()  # abandons deliveries in flight; their leases are released at once
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, shut_down)
    runner.run_forever(stop)
    sender.close()
