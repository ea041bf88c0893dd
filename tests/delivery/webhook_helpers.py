"""A program, its webhooks and a worker wired for webhooks, on a real database."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from syllabus.core.context import Context
from syllabus.db.session import unit_of_work
from syllabus.delivery.fanout import make_fan_out
from syllabus.delivery.registry import Registry
from syllabus.delivery.webhooks import WebhookSender
from syllabus.delivery.worker import Worker
from syllabus.dialects.skilljar.ids import IdCodec
from syllabus.domain.webhooks import Webhook, WebhookAttempt, WebhookDelivery
from syllabus.services.enrollments import enroll_users_in_courses
from syllabus.services.webhooks import WebhookData, create_webhook
from tests.factories import make_course, make_tenant, make_user

IDS = IdCodec("webhook-tests")
"""The codec the test worker renders payload ids with."""


@dataclass
class Program:
    factory: sessionmaker[Session]
    ctx: Context
    course_id: int = 0

    def hook(self, url: str, **fields: Any) -> tuple[int, str]:
        with unit_of_work(self.factory, tenant_id=self.ctx.tenant_id) as session:
            hook = create_webhook(
                session,
                self.ctx,
                data=WebhookData(target_url=url, **fields),
                allow_private_targets=True,
            )
            return hook.id, hook.secret

    def enroll_new_users(self, count: int) -> list[int]:
        """New users (DOMAIN_ENROLLMENT each) enrolled in the course (COURSE_ENROLLMENT)."""
        with unit_of_work(self.factory, tenant_id=self.ctx.tenant_id) as session:
            users = [make_user(session, self.ctx).id for _ in range(count)]
            enroll_users_in_courses(session, self.ctx, user_ids=users, course_ids=[self.course_id])
            return users

    def webhook(self, webhook_id: int) -> Webhook:
        with unit_of_work(self.factory, tenant_id=self.ctx.tenant_id, read_only=True) as s:
            hook = s.get(Webhook, webhook_id)
            assert hook is not None
            return hook

    def deliveries(self, webhook_id: int) -> list[WebhookDelivery]:
        with unit_of_work(self.factory, tenant_id=self.ctx.tenant_id, read_only=True) as s:
            return list(
                s.scalars(
                    select(WebhookDelivery)
                    .where(WebhookDelivery.webhook_id == webhook_id)
                    .order_by(WebhookDelivery.id)
                )
            )

    def attempts(self) -> list[WebhookAttempt]:
        with unit_of_work(self.factory, tenant_id=self.ctx.tenant_id, read_only=True) as s:
            return list(s.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)))


def make_program(factory: sessionmaker[Session]) -> Program:
    with unit_of_work(factory, tenant_id=None) as session:
        _, ctx = make_tenant(session)
        course = make_course(session, ctx)
        return Program(factory, ctx, course.id)


@dataclass
class Pump:
    worker: Worker
    sender: WebhookSender
    passes: int = field(default=0)

    def until(self, done: Callable[[], bool], timeout: float = 15.0) -> None:
        """Passes until ``done()``; then the drains in flight are let finish, so what they
        sent is recorded when this returns."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.worker.run_once()
            self.passes += 1
            if done():
                self.sender.settle(max(0.0, deadline - time.monotonic()))
                return
            time.sleep(0.01)
        raise AssertionError("condition not reached")

    def settle(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.worker.run_once()
            time.sleep(0.01)


@contextmanager
def webhook_worker(factory: sessionmaker[Session], **sender: Any) -> Iterator[Pump]:
    """A worker whose webhook retries come fast (tests cannot wait three days)."""
    registry = Registry()
    registry.on_event(make_fan_out(IDS.encode))
    worker = Worker(factory, registry=registry)
    options: dict[str, Any] = {
        "allow_private": True,
        "backoff_base": 0.05,
        "backoff_cap": 0.2,
        "timeout": 2.0,
        "lease_seconds": 10.0,
        "retry_window": timedelta(hours=1),
    }
    options.update(sender)
    webhook_sender = WebhookSender(factory, wake=worker.wake, **options)
    worker.extra_passes.append(webhook_sender.run_pass)
    worker.background.append(webhook_sender.settle)
    try:
        yield Pump(worker, webhook_sender)
    finally:
        webhook_sender.close()
