"""Request bodies as clients send them: JSON, urlencoded or multipart, read into one shape.

Form clients send booleans as ``True``/``False`` and datetimes without a zone (taken as UTC),
and nest objects with ``user.email`` or ``user[email]`` keys. Every body is then validated by
a pydantic wire model; its errors come back as DRF field maps.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError
from starlette.requests import Request

from syllabus.dialects.skilljar.errors import FieldErrors, add_error, field_error

MAX_BODY_BYTES = 10 * 1024 * 1024
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_BRACKETS = re.compile(r"\[([^\]]*)\]")

M = TypeVar("M", bound=BaseModel)
BODY_MODELS: dict[str, type[BaseModel]] = {}
"""Every request body model a route declared, added to the OpenAPI document's schemas."""


def _assume_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 is past the last datetime in UTC
        raise PydanticCustomError("datetime_range", "Datetime is out of range.") from None


UtcDateTime = Annotated[datetime, AfterValidator(_assume_utc)]
"""A datetime; one without a zone is UTC (what form clients send)."""


class WireModel(BaseModel):
    """Base of request bodies: unknown fields are ignored, as DRF does."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in flat.items():
        parts = _BRACKETS.sub(r".\1", key).split(".")
        node = out
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = value
    return out


async def read_body(request: Request) -> dict[str, Any]:
    """The body as a dict (empty when there is none); a malformed one is a 400."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in FORM_TYPES:
        try:
            form = await request.form()
        except Exception:  # a malformed multipart body is the client's error
            raise field_error("non_field_errors", "Malformed form body.") from None
        flat: dict[str, Any] = {}
        for key in form:
            values = [v for v in form.getlist(key) if isinstance(v, str)]
            if values:
                flat[key] = values[0] if len(values) == 1 else values
        return _nest(flat)
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise field_error("non_field_errors", f"Request body is larger than {MAX_BODY_BYTES}.")
    if not raw.strip():
        return {}
    try:
        decoded = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise field_error("detail", f"JSON parse error - {error}") from None
    if not isinstance(decoded, dict):
        raise field_error("non_field_errors", "Invalid data. Expected a dictionary.")
    return decoded


class RequestBody(dict[str, Any]):
    """A request's body (``read_body``) with the model its route declared (``openapi_body``),
    so that ``parse`` reads it with that model and no other: the document's body and the one
    the route parses cannot differ."""

    def __init__(self, data: dict[str, Any], declared: type[BaseModel] | None) -> None:
        super().__init__(data)
        self.declared = declared


class UndeclaredBody(AssertionError):
    """A route parsed its body with a model it did not declare (a bug: fails its tests)."""


def declared_body(route: object) -> type[BaseModel] | None:
    """The body model a route declared with ``openapi_extra=openapi_body(Model)``, if any."""
    extra = getattr(route, "openapi_extra", None) or {}
    content = extra.get("requestBody", {}).get("content", {})
    ref: str = content.get("application/json", {}).get("schema", {}).get("$ref", "")
    return BODY_MODELS.get(ref.rpartition("/")[2]) if ref else None


def parse(model: type[M], data: dict[str, Any]) -> M:
    """Validate ``data`` against a wire model; errors as a DRF field map."""
    if isinstance(data, RequestBody) and data.declared is not model:
        declared = getattr(data.declared, "__name__", None)
        raise UndeclaredBody(f"the route parses {model.__name__} but declares {declared}")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors: dict[str, Any] = {}
        for item in error.errors():
            message = item["msg"]
            if item["type"] == "missing":
                message = "This field is required."
            add_error(errors, tuple(item["loc"]), message)
        raise FieldErrors(errors) from None


def openapi_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` declaring ``model`` as the JSON, form and multipart request body."""
    BODY_MODELS[model.__name__] = model
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {
        "requestBody": {
            "content": {
                "application/json": {"schema": schema},
                "application/x-www-form-urlencoded": {"schema": schema},
                "multipart/form-data": {"schema": schema},
            }
        }
    }
