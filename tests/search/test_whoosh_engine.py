"""The Whoosh backend's own query engine (sets per segment, cached postings, BM25) checked
against Whoosh's matcher and scorer on a random corpus: same documents found, same counts
and facets, same ranking, whatever the cache holds, across segments and deletions."""
import functools
import os
import random
from datetime import datetime, timedelta

import pytest
from whoosh import query as q
from whoosh.query import Or, Term

from intranet.search.backends import BusyError, Scope, SearchRequest
from intranet.search.backends.whoosh import WhooshBackend, french_analyzer
from intranet.search.backends.whoosh.schema import clean
from intranet.search.backends.whoosh.segments import members
from intranet.search.documents import SearchDocument

WORDS = ("budget voirie cantine école église mairie conseil travaux subvention associations "
         "cimetière urbanisme assainissement éclairage déchets recrutement indemnités "
         "bibliothèque piscine marché").split()
COMMON = "commune"   # in about half the documents
RARE = "zanzibar"    # in a handful
QUERIES = ["commune", "budget", "zanzibar", "budget commune", "voirie OU cantine",
           "commune SAUF budget", "-église commune", '"plan local"', '"conseil municipal"',
           "subven*", "trav* commune", "titre:budget", "titre:commune école",
           "zanzibar OU piscine", '"plan local" OU zanzibar', "bibliotheques", "ÉGLISE",
           '"conseil commune"~3', '"local municipal conseil"~4']
SPACES = [1, 2, 3, 4, 5, 6]
NARROWS = ["", "", "", "network", "members"]


def _document(rng: random.Random, n: int, epoch: datetime) -> SearchDocument:
    words = rng.choices(WORDS, k=rng.randint(4, 30))
    if rng.random() < 0.5:
        words.insert(rng.randrange(len(words) + 1), COMMON)
    if rng.random() < 0.03:
        words.append(RARE)
    if rng.random() < 0.2:
        words[rng.randrange(len(words)):0] = ["plan", "local"]
    if rng.random() < 0.2:
        words[rng.randrange(len(words)):0] = ["conseil", "municipal"]
    readers = [7, 8] if rng.random() < 0.05 else []
    return SearchDocument(
        key=f"page:{n}", type=rng.choice(["page", "document", "press", "aid"]),
        title=" ".join(rng.choices(WORDS + [COMMON], k=rng.randint(1, 4))).capitalize(),
        body=" ".join(words) + ".", url=f"/p/{n}",
        date=epoch + timedelta(days=rng.randrange(900), minutes=n),
        space_id=None if readers else rng.choice(SPACES), narrow=rng.choice(NARROWS),
        organisation_id=rng.choice([None, 10, 11, 12]), organisation_name="Org",
        readers=readers)


def _allowed(doc: SearchDocument, scope: Scope) -> bool:
    if doc.readers:
        return scope.user_id in doc.readers
    if doc.space_id in scope.member_space_ids:
        return True
    level = {"": 0, "public": 0, "network": 1, "members": 2}[doc.narrow]
    return doc.space_id in scope.visible_space_ids and level <= (1 if scope.signed_in else 0)


