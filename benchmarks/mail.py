"""Mailing-list fan-out: one post to a list of 1,000 and of 10,000 subscribers, delivered by
one worker (`flask worker`'s own loop, in a process of its own) to a local SMTP sink
(aiosmtpd, in another process, counting what it receives).

Printed for each size: the web request's time (the post is accepted: stored with a fan-out
job, nothing sent in the request), the messages per second delivered by the worker (from the
first message the sink receives to the last), and the total time from the post to the last
delivery (fan-out into the outbox included).

    python -m benchmarks.mail                       # SQLite database in a temporary folder
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python -m benchmarks.mail
    python -m benchmarks.mail --sizes 1000          # one size only
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid

from sqlalchemy import create_engine, insert, text

WORKER = """
import json, os
from intranet import create_app
from intranet.cli import _lists_round, _loop, _mail_round, _search_round
app = create_app(json.loads(os.environ["BENCH_CONFIG"]))
with app.app_context():
    _loop([_search_round, _lists_round, _mail_round], once=False, interval=0.5)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a process has used so far (Linux), or None elsewhere."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sink_process(port: int, counter, first, last, ready) -> None:
    """An SMTP server that counts recipients and notes the first and last arrival times."""
    from aiosmtpd.controller import Controller

    class Counter:
        async def handle_DATA(self, server, session, envelope):
            now = time.time()
            with counter.get_lock():
                if counter.value == 0:
                    first.value = now
                counter.value += len(envelope.rcpt_tos)
                last.value = now
            return "250 OK"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


def database(url: str | None):
    """(SQLAlchemy URL for the application, cleanup) — a fresh schema on PostgreSQL."""
    if not url:
        folder = tempfile.mkdtemp(prefix="territoires-mail-bench-")
        return f"sqlite:///{folder}/bench.sqlite", lambda: None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop():
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}", drop


def seed(app, size: int):
    """A commune, its admin, a list with ``size`` outside subscribers and the poster."""
    from intranet.accounts.models import Role
    from intranet.extensions import db
    from intranet.lists import services
    from intranet.lists.models import (DeliveryMode, PostingPolicy, Subscriber,
                                       SubscriberStatus)
    from tests import factories

    with app.app_context():
        org = factories.make_org(f"Commune du banc {size}")
        admin = factories.make_user(org, Role.ADMIN, email=f"maire{size}@exemple.fr")
        mlist = services.create_list(factories.org_space(org), name=f"banc{size}",
                                     title=f"Liste de {size} abonnés", by=admin,
                                     description="", subscription_policy="open",
                                     posting_policy=PostingPolicy.ANNOUNCE, reply_to="list",
                                     from_rewrite="auto")
        rows = [{"list_id": mlist.id, "email": f"abonne{i}@banc{size}.exemple.org",
                 "status": SubscriberStatus.ACTIVE, "delivery": DeliveryMode.EACH,
                 "secret": secrets.token_hex(16)} for i in range(size - 1)]
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(Subscriber), rows[start:start + 5000])
        db.session.commit()
        services.subscribe_user(mlist, admin)
        return admin.email, mlist.space.slug, mlist.name


def run(sizes: list[int]) -> None:
    from intranet import create_app
    from intranet.extensions import db

    url, cleanup = database(os.environ.get("DATABASE_URL"))
    index_dir = tempfile.mkdtemp(prefix="territoires-mail-index-")
    port = free_port()
    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark",
              "SEARCH_INDEX_DIR": index_dir, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
              "PUBLIC_BASE_URL": "https://territoires.test", "WTF_CSRF_ENABLED": False,
              "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "TESTING": False}
    counter = multiprocessing.Value("i", 0)
    first, last = multiprocessing.Value("d", 0.0), multiprocessing.Value("d", 0.0)
    ready = multiprocessing.Event()
    sink = multiprocessing.Process(target=sink_process, args=(port, counter, first, last, ready),
                                   daemon=True)
    sink.start()
    ready.wait(10)
    worker = None
    app = create_app(dict(config))
    try:
        with app.app_context():
            db.create_all()
            if db.engine.dialect.name == "postgresql":
                from intranet.search.backends.postgres import ensure_configuration
                with db.engine.begin() as connection:
                    ensure_configuration(connection)
        print(f"base : {app.config['SQLALCHEMY_DATABASE_URI'].split('://')[0]}, "
              f"puits SMTP aiosmtpd sur 127.0.0.1:{port}")
        env = dict(os.environ, BENCH_CONFIG=json.dumps(config))
        worker = subprocess.Popen([sys.executable, "-c", WORKER], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for size in sizes:
            email, slug, name = seed(app, size)
            client = app.test_client()
            client.post("/connexion", data={"email": email, "password": "mot-de-passe-de-test"})
            with counter.get_lock():
                counter.value, first.value, last.value = 0, 0.0, 0.0
            cpu_before = cpu_seconds(worker.pid)
            started = time.time()
            response = client.post(f"/espaces/{slug}/listes/{name}/ecrire",
                                   data={"subject": "Banc d'essai", "body": "Un message " * 50})
            accepted = time.time()
            assert response.status_code == 302, response.status_code
            deadline = accepted + 600
            while counter.value < size and time.time() < deadline:
                time.sleep(0.05)
            done = counter.value
            cpu_after = cpu_seconds(worker.pid)
            elapsed_sending = max(last.value - first.value, 1e-9)
            print(f"{size:>6} abonnés : requête web {(accepted - started) * 1000:6.1f} ms ; "
                  f"{done} courriels livrés ; {done / elapsed_sending:7.0f} courriels/s "
                  f"(un worker, du premier au dernier) ; tout écoulé en "
                  f"{last.value - accepted:5.1f} s après la requête "
                  f"(dont {first.value - accepted:4.1f} s avant le premier envoi)")
            if cpu_before is not None and cpu_after is not None and cpu_after > cpu_before:
                print(f"{'':>16} temps CPU du worker : {cpu_after - cpu_before:5.1f} s, soit "
                      f"{done / (cpu_after - cpu_before):5.0f} courriels par seconde de CPU "
                      f"(diffusion et envoi compris)")
        print(f"charge de la machine (1 min) : {os.getloadavg()[0]:.1f} "
              f"pour {os.cpu_count()} processeur(s)")
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(10)
        sink.terminate()
        sink.join(10)
        with app.app_context():
            db.engine.dispose()
        cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    args = parser.parse_args()
    run([int(s) for s in args.sizes.split(",")])


if __name__ == "__main__":
    main()
