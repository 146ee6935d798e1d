"""The Whoosh backend: an index on local disk, written by one process, read by every process.

Writing: one writer at a time (the index's own lock; a busy lock is reported, never waited
for in a request), segments as separate files: Whoosh reads a sub-file of a compound segment
by copying it whole into the memory of each process that opens it (230 MB at 100,000
documents, per gunicorn worker), while separate files are read where they lie, through the
page cache that all processes share.

Reading: one searcher per process, renewed at most every ``refresh_seconds`` when the index
has a newer commit; queries are answered segment by segment with sets of documents
(``segments.py``): the permission filter, the request's filters, the count and the facets are
set operations, then only what the person may see is scored, and only the page shown is
highlighted.
"""
from __future__ import annotations

import heapq
import os
import re
import threading
import time
from contextlib import contextmanager

from markupsafe import Markup, escape
from whoosh import highlight, index
from whoosh.analysis import Token
from whoosh.query import NullQuery
from whoosh.writing import LockError

from ...spelling import is_query_word, suggest
from .. import BusyError, Hit, QueryError, Results, Scope, SearchRequest
from .schema import clean, fields_of, parser, schema, surface_analyzer
from .spelling import Vocabulary
from .segments import (Cache, Segment, SegmentQuery, bitmap, has_prefix, positive_terms,
                       read_from)

SNIPPET_CHARS = 220
VOCABULARY_SECONDS = 300
RETOKENIZED_CHARS = 20_000   # a prefix's words are found in this much of a long text


class _MarkFormatter(highlight.Formatter):
    """Escaped text with <mark> around the matched words."""
    between = " … "

    def format_token(self, text, token, replace=False):
        return str(Markup("<mark>{}</mark>").format(highlight.get_text(text, token, replace)))

    def format_fragment(self, fragment, replace=False):
        output, at = [], fragment.startchar
        text = fragment.text
        for token in fragment.matches:
            if token.startchar < at:
                continue
            output.append(str(escape(text[at:token.startchar])))
            output.append(self.format_token(text, token, replace))
            at = token.endchar
        output.append(str(escape(text[at:fragment.endchar])))
        return "".join(output)