SCOPES = {
    "visitor": Scope(signed_in=False, user_id=None, visible_space_ids=[1, 2, 3],
                     member_space_ids=[]),
    "member": Scope(signed_in=True, user_id=5, visible_space_ids=[1, 2, 3, 4, 5],
                    member_space_ids=[4]),
    "reader": Scope(signed_in=True, user_id=7, visible_space_ids=[1, 2, 3],
                    member_space_ids=[2], pending_keys=["page:3", "page:10"]),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """600 documents in three commits (three segments), then 40 of them rewritten (deletions
    in the first segments)."""
    rng = random.Random(47)
    epoch = datetime(2024, 1, 1)
    backend = WhooshBackend(str(tmp_path_factory.mktemp("index")), refresh_seconds=0)
    docs = {}
    for start in (0, 250, 450):
        batch = [_document(rng, n, epoch) for n in range(start, start + {0: 250, 250: 200,
                                                                          450: 150}[start])]
        backend.write(batch, [])
        docs.update((doc.key, doc) for doc in batch)
    backend.refresh()
    backend.search(SearchRequest(text="commune"), SCOPES["visitor"])   # caches warm
    rewritten = [_document(rng, n, epoch) for n in rng.sample(range(450), 40)]
    backend.write(rewritten, ["page:599"])
    docs.update((doc.key, doc) for doc in rewritten)
    del docs["page:599"]
    backend.refresh()
    with backend._reading() as opened:
        assert len(opened.segments) >= 2 and not opened.searcher.reader().is_atomic()
    yield backend, docs
    backend.close()


@pytest.fixture
def new_backend(tmp_path):
    """``make(**options)``: a Whoosh backend on a fresh directory, closed afterwards."""
    made = []

    def make(**options):
        made.append(WhooshBackend(str(tmp_path), **options))
        return made[-1]
    yield make
    for backend in made:
        backend.close()


def _expected(backend, docs, text: str, scope: Scope, request: SearchRequest | None = None):
    """The keys the query should find — matched by the plain evaluation below, restricted by
    the rule written out plainly — and Whoosh's own BM25 score of each."""
    request = request or SearchRequest(text=text)
    query = backend._parser.parse(clean(text)).normalize()
    keys, scores = {}, {}
    with backend._reading() as opened:
        searcher = opened.searcher
        for docnum in searcher.reader().all_doc_ids():
            key = searcher.stored_fields(docnum)["key"]
            doc = docs[key]
            if (_matches(query, _words(doc)) and _allowed(doc, scope)
                    and key not in scope.pending_keys
                    and (not request.types or doc.type in request.types)
                    and (not request.organisation_id
                         or doc.organisation_id == request.organisation_id)
                    and (not request.year or doc.date.year == request.year)):
                keys[key] = docnum
        if keys:
            results = searcher.search(query, limit=None, filter=set(keys.values()))
            scores = {hit["key"]: hit.score for hit in results}
    return keys, scores


_ANALYZER = french_analyzer()


@functools.lru_cache(maxsize=None)
def _analysed(text: str) -> tuple[str, ...]:
    return tuple(token.text for token in _ANALYZER(text))


def _words(doc: SearchDocument) -> dict[str, list[str]]:
    return {field: list(_analysed(getattr(doc, field))) for field in ("title", "body")}


def _matches(query, words: dict[str, list[str]]) -> bool:
    """The query's meaning, evaluated on one document's words, the slow and obvious way."""
    if isinstance(query, q.Term):
        return query.text in words.get(query.fieldname, ())
    if isinstance(query, q.Prefix):
        return any(w.startswith(query.text) for w in words.get(query.fieldname, ()))
    if isinstance(query, q.Phrase):    # each word at most ``slop`` places after the previous
        seq, phrase = words.get(query.fieldname, []), query.words

        def follows(at: int, k: int) -> bool:
            return k == len(phrase) or any(
                seq[j] == phrase[k] and follows(j, k + 1)
                for j in range(at + 1, min(len(seq), at + query.slop + 1)))
        return any(word == phrase[0] and follows(i, 1) for i, word in enumerate(seq))
    if isinstance(query, q.And):
        return all(_matches(sub, words) for sub in query.subqueries)
    if isinstance(query, q.Or):
        return any(_matches(sub, words) for sub in query.subqueries)
    if isinstance(query, q.Not):
        return not _matches(query.query, words)
    if isinstance(query, q.AndNot):
        return _matches(query.a, words) and not _matches(query.b, words)
    raise AssertionError(f"query not covered by this test: {query!r}")


def _all_hits(backend, text, scope, **kwargs):
    found = backend.search(SearchRequest(text=text, per_page=1000, **kwargs), scope)
    return found, [hit.key for hit in found.hits]


@pytest.mark.parametrize("cache_mb", [64, 0])
@pytest.mark.parametrize("who", sorted(SCOPES))
@pytest.mark.parametrize("text", QUERIES)
def test_same_documents_counts_and_facets_as_whoosh(corpus, text, who, cache_mb):
    backend, docs = corpus
    scope = SCOPES[who]
    backend._cache.max_bytes = cache_mb * 1024 * 1024
    backend.clear_cache()
    expected, _ = _expected(backend, docs, text, scope)
    for attempt in ("cold", "warm"):
        found, keys = _all_hits(backend, text, scope)
        assert found.total == len(expected), attempt
        assert sorted(keys) == sorted(expected), attempt
        matched = [docs[key] for key in expected]
        assert found.types == _tally(doc.type for doc in matched)
        assert found.organisations == _tally(doc.organisation_id for doc in matched
                                             if doc.organisation_id)
        assert found.years == _tally(doc.date.year for doc in matched)
    backend._cache.max_bytes = 64 * 1024 * 1024


@pytest.mark.parametrize("text", ["commune", "budget commune", "voirie OU cantine",
                                  "titre:commune école", "bibliotheques", "zanzibar OU piscine"])
def test_ranking_follows_whoosh_bm25(corpus, text):
    backend, docs = corpus
    scope = SCOPES["member"]
    _, scores = _expected(backend, docs, text, scope)
    _, keys = _all_hits(backend, text, scope)
    ranked = [scores[key] for key in keys]
    assert all(a >= b - 1e-4 for a, b in zip(ranked, ranked[1:]))
    top = sorted(scores.values(), reverse=True)
    assert ranked == pytest.approx(top, rel=1e-4)


def test_pages_follow_each_other_without_gap_or_repeat(corpus):
    backend, docs = corpus
    scope = SCOPES["member"]
    for sort in ("relevance", "date"):
        _, every = _all_hits(backend, "commune", scope, sort=sort)
        paged = []
        for page in range(1, len(every) // 20 + 2):
            found = backend.search(SearchRequest(text="commune", page=page, sort=sort), scope)
            paged += [hit.key for hit in found.hits]
        assert paged == every, sort


def test_date_order_is_newest_first(corpus):
    backend, docs = corpus
    for text in ("commune", "zanzibar", "subven*"):
        _, keys = _all_hits(backend, text, SCOPES["visitor"], sort="date")
        dates = [docs[key].date for key in keys]
        assert dates == sorted(dates, reverse=True) and dates, text


def test_a_prefix_ranks_nothing_newest_first_after_scored_words(corpus):
    backend, docs = corpus
    _, keys = _all_hits(backend, "trav*", SCOPES["visitor"])
    dates = [docs[key].date for key in keys]
    assert dates == sorted(dates, reverse=True)


def test_filters_narrow_counts_like_the_rule(corpus):
    backend, docs = corpus
    scope = SCOPES["member"]
    for request in (SearchRequest(text="commune", types=["press", "aid"]),
                    SearchRequest(text="commune", organisation_id=11),
                    SearchRequest(text="commune", year=2025)):
        expected, _ = _expected(backend, docs, request.text, scope, request)
        request.per_page = 1000
        found = backend.search(request, scope)
        assert sorted(hit.key for hit in found.hits) == sorted(expected)


def test_snippets_mark_the_matched_words_and_phrase(corpus):
    backend, _ = corpus
    scope = SCOPES["member"]
    for text, marked in (("texte:budget", "<mark>budget</mark>"),
                         ('texte:"plan local"', "<mark>plan</mark> <mark>local</mark>"),
                         ("texte:bibli*", "<mark>bibliothèque</mark>")):
        found = backend.search(SearchRequest(text=text), scope)
        assert found.hits and all(marked in hit.snippet for hit in found.hits), text


def test_a_deleted_document_leaves_every_cached_set(new_backend):
    backend = new_backend(refresh_seconds=0)
    epoch = datetime(2025, 1, 1)
    keep = SearchDocument(key="page:1", type="page", title="Budget", body="voirie budget",
                          url="/p/1", date=epoch, space_id=1)
    gone = SearchDocument(key="page:2", type="page", title="Budget", body='"plan local" budget',
                          url="/p/2", date=epoch, space_id=1)
    backend.write([keep, gone], [])
    backend.refresh()
    scope = SCOPES["visitor"]
    for text in ("budget", '"plan local"', "bud*"):
        assert backend.search(SearchRequest(text=text), scope).total >= 1
    backend.write([], ["page:2"])
    backend.refresh()
    assert [h.key for h in backend.search(SearchRequest(text="budget"), scope).hits] == ["page:1"]
    assert backend.search(SearchRequest(text="bud*"), scope).total == 1
    assert backend.search(SearchRequest(text='"plan local"'), scope).total == 0


def _tally(values) -> dict:
    counts: dict = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def test_or_of_many_words_is_one_set(corpus):
    """Many alternatives (what a prefix becomes) match what each word matches, segment by
    segment."""
    backend, _ = corpus
    query = Or([Term("body", word) for word in ("budget", "voirie", "zanzibar", "absent")])
    with backend._reading() as opened:
        for part, (leaf, _) in zip(opened.parts(), opened.searcher.leaf_searchers()):
            bits = part.evaluate(query) & part.live
            assert set(members(bits, part.size)) == set(leaf.docs_for_query(query))


def test_a_forked_process_reopens_the_index_and_keeps_the_caches(corpus, monkeypatch):
    backend, docs = corpus
    before = backend.search(SearchRequest(text="commune budget"), SCOPES["member"])
    segments, opened = dict(backend._segments), backend._index
    monkeypatch.setattr("os.getpid", lambda: -1)
    after = backend.search(SearchRequest(text="commune budget"), SCOPES["member"])
    assert backend._index is not opened and backend._segments == segments
    assert [h.key for h in after.hits] == [h.key for h in before.hits]


def test_an_index_made_before_the_words_and_spell_fields_still_works(tmp_path, new_backend):
    """After an upgrade, until ``flask search reindex``: words are matched from the body."""
    from whoosh import index
    from intranet.search.backends.whoosh import schema
    old = schema()
    old.remove("words")
    old.remove("spell")
    index.create_in(str(tmp_path), old)
    backend = new_backend(refresh_seconds=0)
    backend.write([SearchDocument(key="page:1", type="page", title="Voirie",
                                  body="Travaux de voirie, budget voté", url="/p/1",
                                  date=datetime(2026, 1, 5), space_id=1)], [])
    backend.refresh()
    for text in ("budget", '"budget voté"', "bud*", "titre:voirie"):
        found = backend.search(SearchRequest(text=text), SCOPES["visitor"])
        assert [hit.key for hit in found.hits] == ["page:1"], text
    assert backend.search(SearchRequest(text="budjet"), SCOPES["visitor"]).suggestion is None


def test_a_second_writer_is_told_the_index_is_busy_and_nothing_is_lost(tmp_path, new_backend):
    """Two writing processes (a worker and a reindex): the second gets BusyError after half a
    second instead of waiting or corrupting the index; retried, it goes through."""
    import multiprocessing

    first = SearchDocument(key="page:1", type="page", title="Voirie", body="voirie",
                           url="/p/1", date=datetime(2026, 1, 5), space_id=1)
    second = SearchDocument(key="page:2", type="page", title="Cantine", body="cantine",
                            url="/p/2", date=datetime(2026, 1, 6), space_id=1)
    new_backend()                                       # creates the index
    started, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.get_context("fork").Process(
        target=_hold_the_writer, args=(str(tmp_path), first, started, release))
    holder.start()
    try:
        assert started.wait(10)
        other = new_backend()
        with pytest.raises(BusyError):
            other.write([second], [])
    finally:
        release.set()
        holder.join(10)
    assert holder.exitcode == 0
    other.write([second], [])                           # the retry
    reader = new_backend(refresh_seconds=0)
    found = reader.search(SearchRequest(text="voirie OU cantine"), SCOPES["visitor"])
    assert sorted(hit.key for hit in found.hits) == ["page:1", "page:2"]


def _hold_the_writer(path, document, started, release):
    from intranet.search.backends.whoosh.schema import fields_of
    writer = WhooshBackend(path)._index.writer()
    writer.add_document(**fields_of(document))
    started.set()
    release.wait(10)
    writer.commit()


def test_segments_are_separate_files_read_in_place(corpus):
    """A compound segment (one .seg file) would be copied whole into each process's memory
    when opened; separate files are read through the shared page cache."""
    backend, _ = corpus
    assert not [name for name in os.listdir(backend.path) if name.endswith(".seg")]
    assert [name for name in os.listdir(backend.path) if name.endswith(".pst")]


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"),
                    reason="compte les fichiers ouverts par /proc")
def test_a_process_following_many_commits_keeps_a_bounded_number_of_files_open(new_backend):
    backend = new_backend(refresh_seconds=0)
    scope = SCOPES["visitor"]

    def open_files() -> int:
        return len(os.listdir("/proc/self/fd"))

    counts = []
    for n in range(12):
        backend.write([SearchDocument(key=f"page:{n % 3}", type="page", title="Voirie",
                                      body=f"voirie {n}", url="/p", date=datetime(2026, 1, 5),
                                      space_id=1)], [])
        assert backend.search(SearchRequest(text="voirie"), scope).total == min(n + 1, 3)
        counts.append(open_files())
    assert max(counts[6:]) <= max(counts[:6]) + 5, counts


def test_postings_of_any_other_matcher_are_read_through_its_public_interface():
    """Postings are read block by block from Whoosh 2.7's own format; a matcher of another
    kind (another codec) gives the same ids, weights and values through its methods."""
    from whoosh.matching import ListMatcher
    from intranet.search.backends.whoosh.segments import _blocks
    matcher = ListMatcher([1, 5, 9], [1.0, 2.0, 1.0], values=[b"a", b"b", b"c"])
    assert list(_blocks(matcher, values=True)) == [
        ([1, 5, 9], [1.0, 2.0, 1.0], [b"a", b"b", b"c"])]
