"""Sessions and the unit of work: one transaction per request, command or job."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

TENANT_KEY = "tenant_id"


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


@contextmanager
def unit_of_work(
    factory: sessionmaker[Session], *, tenant_id: int | None, read_only: bool = False
) -> Iterator[Session]:
    """Yield a session scoped to one tenant; commit on success, roll back on any error.

    ``tenant_id=None`` is for the few cross-tenant operations (tenant creation, key lookup,
    the worker's claim queries) and must be asked for explicitly.
    """
    session = factory()
    session.info[TENANT_KEY] = tenant_id
    if read_only:
        session.connection(execution_options={"sqlite_begin": "DEFERRED"})
    try:
        yield session
        if not read_only:
            session.commit()
        # A read-only unit just closes: its objects stay readable, detached, unexpired.
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