class WhooshBackend:
    name = "whoosh"

    def __init__(self, path: str, refresh_seconds: float = 0.5, cache_mb: int = 64):
        self.path = path
        self.refresh_seconds = refresh_seconds
        os.makedirs(path, exist_ok=True)
        self._index = index.create_in(path, schema()) if not index.exists_in(path) \
            else index.open_dir(path)
        self._parser = parser(self._index.schema)
        self._searcher = self._retired = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self._cache = Cache(cache_mb * 1024 * 1024)
        self._segments: dict = {}
        self._pid = os.getpid()
        self._spelling: tuple | None = None

    # --- writing -----------------------------------------------------------------------------

    def write(self, documents, removed_keys, *, procs: int = 1) -> None:
        """Apply a batch in one commit. Raises ``BusyError`` if another writer holds the lock."""
        try:
            writer = self._index.writer(timeout=0.5, limitmb=256, procs=procs,
                                        multisegment=procs > 1, compound=False)
        except LockError as exc:
            raise BusyError("index en cours d'écriture par un autre processus") from exc
        try:
            for key in removed_keys:
                writer.delete_by_term("key", key)
            for doc in documents:
                writer.update_document(**self._fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    @contextmanager
    def bulk(self, *, procs: int = 1):
        """One writer for a whole rebuild (one commit, no merge between batches); yields a
        function taking a list of documents."""
        writer = self._index.writer(limitmb=256, procs=procs, multisegment=procs > 1,
                                    compound=False)
        try:
            yield lambda documents: [writer.add_document(**self._fields(d)) for d in documents]
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def _fields(self, doc) -> dict:
        """The document's fields that the index has (an index made by an earlier version
        lacks some until ``flask search reindex``)."""
        names = self._index.schema.names()
        return {name: value for name, value in fields_of(doc).items() if name in names}

    def clear(self) -> None:
        with self._lock:
            self._close_searchers()
            self._index = index.create_in(self.path, schema())
            self._parser = parser(self._index.schema)
            self._segments.clear()
            self._cache.clear()
            self._spelling = None

    def count(self) -> int:
        return self._get_searcher().doc_count()

    def close(self) -> None:
        """Close the searchers' files (a backend being replaced; the next query reopens)."""
        with self._lock:
            self._close_searchers()

    # --- the searcher and its segments --------------------------------------------------------

    def _close_searchers(self) -> None:
        for searcher in (self._searcher, self._retired):
            if searcher is not None:
                searcher.close()
        self._searcher = self._retired = None

    def _get_searcher(self):
        with self._lock:
            now = time.monotonic()
            if self._pid != os.getpid():
                # a forked process (gunicorn --preload): the parent's caches are valid, its
                # open files are not (their read positions are shared)
                self._close_searchers()             # this process's copies only
                self._index, self._pid = index.open_dir(self.path), os.getpid()
            if self._searcher is None:
                self._searcher = self._index.searcher()
                self._checked = now
            elif now - self._checked >= self.refresh_seconds:
                self._renew()
                self._checked = now
            return self._searcher

    def _renew(self) -> None:
        """A searcher on the latest commit, if there is a newer one. Whoosh's own
        ``Searcher.refresh`` leaves most of the old segment readers' files open (it keys the
        readers to close by generation, which they all share). The segments' caches are ours
        and kept; the searcher before is closed one renewal later, so that a query still
        running on it (a threaded server) is not cut short."""
        if not self._searcher.up_to_date():
            if self._retired is not None:
                self._retired.close()
            self._retired, self._searcher = self._searcher, self._index.searcher()

    def refresh(self) -> None:
        """See the latest commit now (after a write in this process, or in tests)."""
        with self._lock:
            if self._searcher is not None:
                self._renew()
            self._checked = time.monotonic()

    def warm(self) -> None:
        """Open the searcher and load what every query reads: the columns, the document
        lengths, the spelling vocabulary, the stored fields' file (a process's first query
        would otherwise wait for them)."""
        parts = self._parts(self._get_searcher())
        for part in parts:
            for column in ("space", "narrow", "type", "org", "year"):
                part.segment.values(column)
            for fieldname in ("words", "title"):
                if fieldname in part.reader.schema:
                    part.segment.lengths(part.reader, fieldname)
            part.reader.stored_fields(0)     # opens the stored fields' file
        self._vocabulary(parts)

    def clear_cache(self) -> None:
        """Forget the postings and sets kept between queries (benchmarks measure without)."""
        self._cache.clear()

    def _parts(self, searcher) -> list[SegmentQuery]:
        """The searcher's segments, each with what is known of it (kept by segment id: a
        segment's documents never change, only its deletions)."""
        parts, live = [], set()
        with self._lock:
            for leaf, offset in searcher.leaf_searchers():
                reader = leaf.reader()
                if reader.segment() is None:     # an empty index
                    continue
                key = reader.segment().segment_id()
                live.add(key)
                segment = self._segments.get(key)
                if segment is None:
                    segment = self._segments[key] = Segment(key, reader, self._cache)
                parts.append(segment.query(leaf, offset))
            gone = set(self._segments) - live
            for key in gone:
                del self._segments[key]
        if gone:
            self._cache.forget_segments(gone)
        return parts

    # --- searching ----------------------------------------------------------------------------

    def search(self, request: SearchRequest, scope: Scope) -> Results:
        text = clean(request.text)
        if not re.search(r"\w", text):
            raise QueryError("Saisissez au moins un mot à rechercher.")
        query = self._parser.parse(text).normalize()
        if query is NullQuery:
            raise QueryError("Cette recherche ne contient que des mots trop courants "
                             "(« le », « de »…) : ajoutez un mot plus précis.")
        searcher = self._get_searcher()
        parts = self._parts(searcher)
        pending = [key.encode() for key in scope.pending_keys]
        allowed = [self._allowed(part, scope, request, pending) for part in parts]
        matched = [part.evaluate(query) & bits if bits else 0
                   for part, bits in zip(parts, allowed)]
        total = sum(bits.bit_count() for bits in matched)

        need = max(request.page, 1) * request.per_page
        if not total:
            ranked = []
        elif request.sort == "date":
            ranked = self._newest(parts, matched, need)
        else:
            ranked = self._best(searcher, query, parts, matched, need)
        hits = self._hits(searcher, query, ranked[need - request.per_page:need])

        suggestion = self._suggest(parts, allowed, text) if total < 3 else None
        facets = {column: self._counts(parts, matched, column)
                  for column in ("type", "org", "year")}
        return Results(total=total, hits=hits, types=facets["type"],
                       organisations={org: n for org, n in facets["org"].items() if org},
                       years=facets["year"], suggestion=suggestion)

    @staticmethod
    def _allowed(part: SegmentQuery, scope: Scope, request: SearchRequest,
                 pending: list[bytes]) -> int:
        """What this person may see in the segment, narrowed by the request's filters: the
        documents of their member spaces, those of the other spaces they may see whose own
        narrowing they pass (network: signed in), and those they are a reader of."""
        segment = part.segment
        member = set(scope.member_space_ids)
        bits = 0
        for space in member:
            bits |= segment.value_set("space", space)
        passed = 0
        for narrow in range(2 if scope.signed_in else 1):
            passed |= segment.value_set("narrow", narrow)
        others = 0
        for space in set(scope.visible_space_ids) - member:
            others |= segment.value_set("space", space)
        bits |= others & passed
        if scope.signed_in and scope.user_id is not None:
            bits |= part.term_bits("reader", str(scope.user_id).encode())
        bits &= part.live
        if request.types:
            kinds = 0
            for kind in request.types:
                kinds |= segment.value_set("type", kind)
            bits &= kinds
        if request.organisation_id:
            bits &= segment.value_set("org", request.organisation_id)
        if request.year:
            bits &= segment.value_set("year", request.year)
        for key in pending:
            if bits:
                bits &= ~part.term_bits("key", key)
        return bits

    @staticmethod
    def _counts(parts: list[SegmentQuery], matched: list[int], column: str) -> dict:
        counts: dict = {}
        for part, bits in zip(parts, matched):
            if bits:
                for value, n in part.segment.counts(bits, column).items():
                    counts[value] = counts.get(value, 0) + n
        return counts

    @staticmethod
    def _newest(parts: list[SegmentQuery], matched: list[int],
                need: int) -> list[tuple[SegmentQuery, int]]:
        """The ``need`` most recent matches."""
        candidates = []
        for part, bits in zip(parts, matched):
            if bits:
                dates = part.segment.columns["date"]
                candidates.extend((dates[local], part.offset + local, part, local)
                                  for local in part.segment.newest(bits, need))
        candidates.sort(key=lambda c: (c[0], c[1]), reverse=True)
        return [(part, local) for _, _, part, local in candidates[:need]]

    def _best(self, searcher, query, parts: list[SegmentQuery], matched: list[int],
              need: int) -> list[tuple[SegmentQuery, int]]:
        """The ``need`` best matches by BM25 over the query's words (a prefix ranks nothing),
        the newest first among equals; matches no word scored come after, newest first."""
        schema_ = searcher.schema
        terms = []
        for fieldname, word in sorted(positive_terms(query)):
            if fieldname in schema_:
                text = schema_[fieldname].to_bytes(word)
                stats = read_from(schema_, fieldname)
                terms.append((fieldname, text, searcher.idf(stats, text),
                              searcher.avg_field_length(stats, 1.0)))
        candidates, leftover = [], []
        for part, bits in zip(parts, matched):
            scores = part.score(bits, terms) if bits and terms else {}
            dates = part.segment.columns["date"]
            candidates.extend((score, dates[local], part.offset + local, part, local)
                              for local, score in scores.items())
            leftover.append(bits & ~bitmap(part.size, scores) if bits else 0)
        best = [(part, local) for *_, part, local in
                heapq.nlargest(need, candidates, key=lambda c: c[:3])]
        if len(best) < need and any(leftover):
            best += self._newest(parts, leftover, need - len(best))
        return best

    # --- « Vouliez-vous dire … » -------------------------------------------------------------

    def _suggest(self, parts: list[SegmentQuery], allowed: list[int], text: str) -> str | None:
        """« Vouliez-vous dire … » (see ``search/spelling.py``), with the ``spell`` field: the
        query's words as the field holds them, the segments' sets for who holds a word."""
        words = [(token.startchar, token.endchar, token.text) for token in
                 surface_analyzer()(text, chars=True, mode="query")
                 if is_query_word(text, token.startchar, token.endchar)]
        return suggest(text, words, lambda word: self._first_visible(parts, allowed, word),
                       self._vocabulary(parts).candidates, self._spelt)

    def _vocabulary(self, parts: list[SegmentQuery]) -> Vocabulary:
        """The spelling vocabulary, rebuilt when the segments have changed, at most every
        ``VOCABULARY_SECONDS`` (a word added since waits that long to be suggested)."""
        keys = tuple(part.segment.key for part in parts)
        built = self._spelling
        if built is None or (built[0] != keys
                             and time.monotonic() - built[1] > VOCABULARY_SECONDS):
            built = self._spelling = (keys, time.monotonic(),
                                      Vocabulary([part.reader for part in parts]))
        return built[2]

    @staticmethod
    def _first_visible(parts: list[SegmentQuery], allowed: list[int], word: str):
        for part, bits in zip(parts, allowed):
            found = part.term_bits("spell", word.encode()) & bits if bits else 0
            if found:
                return part, found.bit_length()
        return None

    @staticmethod
    def _spelt(word: str, holder: tuple[SegmentQuery, int]) -> str:
        """``word`` as written in ``holder``, the document ``_first_visible`` found."""
        part, bit_length = holder
        stored = part.reader.stored_fields(part.size - bit_length)   # its highest bit: first
        text = f"{stored.get('title', '')}\n{stored.get('body', '')}"
        for token in surface_analyzer()(text, chars=True):
            if token.text == word:
                return text[token.startchar:token.endchar].lower()
        return word

    # --- hits and snippets --------------------------------------------------------------------

    def _hits(self, searcher, query, page: list[tuple[SegmentQuery, int]]) -> list[Hit]:
        """The page's hits, each with a snippet: the passages of the text around the words the
        document matched, from the characters stored with each word (a prefix's words are
        found by reading the text again: there may be hundreds of them)."""
        if not page:
            return []
        retokenize = has_prefix(query)
        words = {word for fieldname, word in
                 positive_terms(query, searcher.reader() if retokenize else None)
                 if fieldname == "body"}
        places: dict[tuple[int, int], list[Token]] = {}
        if not retokenize:
            field = searcher.schema["body"]
            decode = field.format.decoder("characters")
            for part in {id(part): part for part, _ in page}.values():
                wanted = sorted(local for p, local in page if p is part)
                for word in words:
                    for local, chars in part.values("body", field.to_bytes(word), wanted,
                                                    decode).items():
                        places.setdefault((id(part), local), []).extend(
                            Token(text=word, pos=pos, startchar=start, endchar=end)
                            for pos, start, end in chars)
        analyzer = searcher.schema["body"].analyzer
        hits = []
        for part, local in page:
            stored = part.reader.stored_fields(local)
            body = stored.get("body", "")
            if retokenize:
                tokens = [token.copy() for token in
                          analyzer(body[:RETOKENIZED_CHARS], positions=True, chars=True,
                                   mode="index", removestops=False) if token.text in words]
            else:
                tokens = places.get((id(part), local), [])
            hits.append(Hit(key=stored["key"], type=stored["type"], title=stored["title"],
                            url=stored["url"], date=stored["date"],
                            organisation_name=stored.get("org_name", ""),
                            snippet=_snippet(body, tokens)))
        return hits


def _snippet(text: str, tokens: list[Token]) -> str:
    """Up to two passages of ``text`` around the matched ``tokens``, escaped, with <mark>."""
    if tokens:
        tokens.sort(key=lambda token: (token.startchar, -token.endchar))
        unique = [token for i, token in enumerate(tokens)
                  if i == 0 or token.startchar != tokens[i - 1].startchar]
        fragmenter = highlight.PinpointFragmenter(maxchars=SNIPPET_CHARS, surround=60,
                                                  autotrim=True)
        fragments = highlight.top_fragments(fragmenter.fragment_matches(text, unique), 2,
                                            highlight.BasicFragmentScorer(), highlight.FIRST)
        if fragments:
            return _MarkFormatter().format(fragments)
    return str(escape(text[:SNIPPET_CHARS]))
