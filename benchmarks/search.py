"""Search at département scale: indexing throughput and query latency through the search
service (permission filtering included), for each backend, with SQLite FTS5 on the same
documents as a reference line.

    python -m benchmarks.search                 # Whoosh + FTS5 reference, SQLite database
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python -m benchmarks.search \
        --backends whoosh,postgres

The dataset (benchmarks/seed_scale.py) is made once and reused; --docs picks its size.
"""
from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from flask_login import AnonymousUserMixin
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

QUERIES_WORDS = ["budget", "subvention", "voirie", "cantine", "cimetière", "urbanisme",
                 "délibération", "électorales", "éclairage", "mutualisation", "assainissement",
                 "église", "déchets", "incendie", "recrutement", "indemnités"]
PHRASES = ['"plan local d\'urbanisme"', '"budget primitif"', '"salle des fêtes"',
           '"chemins ruraux"', '"fonds de concours"', '"haut débit"']


KINDS = ["word of the trade", "subject word", "two words", "phrase", "prefix", "title field",
         "commune", "common word", "misspelt word"]


def query_mix(communes: list[str], text, n: int = 200, seed: int = 7) -> list[str]:
    """A fixed mix of what people type, nine kinds in equal parts: a word of the trade, a
    subject word (drawn as pages draw them: frequent ones more often), two words, a phrase, a
    prefix (`subven*`), a title field (`titre:budget`), a commune, a common word such as
    « conseil » or « travail » that matches a large part of the index, and a word with a
    typing error (a letter dropped, doubled or swapped), which finds nothing and asks for a
    « Vouliez-vous dire »."""
    from intranet.search.backends.whoosh import STOP_WORDS
    rng = random.Random(seed)
    common = [w for w in text.words[40:400] if len(w) > 4 and w not in STOP_WORDS]

    def subject() -> str:
        return rng.choices(text.subject_words, cum_weights=text.subject_weights)[0]

    def word() -> str:
        return rng.choice(QUERIES_WORDS) if rng.random() < 0.5 else subject()

    def misspelt() -> str:
        right = next(w for w in iter(word, None) if len(w) >= 6)
        at = rng.randrange(1, len(right) - 1)
        return rng.choice([right[:at] + right[at + 1:], right[:at] + right[at] + right[at:],
                           right[:at] + right[at + 1] + right[at] + right[at + 2:]])

    mix = []
    for i in range(n):
        kind = i % len(KINDS)
        mix.append([
            lambda: rng.choice(QUERIES_WORDS),
            subject,
            lambda: f"{word()} {rng.choice([word(), rng.choice(communes)])}",
            lambda: rng.choice(PHRASES),
            lambda: next(w for w in iter(word, None) if len(w) >= 6)[:5] + "*",
            lambda: f"titre:{word()}",
            lambda: rng.choice(communes),
            lambda: rng.choice(common),
            misspelt,
        ][kind]())
    return mix


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    pick = lambda p: ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]  # noqa: E731
    return (f"p50 {statistics.median(ordered) * 1000:6.1f} ms   p95 {pick(95) * 1000:6.1f} ms   "
            f"p99 {pick(99) * 1000:6.1f} ms")


