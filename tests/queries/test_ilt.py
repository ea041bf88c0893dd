"""ILT reads: a constant number of statements per page, and keyset pages that neither skip nor
repeat rows added while paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from syllabus.queries import ilt as ilt_queries
from syllabus.services.ilt_registrations import register_users
from tests.factories import make_tenant, make_timeslot, make_training, make_users, scope
from tests.queries.test_access import statements

START = datetime(2030, 3, 1, 9, tzinfo=UTC)


def test_a_page_of_trainings_is_two_statements_whatever_its_size(session: Session) -> None:
    _, ctx = make_tenant(session)
    scope(session, ctx)
    for count in (3, 12):
        for i in range(count):
            training = make_training(session, ctx)
            for j in range(2):
                slot = make_timeslot(
                    session, ctx, training.id, commencement_time=START + timedelta(days=i + j)
                )
                register_users(
                    session, ctx, timeslot_id=slot.id, user_ids=[make_users(session, ctx, 1)[0].id]
                )
        session.flush()
        with statements(session) as seen:
            page = ilt_queries.list_trainings_page(session, ctx, now=START)
        assert len(seen) == 2
        assert all(d.timeslot is not None and d.timeslot.registration_count == 1 for d in page)


def test_timeslot_pages_are_one_statement_each_and_stable_under_inserts(
    session: Session,
) -> None:
    _, ctx = make_tenant(session)
    scope(session, ctx)
    training = make_training(session, ctx)
    first = [
        make_timeslot(session, ctx, training.id, commencement_time=START + timedelta(hours=i)).id
        for i in range(6)
    ]
    session.flush()
    seen_ids: list[int] = []
    pages = ilt_queries.iter_timeslots(session, ctx, start=START, page_size=2)
    with statements(session) as seen:
        seen_ids.extend(r.id for r in next(pages))
    assert len(seen) == 1
    # Sessions added before and after the cursor while paging: the earlier one is not
    # repeated or shifted into view, the later one is picked up.
    before = make_timeslot(session, ctx, training.id, commencement_time=START).id
    after = make_timeslot(session, ctx, training.id, commencement_time=START + timedelta(days=1)).id
    session.flush()
    for page in pages:
        seen_ids.extend(r.id for r in page)
    assert seen_ids == [*first, after]
    assert before not in seen_ids
