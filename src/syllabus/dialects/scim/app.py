"""The SCIM sub-application, mounted at /scim/v2 by the main app."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import FastAPI
from scim2_models import InvalidFilterException, NotImplementedException
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from syllabus.auth.cache import PrincipalCache
from syllabus.dialects.head import HeadAsGet
from syllabus.dialects.scim import discovery
from syllabus.dialects.scim.endpoint import base_url, principal_for, read_json, run
from syllabus.dialects.scim.errors import HANDLERS, error_response
from syllabus.dialects.scim.group_routes import list_groups
from syllabus.dialects.scim.group_routes import router as group_router
from syllabus.dialects.scim.listing import search_params
from syllabus.dialects.scim.openapi import declare
from syllabus.dialects.scim.paths import CanonicalResourcePaths
from syllabus.dialects.scim.render import scim_response
from syllabus.dialects.scim.schema import LIST_URN
from syllabus.dialects.scim.user_routes import list_users
from syllabus.dialects.scim.user_routes import router as user_router


def create_scim_app(factory: sessionmaker[Session], cache: PrincipalCache) -> FastAPI:
    app = FastAPI(
        title="Syllabus SCIM 2.0", openapi_url="/openapi.json", docs_url=None, redoc_url=None
    )
    app.state.session_factory = factory
    app.state.auth_cache = cache
    for exc_type, handler in HANDLERS.items():
        app.add_exception_handler(exc_type, handler)
    app.add_middleware(HeadAsGet)
    app.add_middleware(CanonicalResourcePaths)  # outermost: routing sees the canonical case
    app.include_router(user_router)
    app.include_router(group_router)

    async def authenticated(request: Request) -> None:
        await principal_for(request)

    @app.get("/ServiceProviderConfig")
    async def service_provider_config(request: Request) -> Response:
        await authenticated(request)
        return scim_response(discovery.service_provider_config(base_url(request)))

    @app.get("/ResourceTypes")
    async def resource_types(request: Request) -> Response:
        await authenticated(request)
        found = discovery.resource_types(base_url(request))
        return scim_response(_listed(found))

    @app.get("/ResourceTypes/{name}")
    async def resource_type(request: Request, name: str) -> Response:
        await authenticated(request)
        for found in discovery.resource_types(base_url(request)):
            if found["id"].lower() == name.lower():
                return scim_response(found)
        return _not_found(f"no resource type {name}")

    @app.get("/Schemas")
    async def schemas(request: Request) -> Response:
        await authenticated(request)
        return scim_response(_listed(discovery.schemas(base_url(request))))

    @app.get("/Schemas/{urn}")
    async def schema(request: Request, urn: str) -> Response:
        await authenticated(request)
        for found in discovery.schemas(base_url(request)):
            if found["id"].lower() == urn.lower():
                return scim_response(found)
        return _not_found(f"no schema {urn}")

    @app.post("/.search")
    async def search_all(request: Request) -> Response:
        """Users then groups, one numbering across both (RFC 7644 §3.4.3 at the root)."""
        params = search_params(await read_json(request))
        base = base_url(request)

        def work(session: Session, ctx: Any) -> dict[str, Any]:
            # An attribute one resource type lacks matches none of its resources (RFC 7644
            # §3.4.2.1); a filter neither type understands is still invalid.
            empty: dict[str, Any] = {"totalResults": 0, "Resources": []}
            user_error: InvalidFilterException | None = None
            try:
                users = list_users(session, ctx, params, base)
            except InvalidFilterException as error:
                users, user_error = empty, error
            skipped = max(params.start_index - 1 - users["totalResults"], 0)
            room = params.count - len(users["Resources"])
            try:
                groups = list_groups(
                    session, ctx, replace(params, start_index=skipped + 1, count=room), base
                )
            except InvalidFilterException:
                if user_error is not None:
                    raise user_error from None
                groups = empty
            resources = users["Resources"] + groups["Resources"]
            return {
                "schemas": [LIST_URN],
                "totalResults": users["totalResults"] + groups["totalResults"],
                "startIndex": params.start_index,
                "itemsPerPage": len(resources),
                "Resources": resources,
            }

        if params.cursor is not None:
            raise NotImplementedException(detail="cursor paging is per resource type")
        return scim_response(await run(request, work, read_only=True))

    @app.post("/Bulk")
    async def bulk(request: Request) -> Response:
        await authenticated(request)
        raise NotImplementedException(detail="bulk operations are not supported")

    # Every route by method, for a 405's Allow (included routers are not flattened in routes).
    app.state.method_routes = [
        route
        for route in (*app.router.routes, *user_router.routes, *group_router.routes)
        if getattr(route, "methods", None)
    ]
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = declare(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _listed(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schemas": [LIST_URN],
        "totalResults": len(resources),
        "itemsPerPage": len(resources),
        "startIndex": 1,
        "Resources": resources,
    }


def _not_found(detail: str) -> Response:
    return error_response(404, detail)