def run(docs: int, backends: list[str], procs: int, index_dir: str | None = None,
        reindex: bool = True) -> None:
    from intranet import create_app
    from intranet.accounts.models import Membership, Organisation, OrgKind, User
    from intranet.documents import services as documents
    from intranet.documents.models import Page
    from intranet.extensions import db
    from intranet.search import services as search
    from intranet.spaces.models import Space, SpaceKind
    from intranet.search.backends import QueryError, SearchRequest

    from .seed_scale import FrenchText, seed

    out = Path("benchmarks/out")
    out.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{(out / f'scale-{docs}.sqlite').resolve()}"
    index_dir = index_dir or tempfile.mkdtemp(prefix="territoires-index-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SEARCH_INDEX_DIR": index_dir,
                      "SEARCH_REFRESH_SECONDS": 0.0, "SECRET_KEY": "benchmark"})
    with app.app_context():
        db.create_all()
        if db.engine.dialect.name == "postgresql":
            from intranet.search.backends.postgres import ensure_configuration
            with db.engine.begin() as connection:
                ensure_configuration(connection)
        started = time.perf_counter()
        info = seed(n_docs=docs)
        print(f"dataset: {info} ({time.perf_counter() - started:.0f} s)")
        total = db.session.scalar(select(func.count()).select_from(Page))
        communes = list(db.session.scalars(select(Organisation.name)
                                           .where(Organisation.kind == OrgKind.COMMUNE)))
        queries = query_mix(communes, FrenchText(random.Random(47), communes))
        secretary = db.session.scalars(select(User).join(Membership).join(Organisation).where(
            Organisation.kind == OrgKind.COMMUNE)).first()
        agent = db.session.scalars(select(User).join(Membership).join(Organisation).where(
            Organisation.kind == OrgKind.OTHER)).first()
        people = [("anonyme", None), ("secrétaire de mairie", secretary.id), ("agent", agent.id)]
        for name in backends:
            app.config["SEARCH_BACKEND"] = name
            search.forget_backend(app)
            print(f"\n=== {name} — {total} pages ===")
            if reindex:
                started = time.perf_counter()
                count = search.reindex(procs=procs)
                elapsed = time.perf_counter() - started
                print(f"full reindex: {count} documents in {elapsed:.1f} s = "
                      f"{count / elapsed:.0f} docs/s (procs={procs})")
            if name == "whoosh":
                bare_whoosh(search.backend(), queries)
            if name == "whoosh":
                t0 = time.perf_counter()
                search.backend().warm()
                print(f"a process's first query waits {(time.perf_counter() - t0) * 1000:.0f} ms "
                      "for the segments' columns (warm() at start)")
            for label, user_id in people:
                user = db.session.get(User, user_id) if user_id else AnonymousUserMixin()
                for attempt in ("cold", "warm"):
                    if attempt == "cold" and name == "whoosh":
                        search.backend().clear_cache()
                    samples, hits = [], 0
                    for q in queries:
                        t0 = time.perf_counter()
                        try:
                            hits += search.query(user, SearchRequest(text=q)).total
                        except QueryError:   # « ajoutez un mot plus précis »: an answer too
                            pass
                        samples.append(time.perf_counter() - t0)
                    print(f"query as {label:<22} {attempt}  {percentiles(samples)}   "
                          f"(mean hits {hits / len(queries):.0f})")
                    if label == "anonyme":
                        for kind, name_ in enumerate(KINDS):
                            print(f"    {name_:<20} {percentiles(samples[kind::len(KINDS)])}")
            # a change: cost added to the request, then delay until it is searchable
            open_space = db.session.scalar(select(Space.id).where(Space.kind == SpaceKind.OPEN))
            page = db.session.scalars(select(Page).where(Page.space_id == open_space)).first()
            author = db.session.get(User, page.author_id)
            without, with_queue = [], []
            for attempt in range(20):
                enabled = attempt % 2 == 0
                if not enabled:
                    event.remove(Session, "before_commit", search._enqueue)
                t0 = time.perf_counter()
                documents.update_page(page, title=page.title, body=page.body_source + " .",
                                      body_format="text", by=author, base_version=page.version)
                (with_queue if enabled else without).append(time.perf_counter() - t0)
                if not enabled:
                    event.listen(Session, "before_commit", search._enqueue)
                search.drain()
            added = statistics.median(with_queue) - statistics.median(without)
            documents.update_page(page, title=page.title + " pélican", body=page.body_source,
                                  body_format="text", by=author, base_version=page.version)
            t1 = time.perf_counter()
            search.process_queue()
            applied = time.perf_counter() - t1
            found = search.query(author, SearchRequest(text="pélican"))
            print(f"one change: the queue row adds {added * 1000:.2f} ms to the request (median of "
                  f"10 page saves each way); the writer applies it in {applied * 1000:.0f} ms, "
                  f"polling every 0.5 s (searchable: {found.total >= 1})")
        fts5_reference(queries)


def bare_whoosh(backend, queries: list[str]) -> None:
    """The same queries on the same index with nothing of ours: no permission filter, no facets,
    no highlights, top 20 — the floor our figures compare to."""
    from intranet.search.backends.whoosh.schema import clean, parser
    searcher = backend._get_searcher()
    parse = parser(searcher.schema).parse
    for label, limit in (("top 20, no count", 20), ("with exact count", None)):
        samples = []
        for q in queries:
            query = parse(clean(q))
            t0 = time.perf_counter()
            try:
                results = searcher.search(query, limit=limit or 20)
            except IndexError:  # a Whoosh 2.7.4 bug in its block-skipping optimisation
                results = searcher.search(query, limit=limit or 20, optimize=False)
            if limit is None:
                len(results)  # forces the exact count of matches
            samples.append(time.perf_counter() - t0)
        print(f"bare Whoosh ({label:<16})   {percentiles(samples)}")


def fts5_reference(queries: list[str]) -> None:
    """Bare SQLite FTS5 over the same pages, no permission filter: a reference line only."""
    from intranet.extensions import db
    rows = db.session.execute(text("SELECT id, title, body_source FROM page")).all()
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE doc USING fts5(title, body, tokenize='unicode61 remove_diacritics 2')")
    t0 = time.perf_counter()
    conn.executemany("INSERT INTO doc(rowid, title, body) VALUES (?, ?, ?)", rows)
    conn.commit()
    elapsed = time.perf_counter() - t0
    print(f"\n=== SQLite FTS5 reference — {len(rows)} pages ===")
    print(f"index: {len(rows) / elapsed:.0f} docs/s")
    samples = []
    for q in queries:
        fts = q.replace("titre:", "title:").replace("'", " ")
        t0 = time.perf_counter()
        try:
            conn.execute("SELECT rowid, bm25(doc) FROM doc WHERE doc MATCH ? ORDER BY bm25(doc) "
                         "LIMIT 20", (fts,)).fetchall()
            conn.execute("SELECT count(*) FROM doc WHERE doc MATCH ?", (fts,)).fetchone()
        except sqlite3.OperationalError:
            pass
        samples.append(time.perf_counter() - t0)
    print(f"query (no permissions)          {percentiles(samples)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--backends", default="whoosh",
                        help="comma-separated: whoosh, postgres (needs a PostgreSQL DATABASE_URL)")
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--index-dir", help="reuse this Whoosh index directory")
    parser.add_argument("--no-reindex", action="store_true",
                        help="query the existing index (Whoosh: --index-dir; PostgreSQL: its table)")
    args = parser.parse_args()
    run(args.docs, args.backends.split(","), args.procs,
        args.index_dir, not args.no_reindex)
