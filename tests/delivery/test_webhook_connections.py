"""Receivers that drop connections: reset before answering, or close pooled keep-alive
connections behind the sender's back. Nothing is lost and no success is counted as failure."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from syllabus.db.engine import make_engine
from syllabus.db.session import make_sessionmaker
from syllabus.domain.webhooks import DeliveryStatus
from tests.delivery.receiver import Behaviour, running_receiver
from tests.delivery.webhook_helpers import make_program, webhook_worker


@pytest.fixture
def engine(fresh_db_url: str) -> Iterator[Engine]:
    engine = make_engine(fresh_db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


def test_a_connection_reset_before_any_answer_is_retried(factory: sessionmaker[Session]) -> None:
    program = make_program(factory)
    with running_receiver() as receiver, webhook_worker(factory) as pump:
        hook_id, secret = program.hook(receiver.url, event_type="COURSE_ENROLLMENT")
        receiver.secrets.append(secret)
        receiver.script = [Behaviour(reset=True), Behaviour(reset=True)]
        program.enroll_new_users(2)
        pump.until(lambda: len(receiver.received) == 2, timeout=30)
    deliveries = program.deliveries(hook_id)
    assert receiver.ids() == [d.message_id for d in deliveries]
    assert [d.attempts for d in deliveries] == [3, 1]
    failed = [a for a in program.attempts() if a.status_code is None]
    assert len(failed) == 2
    assert all(a.error for a in failed)
    assert program.webhook(hook_id).active


def test_pooled_connections_closed_by_the_receiver_cause_no_failed_attempt(
    factory: sessionmaker[Session],
) -> None:
    program = make_program(factory)
    with running_receiver() as receiver, webhook_worker(factory, concurrency=1) as pump:
        hook_id, secret = program.hook(receiver.url, event_type="COURSE_ENROLLMENT")
        receiver.secrets.append(secret)
        receiver.default = Behaviour(close_after=True)
        for batch in range(1, 4):  # separate passes, each offered what the pool kept
            program.enroll_new_users(2)
            pump.until(lambda n=2 * batch: len(receiver.received) >= n)  # type: ignore[misc]
    deliveries = program.deliveries(hook_id)
    assert {d.status for d in deliveries} == {DeliveryStatus.DELIVERED}
    assert [d.attempts for d in deliveries] == [1] * 6
    assert [a.status_code for a in program.attempts()] == [200] * 6
    assert receiver.ids() == [d.message_id for d in deliveries]
