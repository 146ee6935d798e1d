"""PostgreSQL restarted while the application serves: no request after the restart fails.

The test starts a PostgreSQL of its own (``initdb`` in a temporary folder, a free port; run as
the ``postgres`` user when the tests run as root, as PostgreSQL refuses root), serves pages
from it, restarts it, and asks again: the connections the pool kept died with the old server,
and each is tested before use (``SQLALCHEMY_ENGINE_OPTIONS["pool_pre_ping"]``) and replaced."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from intranet import create_app
from intranet.extensions import db

from . import factories
from .browser_fixtures import missing_tool


def _binaries() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_postgres():
    """(URL, restart): a PostgreSQL started for this test, stopped at its end."""
    binaries = _binaries()
    if binaries is None:
        missing_tool("initdb n'est pas installé : "
                     "le redémarrage de PostgreSQL ne se teste pas ici")
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    # Not under pytest's temporary folder: only root may go through it.
    folder = Path(tempfile.mkdtemp(prefix="territoires-pg-"))
    if as_user:
        shutil.chown(folder, "postgres")
    port = _free_port()

    def run(*args):
        subprocess.run(as_user + [os.path.join(binaries, args[0]), *args[1:]], check=True,
                       capture_output=True, timeout=60)
    run("initdb", "-D", str(folder), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    run("pg_ctl", "-D", str(folder), "-o", options, "-w", "-l", str(folder / "log"), "start")
    try:
        yield (f"postgresql://postgres@127.0.0.1:{port}/postgres",
               lambda: run("pg_ctl", "-D", str(folder), "-o", options, "-m", "fast", "-w",
                           "-l", str(folder / "log"), "restart"))
    finally:
        subprocess.run(as_user + [os.path.join(binaries, "pg_ctl"), "-D", str(folder), "-m",
                                  "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


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
