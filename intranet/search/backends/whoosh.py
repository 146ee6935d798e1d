"""The Whoosh backend: the only module that imports Whoosh.

One index directory; one writer at a time (the index's own lock; a busy lock is retried by the
caller later, never waited for in a request); one searcher per process, refreshed at most every
``refresh_seconds`` when the index has changed.
"""
from __future__ import annotations

import bisect
import os
from contextlib import contextmanager
import re
import threading
import time


from markupsafe import Markup, escape
from whoosh import highlight, index, qparser, sorting
from whoosh.analysis import (CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter,
                             StopFilter)
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.lang import stopwords_for_language
from whoosh.idsets import DocIdSet
from whoosh.query import NullQuery, Or, Term
from whoosh.support.charset import accent_map
from whoosh.writing import LockError

from . import NARROW_AS_SPACE, BusyError, Hit, QueryError, Results, Scope, SearchRequest

MAX_QUERY_CHARS = 300


# French stop words, and the elided articles and pronouns (« l'église », « qu'il »).
STOP_WORDS = frozenset(stopwords_for_language("fr")) | {"l", "d", "j", "m", "n", "s", "t", "c",
                                                       "qu", "jusqu", "lorsqu", "puisqu"}


# Narrowing of a document's visibility, as a number: 0 as its space (or public), 1 network
# (any signed-in person who sees the space), 2 members of the space only.
NARROW_CODES = {NARROW_AS_SPACE: 0, "public": 0, "network": 1, "members": 2}


def french_analyzer():
    """Words, lower case, French stop words, accents folded, then the Snowball French stem
    (« Délibérations » and « deliberation » meet on « deliber »). Folding first keeps both
    spellings on one stem: the stemmer treats « è » and « e » differently."""
    return (RegexTokenizer(r"\w+") | LowercaseFilter()
            | StopFilter(stoplist=STOP_WORDS, minsize=1)
            | CharsetFilter(accent_map) | StemFilter(lang="fr", cachesize=50000))


