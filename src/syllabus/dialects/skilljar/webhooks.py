"""``/v1/webhooks``: Skilljar's webhook objects, ping and sample events, plus the delivery
log, re-send and replay that Skilljar lacks.

The password is write-only (never rendered); ``secret`` (the ``whsec_`` Standard Webhooks
signing key) is answered once, by the create call and by ``rotate-secret``.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from starlette.responses import Response

from syllabus.core.clock import utcnow
from syllabus.core.fields import UNSET
from syllabus.dialects.skilljar.api import Api, ReadApi, WriteApi, json
from syllabus.dialects.skilljar.body import UtcDateTime, WireModel, openapi_body, parse
from syllabus.dialects.skilljar.errors import field_error
from syllabus.dialects.skilljar.pagination import envelope, page_request
from syllabus.dialects.skilljar.query_params import PagingQuery
from syllabus.dialects.skilljar.routing import SkilljarRouter
from syllabus.domain.webhooks import Webhook, WebhookEventType
from syllabus.queries.webhook_payloads import sample_payload
from syllabus.queries.webhooks import DELIVERIES, WEBHOOKS, attempts_of
from syllabus.services.webhooks import (
    WebhookData,
    create_webhook,
    delete_webhook,
    get_webhook,
    replay_deliveries,
    resend_delivery,
    rotate_webhook_secret,
    update_webhook,
)

router = SkilljarRouter(tags=["Webhooks"])
KIND = "webhook"
DELIVERY_KIND = "webhook_delivery"


class WebhookWrite(WireModel):
    target_url: str | None = Field(default=None, max_length=1024)
    active: bool | None = None
    event_type: str | None = None
    basic_auth_username: str | None = Field(default=None, max_length=255)
    basic_auth_password: str | None = Field(default=None, max_length=255)
    additional_headers: dict[str, Any] | None = None


class WebhookCreate(WebhookWrite):
    target_url: str = Field(min_length=1, max_length=1024)


class Replay(WireModel):
    since: UtcDateTime


def _data(body: WebhookWrite, *, full: bool) -> WebhookData:
    """PATCH sets what was sent; POST and PUT also reset what was left out to defaults."""
    sent = body.model_fields_set
    defaults: dict[str, Any] = {
        "active": True,
        "event_type": None,
        "basic_auth_username": "",
        "basic_auth_password": "",
        "additional_headers": {},
    }
    values: dict[str, Any] = {}
    for name in ("target_url", *defaults):
        if name in sent:
            value = getattr(body, name)
            values[name] = defaults.get(name) if value is None and name != "event_type" else value
        elif full and name in defaults:
            values[name] = defaults[name]
    if "active" in values and values["active"] is None:
        values["active"] = UNSET
    return WebhookData(**values)


def render(api: Api, hook: Any) -> dict[str, Any]:
    reason = hook.deactivate_reason
    event_type = hook.event_type
    return {
        "id": api.id(KIND, hook.id),
        "target_url": hook.target_url,
        "active": hook.active,
        "deactivate_reason": getattr(reason, "value", reason),
        "event_type": getattr(event_type, "value", event_type),
        "basic_auth_username": hook.basic_auth_username,
        "additional_headers": hook.additional_headers or {},
    }


def _allow_private(api: Api) -> bool:
    return bool(api.request.app.state.settings.webhook_allow_private_targets)


@router.get("/webhooks", operation_id="webhooks_list", summary="List webhooks")
def list_webhooks(api: ReadApi, paging: PagingQuery) -> Response:
    pr = page_request(paging, api.ids, cursor_default=False)
    rows = WEBHOOKS.rows(api.session, api.ctx, pr.window())
    body = envelope(
        api.request,
        api.ids,
        pr,
        rows,
        lambda row: render(api, row),
        count=lambda: WEBHOOKS.count(api.session, api.ctx),
    )
    return json(body)


@router.post(
    "/webhooks",
    operation_id="webhooks_create",
    summary="Create a webhook",
    status_code=201,
    openapi_extra=openapi_body(WebhookCreate),
)
def create(api: WriteApi) -> Response:
    """Answers the webhook and, this once, its ``secret`` for verifying signatures."""
    body = parse(WebhookCreate, api.body)
    hook = create_webhook(
        api.session,
        api.ctx,
        data=_data(body, full=True),
        allow_private_targets=_allow_private(api),
    )
    return json({**render(api, hook), "secret": hook.secret}, 201)


def _sample_route(slug: str, webhook_type: WebhookEventType) -> None:
    operation = f"webhooks_sample_{slug.replace('-', '_')}_retrieve"

    def sample(api: ReadApi) -> Response:
        event = sample_payload(api.session, api.ctx, webhook_type, utcnow(), api.ids.encode)
        return json({"results": [event]})

    sample.__doc__ = (
        f"The program's most recent {webhook_type.value} event, or one made from its data."
    )
    router.add_api_route(
        f"/webhooks/sample-{slug}",
        sample,
        methods=["GET"],
        operation_id=operation,
        summary=f"Sample {webhook_type.value} event",
    )


SAMPLES = {
    "course-completion": WebhookEventType.COURSE_COMPLETION,
    "course-enrollment": WebhookEventType.COURSE_ENROLLMENT,
    "dashboard-task-created": WebhookEventType.DASHBOARD_TASK_CREATED,
    "domain-enrollment": WebhookEventType.DOMAIN_ENROLLMENT,
    "lesson-completion": WebhookEventType.LESSON_COMPLETION,
    "path-completion": WebhookEventType.PATH_COMPLETION,
    "path-enrollment": WebhookEventType.PATH_ENROLLMENT,
    "purchase-fulfillment": WebhookEventType.PURCHASE_FULFILLMENT,
    "quiz-completion": WebhookEventType.QUIZ_COMPLETION,
    "vilt-registration": WebhookEventType.VILT_EVENT_REGISTRATION,
}
for _slug, _type in SAMPLES.items():  # before /webhooks/{id}, which would shadow them
    _sample_route(_slug, _type)


@router.get("/webhooks/{webhook_id}", operation_id="webhooks_retrieve", summary="Get a webhook")
def retrieve(webhook_id: str, api: ReadApi) -> Response:
    return json(render(api, get_webhook(api.session, api.ctx, api.path_id(KIND, webhook_id))))


def _update(webhook_id: str, api: Api, *, full: bool) -> Response:
    body = parse(WebhookCreate if full else WebhookWrite, api.body)
    hook = update_webhook(
        api.session,
        api.ctx,
        webhook_id=api.path_id(KIND, webhook_id),
        data=_data(body, full=full),
        allow_private_targets=_allow_private(api),
    )
    return json(render(api, hook))


@router.put(
    "/webhooks/{webhook_id}",
    operation_id="webhooks_update",
    summary="Replace a webhook",
    openapi_extra=openapi_body(WebhookCreate),
)
def replace(webhook_id: str, api: WriteApi) -> Response:
    return _update(webhook_id, api, full=True)


@router.patch(
    "/webhooks/{webhook_id}",
    operation_id="webhooks_partial_update",
    summary="Update a webhook",
    openapi_extra=openapi_body(WebhookWrite),
)
def patch(webhook_id: str, api: WriteApi) -> Response:
    """Re-activating (``active: true``) clears ``deactivate_reason`` and resumes the queue."""
    return _update(webhook_id, api, full=False)


@router.delete(
    "/webhooks/{webhook_id}",
    operation_id="webhooks_destroy",
    summary="Delete a webhook",
    status_code=204,
)
def destroy(webhook_id: str, api: WriteApi) -> Response:
    delete_webhook(api.session, api.ctx, webhook_id=api.path_id(KIND, webhook_id))
    return Response(status_code=204)


@router.post(
    "/webhooks/{webhook_id}/ping", operation_id="webhooks_ping_create", summary="Ping webhook"
)
def ping(webhook_id: str, api: ReadApi) -> Response:
    """One PING event, signed; a failure neither retries nor deactivates."""
    hook: Webhook = get_webhook(api.session, api.ctx, api.path_id(KIND, webhook_id))
    succeeded, status, message = api.request.app.state.webhook_ping(hook)
    return json({"succeeded": succeeded, "http_status_code": status, "message": message})


@router.post(
    "/webhooks/{webhook_id}/rotate-secret",
    operation_id="webhooks_rotate_secret",
    summary="Rotate the signing secret",
)
def rotate(webhook_id: str, api: WriteApi) -> Response:
    """A new ``secret``, answered once; the previous one keeps signing for 24 hours."""
    hook = rotate_webhook_secret(api.session, api.ctx, webhook_id=api.path_id(KIND, webhook_id))
    return json({**render(api, hook), "secret": hook.secret})


def _render_delivery(api: Api, row: Any, attempts: list[Any]) -> dict[str, Any]:
    def ts(value: Any) -> str | None:
        return None if value is None else value.isoformat().replace("+00:00", "Z")

    return {
        "id": api.id(DELIVERY_KIND, row.id),
        "webhook_id": api.id(KIND, row.webhook_id),
        "message_id": row.message_id,
        "event_type": row.event_type,
        "status": getattr(row.status, "value", row.status),
        "attempt_count": row.attempts,
        "last_status_code": row.last_status_code,
        "created_at": ts(row.created_at),
        "delivered_at": ts(row.delivered_at),
        "attempts": [
            {
                "attempted_at": ts(a.attempted_at),
                "http_status_code": a.status_code,
                "latency_ms": a.latency_ms,
                "response": a.response_body,
                "error": a.error,
            }
            for a in attempts
        ],
    }


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    operation_id="webhooks_deliveries_list",
    summary="Delivery log",
)
def deliveries(webhook_id: str, api: ReadApi, paging: PagingQuery) -> Response:
    """Every event queued for the webhook with each HTTP attempt (time, status, latency,
    the first 4 KB of the answer), oldest first; follow ``next``."""
    hook_id = get_webhook(api.session, api.ctx, api.path_id(KIND, webhook_id)).id
    pr = page_request(paging, api.ids, cursor_default=True)
    filters = {"webhook_id": hook_id}
    rows = DELIVERIES.rows(api.session, api.ctx, pr.window(), filters)
    attempts = attempts_of(api.session, api.ctx, [r.id for r in rows[: pr.size]])
    body = envelope(
        api.request,
        api.ids,
        pr,
        rows,
        lambda row: _render_delivery(api, row, attempts.get(row.id, [])),
        count=lambda: DELIVERIES.count(api.session, api.ctx, filters),
    )
    return json(body)


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/resend",
    operation_id="webhooks_delivery_resend",
    summary="Send a delivery again",
    status_code=202,
)
def resend(webhook_id: str, delivery_id: str, api: WriteApi) -> Response:
    """Queued again with the same ``webhook-id``, whatever its state."""
    delivery = resend_delivery(
        api.session,
        api.ctx,
        webhook_id=api.path_id(KIND, webhook_id),
        delivery_id=api.path_id(DELIVERY_KIND, delivery_id),
    )
    return json({"id": api.id(DELIVERY_KIND, delivery.id), "status": delivery.status.value}, 202)


@router.post(
    "/webhooks/{webhook_id}/replay",
    operation_id="webhooks_replay",
    summary="Replay failed and missed deliveries",
    status_code=202,
    openapi_extra=openapi_body(Replay),
)
def replay(webhook_id: str, api: WriteApi) -> Response:
    """Queue again every failed or missed delivery since ``since`` (in their order)."""
    if "since" not in api.body:
        raise field_error("since", "This field is required.")
    body = parse(Replay, api.body)
    count = replay_deliveries(
        api.session, api.ctx, webhook_id=api.path_id(KIND, webhook_id), since=body.since
    )
    return json({"replayed": count}, 202)
