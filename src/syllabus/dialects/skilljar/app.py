"""The ``/v1`` sub-application: its routers, error table, security schemes and OpenAPI document.

Mounted by ``syllabus.app`` at ``/v1``; shares the parent's session factory, credential cache
and secret (which keys the public ids). The document is at ``/v1/openapi.json`` and the
interactive docs at ``/v1/docs``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.datastructures import State

from syllabus import __version__
from syllabus.dialects.head import HeadAsGet
from syllabus.dialects.responses import JSONResponse
from syllabus.dialects.skilljar import (
    courses,
    domains,
    events,
    groups,
    manager_access,
    ping,
    publications,
    published_paths,
    signup_fields,
    user_courses,
    user_lessons,
    user_progress,
    users,
    webhooks,
)
from syllabus.dialects.skilljar.body import declared_body
from syllabus.dialects.skilljar.errors import install_error_handlers
from syllabus.dialects.skilljar.ids import IdCodec

ROUTERS = [
    ping.router,
    users.router,
    user_courses.router,
    user_progress.router,
    groups.router,
    domains.router,
    publications.router,
    published_paths.router,
    courses.router,
    webhooks.router,
    events.router,
    signup_fields.router,
    manager_access.router,
    user_lessons.router,
]
"""Every resource module's router; a new module adds itself here."""

DESCRIPTION = """Skilljar-compatible REST API v1.

Official routes and schemas as in Skilljar's OpenAPI document, plus the integration guide's
routes (trailing slashes, `POST /v1/users/`, `/v1/users/{id}/enrollments/`, ...) as aliases,
and additions: `GET /v1/users/by-email/{email}`, `GET /v1/users/{id}/access`, bulk group
membership, `ETag`/`If-Match`. Authenticate with the API key as the HTTP Basic username (empty
password, with or without the colon), or `Authorization: Token <key>` / `Bearer <key>`.
"""


def create_skilljar_app(parent: State) -> FastAPI:
    app = FastAPI(
        title="Syllabus: Skilljar API v1",
        version=__version__,
        description=DESCRIPTION,
        default_response_class=JSONResponse,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.router.redirect_slashes = False
    app.state.settings = parent.settings
    app.state.session_factory = parent.session_factory
    app.state.auth_cache = parent.auth_cache
    app.state.ids = IdCodec(parent.secret_key)
    app.state.webhook_ping = getattr(parent, "webhook_ping", None)
    install_error_handlers(app)
    app.add_middleware(HeadAsGet)
    app.state.method_routes = []
    for router in ROUTERS:
        app.include_router(router)
        app.state.method_routes.extend(r for r in router.routes if hasattr(r, "methods"))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                servers=[{"url": "/v1"}],
            )
            components = schema.setdefault("components", {})
            schemas = components.setdefault("schemas", {})
            # The bodies this app's routes declare (not every model ever declared anywhere:
            # the registry is process-wide), so the document is the same whoever ran before.
            declared = {m for m in map(declared_body, app.state.method_routes) if m is not None}
            for model in sorted(declared, key=lambda m: m.__name__):
                model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                schemas.update(model_schema.pop("$defs", {}))
                schemas[model.__name__] = model_schema
            components["securitySchemes"] = {
                "OrganizationApiKey": {"type": "http", "scheme": "basic"},
                "tokenAuth": {"type": "http", "scheme": "bearer"},
                "guideToken": {"type": "apiKey", "in": "header", "name": "Authorization"},
            }
            schema["security"] = [
                {"OrganizationApiKey": []},
                {"tokenAuth": []},
                {"guideToken": []},
            ]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