def schema() -> Schema:
    analyzer = french_analyzer()
    return Schema(
        key=ID(stored=True, unique=True),
        type=ID(stored=True, sortable=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
        # chars=True: highlights come from stored positions, without re-analysing the text
        body=TEXT(analyzer=analyzer, stored=True, chars=True),
        url=STORED(),
        date=DATETIME(stored=True, sortable=True),
        year=NUMERIC(sortable=True),
        space=NUMERIC(sortable=True, signed=True),    # -1: visible to ``reader`` ids only
        narrow=NUMERIC(sortable=True),                # NARROW_CODES
        reader=KEYWORD(),
        org=NUMERIC(stored=True, sortable=True),
        org_name=STORED(),
    )


class _MarkFormatter(highlight.Formatter):
    """Escaped text with <mark> around the matched words."""
    between = " … "

    def format_token(self, text, token, replace=False):
        return str(Markup("<mark>{}</mark>").format(highlight.get_text(text, token, replace)))

    def format_fragment(self, fragment, replace=False):
        output, index_ = [], fragment.startchar
        text = fragment.text
        for token in fragment.matches:
            if token.startchar < index_:
                continue
            output.append(str(escape(text[index_:token.startchar])))
            output.append(self.format_token(text, token, replace))
            index_ = token.endchar
        output.append(str(escape(text[index_:fragment.endchar])))
        return "".join(output)


class WhooshBackend:
    name = "whoosh"

    def __init__(self, path: str, refresh_seconds: float = 0.5):
        self.path = path
        self.refresh_seconds = refresh_seconds
        os.makedirs(path, exist_ok=True)
        self._index = index.create_in(path, schema()) if not index.exists_in(path) \
            else index.open_dir(path)
        self._searcher = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self._column_cache: dict = {}

    # --- writing -----------------------------------------------------------------------------

    def write(self, documents, removed_keys, *, procs: int = 1) -> None:
        """Apply a batch in one commit. Raises ``BusyError`` if another writer holds the lock."""
        try:
            writer = self._index.writer(timeout=0.5, limitmb=256, procs=procs,
                                        multisegment=procs > 1)
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
        writer = self._index.writer(limitmb=256, procs=procs, multisegment=procs > 1)
        try:
            yield lambda documents: [writer.add_document(**self._fields(d)) for d in documents]
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    @staticmethod
    def _fields(doc) -> dict:
        return {
            "key": doc.key, "type": doc.type, "title": doc.title, "body": doc.body,
            "url": doc.url, "date": doc.date, "year": doc.date.year,
            "space": -1 if doc.readers or doc.space_id is None else doc.space_id,
            "narrow": NARROW_CODES.get(doc.narrow or NARROW_AS_SPACE, 2),
            "reader": " ".join(str(r) for r in doc.readers),
            "org": doc.organisation_id or 0, "org_name": doc.organisation_name,
        }

    def clear(self) -> None:
        with self._lock:
            self._index = index.create_in(self.path, schema())
            self._searcher = None

    def count(self) -> int:
        return self._get_searcher().doc_count()

    # --- reading -------------------------------------------------------------------------------

    def _get_searcher(self):
        with self._lock:
            now = time.monotonic()
            if self._searcher is None:
                self._searcher = self._index.searcher()
                self._checked = now
            elif now - self._checked >= self.refresh_seconds:
                self._searcher = self._searcher.refresh()
                self._checked = now
            return self._searcher

    def refresh(self) -> None:
        """See the latest commit now (after a write in this process, or in tests)."""
        with self._lock:
            if self._searcher is not None:
                self._searcher = self._searcher.refresh()
            self._checked = time.monotonic()

    def _parser(self):
        parser = qparser.MultifieldParser(["title", "body"], schema=self._index.schema,
                                          group=qparser.AndGroup)
        parser.add_plugin(qparser.FieldAliasPlugin({"title": ["titre"],
                                                    "body": ["texte", "contenu"]}))
        parser.remove_plugin_class(qparser.OperatorsPlugin)
        parser.add_plugin(qparser.OperatorsPlugin(And=r"(?<=\s)(?:ET|AND)(?=\s)",
                                                  Or=r"(?<=\s)(?:OU|OR)(?=\s)",
                                                  Not=r"(^|(?<=(\s|[()])))(?:SAUF|NOT)(?=\s)",
                                                  AndNot=None, AndMaybe=None, Require=None))
        for plugin in (qparser.BoostPlugin, qparser.RangePlugin, qparser.FuzzyTermPlugin,
                       qparser.RegexPlugin):
            parser.remove_plugin_class(plugin)
        parser.add_plugin(qparser.PlusMinusPlugin())   # « -mot » excludes, as on PostgreSQL
        return parser

    @staticmethod
    def clean(text: str) -> str:
        """Keep a query sane: bounded length, no bare or one-letter wildcards, balanced quotes."""
        text = (text or "")[:MAX_QUERY_CHARS].replace("?", " ")
        text = re.sub(r"(?<![\w'-])(\w{0,2})\*+", r"\1", text)   # « * », « a* » → « », « a »
        text = re.sub(r"\*{2,}", "*", text)
        if text.count('"') % 2:
            text = text.replace('"', " ")
        return text.strip()

    def _columns(self, searcher) -> list[tuple[int, int, list, list, list, list, list]]:
        """Per segment (immutable, so cached by segment id): offset, size and the columns the
        permission check and the filters read, as plain lists."""
        segments = []
        leaves = searcher.reader().leaf_readers()
        for reader, offset in leaves:
            cache_key = self._segment_id(reader)
            cached = self._column_cache.get(cache_key) if cache_key else None
            if cached is None:
                size = reader.doc_count_all()
                cached = tuple(list(reader.column_reader(name)) if reader.has_column(name)
                               else [default] * size
                               for name, default in (("space", -2), ("narrow", 2), ("type", ""),
                                                     ("org", 0), ("year", 0)))
                if cache_key:
                    self._column_cache[cache_key] = cached
            segments.append((offset, reader.doc_count_all(), *cached))
        live = {self._segment_id(r) for r, _ in leaves} - {None}
        for stale in set(self._column_cache) - live:
            del self._column_cache[stale]
        return segments

    @staticmethod
    def _segment_id(reader):
        segment = reader.segment() if hasattr(reader, "segment") else None
        return segment.segment_id() if segment is not None else None

    def _permitted(self, searcher, scope: Scope, request: SearchRequest) -> "_Permitted":
        reader_docs = set()
        if scope.signed_in and scope.user_id is not None:
            reader_docs = set(searcher.docs_for_query(Term("reader", str(scope.user_id))))
        return _Permitted(self._columns(searcher), scope, request, reader_docs)

    def search(self, request: SearchRequest, scope: Scope) -> Results:
        text = self.clean(request.text)
        if not re.search(r"\w", text):
            raise QueryError("Saisissez au moins un mot à rechercher.")
        parser = self._parser()
        query = parser.parse(text).normalize()
        if query is NullQuery:
            raise QueryError("Cette recherche ne contient que des mots trop courants "
                             "(« le », « de »…) : ajoutez un mot plus précis.")
        mask = Or([Term("key", k) for k in scope.pending_keys]) if scope.pending_keys else None
        searcher = self._get_searcher()
        facets = {"type": sorting.FieldFacet("type"), "org": sorting.FieldFacet("org"),
                  "year": sorting.FieldFacet("year")}
        sortedby = sorting.FieldFacet("date", reverse=True) if request.sort == "date" else None
        page = searcher.search_page(query, max(request.page, 1), pagelen=request.per_page,
                                    filter=self._permitted(searcher, scope, request), mask=mask,
                                    groupedby=facets, maptype=sorting.Count, sortedby=sortedby,
                                    terms=True)
        page.results.fragmenter = highlight.PinpointFragmenter(maxchars=220, surround=60,
                                                               autotrim=True)
        page.results.formatter = _MarkFormatter()
        hits = []
        for hit in page:
            snippet = hit.highlights("body", top=2) or str(escape(hit["body"][:220]))
            hits.append(Hit(key=hit["key"], type=hit["type"], title=hit["title"], url=hit["url"],
                            date=hit["date"], organisation_name=hit.get("org_name", ""),
                            snippet=snippet))
        organisations = {org: n for org, n in page.results.groups("org").items() if org}
        suggestion = None
        if page.total < 3:
            # The spelling dictionary is the whole index: a suggested word could come from a
            # document this person may not read. Offer it only if it finds something they may.
            corrected = searcher.correct_query(query, text)
            if corrected.query != query and searcher.search(
                    corrected.query, limit=1, filter=self._permitted(searcher, scope, request),
                    mask=mask).scored_length():
                suggestion = corrected.string
        return Results(total=page.total, hits=hits, types=dict(page.results.groups("type")),
                       organisations=organisations, years=dict(page.results.groups("year")),
                       suggestion=suggestion)


class _Permitted(DocIdSet):
    """The documents a person may see (and that pass the type, organisation and year filters),
    as a membership test Whoosh's collector applies to each matching document before it is
    scored, counted or faceted. Reads per-segment column lists: no query, no docset built."""

    def __init__(self, segments, scope: Scope, request: SearchRequest, reader_docs: set[int]):
        self.segments = segments
        self.starts = [s[0] for s in segments]
        self.member = set(scope.member_space_ids)
        self.visible = set(scope.visible_space_ids)
        self.level = 1 if scope.signed_in else 0
        self.reader_docs = reader_docs
        self.types = set(request.types) or None
        self.org = request.organisation_id
        self.year = request.year

    def __bool__(self):
        return True

    def __len__(self):
        return sum(s[1] for s in self.segments)

    def __iter__(self):
        for offset, size, *_ in self.segments:
            for local in range(size):
                if offset + local in self:
                    yield offset + local

    def __contains__(self, docnum):
        index_ = bisect.bisect_right(self.starts, docnum) - 1
        offset, size, spaces, narrows, types, orgs, years = self.segments[index_]
        local = docnum - offset
        if local >= size:
            return False
        if self.types is not None and types[local] not in self.types:
            return False
        if self.org and orgs[local] != self.org:
            return False
        if self.year and years[local] != self.year:
            return False
        space = spaces[local]
        if space == -1:
            return docnum in self.reader_docs
        if space in self.member:
            return True
        return space in self.visible and narrows[local] <= self.level


