"""The query parameters ``/v1`` routes read, declared once: pydantic models that parse them
and that FastAPI documents in ``/v1/openapi.json`` (``Annotated[Model, Query()]``).

A route takes its parameters as one or more of these models and reads nothing else from the
query string, so the document cannot miss a parameter a route reads.

Parsing is DRF's (``True``/``False`` words, field-error maps with DRF's messages), and an error
is raised when the route *reads* the bad field, not before the route runs: DRF answers a
route's own 404 (an unknown domain) before a bad ``page``, and the first bad parameter in the
order the route reads them. So a model validates every field, keeps the bad ones aside, and
raises the field's ``FieldErrors`` on access (``QueryModel.__getattr__``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from syllabus.dialects.skilljar.errors import field_error
from syllabus.dialects.skilljar.pagination import MAX_PAGE_SIZE
from syllabus.domain.webhooks import WEBHOOK_TYPE_OF_EVENT
from syllabus.queries.feed import MAX_LIMIT, Cursor

_STRING: dict[str, Any] = {"type": "string"}
_BOOLEAN_WORD: dict[str, Any] = {"type": "string", "enum": ["true", "false", "True", "False"]}
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
MAX_WAIT = 60
"""The longest long poll on ``/v1/events`` (seconds)."""
_WIRE = "drf"
"""The error type of our validators: its message is the wire message, as it is."""


class QueryModel(BaseModel):
    """Base of the query models: unknown parameters are ignored (DRF does), and a bad value
    is raised as DRF's ``{"<name>": ["<message>"]}`` when the route reads that field."""

    model_config = ConfigDict(extra="ignore")
    _invalid: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_errors_aside(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(data)
        except ValidationError as error:
            if not isinstance(data, dict):
                raise
            invalid: dict[str, str] = {}
            for item in error.errors():
                name = str(item["loc"][0]) if item["loc"] else "non_field_errors"
                invalid.setdefault(name, str(item["msg"]))
            model = handler({k: v for k, v in data.items() if k not in invalid})
            for name in invalid:
                model.__dict__.pop(name, None)  # so that reading it reaches __getattr__
            model._invalid = invalid
            return model

    def __getattr__(self, name: str) -> Any:
        private = self.__pydantic_private__ or {}
        invalid = private.get("_invalid") or {}
        if name in invalid:
            raise field_error(name, invalid[name])
        return super().__getattr__(name)  # type: ignore[misc]


def _drf(message: str) -> PydanticCustomError:
    return PydanticCustomError(_WIRE, message)


def _given(value: Any) -> Any:
    """Absent and empty are the same to DRF's filters."""
    return None if value == "" else value


def _positive_int(value: Any) -> int | None:
    value = _given(value)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise _drf("A valid integer is required.") from None
    if number < 1:
        raise _drf("Ensure this value is greater than or equal to 1.")
    return number


def _no_nulls(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise _drf("Null characters are not allowed.")
    return value


def _strict_bool(value: Any) -> bool | None:
    """DRF's BooleanField: the usual words in any case, else an error."""
    value = _given(value)
    if value is None:
        return None
    word = str(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise _drf("Must be a valid boolean.")


def _number_between(low: float, high: float) -> Any:
    def parse(value: Any) -> float | None:
        value = _given(value)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            raise _drf("A valid number is required.") from None
        if not low <= number <= high:
            raise _drf(f"Ensure this value is between {low:g} and {high:g}.")
        return number

    return BeforeValidator(parse)


def _feed_cursor(value: Any) -> Cursor | None:
    value = _given(value)
    if value is None:
        return None
    try:
        return Cursor.parse(value, "after")
    except Exception:
        raise _drf("Not a cursor from this feed.") from None


_BY_WEBHOOK_TYPE: dict[str, list[str]] = {}
for _name, _type in WEBHOOK_TYPE_OF_EVENT.items():
    _BY_WEBHOOK_TYPE.setdefault(_type.value, []).append(_name)


def _event_types(values: Any) -> list[str]:
    """``type`` repeated or comma separated; webhook names (COURSE_COMPLETION) map to the
    feed's own (course.completed)."""
    found: list[str] = []
    for raw in values or []:
        for part in str(raw).split(","):
            name = part.strip()
            if not name:
                continue
            if len(name) > 64 or "\x00" in name:
                raise _drf(f"Unknown event type: {name[:64]}")
            found.extend(_BY_WEBHOOK_TYPE.get(name.upper(), [name]))
    return found


Text = Annotated[str | None, WithJsonSchema(_STRING)]
"""A string as it came (exact match filters)."""
NoNullText = Annotated[str | None, BeforeValidator(_no_nulls), WithJsonSchema(_STRING)]
BooleanWord = Annotated[bool | None, BeforeValidator(_strict_bool), WithJsonSchema(_BOOLEAN_WORD)]
BooleanFlag = Annotated[str | None, WithJsonSchema(_BOOLEAN_WORD)]
"""A lenient flag the route reads as a word (anything but a true word is false)."""
PositiveInt = Annotated[
    int | None, BeforeValidator(_positive_int), WithJsonSchema({"type": "integer", "minimum": 1})
]


class Paging(QueryModel):
    """Every ``{"next", "previous", "results"}`` list (``pagination.page_request``)."""

    page: PositiveInt = Field(default=None, description="Page number; pages carry `count`.")
    page_size: PositiveInt = Field(
        default=None, description=f"Rows per page (default 100, at most {MAX_PAGE_SIZE:,})."
    )
    cursor: Text = Field(default=None, description="Opaque position from a `next`/`previous` link.")


class UserFilters(QueryModel):
    """``GET /v1/users``."""

    email: NoNullText = Field(default=None, description="Any case; answered from an index.")
    first_name: NoNullText = None
    last_name: NoNullText = None
    sso_id: NoNullText = None
    external_id: NoNullText = None
    is_inactive: BooleanWord = None


class DomainUserFilters(QueryModel):
    """``GET /v1/domains/{domain_name}/users``."""

    user__email: Text = None
    user__first_name: Text = None
    user__last_name: Text = None
    active: BooleanFlag = None
    signup_field_id: Text = None
    signup_field_label: Text = None
    signup_field_value: Text = None
    include_signup_field_data: BooleanFlag = None


class PublishedCourseFilters(QueryModel):
    course__id: Text = None


class LessonFilters(QueryModel):
    course_id: Text = None


EventTypes = Annotated[
    list[str],
    BeforeValidator(_event_types),
    WithJsonSchema({"type": "array", "items": _STRING}),
]
FeedCursor = Annotated[Cursor | None, BeforeValidator(_feed_cursor), WithJsonSchema(_STRING)]


class EventsQuery(QueryModel):
    """``GET /v1/events``."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    after: FeedCursor = Field(default=None, description="Cursor from the previous page's `next`.")
    type: EventTypes = Field(
        default_factory=list, description="Event types, repeated or comma separated."
    )
    limit: Annotated[
        float | None,
        _number_between(1, MAX_LIMIT),
        WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
    ] = None
    wait: Annotated[
        float | None,
        _number_between(0, MAX_WAIT),
        WithJsonSchema({"type": "number", "minimum": 0, "maximum": MAX_WAIT}),
    ] = Field(default=None, description="Long-poll seconds.")


class EventStreamQuery(QueryModel):
    """``GET /v1/events/stream``."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    after: FeedCursor = None
    type: EventTypes = Field(default_factory=list)
    duration: Annotated[
        float | None,
        _number_between(0, 86_400),
        WithJsonSchema({"type": "number", "minimum": 0, "maximum": 86_400}),
    ] = None


PagingQuery = Annotated[Paging, Query()]
UserQuery = Annotated[UserFilters, Query()]
DomainUserQuery = Annotated[DomainUserFilters, Query()]
PublishedCourseQuery = Annotated[PublishedCourseFilters, Query()]
LessonQuery = Annotated[LessonFilters, Query()]
EventsParams = Annotated[EventsQuery, Query()]
EventStreamParams = Annotated[EventStreamQuery, Query()]
