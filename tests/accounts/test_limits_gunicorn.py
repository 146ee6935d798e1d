"""Throttling works across two gunicorn workers sharing Redis: the limit of sign-ins for one
account is reached after exactly as many attempts as it allows, although both workers served
them (each worker counting for itself would allow up to twice as many).

Uses the machine's Redis (127.0.0.1:6379), with a key prefix of its own, removed at the end;
skipped, saying why, where none runs."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS = ("127.0.0.1", 6379)
EMAIL = "admin@banc.example"
PASSWORD = "une longue phrase pour le banc d'essai"
ACCOUNT_LIMIT = 10   # RATE_LIMITS["sign-in:account"]: "10 per minute; 60 per hour"


def _redis():
    try:
        import redis
        client = redis.Redis(*REDIS, socket_connect_timeout=0.5)
        client.ping()
        return client
    except Exception as exc:   # noqa: BLE001 -- any failure means: no Redis to test with
        pytest.skip(f"no Redis server answers on {REDIS[0]}:{REDIS[1]} ({exc})")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# What `flask db upgrade` and `flask create-admin` do, in one process (each start costs seconds).
PREPARE = f"""
from flask_migrate import upgrade
from intranet import create_app
from intranet.accounts import services
app = create_app()
with app.app_context():
    upgrade()
    services.make_platform_admin({EMAIL!r}, {PASSWORD!r})
"""


def _prepare(env):
    done = subprocess.run([sys.executable, "-c", PREPARE], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.fixture
def server(tmp_path):
    store = _redis()
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'territoires.sqlite'}",
           "SECRET_KEY": "banc-d-essai-des-limites", "SEARCH_INDEX_DIR": str(tmp_path / "search"),
           "RATELIMIT_STORAGE_URI": f"redis://{REDIS[0]}:{REDIS[1]}/0",
           "RATELIMIT_KEY_PREFIX": prefix}
    _prepare(env)
    port = _free_port()
    log = tmp_path / "access.log"
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "--access-logfile", str(log), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s",
         "wsgi:app"], cwd=ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                assert process.poll() is None, "gunicorn stopped"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for key in store.scan_iter(match=f"*{prefix}*"):
            store.delete(key)


def test_throttling_works_across_two_gunicorn_workers_sharing_redis(server):
    import requests
    base, log = server
    browser = requests.Session()
    page = browser.get(f"{base}/connexion").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)

    def attempt(_):
        return requests.post(f"{base}/connexion", allow_redirects=False,
                             headers={"Cookie": cookie},
                             data={"csrf_token": token, "email": EMAIL, "password": "pas le bon"},
                             timeout=30).status_code
    with ThreadPoolExecutor(4) as pool:   # both workers busy at once
        answers = list(pool.map(attempt, range(ACCOUNT_LIMIT + 6)))
    assert answers.count(429) == 6 and answers.count(200) == ACCOUNT_LIMIT, answers
    time.sleep(0.2)   # the access log is written after each response
    workers = {line.split()[0] for line in log.read_text().splitlines()
               if " POST /connexion " in line}
    assert len(workers) == 2, "the attempts were not shared between the two workers"
