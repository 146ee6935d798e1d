"""The PostgreSQL search configuration (``ensure_configuration``) made by several processes at
once on a database that has never had it, as the test suite's workers do on a new machine:
each waits for the one before instead of failing on the catalog's unique index."""
from __future__ import annotations

import os
import threading
import uuid

import pytest
from sqlalchemy import create_engine, text

from intranet.search.backends.postgres import CONFIG, SPELLING, ensure_configuration

WORKERS = 4


@pytest.fixture
def fresh_database():
    """A new, empty PostgreSQL database on the test server, dropped afterwards."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql")):
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")
    server = url.replace("postgresql://", "postgresql+psycopg://", 1).split("?")[0]
    server = server.rsplit("/", 1)[0]
    name = f"fresh_{uuid.uuid4().hex[:12]}"
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        # template0: nothing the server's template1 may hold (an extension made there)
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE template0')
    engine = create_engine(f"{server}/{name}", pool_size=WORKERS)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{name}"')
        admin.dispose()


def test_several_processes_configure_a_new_database_at_once(fresh_database):
    with fresh_database.connect() as connection:
        assert connection.scalar(text(
            "SELECT count(*) FROM pg_extension WHERE extname = 'unaccent'")) == 0
    start, failures = threading.Barrier(WORKERS), []

    def configure():
        try:
            with fresh_database.begin() as connection:
                start.wait(timeout=10)
                ensure_configuration(connection)
        except Exception as error:   # noqa: BLE001 (collected, then asserted)
            failures.append(repr(error))

    threads = [threading.Thread(target=configure) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    with fresh_database.connect() as connection:
        assert connection.scalar(text(
            "SELECT count(*) FROM pg_extension WHERE extname = 'unaccent'")) == 1
        made = set(connection.scalars(text(
            "SELECT cfgname FROM pg_ts_config WHERE cfgnamespace = "
            "(SELECT oid FROM pg_namespace WHERE nspname = 'public')")))
        assert {CONFIG, SPELLING} <= made
        # French words, accents folded: what the search backend relies on
        assert connection.scalar(text(
            f"SELECT to_tsvector('{CONFIG}', 'Délibérations') @@ "
            f"to_tsquery('{CONFIG}', 'deliberation')"))
