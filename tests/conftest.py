"""Shared fixtures.

Two twin application objects are built from the same configuration: ``app`` serves the test
client (and the browser tests' live server), ``data_app`` holds the app context in which each
test builds its data. Requests therefore run in their own application context, with their own
database session and ``g``, exactly as under gunicorn, instead of reusing the test's.

The database is SQLite in a temporary folder, or PostgreSQL when ``TEST_DATABASE_URL`` is set
(each run then works in a schema of its own, dropped at the end).
"""
from __future__ import annotations

import os
import re
import sqlite3
import uuid

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

from intranet import create_app
from intranet.extensions import db

from . import factories
from .helpers import pass_second_factor

pytest_plugins = ["tests.browser_fixtures"]


@event.listens_for(Engine, "connect")
def _sqlite_without_waiting_for_the_disk(connection, _record):
    """The tests' SQLite files are thrown away: a commit need not wait for the disk (about
    1.5 ms each here, tens of thousands of commits in a run). Other processes (the servers
    some tests start) and the application itself keep SQLite's default."""
    if isinstance(connection, sqlite3.Connection):
        connection.execute("PRAGMA synchronous = OFF")


def _database_url(tmp_path_factory) -> tuple[str, callable]:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql")):
        path = tmp_path_factory.mktemp("db") / "test.sqlite"
        return f"sqlite:///{path}", lambda: None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin_url = url.replace("postgresql://", "postgresql+psycopg://", 1) \
        if url.startswith("postgresql://") else url
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"

    def drop():
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
    return f"{url}{separator}options=-csearch_path%3D{schema}", drop


@pytest.fixture(scope="session")
def test_config(tmp_path_factory):
    url, drop = _database_url(tmp_path_factory)
    base = tmp_path_factory.mktemp("instance")
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",   # fast; tests/accounts check Argon2id
        "LIMITS_ENABLED": False,   # thousands of sign-ins from 127.0.0.1 (tests/accounts: on)
        "UPLOAD_DIR": str(base / "uploads"),
        "PUBLIC_BASE_URL": "http://territoires.test",
        "MAIL_SERVER": None,
        "SEARCH_INDEX_DIR": str(base / "search"),
        "SEARCH_REFRESH_SECONDS": 0,
    }
    yield config
    drop()


def _dispose(flask_app):
    from intranet.search import services
    services.forget_backend(flask_app)
    with flask_app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def app(test_config):
    web = create_app(dict(test_config))
    yield web
    _dispose(web)


@pytest.fixture(scope="session")
def data_app(test_config, app):
    twin = create_app(dict(test_config))
    with twin.app_context():
        db.create_all()
        if db.engine.dialect.name == "postgresql":
            from intranet.search.backends.postgres import ensure_configuration
            with db.engine.begin() as connection:
                ensure_configuration(connection)
                # Emptied by DELETE between tests (``_empty_tables``): without autovacuum the
                # freed space is not reused, so rows come back in the order they were written,
                # as after the TRUNCATE it replaces.
                connection.exec_driver_sql("; ".join(
                    f'ALTER TABLE "{table.name}" SET (autovacuum_enabled = false)'
                    for table in db.metadata.sorted_tables))
    yield twin
    _dispose(twin)


@pytest.fixture(autouse=True)
def data_context(data_app):
    """Each test builds its data in an app context of its own, emptied afterwards."""
    with data_app.app_context():
        yield
        db.session.rollback()
        _empty_tables()
        db.session.remove()


_EMPTYING: dict = {}   # per database: the statements that empty it


def _empty_tables():
    """Every table emptied, children first, and (on PostgreSQL) every sequence restarted, as
    SQLite's ids start again at 1. On PostgreSQL, one round trip of DELETEs: a TRUNCATE of
    the ~100 tables costs half a second (it makes new files for each), this about 12 ms."""
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            key = str(db.engine.url)
            if key not in _EMPTYING:
                sequences = conn.execute(text(
                    "SELECT sequence_name FROM information_schema.sequences "
                    "WHERE sequence_schema = current_schema()")).scalars().all()
                _EMPTYING[key] = "; ".join(
                    [f'DELETE FROM "{t.name}"' for t in tables]
                    + [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences])
            conn.exec_driver_sql(_EMPTYING[key])
        else:
            for table in tables:
                conn.execute(table.delete())


