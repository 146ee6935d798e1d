"""Sets of documents, segment by segment, for the Whoosh backend's queries.

A Whoosh index is a few segments that never change once written, apart from their deletions.
For each segment this module keeps in memory what every query needs — the columns the
permission check and the facets read, and, within a byte budget, the postings of the words
asked recently — and answers a query with sets:

- a set of documents of a segment of ``size`` documents is a Python ``int`` of ``size`` bits,
  local document ``n`` being character ``n`` of ``format(bits, "b").zfill(size)``; AND, OR,
  NOT and counting run in C, 64 documents per machine word, so restricting 30,000 matches to
  what a person may see, counting them and faceting them costs a few big-integer operations,
  not 30,000 steps of Python;
- only the documents a person may see are then scored (BM25, as Whoosh scores) and only the
  page shown is highlighted, from the characters stored with each word.

Deletions are applied last (``Segment.live``), so everything cached survives them: a page
edited replaces one document, it does not throw the segment's caches away.

Reading postings goes through ``whoosh.codec.whoosh3``'s block layout (one pickled, often
compressed, tuple of ids, weights and values per 128 postings); Whoosh 2.7.4 is the last
release and is pinned, and any other matcher is read through the public matcher interface.
"""
from __future__ import annotations

import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict, defaultdict, deque
from itertools import accumulate, repeat
from operator import itemgetter
from pickle import loads

from whoosh import query as q
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.formats import Characters
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query.positional import Phrase
from whoosh.system import _INT_SIZE

from .schema import MATCHED_AS

ONE = ord("1")
K1, B = 1.2, 0.75            # BM25, as Whoosh's default weighting
KEEP_FROM = 16               # postings of rarer words are cheaper to read again than to keep
COLUMNS = (("space", -2), ("narrow", 2), ("type", ""), ("org", 0), ("year", 0), ("date", 0))


def read_from(schema, fieldname: str) -> str:
    """The field whose postings a field's words are matched and scored with (``body`` from
    ``words``, unless the index predates that field: ``flask search reindex`` adds it)."""
    other = MATCHED_AS.get(fieldname)
    return other if other is not None and other in schema else fieldname


# --- sets as integers ---------------------------------------------------------------------------


def bitmap(size: int, local_ids) -> int:
    """The set of these local document numbers: ASCII digits written at C speed into a
    bytearray, parsed in base 2 (linear time for a power-of-two base)."""
    if not size:
        return 0
    digits = bytearray(b"0") * size
    deque(map(digits.__setitem__, local_ids, repeat(ONE)), maxlen=0)
    return int(digits, 2)


def members(bits: int, size: int) -> list[int]:
    """The local document numbers in a set, in increasing order."""
    if not bits:
        return []
    digits = format(bits, "b").zfill(size)
    found, start = [], digits.find("1")
    while start != -1:
        found.append(start)
        start = digits.find("1", start + 1)
    return found


# --- the cache shared by the segments ---------------------------------------------------------


class Cache:
    """What is kept between queries — postings, phrase and prefix sets, permission sets — least
    recently used out first, within a byte budget for the whole process."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.used = 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key, value, nbytes: int) -> None:
        if nbytes > self.max_bytes // 8:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (value, nbytes)
            self.used += nbytes
            while self.used > self.max_bytes:
                _, (_, freed) = self._items.popitem(last=False)
                self.used -= freed

    def forget_segments(self, segment_keys: set) -> None:
        with self._lock:
            for key in [k for k in self._items if k[0] in segment_keys]:
                self.used -= self._items.pop(key)[1]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.used = 0


class Postings:
    """One word's postings in one segment: local ids in increasing order, their weights (term
    frequency times the field's boost), and the set of the ids, made when first asked for."""
    __slots__ = ("ids", "weights", "size", "_bits")

    def __init__(self, ids, weights, size: int):
        self.ids = array("I", ids)
        self.weights = array("f", weights)
        self.size = size
        self._bits = None

    @property
    def bits(self) -> int:
        if self._bits is None:
            self._bits = bitmap(self.size, self.ids)
        return self._bits

    def nbytes(self) -> int:
        return 8 * len(self.ids) + self.size // 8 + 200


