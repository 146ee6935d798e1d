"""``benchmarks/load.py`` on a tiny version of its dataset (``benchmarks/seed_load.py`` at
scale 0.01, on top of the demo): every page of its mix answers 200 for its account, so that
the benchmark cannot rot silently; and the search documents the seeder builds without the ORM
are the models' own. With ``TEST_DATABASE_URL`` on PostgreSQL, the index is the PostgreSQL
backend's, as in the benchmark; on SQLite, the Whoosh backend's (same bulk writer)."""
from __future__ import annotations

import importlib.util
import sys
import types
from dataclasses import asdict
from itertools import product

import pytest
from sqlalchemy import select

from intranet.extensions import db

from .helpers import pass_second_factor


def _stand_in_wordfreq(monkeypatch) -> None:
    """``seed_scale`` draws its words from ``wordfreq`` (the ``bench`` extra); without it, a
    vocabulary of made-up words with Zipf frequencies, enough for this test."""
    if importlib.util.find_spec("wordfreq") is not None:
        return
    words = ["".join(parts) for parts in product(
        ["ba", "ce", "di", "fo", "lu", "ma", "ne", "pi", "ro", "su"], repeat=3)]
    module = types.ModuleType("wordfreq")
    module.top_n_list = lambda lang, n: words[:n]
    module.word_frequency = lambda word, lang: 1 / (words.index(word) + 1)
    monkeypatch.setitem(sys.modules, "wordfreq", module)


@pytest.fixture
def postgres_search(app, data_app):
    """The PostgreSQL search backend on PostgreSQL (the benchmark's), else the default."""
    from intranet.search import services
    if db.engine.dialect.name != "postgresql":
        yield False
        return
    apps = (app, data_app)
    saved = [a.config["SEARCH_BACKEND"] for a in apps]
    for a in apps:
        a.config["SEARCH_BACKEND"] = "postgres"
        services.forget_backend(a)
    try:
        yield True
    finally:
        for a, value in zip(apps, saved):
            a.config["SEARCH_BACKEND"] = value
            services.forget_backend(a)


def test_every_page_of_the_load_mix_answers(app, new_client, monkeypatch, postgres_search):
    from benchmarks import seed_load
    from benchmarks.load import WHO, label, page_mix, resolve
    from intranet import demo
    from intranet.accounts.models import User
    from intranet.cli import DATA_DIR
    from intranet.search import services as search
    from intranet.search.documents import registered

    _stand_in_wordfreq(monkeypatch)
    demo.seed(DATA_DIR / "communes-47.csv")
    search.drain()
    before = seed_load._max_ids()
    # the Whoosh index of SQLite runs takes 30 s to write: left out
    got = seed_load.seed(0.01, progress=lambda _: None, index=postgres_search)
    sizes = seed_load.sizes(0.01)
    assert got["big_posts"] == sizes["big_topic"]
    assert got["counts"]["deliberation"] >= sizes["deliberations"]
    assert got["counts"]["conversation_message"] >= sizes["messages"]
    if postgres_search:
        assert got["counts"]["search_entry"] >= got["indexed"] > 2_000

    # the fast search documents are the models' own
    for key, builder in seed_load.FAST.items():
        model = registered()[key]
        fast, _ = builder(before[key], 1_000_000)
        expected = {}
        for row in db.session.scalars(select(model).where(model.id > before[key])):
            document = row.search_document()
            if document is not None:
                expected[document.key] = asdict(document) | {
                    "readers": sorted(document.readers)}
        assert expected, key
        assert {d.key: asdict(d) for d in fast} == expected, key

    facts = resolve(app)
    clients = {}
    for who, email in WHO.items():
        if email is None:
            clients[who] = new_client()
        else:
            client = new_client()
            response = client.post("/connexion", data={"email": email,
                                                       "password": demo.DEMO_PASSWORD})
            assert pass_second_factor(client, response, email).status_code == 302, email
            clients[who] = client
    assert db.session.scalar(select(User.id).where(User.email == seed_load.SECRETARY))
    failures = []
    for who, page, path in page_mix(facts):
        response = clients[who].get(path)
        if response.status_code != 200:
            failures.append(f"{label(who, page)}: {path} → {response.status_code}")
    assert not failures, failures
    # the writes the benchmark measures (the test application checks no CSRF token; the
    # demo, just seeded, has posts of the last minute)
    monkeypatch.setitem(app.config, "FORUM_POSTS_PER_MINUTE", 10 ** 6)
    forums = f"/espaces/{facts['big_slug']}/forums"
    secretary = clients["secretary"]
    for path, data in (
            (f"{forums}/{facts['big_forum']}/nouveau-sujet",
             {"title": "Question", "body": "Texte.", "body_format": "text"}),
            (f"{forums}/sujets/{facts['reply_topic']}/repondre",
             {"body": "Réponse.", "body_format": "text"}),
            ("/messages/nouveau", {"to": seed_load.COUNCIL_AGENT, "group": "",
                                   "subject": "Charge", "body": "Message.",
                                   "body_format": "text"})):
        answer = secretary.post(path, data=data)
        assert answer.status_code in (302, 303), path
