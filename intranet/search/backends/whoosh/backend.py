"""The Whoosh backend: an index on local disk, written by one process, read by every process.

Writing: one writer at a time (the index's own lock; a busy lock is reported, never waited
for in a request), segments as separate files: Whoosh reads a sub-file of a compound segment
by copying it whole into the memory of each process that opens it (230 MB at 100,000
documents, per gunicorn worker), while separate files are read where they lie, through the
page cache that all processes share.

Reading: searchers on the latest commit, renewed at most every ``refresh_seconds`` when the
index has a newer commit, each used by one query at a time (``_reading``); queries are answered
segment by segment with sets of documents (``segments.py``): the permission filter, the
request's filters, the count and the facets are set operations, then only what the person may
see is scored, and only the page shown is highlighted.

A Whoosh searcher must not be shared by two threads, nor meet a file that is gone:

- its readers read their files by ``seek`` then ``read`` on one file object each: two queries
  reading the same searcher at once read at each other's positions (garbage that fails to
  decode, or the postings of another word, then kept in the cache). A searcher is therefore
  taken by one query, given back after it, and a query that finds none free opens one more;
- Whoosh opens some files on first use (stored fields, field lengths, columns), by name. A
  commit of the writer — another process — that merges segments deletes their files at once,
  so a searcher opened before it found its stored fields gone (``TypeError`` on ``None``),
  its lengths and columns silently empty. A searcher here opens them all when it is opened
  (``_pin``): an open file stays readable after it is deleted. If the segments changed while
  it was being opened, it is opened again.
"""
from __future__ import annotations

import heapq
import logging
import os
import threading
import time
from contextlib import contextmanager

from markupsafe import Markup, escape
from whoosh import highlight, index
from whoosh.analysis import Token
from whoosh.query import NullQuery, NumericRange
from whoosh.writing import LockError

from ...spelling import is_query_word, suggest
from .. import (NARROW_AS_SPACE, NO_WORD, ONLY_EXCLUSIONS, ONLY_STOP_WORDS, BusyError, Hit,
                QueryError, Results, Scope, SearchRequest, has_query_word)
from .schema import (NARROW_CODES, clean, fields_of, parser, plain_query, schema,
                     surface_analyzer, understood)
from .spelling import Vocabulary
from .segments import (Cache, Segment, SegmentQuery, bitmap, has_prefix, matches_empty,
                       positive_terms, read_from)

log = logging.getLogger(__name__)

SNIPPET_CHARS = 220
VOCABULARY_SECONDS = 300
RETOKENIZED_CHARS = 20_000   # a prefix's words are found in this much of a long text
IDLE_SEARCHERS = 8           # searchers kept open between queries (one per concurrent query)
OPEN_ATTEMPTS = 10           # a searcher whose segments changed while it opened: opened again
LENGTH_FIELDS = ("title", "words", "body")     # the lengths BM25 reads


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


def _latest_commit(ix) -> tuple:
    """What tells the index's latest commit from any other: its generation, and the identity
    of its table of contents on disk. The generation alone does not: a rebuild (``clear``,
    in another process) starts counting again, and may commit the very generation a searcher
    here was opened on. ``(-1,)`` for an index never written."""
    generation = ix.latest_generation()
    if generation < 0:
        return (-1,)
    try:
        found = os.stat(os.path.join(ix.storage.folder,
                                     index.TOC._filename(ix.indexname, generation)))
    except OSError:          # replaced by a newer commit meanwhile: unlike any opened one
        return (generation, None)
    return (generation, found.st_ino, found.st_mtime_ns, found.st_size)


class _Opened:
    """A searcher on one commit, with every file its queries read open, and what is known of
    each of its segments; used by one query at a time. ``version``: (epoch, the how-manieth
    commit this backend opened), the searchers of one commit sharing it."""
    __slots__ = ("searcher", "version", "segments")

    def __init__(self, searcher, version: tuple[int, int], segments: list):
        self.searcher, self.version, self.segments = searcher, version, segments

    def parts(self) -> list[SegmentQuery]:
        return [segment.query(leaf, offset) for segment, leaf, offset in self.segments]


