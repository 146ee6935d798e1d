"""PostgreSQL's cursor describes its columns only when read (core/pgcursor.py): results,
column names and types stay what psycopg's own cursor gives."""
from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from intranet import create_app
from intranet.core.pgcursor import Cursor, Description
from intranet.extensions import db


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
    query = "SELECT 1::int AS n, 'a'::text AS word, now() AS at, NULL::numeric(5, 2) AS amount"
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
