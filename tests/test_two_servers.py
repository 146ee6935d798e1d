"""Two application servers side by side, as a council runs them behind one address: one
PostgreSQL (started by the test), search in PostgreSQL (``SEARCH_BACKEND=postgres``), the rate
limits' counters in one Redis (started by the test), one upload folder both servers mount,
and each server with its own instance folder (``TERRITOIRES_INSTANCE``) and the same
``SECRET_KEY`` from the environment.

A person signs in on one server and is signed in on the other; what they save and upload
through one is found by search, read and downloaded through the other; failed sign-ins count
against one limit whichever server they reach; and two mail workers running at once send each
message exactly once; a membership changed elsewhere shows on both servers at the next page.
Skipped, saying why, where ``initdb`` or ``redis-server`` is missing."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections import Counter
from pathlib import Path

import pytest
import redis
import requests

from . import factories, servers

PERSON = ("secretaire@layrac.fr", "Fabienne", "Castaing")
SIGN_IN_LIMIT = 4
MAILS = 240
SETUP = f"""
from intranet.extensions import db
from intranet.mail import services as mail
from intranet.core.types import Role
from tests import factories
org = factories.make_org("Commune de Layrac")
factories.make_user(org, Role.EDITOR, email="{PERSON[0]}", first_name="{PERSON[1]}", last_name="{PERSON[2]}")
for n in range({MAILS}):
    mail.queue_raw(f"elu{{n}}@layrac.fr", f"Convocation n° {{n}}", "Conseil municipal jeudi.")
db.session.commit()
"""
# Each server's own configuration file, in its own instance folder: a low sign-in limit, so
# that the test reaches it.
INSTANCE_CONFIG = f"""
from intranet.config import RATE_LIMITS as _SHIPPED
RATE_LIMITS = dict(_SHIPPED)
RATE_LIMITS["sign-in"] = "{SIGN_IN_LIMIT} per minute"
"""


class Browser(requests.Session):
    """A person's browser: its cookies, and the form token of the last page it read."""

    def sign_in(self, server: str, password: str) -> requests.Response:
        form = self.get(f"{server}/connexion")
        return self.post(f"{server}/connexion", data={
            "csrf_token": _csrf(form.text), "email": PERSON[0], "password": password})


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, "no form token on the page"
    return found.group(1)


@pytest.fixture(scope="module")
def two_servers():
    """(server A's address, server B's address, their environments, the space's slug, the
    Redis both count in)."""
    folder = Path(tempfile.mkdtemp(prefix="territoires-two-"))
    try:
        with servers.postgres() as (database, _restart), servers.redis() as redis_url:
            shared = {**os.environ, "DATABASE_URL": database, "SECRET_KEY": "une-seule-cle",
                      "SEARCH_BACKEND": "postgres", "RATELIMIT_STORAGE_URI": redis_url,
                      "RATELIMIT_KEY_PREFIX": f"deux-serveurs-{folder.name}",
                      "UPLOAD_DIR": str(folder / "partage"), "SECURE_COOKIES": "0",
                      "PUBLIC_BASE_URL": "http://territoires.test"}
            shared.pop("TEST_DATABASE_URL", None)
            (folder / "partage").mkdir()
            envs = []
            for name in ("a", "b"):
                instance = folder / f"instance-{name}"
                instance.mkdir()
                (instance / "config.py").write_text(INSTANCE_CONFIG)
                envs.append({**shared, "TERRITOIRES_INSTANCE": str(instance)})
            servers.prepare(envs[0], SETUP)
            ports = [servers.free_port(), servers.free_port()]
            with servers.running(servers.gunicorn(ports[0]), env=envs[0], port=ports[0],
                                 what="server A"), \
                    servers.running(servers.gunicorn(ports[1]), env=envs[1], port=ports[1],
                                    what="server B"):
                yield (f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}", envs,
                       _space_slug(envs[0]), redis_url)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _space_slug(env: dict) -> str:
    code = ("from intranet.spaces.models import Space\nfrom intranet.extensions import db\n"
            "print('SPACE=' + db.session.scalars(db.select(Space.slug).where("
            "Space.name.like('%Layrac%'))).first())")
    return _in_app(env, code).split("SPACE=")[1].split()[0]


def _in_app(env: dict, code: str) -> str:
    script = ("from intranet import create_app\napp = create_app()\nwith app.app_context():\n"
              + "".join(f"    {line}\n" for line in code.splitlines()))
    done = subprocess.run([str(servers.BIN / "python"), "-c", script], cwd=servers.ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _worker(env: dict, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(servers.BIN / "flask"), "--app", "intranet", *command],
                          cwd=servers.ROOT, env=env, capture_output=True, text=True, timeout=180)


