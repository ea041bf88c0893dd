"""A ``/v1`` route's body is declared once (``openapi_extra=openapi_body(Model)``, which the
document shows) and parsed with that model and no other."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from starlette.datastructures import State

from syllabus.dialects.skilljar.app import create_skilljar_app
from syllabus.dialects.skilljar.body import (
    BODY_MODELS,
    RequestBody,
    UndeclaredBody,
    WireModel,
    declared_body,
    openapi_body,
    parse,
)


class Declared(WireModel):
    name: str


class Other(WireModel):
    name: str


def test_parse_takes_only_the_declared_model() -> None:
    body = RequestBody({"name": "a"}, Declared)
    assert parse(Declared, body).name == "a"
    with pytest.raises(UndeclaredBody):
        parse(Other, body)
    with pytest.raises(UndeclaredBody):
        parse(Declared, RequestBody({"name": "a"}, None))


def test_declared_body_reads_the_routes_declaration() -> None:
    class Route:
        openapi_extra = openapi_body(Declared)

    assert declared_body(Route()) is Declared
    assert declared_body(object()) is None


def test_every_documented_body_is_a_declared_model() -> None:
    parent = State({"settings": None, "session_factory": None, "auth_cache": None})
    parent.secret_key = "documents-only"
    app = create_skilljar_app(parent)
    document = app.openapi()
    for route in app.routes:
        if isinstance(route, APIRoute) and route.openapi_extra:
            model = declared_body(route)
            assert model is not None
            assert BODY_MODELS[model.__name__] is model
            assert model.__name__ in document["components"]["schemas"]