class Client(FlaskClient):
    """A test client after whose requests the test's own session sees fresh rows."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        response.get_data()  # buffered, so the file a view streamed is closed at once
        response.close()
        db.session.expire_all()
        return response


@pytest.fixture
def client(app):
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture
def new_client(app):
    """Makes more clients (each with its own cookies), signed in as ``user`` if given."""
    def make(user=None, password=factories.PASSWORD):
        app.test_client_class = Client
        made = app.test_client()
        if user is not None:
            response = made.post("/connexion", data={"email": user.email, "password": password})
            response = pass_second_factor(made, response, user.email)
            assert response.status_code == 302, "login failed"
        return made
    return make


@pytest.fixture
def csrf_app(test_config):
    """The application as in production: forms carry their CSRF token (off in other tests)."""
    web = create_app(dict(test_config, WTF_CSRF_ENABLED=True))
    yield web
    with web.app_context():
        db.engine.dispose()


@pytest.fixture
def runner(data_app):
    return data_app.test_cli_runner()


@pytest.fixture
def login(client):
    def do_login(user, password=factories.PASSWORD):
        response = client.post("/connexion", data={"email": user.email, "password": password})
        response = pass_second_factor(client, response, user.email)
        assert response.status_code == 302, "login failed"
        return response
    return do_login


# Tests of what the database does not change (the browser, the HTML validator, nginx in front of
# gunicorn, the Whoosh index, a directory of files): CI runs the suite on SQLite, then on
# PostgreSQL (``TERRITOIRES_BOTH_DATABASES``), and these once, on SQLite.
ONCE_IN_CI = ("tests/test_valid_html.py", "tests/test_deploy_nginx.py")   # and ``browser`` tests
WHOOSH_VARIANT = re.compile(r"[\[-]whoosh[\]-]")   # a test's Whoosh case (``search_backend``)
# The longest tests (from minutes down to seconds each, as measured) start first, so that the
# workers share them: started last, one of them left the other workers idle while it ran.
LONGEST_FIRST = (
    "tests/test_fuzz_routes.py::test_no_route_answers_a_server_error_to_hostile_input[most",
    "tests/browser/test_phone.py::test_no_demo_page_scrolls_sideways",
    "tests/test_access_matrix.py::test_no_route_shows_or_changes_anything",
    "tests/browser/test_csp.py::test_every_demo_page",
    "tests/test_fuzz_routes.py",
    "tests/test_valid_html.py",
    "tests/privacy/test_erasure_demo.py",
    "tests/test_query_gate.py",
    "tests/test_page_titles.py",
    "tests/test_access_matrix.py",
    "tests/test_two_servers.py",
    "tests/test_benchmark_load.py",
    "tests/browser/test_journeys.py",
    "tests/search/test_concurrency.py",
    "tests/test_backup.py",
    "tests/test_demo.py",
    "tests/subsidies/test_demo.py",
    "tests/accounts/test_limits_gunicorn.py",
    "tests/test_deploy_nginx.py",
    "tests/forums/test_demo_forums.py",
    "tests/browser/",
    "tests/test_migrations.py",
)


def pytest_configure(config):
    # xdist hands each worker a quarter of the collection at once, in order: every long test
    # went to the first worker. One or two tests at a time instead, so that the workers share
    # them (unless ``--maxschedchunk`` is given).
    if hasattr(config.option, "maxschedchunk") and config.option.maxschedchunk is None:
        config.option.maxschedchunk = 1


def _rank(item) -> int:
    return next((rank for rank, part in enumerate(LONGEST_FIRST) if part in item.nodeid),
                len(LONGEST_FIRST))


def pytest_collection_modifyitems(config, items):
    items.sort(key=_rank)   # stable: the others keep their order
    if not (os.environ.get("TERRITOIRES_BOTH_DATABASES")
            and os.environ.get("TEST_DATABASE_URL", "").startswith(("postgres://", "postgresql"))):
        return
    skip = pytest.mark.skip(reason="CI passe les tests sur SQLite puis sur PostgreSQL : ce test, "
                                   "que la base ne change pas, est fait une fois, sur SQLite")
    for item in items:
        if (item.get_closest_marker("browser") or WHOOSH_VARIANT.search(item.nodeid)
                or any(part in item.nodeid for part in ONCE_IN_CI)):
            item.add_marker(skip)
