"""Throttling works across two gunicorn workers sharing Redis: the limit of sign-ins for one
account is reached after exactly as many attempts as it allows, although both workers served
them (each worker counting for itself would allow up to twice as many).

Uses the machine's Redis (127.0.0.1:6379), with a key prefix of its own, removed at the end;
skipped, saying why, where none runs."""
from __future__ import annotations

import os
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from .. import servers

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


# The account the attempts are made on (``flask create-admin``, in the preparing process).
CREATE_ADMIN = ("from intranet.accounts import services\n"
                f"services.make_platform_admin({EMAIL!r}, {PASSWORD!r})")


@pytest.fixture
def server(tmp_path):
    store = _redis()
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'territoires.sqlite'}",
           "SECRET_KEY": "banc-d-essai-des-limites", "SEARCH_INDEX_DIR": str(tmp_path / "search"),
           "RATELIMIT_STORAGE_URI": f"redis://{REDIS[0]}:{REDIS[1]}/0",
           "RATELIMIT_KEY_PREFIX": prefix}
    servers.prepare(env, CREATE_ADMIN)
    port = servers.free_port()
    log = tmp_path / "access.log"
    command = servers.gunicorn(port, 2, "--access-logfile", str(log),
                               "--access-logformat", "%(p)s %(m)s %(U)s %(s)s")
    def forget_counters():
        for key in store.scan_iter(match=f"*{prefix}*"):
            store.delete(key)
    try:
        with servers.running(command, env=env, port=port, what="gunicorn"):
            yield f"http://127.0.0.1:{port}", log, forget_counters
    finally:
        forget_counters()


def test_throttling_works_across_two_gunicorn_workers_sharing_redis(server):
    import requests
    base, log, forget_counters = server
    browser = requests.Session()
    page = browser.get(f"{base}/connexion").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)

    def attempt(_):
        return requests.post(f"{base}/connexion", allow_redirects=False,
                             headers={"Cookie": cookie},
                             data={"csrf_token": token, "email": EMAIL, "password": "pas le bon"},
                             timeout=30).status_code
    # Both workers must have served the attempts for the test to prove anything, and the
    # kernel decides which worker accepts each connection: on a fast, idle machine one worker
    # may take them all. Then the round starts again from zero counters (at most 5 rounds).
    for _ in range(5):
        forget_counters()
        log.write_text("")
        with ThreadPoolExecutor(4) as pool:   # both workers busy at once
            answers = list(pool.map(attempt, range(ACCOUNT_LIMIT + 6)))
        assert answers.count(429) == 6 and answers.count(200) == ACCOUNT_LIMIT, answers
        time.sleep(0.2)   # the access log is written after each response
        workers = {line.split()[0] for line in log.read_text().splitlines()
                   if " POST /connexion " in line}
        if len(workers) == 2:
            break
    assert len(workers) == 2, "the attempts were not shared between the two workers"
