"""psycopg on PostgreSQL (core/postgres.py): the cursor describes its columns only when read
(results, names and types stay what psycopg's own cursor gives), and a transaction begins at
the first statement that writes."""
from __future__ import annotations

import psycopg
import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import func, select, text

from intranet import create_app
from intranet.core.postgres import Cursor, Description, plain_read
from intranet.accounts.models import Organisation, OrgKind
from intranet.extensions import db

from .. import factories


def test_the_application_uses_it_on_postgresql_only(test_config):
    on_pg = create_app({**test_config, "SQLALCHEMY_DATABASE_URI": "postgresql://u@127.0.0.1/x"})
    assert on_pg.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["cursor_factory"] is Cursor
    on_sqlite = create_app({**test_config, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert "connect_args" not in on_sqlite.config["SQLALCHEMY_ENGINE_OPTIONS"]


@pytest.fixture
def pg(data_app):
    if not data_app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")
    connection = db.engine.raw_connection()
    yield connection.driver_connection
    connection.close()


def test_a_description_is_the_one_psycopg_gives(pg):
    assert pg.cursor_factory is Cursor
    ours, theirs = pg.cursor(), psycopg.Cursor(pg)
    query = "SELECT 1::int AS n, 'a'::text AS word, '2026-12-06 10:00+01'::timestamptz AS at, NULL::numeric(5, 2) AS amount"
    ours.execute(query)
    theirs.execute(query)
    description = ours.description
    assert isinstance(description, Description)
    assert len(description) == 4
    assert [tuple(column) for column in description] == [tuple(c) for c in theirs.description]
    assert description[-1].name == "amount" and description[1:3][0].name == "word"
    assert ours.fetchall() == theirs.fetchall()


def test_a_description_read_late_describes_its_own_result(pg):
    cursor = pg.cursor()
    cursor.execute("SELECT 1 AS first_one, 2 AS second_one")
    early = cursor.description
    cursor.execute("SELECT 'x' AS other")
    assert [column.name for column in early] == ["first_one", "second_one"]
    assert [column.name for column in cursor.description] == ["other"]


def test_statements_without_rows_have_no_description(pg):
    cursor = pg.cursor()
    cursor.execute("CREATE TEMPORARY TABLE described (id int)")
    assert cursor.description is None
    cursor.execute("SELECT id FROM described")
    assert [column.name for column in cursor.description] == ["id"]
    assert cursor.fetchall() == []


def test_sqlalchemy_reads_rows_and_names_through_it(data_app):
    if not data_app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")
    for _ in range(3):   # the first time described, then from SQLAlchemy's cache
        row = db.session.execute(text("SELECT 41 + 1 AS answer, 'é' AS letter")).one()
        assert row.answer == 42 and row._mapping["letter"] == "é"
    db.session.rollback()


def _status():
    """The transaction status of the session's connection, as PostgreSQL's protocol tells it."""
    return db.session.connection().connection.driver_connection.pgconn.transaction_status


@pytest.fixture
def on_pg(data_app):
    if not data_app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")


def test_reads_run_outside_a_transaction_and_a_write_opens_one(on_pg):
    factories.make_org("Commune de Layrac")
    db.session.commit()
    assert db.session.scalar(select(func.count(Organisation.id))) == 1
    assert _status() == TransactionStatus.IDLE          # no BEGIN for a read
    db.session.add(Organisation(name="Commune d'Astaffort", slug="astaffort", kind=OrgKind.COMMUNE))
    db.session.flush()                                    # INSERT: the transaction opens
    assert _status() == TransactionStatus.INTRANS
    assert db.session.scalar(select(func.count(Organisation.id))) == 2   # read inside it
    db.session.rollback()                                 # the whole unit of work undone
    assert db.session.scalar(select(func.count(Organisation.id))) == 1
    assert _status() == TransactionStatus.IDLE


@pytest.mark.parametrize("statement", [
    "SELECT id FROM organisation FOR UPDATE", "SELECT id FROM organisation FOR SHARE SKIP LOCKED",
    "SET LOCAL statement_timeout = '1234ms'", "SAVEPOINT here",
    "WITH gone AS (DELETE FROM organisation RETURNING id) SELECT count(*) FROM gone",
])
def test_what_locks_or_lasts_until_commit_runs_in_a_transaction(on_pg, statement):
    db.session.execute(text(statement))
    assert _status() == TransactionStatus.INTRANS
    if statement.startswith("SET LOCAL"):
        assert db.session.scalar(text("SHOW statement_timeout")) == "1234ms"
    db.session.rollback()
    assert db.session.scalar(text("SHOW statement_timeout")) != "1234ms"


def test_a_locking_read_through_the_orm_opens_the_transaction(on_pg):
    factories.make_org("Commune de Layrac")
    db.session.commit()
    db.session.scalars(select(Organisation).with_for_update(skip_locked=True)).all()
    assert _status() == TransactionStatus.INTRANS
    db.session.rollback()


def test_statements_stay_prepared_from_one_request_to_the_next(on_pg):
    """psycopg prepares a statement at its sixth run on a connection and forgets every
    prepared statement at a ROLLBACK, which ended every read-only request: read outside a
    transaction, the pages' statements stay prepared (PostgreSQL no longer plans them)."""
    factories.make_org("Commune de Layrac")
    db.session.commit()
    query = select(Organisation.id).where(Organisation.slug == "layrac-prepared")
    with db.engine.connect() as connection:
        for _ in range(8):   # eight requests, each ending as a request ends
            connection.execute(query).all()
            connection.rollback()
        prepared = connection.exec_driver_sql(
            "SELECT statement FROM pg_prepared_statements").scalars().all()
    assert any("layrac" not in statement and "organisation.slug" in statement
               for statement in prepared), prepared


@pytest.mark.parametrize("statement, plain", [
    ("SELECT 1", True), ("  select x from y", True), ("SELECT a FROM b FOR UPDATE", False),
    ("SELECT a FROM b FOR NO KEY UPDATE NOWAIT", False), ("UPDATE t SET a = 1", False),
    ("WITH x AS (SELECT 1) SELECT * FROM x", True), ("SET LOCAL a = b", False),
    ("WITH RECURSIVE chain(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM chain WHERE id < 3) "
     "SELECT updated_at FROM chain", True),
    ("WITH gone AS (DELETE FROM t RETURNING id) SELECT count(*) FROM gone", False),
    ("WITH x AS (SELECT 1) UPDATE t SET a = 1", False),
    ("WITH x AS (SELECT id FROM t FOR UPDATE) SELECT 1", False),
    ("EXPLAIN (FORMAT JSON) SELECT 1 FROM t WHERE a @@ b", True),
    ("explain insert into t values (1)", True),            # planned, not run
    ("EXPLAIN ANALYZE DELETE FROM t", False), ("EXPLAIN (ANALYSE, FORMAT JSON) SELECT 1", False),
])
def test_which_statements_are_plain_reads(statement, plain):
    assert plain_read(statement, None) is plain


def test_a_connection_asked_for_autocommit_stays_so(on_pg):
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE organisation")   # refused in a transaction
        connection.exec_driver_sql("CREATE TEMPORARY TABLE outside (id int)")
        assert connection.connection.driver_connection.pgconn.transaction_status == \
            TransactionStatus.IDLE


def test_a_refused_unit_of_work_leaves_nothing_and_the_next_reads_are_outside(on_pg):
    """A service that wrote, then refused (a domain error), leaves nothing behind: its writes
    were one transaction from the first; what comes next reads outside any transaction."""
    from intranet.core.uow import unit_of_work

    class Refused(Exception):
        pass

    @unit_of_work
    def create_two_then_refuse():
        db.session.add(Organisation(name="Commune de Layrac", slug="layrac", kind=OrgKind.COMMUNE))
        db.session.flush()
        db.session.add(Organisation(name="Commune de Nérac", slug="nerac", kind=OrgKind.COMMUNE))
        db.session.flush()
        raise Refused("le numéro SIREN est déjà pris")

    with pytest.raises(Refused):
        create_two_then_refuse()
    with db.engine.connect() as elsewhere:   # another connection sees nothing either
        assert elsewhere.scalar(select(func.count(Organisation.id))) == 0
    assert db.session.scalar(select(func.count(Organisation.id))) == 0
    assert _status() == TransactionStatus.IDLE
