"""Fan-out of a whole dispatch batch: mixed subscriptions, inactive and duplicate-URL hooks,
two programs, a malformed event, order per webhook, and a constant number of queries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event, select, update
from sqlalchemy.orm import Session, sessionmaker

from syllabus.core.context import Context
from syllabus.db.session import unit_of_work
from syllabus.delivery.fanout import make_fan_out, message_id
from syllabus.delivery.registry import Registry
from syllabus.delivery.worker import Worker
from syllabus.domain.events import Event
from syllabus.domain.webhooks import DeliveryStatus, WebhookDelivery
from syllabus.services.events import record_events
from syllabus.services.webhooks import WebhookData, create_webhook, update_webhook
from tests.delivery.webhook_helpers import IDS
from tests.factories import make_course, make_tenant, make_user


def _hook(factory: sessionmaker[Session], ctx: Context, url: str, **fields: Any) -> int:
    with unit_of_work(factory, tenant_id=ctx.tenant_id) as session:
        return create_webhook(
            session, ctx, data=WebhookData(target_url=url, **fields), allow_private_targets=True
        ).id


def _worker(factory: sessionmaker[Session], batch_size: int = 500) -> Worker:
    registry = Registry()
    registry.on_event(make_fan_out(IDS.encode))
    return Worker(factory, registry=registry, batch_size=batch_size)


def _deliveries(factory: sessionmaker[Session]) -> list[WebhookDelivery]:
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def _events(factory: sessionmaker[Session]) -> dict[int, Event]:
    with unit_of_work(factory, tenant_id=None, read_only=True) as session:
        return {e.id: e for e in session.scalars(select(Event))}


def test_a_batch_fans_out_to_each_subscriber_once_in_event_order(
    factory: sessionmaker[Session],
) -> None:
    with unit_of_work(factory, tenant_id=None) as session:
        _, ctx = make_tenant(session)
        _, other_ctx = make_tenant(session)
        course = make_course(session, ctx)
        users = [make_user(session, ctx) for _ in range(3)]
        outsider = make_user(session, other_ctx)
    everything = _hook(factory, ctx, "http://127.0.0.1:9/all")
    courses = _hook(factory, ctx, "http://127.0.0.1:9/courses", event_type="COURSE_ENROLLMENT")
    same_url = _hook(factory, ctx, "http://127.0.0.1:9/all")
    asleep = _hook(factory, ctx, "http://127.0.0.1:9/asleep")
    with unit_of_work(factory, tenant_id=ctx.tenant_id) as session:
        update_webhook(
            session,
            ctx,
            webhook_id=asleep,
            data=WebhookData(active=False),
            allow_private_targets=True,
        )
    theirs = _hook(factory, other_ctx, "http://127.0.0.1:9/theirs")
    with unit_of_work(factory, tenant_id=None) as session:
        session.execute(update(Event).values(dispatched_at=Event.occurred_at))
    with unit_of_work(factory, tenant_id=ctx.tenant_id) as session:
        for user in users:
            record_events(
                session,
                ctx,
                "enrollment.created",
                [{"user_id": user.id, "course_id": course.id, "enrollment_id": user.id}],
            )
            record_events(session, ctx, "user.registered", [{"user_id": user.id}])
        # Malformed: an id that is not one, an enrollment id that is no number.
        record_events(
            session, ctx, "enrollment.created", [{"user_id": "x", "enrollment_id": "not a number"}]
        )
        record_events(session, ctx, "course.updated", [{"course_id": course.id}])  # feed only
    with unit_of_work(factory, tenant_id=other_ctx.tenant_id) as session:
        # Names a user of the first program: it must not leak into the other's payload.
        record_events(session, other_ctx, "user.registered", [{"user_id": users[0].id}])
        record_events(session, other_ctx, "user.registered", [{"user_id": outsider.id}])

    assert _worker(factory).dispatch_events() == 10
    events = _events(factory)
    rows = _deliveries(factory)
    by_hook: dict[int, list[WebhookDelivery]] = {}
    for row in rows:
        by_hook.setdefault(row.webhook_id, []).append(row)

    assert same_url not in by_hook  # a URL shared by two webhooks gets each event once
    assert len(by_hook[everything]) == 7  # 3 enrollments, 3 registrations, the malformed one
    assert {r.event_type for r in by_hook[courses]} == {"COURSE_ENROLLMENT"}
    assert len(by_hook[courses]) == 4
    assert [r.status for r in by_hook[asleep]] == [DeliveryStatus.MISSED] * 7
    assert all(r.status == DeliveryStatus.PENDING for r in by_hook[everything])
    for queue in by_hook.values():  # each queue follows the events' order
        assert [r.event_id for r in queue] == sorted(r.event_id for r in queue)
    assert len({(r.webhook_id, r.event_id) for r in rows}) == len(rows)
    for row in rows:
        assert row.message_id == message_id(events[row.event_id].event_id, row.webhook_id)

    full = [r.payload for r in by_hook[courses][:3]]
    assert [p["user"]["email"] for p in full] == [u.email for u in users]
    assert all(p["course"]["id"] == IDS.encode("course", course.id) for p in full)
    assert all(p["domain"]["name"] for p in full)
    malformed = by_hook[courses][3]
    assert malformed.payload == {
        "event_type": "COURSE_ENROLLMENT",
        "type": "COURSE_ENROLLMENT",
        "event_id": events[malformed.event_id].event_id,
        "timestamp": malformed.payload["timestamp"],
    }
    leaked, own = (r.payload["user"] for r in by_hook[theirs])
    assert leaked["email"] == ""
    assert leaked["id"] == IDS.encode("user", users[0].id)
    assert own["email"] == outsider.email

    assert all(e.dispatched_at is not None for e in _events(factory).values())
    assert _worker(factory).dispatch_events() == 0
    assert len(_deliveries(factory)) == len(rows)  # nothing fanned out twice


def test_fan_out_costs_the_same_queries_for_ten_events_as_for_a_hundred(
    factory: sessionmaker[Session], engine: Engine
) -> None:
    with unit_of_work(factory, tenant_id=None) as session:
        _, ctx = make_tenant(session)
        course = make_course(session, ctx)
        users = [make_user(session, ctx) for _ in range(100)]
    _hook(factory, ctx, "http://127.0.0.1:9/a")
    _hook(factory, ctx, "http://127.0.0.1:9/b", event_type="COURSE_ENROLLMENT")
    worker = _worker(factory)
    worker.dispatch_events()  # the setup's own events
    before = len(_deliveries(factory))

    def statements_for(count: int) -> int:
        with unit_of_work(factory, tenant_id=ctx.tenant_id) as session:
            record_events(
                session,
                ctx,
                "enrollment.created",
                [{"user_id": u.id, "course_id": course.id} for u in users[:count]],
            )
        seen: list[str] = []

        def count_statement(*args: Any) -> None:
            seen.append(args[2])

        event.listen(engine, "before_cursor_execute", count_statement)
        try:
            assert worker.dispatch_events() == count
        finally:
            event.remove(engine, "before_cursor_execute", count_statement)
        return len(seen)

    assert statements_for(10) == statements_for(100)
    assert len(_deliveries(factory)) == before + 2 * 110
