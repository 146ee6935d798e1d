"""PostgreSQL restarted while the application serves: no request after the restart fails.

The test starts a PostgreSQL of its own (``initdb`` in a temporary folder, a free port; run as
the ``postgres`` user when the tests run as root, as PostgreSQL refuses root), serves pages
from it, restarts it, and asks again: the connections the pool kept died with the old server,
and each is tested before use (``SQLALCHEMY_ENGINE_OPTIONS["pool_pre_ping"]``) and replaced."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import event, select

from intranet import cli, create_app
from intranet.accounts.models import Organisation
from intranet.core import reconnect
from intranet.extensions import db

from . import factories, servers


@pytest.fixture
def own_postgres():
    """(URL, restart): a PostgreSQL started for this test, stopped at its end."""
    with servers.postgres() as started:
        yield started


def test_no_request_fails_after_postgresql_restarts(own_postgres, test_config):
    url, restart = own_postgres
    served = create_app(dict(test_config, SQLALCHEMY_DATABASE_URI=url))
    try:
        with served.app_context():
            db.create_all()
            factories.make_org("Commune de Layrac")
        client = served.test_client()
        pages = ("/organisations", "/aides/", "/connexion")
        for page in pages * 2:          # the pool now holds live connections
            assert client.get(page).status_code == 200
        restart()
        answers = [client.get(page).status_code for page in pages * 3]
        assert answers == [200] * len(answers)
        assert "Commune de Layrac" in client.get("/organisations").get_data(as_text=True)
    finally:
        with served.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_page_whose_connection_dies_while_it_is_served_is_served_again(own_postgres,
                                                                        test_config):
    """PostgreSQL restarts after the pool handed the request a live connection (pre-ping
    passed) and before its first statement: the page is run again on a new connection and
    answers as usual, once; a form sent at that moment is not run twice, it gets the error
    page that says nothing was saved."""
    url, restart = own_postgres
    # Errors become the error page, as in production.
    served = create_app(dict(test_config, SQLALCHEMY_DATABASE_URI=url,
                             PROPAGATE_EXCEPTIONS=False))
    restarts = []
    try:
        with served.app_context():
            db.create_all()
            factories.make_org("Commune de Layrac")
            engine = db.engine
        client = served.test_client()
        assert client.get("/organisations").status_code == 200

        def restart_once(*_args):
            if armed and not restarts:
                restarts.append(True)
                restart()

        armed = True
        event.listen(engine, "checkout", restart_once)
        try:
            answer = client.get("/organisations")
            assert restarts, "the server was not restarted under the request"
            assert answer.status_code == 200
            assert "Commune de Layrac" in answer.get_data(as_text=True)

            restarts.clear()
            answer = client.post("/connexion", data={"email": "x@layrac.fr", "password": "x"})
            assert restarts
            assert answer.status_code == 500
            assert "Rien de ce que vous avez saisi" in answer.get_data(as_text=True)
        finally:
            armed = False
            event.remove(engine, "checkout", restart_once)
        assert client.get("/organisations").status_code == 200
    finally:
        with served.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_connection_that_rested_is_tested_and_a_busy_one_is_not(own_postgres, test_config,
                                                                   monkeypatch):
    """After a rest, the pool tests the connection before the request uses it: a form sent
    after PostgreSQL restarted meanwhile is served as usual (not the error page). Between
    requests that follow each other closely, nothing is tested."""
    url, restart = own_postgres
    pings = []
    real_ping = reconnect.ping

    def counted(engine, connection):
        pings.append(connection)
        return real_ping(engine, connection)
    monkeypatch.setattr(reconnect, "ping", counted)
    served = create_app(dict(test_config, SQLALCHEMY_DATABASE_URI=url, PROPAGATE_EXCEPTIONS=False,
                             DATABASE_PING_AFTER_IDLE=1.0))
    try:
        with served.app_context():
            db.create_all()
            factories.make_org("Commune de Layrac")
        client = served.test_client()
        for _ in range(5):
            assert client.get("/organisations").status_code == 200
        assert pings == []          # each request followed the last one closely
        restart()
        time.sleep(1.2)             # the pooled connection rests, then a form is sent
        answer = client.post("/connexion", data={"email": "x@layrac.fr", "password": "x"})
        assert len(pings) == 1
        assert answer.status_code == 200
        assert "Rien de ce que vous avez saisi" not in answer.get_data(as_text=True)
        assert client.get("/organisations").status_code == 200
    finally:
        with served.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_worker_goes_on_after_postgresql_restarts(own_postgres, test_config, capsys):
    """A round of the background worker that meets a connection dead since the last round is
    run again on a new one: no error, its work done."""
    url, restart = own_postgres
    served = create_app(dict(test_config, SQLALCHEMY_DATABASE_URI=url,
                             DATABASE_PING_AFTER_IDLE=3600))   # the restart comes unannounced
    names = []

    def a_round():
        names.append(db.session.scalar(select(Organisation.name)))
    try:
        with served.app_context():
            db.create_all()
            factories.make_org("Commune de Layrac")
            cli._loop([a_round], once=True, interval=0)
            restart()
            cli._loop([a_round], once=True, interval=0)
        assert names == ["Commune de Layrac"] * 2
        assert "erreur" not in capsys.readouterr().err
    finally:
        with served.app_context():
            db.session.remove()
            db.engine.dispose()
