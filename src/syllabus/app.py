"""The ASGI application: the dialects, a health check, and the embedded worker."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.routing import Mount

from syllabus import __version__
from syllabus.auth.cache import PrincipalCache
from syllabus.auth.sessions import load_or_create_secret_key
from syllabus.config import Settings
from syllabus.db.engine import make_engine
from syllabus.db.session import make_sessionmaker
from syllabus.delivery.housekeeping import attach_housekeeping
from syllabus.delivery.webhooks import WebhookPinger, attach_webhooks
from syllabus.delivery.worker import Worker, start_in_thread
from syllabus.dialects.responses import JSONResponse
from syllabus.dialects.scim.app import create_scim_app
from syllabus.dialects.scim.endpoint import SCIM
from syllabus.dialects.skilljar.app import create_skilljar_app
from syllabus.dialects.skilljar.auth import V1
from syllabus.dialects.skilljar.ids import IdCodec
from syllabus.dialects.skyprep.materials import routes as material_routes
from syllabus.dialects.skyprep.reports import routes as report_routes
from syllabus.dialects.skyprep.router import routes as skyprep_routes
from syllabus.pipeline.idempotency import IdempotencyGuard
from syllabus.pipeline.middleware import ApiGuard
from syllabus.pipeline.rate_limiting import RateLimiter
from syllabus.web.calendar import routes as calendar_routes
from syllabus.web.certificates import routes as certificate_routes
from syllabus.web.login import routes as login_routes
from syllabus.web.proxy import ProxyHeaders
from syllabus.web.stripe import routes as stripe_routes

log = logging.getLogger("syllabus")


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    session_factory: sessionmaker[Session] | None = None,
) -> FastAPI:
    """The app for ``settings``; pass ``engine`` and ``session_factory`` to share them.

    Everything that opens sessions (the dialects, the guards, the embedded worker) takes the
    one factory made or given here, so a caller can bind it elsewhere (the tests bind it to a
    savepoint of their connection). A given engine is the caller's to dispose.
    """
    settings = settings or Settings.from_env()
    owns_engine = engine is None
    engine = engine or make_engine(settings.database_url)
    factory = session_factory or make_sessionmaker(engine)
    rate_limiter = RateLimiter.for_settings(settings, engine, factory)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker_stop = sender = None
        if settings.embedded_worker:
            worker = Worker(
                factory,
                lease_seconds=settings.job_lease_seconds,
                poll_seconds=settings.worker_poll_seconds,
            )
            sender = attach_webhooks(
                worker,
                ids=IdCodec(app.state.secret_key).encode,
                allow_private_targets=settings.webhook_allow_private_targets,
                retention_days=settings.event_retention_days,
            )
            attach_housekeeping(
                worker,
                job_retention_days=settings.job_retention_days,
                report_retention_days=settings.report_retention_days,
            )
            thread, worker_stop = start_in_thread(worker)
        try:
            yield
        finally:
            if worker_stop is not None and sender is not None:
                # Abandon deliveries in flight first: their leases are released at once
                # and they stay pending for whichever worker runs next.
                sender.stop()
                worker_stop.set()
                thread.join(timeout=10)
                sender.close()
            app.state.webhook_ping.close()
            rate_limiter.close()
            if owns_engine:
                engine.dispose()

    app = FastAPI(
        title="Syllabus",
        version=__version__,
        default_response_class=JSONResponse,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = factory
    app.state.auth_cache = PrincipalCache(ttl=settings.auth_cache_seconds)
    app.state.secret_key = load_or_create_secret_key(settings.secret_key, settings.data_dir, engine)
    app.state.rate_limiter = rate_limiter
    app.state.idempotency = IdempotencyGuard(factory)
    app.state.webhook_ping = WebhookPinger(allow_private=settings.webhook_allow_private_targets)

    @app.get("/health")
    async def health() -> dict[str, str]:
        def ping() -> None:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))

        await run_in_threadpool(ping)
        return {"status": "ok", "version": __version__, "database": engine.dialect.name}

    app.router.routes.extend(skyprep_routes)
    app.router.routes.extend(login_routes)
    app.router.routes.extend(calendar_routes)
    app.router.routes.extend(stripe_routes)
    app.router.routes.extend(certificate_routes)
    app.router.routes.extend(material_routes)
    app.router.routes.extend(report_routes)
    app.add_middleware(ProxyHeaders, trusted=settings.trusted_proxies)
    app.mount("/scim/v2", create_scim_app(factory, app.state.auth_cache))
    app.mount("/v1", create_skilljar_app(app.state))
    for route in app.router.routes:
        if isinstance(route, Mount):
            # Starlette matches a mount's rest with ``.*`` (no DOTALL): a path holding an
            # encoded newline (/v1/users/%0A) would miss the dialect, get the bare generic
            # 404 and not the dialect's own error shape.
            route.path_regex = re.compile(route.path_regex.pattern, re.DOTALL)
    app.add_middleware(ApiGuard, prefix="/v1", door=V1)
    app.add_middleware(ApiGuard, prefix="/scim/v2", door=SCIM)
    return app