# --- reading postings ---------------------------------------------------------------------------


def _blocks(matcher, *, values: bool = False, wanted: list[int] | None = None):
    """A word's postings, block by block: ``(ids, weights, values or None)``. With ``wanted``
    (sorted local numbers), only the blocks that may hold one of them."""
    if isinstance(matcher, FilterMatcher):   # deletions: applied later, from Segment.live
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        yield from _generic_blocks(matcher, values)
        return
    targets = iter(wanted) if wanted is not None else None
    target = next(targets, None) if targets is not None else None
    while True:
        if targets is not None and target is None:
            return
        if targets is None or target <= matcher._maxid:
            if matcher._data is None:
                matcher._read_data()
            data = matcher._data
            ids = data[0] if matcher._byteids else list(accumulate(data[0]))
            weights = data[1]
            if weights is None or isinstance(weights, float):
                weights = [weights or 1.0] * len(ids)
            yield ids, weights, data[2] if values else None
            while targets is not None and target is not None and target <= matcher._maxid:
                target = next(targets, None)
        if matcher._lastblock:
            return
        matcher._goto(matcher._nextoffset)


def _generic_blocks(matcher, values: bool):
    ids, weights, raw = [], [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        if values:
            raw.append(matcher.value())
        matcher.next()
    yield ids, weights, raw if values else None


# --- one segment ----------------------------------------------------------------------------------


class Segment:
    """What is known of one segment between queries: its columns, as lists by local document
    number; sets of documents by column value (spaces, types, organisations, years: bounded by
    the number of values, outside the cache's budget); field lengths; the live documents."""

    def __init__(self, key, reader, cache: Cache):
        self.key = key
        self.cache = cache
        self.size = reader.doc_count_all()
        self.full = (1 << self.size) - 1
        self.columns = {name: list(reader.column_reader(name)) if reader.has_column(name)
                        else [default] * self.size for name, default in COLUMNS}
        self._positions: dict[str, dict] = {}
        self._value_sets: dict[tuple, int] = {}
        self._lengths: dict[str, array] = {}
        self._date_order: list[int] | None = None
        self._ascending: tuple[list[int], list] | None = None
        self._live: tuple[int, int] = (0, self.full)

    def live(self, reader) -> int:
        """The documents not deleted, as this reader of the segment sees them. (Queries on
        two commits may ask at once: the pair is read once, never one half of each.)"""
        segment = reader.segment()
        deleted = segment.deleted_count()
        known = self._live
        if deleted != known[0]:
            known = self._live = (deleted,
                                  self.full & ~bitmap(self.size, segment.deleted_docs()))
        return known[1]

    def query(self, searcher, offset: int) -> "SegmentQuery":
        """A query on the segment through ``searcher``, a leaf searcher of this segment whose
        documents start at ``offset`` in the whole index."""
        return SegmentQuery(self, searcher, offset)

    # --- columns -------------------------------------------------------------------------------

    def _value_positions(self, column: str) -> dict:
        found = self._positions.get(column)
        if found is None:
            found = defaultdict(list)
            for local, value in enumerate(self.columns[column]):
                found[value].append(local)
            self._positions[column] = found = dict(found)
        return found

    def value_set(self, column: str, value) -> int:
        """The documents whose column holds this value."""
        key = (column, value)
        bits = self._value_sets.get(key)
        if bits is None:
            local_ids = self._value_positions(column).get(value)
            bits = self._value_sets[key] = bitmap(self.size, local_ids) if local_ids else 0
        return bits

    def values(self, column: str):
        return self._value_positions(column).keys()

    def counts(self, bits: int, column: str) -> dict:
        """How many documents of the set hold each value of the column: a tally over the
        documents when they are few, else one intersection per value (each value's set is
        kept, like the permission's)."""
        counts: dict = {}
        if bits.bit_count() * 4 < len(self._value_positions(column)) * 64:
            values = self.columns[column]
            for local in members(bits, self.size):
                counts[values[local]] = counts.get(values[local], 0) + 1
            return counts
        for value in self.values(column):
            n = (bits & self.value_set(column, value)).bit_count()
            if n:
                counts[value] = n
        return counts

    def newest(self, bits: int, need: int) -> list[int]:
        """Up to ``need`` documents of the set, newest first."""
        if bits.bit_count() <= need * 8:
            dates = self.columns["date"]
            return sorted(members(bits, self.size), key=dates.__getitem__, reverse=True)[:need]
        if self._date_order is None:
            dates = self.columns["date"]
            self._date_order = sorted(range(self.size), key=dates.__getitem__, reverse=True)
        digits, chosen = format(bits, "b").zfill(self.size), []
        for local in self._date_order:
            if digits[local] == "1":
                chosen.append(local)
                if len(chosen) == need:
                    break
        return chosen

    def date_range(self, start, end) -> int:
        """The documents dated in [``start``, ``end``) (either may be None): a slice of the
        documents in date order, found by bisection, so a range costs what it holds."""
        if self._ascending is None:
            dates = self.columns["date"]
            order = sorted(range(self.size), key=dates.__getitem__)
            self._ascending = (order, [dates[local] for local in order])
        order, dates = self._ascending
        low = bisect_left(dates, start) if start is not None else 0
        high = bisect_left(dates, end) if end is not None else self.size
        return bitmap(self.size, order[low:high]) if low < high else 0

    def lengths(self, reader, fieldname: str) -> array:
        """Each document's number of words in a field (BM25's document length)."""
        found = self._lengths.get(fieldname)
        if found is None:
            length = reader.doc_field_length
            found = self._lengths[fieldname] = array(
                "I", (length(n, fieldname) or 0 for n in range(self.size)))
        return found


class SegmentQuery:
    """One query on one segment: reads through the shared cache, and keeps what it read for
    the rest of the query (a word is read once, to be matched and then scored)."""

    def __init__(self, segment: Segment, searcher, offset: int):
        self.segment = segment
        self.searcher, self.reader, self.offset = searcher, searcher.reader(), offset
        self.size = segment.size
        self.live = segment.live(self.reader)
        self._read: dict = {}

    def postings(self, fieldname: str, text: bytes) -> Postings | None:
        """The postings of a word of a field (``body`` is read from ``words``)."""
        key = (self.segment.key, fieldname, text)
        if key in self._read:
            return self._read[key]
        found = self.segment.cache.get(key)
        if found is None:
            found = self._read_postings(read_from(self.reader.schema, fieldname), text)
            if found is not None and len(found.ids) >= KEEP_FROM:
                self.segment.cache.put(key, found, found.nbytes())
        self._read[key] = found
        return found

    def _read_postings(self, fieldname: str, text: bytes) -> Postings | None:
        reader = self.reader
        if fieldname not in reader.schema or (fieldname, text) not in reader:
            return None
        ids, weights = [], []
        for block_ids, block_weights, _ in _blocks(reader.postings(fieldname, text)):
            ids.extend(block_ids)
            weights.extend(block_weights)
        return Postings(ids, weights, self.size)

    def term_bits(self, fieldname: str, text: bytes) -> int:
        found = self.postings(fieldname, text)
        return found.bits if found is not None else 0

    # --- matching -------------------------------------------------------------------------------

    def evaluate(self, query) -> int:
        """The documents of the segment the query matches (deletions not applied)."""
        full = self.segment.full
        if isinstance(query, q.Term):
            field = self.reader.schema[query.fieldname] \
                if query.fieldname in self.reader.schema else None
            return self.term_bits(query.fieldname, field.to_bytes(query.text)) if field else 0
        if query is q.NullQuery:
            return 0
        if isinstance(query, q.Every):
            return full
        if isinstance(query, q.Not):
            return full & ~self.evaluate(query.query)
        if isinstance(query, q.AndNot):
            return self.evaluate(query.a) & ~self.evaluate(query.b)
        if isinstance(query, q.AndMaybe):
            return self.evaluate(query.a)
        if isinstance(query, q.Require):
            return self.evaluate(query.a) & self.evaluate(query.b)
        if isinstance(query, q.And):
            bits = full
            for sub in query.subqueries:
                bits &= self.evaluate(sub)
                if not bits:
                    break
            return bits
        if isinstance(query, (q.Or, q.DisjunctionMax)):
            return self._union(query.subqueries)
        if isinstance(query, Phrase):
            return self.phrase(query.fieldname, query.words, query.slop)
        if isinstance(query, q.MultiTerm):
            return self.prefix(query)
        matcher = query.matcher(self.searcher)   # anything else Whoosh can match
        return bitmap(self.size, matcher.all_ids() if matcher.is_active() else ())

    def _union(self, subqueries) -> int:
        """Words are gathered into one list of ids and turned into one set, not one set each:
        a prefix is often hundreds of rare words."""
        bits, ids = 0, []
        schema = self.reader.schema
        for sub in subqueries:
            if isinstance(sub, q.Term) and sub.fieldname in schema:
                found = self.postings(sub.fieldname, schema[sub.fieldname].to_bytes(sub.text))
                if found is None:
                    continue
                if found._bits is not None or len(found.ids) * 64 > self.size:
                    bits |= found.bits
                else:
                    ids.extend(found.ids)
            else:
                bits |= self.evaluate(sub)
        return bits | bitmap(self.size, ids) if ids else bits

    def prefix(self, query) -> int:
        """A prefix (or wildcard): the union of the segment's words it matches, kept."""
        key = (self.segment.key, "prefix", type(query).__name__, query.fieldname, query.text)
        cached = self.segment.cache.get(key)
        if cached is None:
            words = query.simplify(self.reader)
            cached = self._union(words.subqueries) if isinstance(words, q.Or) \
                else self.evaluate(words)
            self.segment.cache.put(key, cached, self.size // 8 + 200)
        return cached

    def phrase(self, fieldname: str, words, slop: int = 1) -> int:
        """Documents where the words follow each other (at most ``slop`` apart): those holding
        every word, then their positions, read from the postings of these documents only."""
        key = (self.segment.key, "phrase", fieldname, tuple(words), slop)
        cached = self.segment.cache.get(key)
        if cached is not None:
            return cached
        schema = self.reader.schema
        if fieldname not in schema:
            return 0
        field = schema[fieldname]
        terms = [field.to_bytes(word) for word in words]
        candidates = self.segment.full
        for text in terms:
            candidates &= self.term_bits(fieldname, text)
            if not candidates:
                break
        bits = 0
        if candidates:
            # Where each candidate's partial phrase ends, word after word: a candidate is
            # dropped as soon as a word does not follow, so later words decode fewer postings.
            decode = _positions_decoder(field.format)
            ends = self.values(fieldname, terms[0], members(candidates, self.size), decode)
            for text in terms[1:]:
                if not ends:
                    break
                following = self.values(fieldname, text, sorted(ends), decode)
                ends = {local: after for local, positions in following.items()
                        if (after := _following(ends[local], positions, slop))}
            bits = bitmap(self.size, ends)
        self.segment.cache.put(key, bits, self.size // 8 + 200)
        return bits

    def values(self, fieldname: str, text: bytes, wanted: list[int], decode) -> dict:
        """The decoded posting values (positions, characters) of a word, for the ``wanted``
        documents that hold it."""
        reader = self.reader
        if fieldname not in reader.schema or (fieldname, text) not in reader:
            return {}
        found, wanted_set = {}, set(wanted)
        for ids, _, raw in _blocks(reader.postings(fieldname, text), values=True,
                                   wanted=wanted):
            for index, local in enumerate(ids):
                if local in wanted_set:
                    found[local] = decode(raw[index])
        return found

    # --- ranking --------------------------------------------------------------------------------

    def score(self, bits: int, terms: list[tuple[str, bytes, float, float]]) -> dict[int, float]:
        """BM25 of the documents in ``bits`` for ``terms`` — (field, word, idf, average field
        length) — computed for those documents only. Field boosts are in the weights already
        (Whoosh multiplies them in at indexing)."""
        scores: dict[int, float] = {}
        get = scores.get
        count, digits, matched = bits.bit_count(), None, None
        for fieldname, text, idf, average in terms:
            found = self.postings(fieldname, text)
            if found is None:
                continue
            ids, weights = found.ids, found.weights
            lengths = self.segment.lengths(self.reader, read_from(self.reader.schema, fieldname))
            norm = B / (average or 1.0)
            if len(ids) > 16 * count:     # a few matches among many postings: look them up
                matched = matched if matched is not None else members(bits, self.size)
                pairs = []
                for local in matched:
                    index = bisect_left(ids, local)
                    if index < len(ids) and ids[index] == local:
                        pairs.append((local, weights[index]))
            else:
                digits = digits if digits is not None else format(bits, "b").zfill(self.size)
                pairs = [(local, tf) for local, tf in zip(ids, weights) if digits[local] == "1"]
            for local, tf in pairs:
                scores[local] = get(local, 0.0) + idf * tf * (K1 + 1) / (
                    tf + K1 * (1 - B + norm * lengths[local]))
        return scores


def _positions_decoder(format_):
    """Word positions from a posting value. The body's ``Characters`` values are a count and
    a pickled list of (position, start, end) deltas: decoded here without Whoosh's loop in
    Python over each position."""
    if type(format_) is not Characters:
        return format_.decoder("positions")
    first = itemgetter(0)

    def positions(value: bytes) -> list[int]:
        data = value[_INT_SIZE:]
        return list(accumulate(map(first, loads(data if data.endswith(b".") else data + b"."))))
    return positions


def _following(ends, positions: list[int], slop: int):
    """The positions that come at most ``slop`` after one of ``ends``."""
    if slop == 1:
        return {end + 1 for end in ends}.intersection(positions)
    ends = sorted(ends)
    found = []
    for position in positions:
        index = bisect_left(ends, position) - 1     # the last end before this position
        if index >= 0 and position - ends[index] <= slop:
            found.append(position)
    return found


# --- queries -----------------------------------------------------------------------------------


def positive_terms(query, reader=None) -> set[tuple[str, str]]:
    """The (field, word) pairs a document matches the query by, not those under a negation.
    A prefix stands for the words of ``reader`` it matches; without a reader it stands for
    none (it ranks nothing: a prefix is a filter, as in most search engines)."""
    if isinstance(query, q.Not):
        return set()
    if isinstance(query, q.AndNot):
        return positive_terms(query.a, reader)
    if isinstance(query, q.Term):
        return {(query.fieldname, query.text)}
    if isinstance(query, Phrase):
        return {(query.fieldname, word) for word in query.words}
    if isinstance(query, q.MultiTerm):
        return positive_terms(query.simplify(reader), reader) if reader is not None else set()
    found: set = set()
    for sub in query.children():
        found |= positive_terms(sub, reader)
    return found


def matches_empty(query) -> bool:
    """Whether a document without a single word would match the query: one made of
    exclusions only (« SAUF budget », « -budget », « voirie OU -budget ») would find almost
    everything, and is refused instead."""
    if isinstance(query, q.Not):
        return not matches_empty(query.query)
    if isinstance(query, q.AndNot):
        return matches_empty(query.a) and not matches_empty(query.b)
    if isinstance(query, q.AndMaybe):
        return matches_empty(query.a)
    if isinstance(query, (q.And, q.Require)):
        return all(matches_empty(sub) for sub in query.children())
    if isinstance(query, (q.Or, q.DisjunctionMax)):
        return any(matches_empty(sub) for sub in query.children())
    return isinstance(query, q.Every)    # a word, a phrase, a prefix: not without words


def has_prefix(query) -> bool:
    return isinstance(query, q.MultiTerm) or any(has_prefix(sub) for sub in query.children())