class WhooshBackend:
    name = "whoosh"
    reads_pending_keys = False     # given in the scope (services.scope_for)

    def __init__(self, path: str, refresh_seconds: float = 0.5, cache_mb: int = 64):
        self.path = path
        self.refresh_seconds = refresh_seconds
        os.makedirs(path, exist_ok=True)
        self._index = index.create_in(path, schema()) if not index.exists_in(path) \
            else index.open_dir(path)
        self._parser = parser(self._index.schema)
        self._lock = threading.Lock()        # the searchers: _idle, _version, _commit, _epoch…
        self._opening = threading.Lock()     # one searcher opened at a time; _segments
        self._idle: list[_Opened] = []       # free searchers of the latest version
        self._version: tuple[int, int] | None = None   # (epoch, number) of the latest opened
        self._commit: tuple | None = None    # the commit it reads (``_latest_commit``)
        self._commits = 0                    # commits opened so far
        self._epoch = 0                      # a new epoch: older searchers are closed
        self._checked = 0.0
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
        with self._opening, self._lock:
            self._retire_all()
            self._index = index.create_in(self.path, schema())
            self._parser = parser(self._index.schema)
            self._segments.clear()
            self._cache.clear()
            self._spelling = None

    def check(self) -> None:
        """Read a little of every file of the latest commit, as a query would: the table of
        terms (opening a searcher), then in each segment its last stored document, the
        postings of the last term of the main fields (a file cut short loses its end first)
        and the length columns. Raises whatever a damaged or missing file raises (a
        ValueError when the last document's stored fields come back without its key)."""
        ix = index.open_dir(self.path)
        with ix.searcher() as searcher:
            for reader, _ in searcher.reader().leaf_readers():
                # A stored-fields file cut short may still decode, its new last byte read as
                # a table of lengths: the last document then comes back empty, never keyless.
                if reader.doc_count_all() and "key" not in reader.stored_fields(
                        reader.doc_count_all() - 1):
                    raise ValueError("stored fields of the last document unreadable")
                for name in ("key", "title", "body"):
                    last = None
                    for last in reader.lexicon(name):
                        pass
                    if last is not None:
                        list(reader.postings(name, last).all_ids())
                for name in ("title", "body"):
                    if reader.doc_count_all():
                        reader.doc_field_length(reader.doc_count_all() - 1, name)

    def count(self) -> int:
        with self._reading() as opened:
            return opened.searcher.doc_count()

    def keys_of_organisation(self, organisation_id: int) -> list[str]:
        """The keys of the documents filed under an organisation (to index them again)."""
        with self._reading() as opened:
            found = opened.searcher.search(NumericRange("org", organisation_id, organisation_id),
                                           limit=None)
            return [hit["key"] for hit in found]

    def close(self) -> None:
        """Close the searchers' files (a backend being replaced; the next query reopens).
        A searcher still in use by a query is closed when the query gives it back."""
        with self._lock:
            self._retire_all()

    # --- the searchers and their segments ----------------------------------------------------

    @contextmanager
    def _reading(self):
        """A searcher on the latest commit (at most ``refresh_seconds`` old) for this query
        alone, given back at the end: ``_Opened``."""
        opened = self._checkout()
        try:
            yield opened
        finally:
            self._checkin(opened)

    def _checkout(self) -> _Opened:
        with self._lock:
            if self._pid != os.getpid():
                # a forked process (gunicorn --preload): the parent's caches are valid, its
                # open files are not (their read positions are shared)
                self._retire_all()               # this process's copies only
                self._index, self._pid = index.open_dir(self.path), os.getpid()
            now = time.monotonic()
            if self._idle and now - self._checked >= self.refresh_seconds:
                self._checked = now
                if _latest_commit(self._index) != self._commit:
                    self._retire_idle()          # a newer commit: open a searcher on it
            if self._idle:
                return self._idle.pop()
        return self._open()

    def _checkin(self, opened: _Opened) -> None:
        with self._lock:
            if opened.version == self._version and len(self._idle) < IDLE_SEARCHERS:
                self._idle.append(opened)
                return
        opened.searcher.close()                  # an older commit's, or one too many

    def _retire_idle(self) -> None:
        for opened in self._idle:
            opened.searcher.close()
        self._idle = []

    def _retire_all(self) -> None:
        """Close the free searchers; those in use are closed when given back."""
        self._retire_idle()
        self._epoch += 1
        self._version = self._commit = None

    def _open(self) -> _Opened:
        """A searcher on the latest commit, every file it will read open (``_pin``), with
        what is known of each of its segments. Its version becomes the latest: the searchers
        of older commits are closed (the free ones now, the others when given back)."""
        with self._opening:
            with self._lock:
                ix, epoch = self._index, self._epoch
            for attempt in range(OPEN_ATTEMPTS):
                searcher = ix.searcher()
                try:
                    segments = self._pin(searcher)
                    # a commit since it was opened may have deleted a file before it was
                    # opened here, a column or lengths Whoosh then reads as empty: again
                    usable = segments is not None and (searcher.up_to_date()
                                                       or attempt == OPEN_ATTEMPTS - 1)
                except BaseException:
                    searcher.close()
                    raise
                if usable:
                    break
                searcher.close()
                time.sleep(0.002 * attempt)
            else:
                raise BusyError("l'index change trop vite pour être lu : réessayez")
            gone = set(self._segments) - {segment.key for segment, _, _ in segments}
            for segment, _, _ in segments:
                self._segments.setdefault(segment.key, segment)
            for key in gone:
                del self._segments[key]
            if gone:
                self._cache.forget_segments(gone)
            # an index never written has no generation (None): -1, as ``latest_generation``
            generation = searcher.reader().generation()
            commit = _latest_commit(ix)
            if (-1 if generation is None else generation) != commit[0]:
                commit = None    # a newer commit already: the next query opens it
            with self._lock:
                if epoch != self._epoch:        # retired while it opened: closed after use
                    return _Opened(searcher, (epoch, 0), segments)
                if commit is None or commit != self._commit:
                    # a newer commit (opens are one at a time, each of the latest commit)
                    self._retire_idle()
                    self._commits += 1
                    self._version, self._commit = (epoch, self._commits), commit
                    self._checked = time.monotonic()
                return _Opened(searcher, self._version, segments)

    def _pin(self, searcher) -> list[tuple[Segment, object, int]] | None:
        """Open now the files Whoosh opens on first use — stored fields, field lengths,
        columns — and read what is known of each new segment (``Segment``). ``None`` if a
        segment's files are gone already (merged away by a commit since the searcher read the
        list of segments)."""
        segments = []
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            if reader.segment() is None or not reader.doc_count_all():   # an empty index
                continue
            try:
                # Whoosh answers a stored fields' file it cannot find with None, which it
                # then indexes (TypeError); a length or column file, with empty values
                reader.stored_fields(0)
                for fieldname in LENGTH_FIELDS:
                    if fieldname in reader.schema:
                        reader.doc_field_length(0, fieldname)
            except (OSError, TypeError):
                return None
            key = reader.segment().segment_id()
            segment = self._segments.get(key) or Segment(key, reader, self._cache)
            segments.append((segment, leaf, offset))
        return segments

    def _get_searcher(self):
        """A searcher on the latest commit for the caller alone (benchmarks), which closes it."""
        return self._open().searcher

    def refresh(self) -> None:
        """See the latest commit now (after a write in this process, or in tests)."""
        with self._lock:
            stale = (self._version is not None
                     and _latest_commit(self._index) != self._commit)
            self._checked = time.monotonic()
        if stale:
            self._checkin(self._open())

    def warm(self) -> None:
        """Open a searcher and load what every query reads: the columns, the document
        lengths, the spelling vocabulary (a process's first query would otherwise wait for
        them)."""
        with self._reading() as opened:
            parts = opened.parts()
            for part in parts:
                for column in ("space", "narrow", "type", "org", "year"):
                    part.segment.values(column)
                for fieldname in ("words", "title"):
                    if fieldname in part.reader.schema:
                        part.segment.lengths(part.reader, fieldname)
            self._vocabulary(parts)

    def clear_cache(self) -> None:
        """Forget the postings and sets kept between queries (benchmarks measure without)."""
        self._cache.clear()

    # --- searching ----------------------------------------------------------------------------

    def search(self, request: SearchRequest, scope: Scope) -> Results:
        text = clean(request.text)
        if not has_query_word(text):
            raise QueryError(NO_WORD)
        query = self._parse(text)
        if query is NullQuery:
            raise QueryError(ONLY_STOP_WORDS)
        if matches_empty(query):
            raise QueryError(ONLY_EXCLUSIONS)
        with self._reading() as opened:
            return self._search(opened, query, text, request, scope)

    def _search(self, opened: _Opened, query, text: str, request: SearchRequest,
                scope: Scope) -> Results:
        searcher, parts = opened.searcher, opened.parts()
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

    def _parse(self, text: str):
        """The query the text means; syntax the parser cannot make sense of, or makes into
        something the engine does not answer (``understood``), is searched as plain words."""
        try:
            query = self._parser.parse(text).normalize()
            if understood(query):
                return query
            log.info("search: %r searched as plain words (parsed as %r)", text, query)
        except Exception:  # noqa: BLE001 - Whoosh's parser raises anything on odd syntax
            log.warning("search: %r not parsed, searched as plain words", text, exc_info=True)
        return plain_query(text, self._index.schema)

    @staticmethod
    def _allowed(part: SegmentQuery, scope: Scope, request: SearchRequest,
                 pending: list[bytes]) -> int:
        """What this person may see in the segment (the scope's description, core/readscope.py,
        as sets of documents), narrowed by the request's filters: the documents of their member
        spaces, those of the other spaces they may see whose narrowing they pass, and those
        they are a reader of (documents with readers have no space: -1)."""
        segment = part.segment
        bits = 0
        for space in scope.member_space_ids:
            bits |= segment.value_set("space", space)
        passed = 0
        for narrow in {NARROW_CODES[n or NARROW_AS_SPACE] for n in scope.narrowings}:
            passed |= segment.value_set("narrow", narrow)
        others = 0
        for space in scope.other_space_ids:
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
        if request.space_id is not None:
            bits &= segment.value_set("space", request.space_id)
        if request.container:
            bits &= part.term_bits("container", request.container.encode())
        if request.author_id is not None:
            bits &= part.term_bits("author", str(request.author_id).encode())
        if request.date_from is not None or request.date_to is not None:
            bits &= segment.date_range(request.date_from, request.date_to)
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
