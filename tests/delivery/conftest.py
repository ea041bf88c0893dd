"""The delivery tests commit for real (workers, receivers and other processes must see the
rows), so they run on a fresh database per test rather than the rolled-back session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from syllabus.db.engine import make_engine
from syllabus.db.session import make_sessionmaker


@pytest.fixture
def engine(fresh_db_url: str) -> Iterator[Engine]:
    engine = make_engine(fresh_db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)