def test_a_person_signed_in_on_one_server_works_on_the_other(two_servers):
    server_a, server_b, envs, slug, _redis = two_servers
    person = Browser()
    assert person.sign_in(server_a, factories.PASSWORD).status_code == 200
    home = person.get(f"{server_b}/profil", allow_redirects=False)
    assert home.status_code == 200, "the session opened on A is not valid on B"
    assert PERSON[1] in home.text

    # A page written and published through A…
    form = person.get(f"{server_a}/espaces/{slug}/pages/nouvelle")
    saved = person.post(f"{server_a}/espaces/{slug}/pages/nouvelle", data={
        "csrf_token": _csrf(form.text), "title": "Ramassage des encombrants",
        "body": "Le ramassage des encombrants aura lieu le premier lundi du mois.",
        "body_format": "text", "visibility": ""})
    assert saved.status_code == 200 and "brouillon" in saved.text
    page_url = saved.url
    published = person.post(page_url.replace(server_a, server_a) + "/publier",
                            data={"csrf_token": _csrf(saved.text)})
    assert published.status_code == 200

    # … and a file uploaded through A (into the folder both servers share).
    content = ("Compte rendu du conseil municipal du 3 décembre.\n" * 400
               + os.urandom(8).hex()).encode()
    library = person.get(f"{server_a}/espaces/{slug}/documents")
    uploaded = person.post(f"{server_a}/espaces/{slug}/documents/envoyer",
                           data={"csrf_token": _csrf(library.text), "description": "",
                                 "visibility": "", "folder": ""},
                           files={"file": ("compte-rendu.txt", content, "text/plain")})
    assert uploaded.status_code == 200
    assert "est en ligne" in uploaded.text, re.findall(r'class="flash[^>]*>([^<]+)', uploaded.text)

    # The worker of one server indexes what the other saved.
    indexed = _worker(envs[0], "search", "worker", "--once")
    assert indexed.returncode == 0, indexed.stderr

    found = person.get(f"{server_b}/recherche", params={"q": "encombrants"})
    assert "Ramassage des encombrants" in found.text, "B's search does not find A's page"
    read = person.get(page_url.replace(server_a, server_b))
    assert "premier lundi du mois" in read.text

    document = re.search(rf'/espaces/{slug}/documents/(\d+)"', uploaded.text)
    assert document, "the library does not list the uploaded file"
    download = person.get(f"{server_b}/espaces/{slug}/documents/{document.group(1)}/telecharger")
    assert download.status_code == 200 and download.content == content

    # Signed out on B: the session is over on A too.
    person.post(f"{server_b}/deconnexion", data={"csrf_token": _csrf(read.text)})
    assert person.get(f"{server_a}/profil", allow_redirects=False).status_code == 302


def test_a_group_joined_or_left_through_one_server_shows_on_both_at_the_next_page(two_servers):
    """Each process keeps a person's spaces from one page to the next (``access.reach``): a
    membership changed elsewhere — another server, a command — must show at the next page."""
    server_a, server_b, envs, _slug, _redis = two_servers
    person = Browser()
    assert person.sign_in(server_a, factories.PASSWORD).status_code == 200
    group = "Commission voirie de Layrac"
    for server in (server_a, server_b):   # each server keeps what it read of her spaces
        assert group not in person.get(f"{server}/").text
    joined = _in_app(envs[1], f"""
from intranet.extensions import db
from intranet.accounts.models import User
from intranet.core.types import Role, Visibility
from intranet.spaces import services as spaces
from intranet.spaces.models import JoinPolicy
chair = db.session.scalar(db.select(User).where(User.email == "{PERSON[0]}"))
space = spaces.create_group(name="{group}", description="", visibility=Visibility.MEMBERS,
                            join_policy=JoinPolicy.REQUEST, by=chair)
db.session.commit()
print("GROUP=" + space.slug)""")
    slug = joined.split("GROUP=")[1].split()[0]
    for server in (server_a, server_b):
        assert group in person.get(f"{server}/").text, server
        assert person.get(f"{server}/espaces/{slug}").status_code == 200, server
    _in_app(envs[0], f"""
from intranet.extensions import db
from intranet.spaces.models import Space, SpaceMember
space = db.session.scalar(db.select(Space).where(Space.slug == "{slug}"))
for member in list(space.members):
    db.session.delete(member)
db.session.commit()""")
    for server in (server_a, server_b):
        assert group not in person.get(f"{server}/").text, server
        assert person.get(f"{server}/espaces/{slug}").status_code == 404, server


def test_failed_sign_ins_count_against_one_limit_on_both_servers(two_servers):
    server_a, server_b, _envs, _slug, redis_url = two_servers
    redis.Redis.from_url(redis_url).flushdb()   # the other tests' sign-ins are forgotten
    intruder = Browser()
    answers = [intruder.sign_in((server_a, server_b)[n % 2], "pas-le-bon").status_code
               for n in range(SIGN_IN_LIMIT)]
    assert 429 not in answers
    # Each server has seen half the attempts: only a shared counter stops the next one.
    for server in (server_a, server_b):
        refused = intruder.sign_in(server, "pas-le-bon")
        assert refused.status_code == 429
        assert "Trop de tentatives" in refused.text


def test_two_mail_workers_at_once_send_each_message_once(two_servers):
    _a, _b, envs, _slug, _redis = two_servers
    sink = servers.SinkServer(servers.free_port())
    sink.start()
    try:
        mail_envs = [{**env, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(sink.port),
                      "MAIL_USE_TLS": "0", "MAIL_USE_SSL": "0"} for env in envs]
        results = [None, None]

        def work(n):
            results[n] = _worker(mail_envs[n], "mail", "worker", "--once")
        threads = [threading.Thread(target=work, args=(n,)) for n in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for result in results:
            assert result.returncode == 0, result.stderr
        remaining = _worker(mail_envs[0], "mail", "worker", "--once")
        assert remaining.returncode == 0
        received = Counter(r for _f, rcpts, _m in sink.sink.received for r in rcpts
                           if r.startswith("elu"))
        assert len(received) == MAILS, "some messages were not sent"
        assert set(received.values()) == {1}, "a message was sent twice"
    finally:
        sink.stop()
