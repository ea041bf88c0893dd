"""The test-database infrastructure itself: both databases migrated, configured and isolated.

If these fail, every other database test is suspect, so they check the fixtures' promises
directly rather than trusting them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, func, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from syllabus.db.engine import make_engine
from syllabus.db.migrate import alembic_config, downgrade, upgrade
from syllabus.db.session import TENANT_KEY, make_sessionmaker, unit_of_work
from syllabus.domain import Base, Domain, Tenant
from syllabus.domain.tenancy import TenantScopeMissing

ISOLATION_KEY = "isolation.example"


def _head_revisions(url: str) -> set[str]:
    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    assert heads, "no migrations found"
    return heads


def _current_revisions(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def _count_tenants(connection: Connection, acct_key: str) -> int:
    count = connection.scalar(
        select(func.count()).select_from(Tenant).where(Tenant.acct_key == acct_key)
    )
    assert count is not None
    return count


# --- Migrations ------------------------------------------------------------------------------


def test_shared_database_is_at_head(db_url: str, connection: Connection) -> None:
    assert _current_revisions(connection) == _head_revisions(db_url)


def test_migrated_schema_matches_the_models(connection: Connection) -> None:
    """A model change without its migration shows up here, on both databases."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_base_and_upgrade_again(fresh_db_url: str) -> None:
    downgrade(fresh_db_url, "base")
    engine = make_engine(fresh_db_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(fresh_db_url)
        assert set(inspect(engine).get_table_names()) == {*Base.metadata.tables, "alembic_version"}
        with engine.connect() as conn:
            assert _current_revisions(conn) == _head_revisions(fresh_db_url)
    finally:
        engine.dispose()


def test_row_versions_start_at_one_for_rows_that_existed_before(fresh_db_url: str) -> None:
    """Migration 0022 gives every ETag'd table a version; rows already there start at 1."""
    downgrade(fresh_db_url, "0021")
    engine = make_engine(fresh_db_url)
    try:
        with engine.begin() as conn:
            tenant_id = conn.execute(
                text(
                    "INSERT INTO tenants (name, acct_key, time_zone, settings)"
                    " VALUES ('Old', 'old.example', 'UTC', '{}') RETURNING id"
                )
            ).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO domains (name, position, catalog_title, access,"
                    " access_code_message_html, marketing_message, tenant_id)"
                    " VALUES ('old.example', 0, '', 'PUBLIC', '', '', :tenant)"
                ),
                {"tenant": tenant_id},
            )
        upgrade(fresh_db_url)
        with engine.connect() as conn:
            assert conn.scalar(select(Domain.version).where(Domain.name == "old.example")) == 1
            assert _current_revisions(conn) == _head_revisions(fresh_db_url)
    finally:
        engine.dispose()


# --- Database configuration ------------------------------------------------------------------


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sqlite_pragmas_are_in_effect(connection: Connection) -> None:
    def pragma(name: str) -> object:
        return connection.exec_driver_sql(f"PRAGMA {name}").scalar()

    assert pragma("journal_mode") == "wal"
    assert pragma("foreign_keys") == 1
    assert pragma("synchronous") == 1  # NORMAL
    busy_timeout = pragma("busy_timeout")
    assert isinstance(busy_timeout, int)
    assert busy_timeout > 0


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sqlite_outer_transaction_is_real(connection: Connection) -> None:
    """pysqlite runs in autocommit here; only an explicit BEGIN makes the rollback undo work."""
    assert connection.connection.driver_connection.in_transaction  # type: ignore[union-attr]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgres_server_is_private_and_tuned(connection: Connection) -> None:
    def setting(name: str) -> object:
        return connection.exec_driver_sql(f"SHOW {name}").scalar()

    assert int(str(setting("server_version_num"))) >= 150000
    assert setting("fsync") == "off"
    assert setting("synchronous_commit") == "off"
    assert setting("full_page_writes") == "off"
    assert setting("listen_addresses") == ""
    if os.geteuid() == 0:  # PostgreSQL refuses root; the fixture must have stepped down
        assert Path(str(setting("data_directory"))).stat().st_uid != 0


# --- Per-test isolation ----------------------------------------------------------------------


@pytest.mark.parametrize("attempt", [1, 2])
def test_commits_inside_a_test_do_not_outlive_it(
    session: Session, engine: Engine, attempt: int
) -> None:
    """Both attempts insert the same unique key: if the first one leaked, the second would fail."""
    session.add(Tenant(name=f"Isolation {attempt}", acct_key=ISOLATION_KEY))
    session.commit()
    assert _count_tenants(session.connection(), ISOLATION_KEY) == 1
    # The commit only released a savepoint: another connection still cannot see the row.
    with engine.connect() as other:
        other.execution_options(sqlite_begin="DEFERRED")  # a reader; don't queue for the lock
        assert _count_tenants(other, ISOLATION_KEY) == 0


def test_session_rollback_undoes_only_work_since_the_last_commit(session: Session) -> None:
    session.add(Tenant(name="Kept", acct_key="kept.example"))
    session.commit()
    session.add(Tenant(name="Dropped", acct_key="dropped.example"))
    session.flush()
    session.rollback()
    keys = session.scalars(
        select(Tenant.acct_key).where(Tenant.acct_key.in_(["kept.example", "dropped.example"]))
    )
    assert set(keys) == {"kept.example"}


def test_a_failed_statement_can_be_rolled_back_and_the_test_goes_on(session: Session) -> None:
    """PostgreSQL aborts the whole transaction on an error; the savepoint must contain it."""
    session.add(Tenant(name="First", acct_key="dup.example"))
    session.commit()
    session.add(Tenant(name="Second", acct_key="dup.example"))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert _count_tenants(session.connection(), "dup.example") == 1


def test_unit_of_work_commits_stay_inside_the_test(
    session_factory: sessionmaker[Session], session: Session, engine: Engine
) -> None:
    with unit_of_work(session_factory, tenant_id=None) as uow:
        uow.add(Tenant(name="Via unit of work", acct_key="uow.example"))
    assert _count_tenants(session.connection(), "uow.example") == 1
    with engine.connect() as other:
        other.execution_options(sqlite_begin="DEFERRED")
        assert _count_tenants(other, "uow.example") == 0


def test_session_is_cross_tenant_and_factory_sessions_are_unscoped(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    """The fixture opts in to cross-tenant access; a bare session must not, as in production."""
    assert session.info[TENANT_KEY] is None
    assert session.scalars(select(Domain)).all() == []
    with session_factory() as unscoped, pytest.raises(TenantScopeMissing):
        unscoped.scalars(select(Domain)).all()


# --- Fresh databases -------------------------------------------------------------------------


def test_fresh_database_is_migrated_empty_and_commits_for_real(fresh_db_url: str) -> None:
    writer, reader = make_engine(fresh_db_url), make_engine(fresh_db_url)
    try:
        with reader.connect() as conn:
            assert _current_revisions(conn) == _head_revisions(fresh_db_url)
            assert conn.scalar(select(func.count()).select_from(Tenant)) == 0
        with unit_of_work(make_sessionmaker(writer), tenant_id=None) as uow:
            uow.add(Tenant(name="Committed", acct_key="committed.example"))
        with reader.connect() as conn:
            assert _count_tenants(conn, "committed.example") == 1
    finally:
        writer.dispose()
        reader.dispose()
