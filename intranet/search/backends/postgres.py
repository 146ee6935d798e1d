"""The PostgreSQL full-text backend (``SEARCH_BACKEND=postgres``): the index is a table of the
database every application server already shares, so no node owns a local index.

French stemming with accents folded (a ``fr_unaccent`` text search configuration built on the
``unaccent`` extension by the migration), titles weighted A and bodies D, the same query
syntax as the Whoosh backend (phrases, ``subven*``, ``titre:``, OU, SAUF), the same
permission filter, applied in the WHERE clause.
"""
from __future__ import annotations

import json
import re
from contextlib import contextmanager
from dataclasses import replace
from functools import cache

from flask import current_app
from markupsafe import escape
from sqlalchemy import (BigInteger, DateTime, Integer, String, Text, all_, any_, bindparam,
                        cast, delete, func, literal_column, null, or_, select,
                        text, tuple_, union_all)
from sqlalchemy.dialects.postgresql import ARRAY

from ...extensions import db
from ...core import generations
from ..models import (SEARCH_WORDS, SearchEntry, SearchEntryReader, SearchSpelling,
                      SearchWord)
from ..services import pending_keys_query
from ..spelling import MAX_EDITS, closest, fold, is_query_word, suggest
from . import (NARROW_AS_SPACE, NO_WORD, ONLY_EXCLUSIONS, ONLY_STOP_WORDS, Hit, QueryError,
               Results, Scope, SearchRequest, has_query_word, tidy_query)

CONFIG = "fr_unaccent"
SPELLING = "fr_spelling"     # words as written, accents folded: « Vouliez-vous dire »
TRUNCATE_FROM = 10_000       # documents: clear() truncates rather than deletes
_START, _STOP = "\x02", "\x03"
# The planner's cost of reading search_entry whole above which reads are priced as from memory
# for a search (``search``): about a thousand pages (8 MB), at its default costs.
WHOLE_TABLE_COST = 1_000


_ROWS = ("jsonb_to_recordset(CAST(:rows AS jsonb)) AS d(key text, type text, title text, "
         "body text, url text, date timestamp, space_id int, narrow text, organisation_id int, "
         "organisation_name text, readers jsonb, title_words text, body_words text, "
         "container text, author_id int)")
_WRITE = (
    "INSERT INTO search_entry (key, type, title, body, url, date, space_id, narrow, "
    "organisation_id, organisation_name, has_readers, container, author_id, tsv) "
    "SELECT d.key, d.type, d.title, d.body, d.url, d.date, d.space_id, d.narrow, "
    "d.organisation_id, d.organisation_name, jsonb_array_length(d.readers) > 0, "
    "d.container, d.author_id, "
    f"setweight(to_tsvector('{CONFIG}', d.title_words), 'A') || "
    f"setweight(to_tsvector('{CONFIG}', d.body_words), 'D') FROM {_ROWS}",
    "INSERT INTO search_spelling (key, words) "
    f"SELECT d.key, to_tsvector('{SPELLING}', d.title_words || ' ' || d.body_words) "
    f"FROM {_ROWS}",
    "INSERT INTO search_entry_reader (key, user_id) "
    f"SELECT d.key, reader::int FROM {_ROWS}, jsonb_array_elements_text(d.readers) AS reader",
    # the vocabulary: each word once per document of the batch
    "INSERT INTO search_word (word, documents) "
    "SELECT word, count(*) FROM search_spelling, "
    "unnest(tsvector_to_array(search_spelling.words)) AS word "
    f"WHERE search_spelling.key IN (SELECT d.key FROM {_ROWS}) "
    "AND length(word) BETWEEN 3 AND 100 GROUP BY word ON CONFLICT (word) "
    "DO UPDATE SET documents = search_word.documents + excluded.documents",
)


class PostgresBackend:
    name = "postgres"
    reads_pending_keys = True      # with its matches (``search``)

    def __init__(self):
        # search_entry's size in the planner's statistics (pages, rows), as the last search of
        # this process read it with its results: the next one plans with it
        self.table_size: tuple | None = None

    def write(self, documents, removed_keys, *, procs: int = 1) -> None:
        """Apply a batch: a few set-based statements, whatever its size (the documents travel
        as one JSON parameter; PostgreSQL computes the vectors)."""
        keys = list(removed_keys) + [d.key for d in documents]
        if keys:
            db.session.execute(delete(SearchEntry).where(SearchEntry.key.in_(keys)))
        if documents:
            rows = json.dumps([{
                "key": doc.key, "type": doc.type, "title": doc.title, "body": doc.body,
                "url": doc.url, "date": doc.date.isoformat(), "space_id": doc.space_id,
                "narrow": doc.narrow or NARROW_AS_SPACE, "organisation_id": doc.organisation_id,
                "organisation_name": doc.organisation_name, "readers": sorted(set(doc.readers)),
                "title_words": _words(doc.title), "body_words": _words(doc.body[:500_000]),
                "container": doc.container or "", "author_id": doc.author_id,
            } for doc in documents])
            for statement in _WRITE:
                db.session.execute(text(statement), {"rows": rows})
            generations.advance(db.session, [SEARCH_WORDS])   # the vocabulary grew
        db.session.flush()  # committed by the caller, with the queue rows it applied

    @contextmanager
    def bulk(self, *, procs: int = 1):
        """A rebuild: batches written in the caller's transactions, then fresh statistics for
        the planner (the tables went from empty to full)."""
        yield lambda documents: self.write(documents, [])
        db.session.execute(text("ANALYZE search_entry, search_entry_reader, search_spelling, "
                                "search_word"))

    def clear(self) -> None:
        """Empty the index. A large one is truncated, so that a rebuild starts from compact
        tables rather than from as many dead rows as live ones (until a vacuum, every search
        would read both); a small one is deleted from, which is quicker."""
        if (db.session.scalar(select(func.count()).select_from(
                select(SearchEntry.key).limit(TRUNCATE_FROM).subquery())) >= TRUNCATE_FROM):
            db.session.execute(text("TRUNCATE search_entry, search_entry_reader, "
                                    "search_spelling, search_word"))
            generations.advance(db.session, [SEARCH_WORDS])
        else:
            db.session.execute(delete(SearchEntry))
            db.session.execute(delete(SearchWord))
        db.session.commit()

    def refresh(self) -> None:
        """Nothing to do: every server reads the same table."""

    def count(self) -> int:
        return db.session.scalar(select(func.count()).select_from(SearchEntry))

    def keys_of_organisation(self, organisation_id: int) -> list[str]:
        """The keys of the documents filed under an organisation (to index them again)."""
        return list(db.session.scalars(select(SearchEntry.key).where(
            SearchEntry.organisation_id == organisation_id)))

    # --- query -----------------------------------------------------------------------------------

    @staticmethod
    def to_tsquery(raw: str) -> str:
        """Our query syntax → a ``to_tsquery`` expression (each lexeme quoted). Parentheses
        separate words and group nothing: « x (-b) » is « x -b »; a phrase's ``~N`` is
        dropped (the exact phrase is searched)."""
        raw = re.sub(r'(?<=")~\d*', " ", tidy_query(raw))     # « "…"~N »: the phrase
        if raw.count('"') % 2:
            raw = raw.replace('"', " ")
        # « -(mot », « titre:(mot »: the sign or the field goes with the word; then no
        # parenthesis is left (one pattern with them would backtrack on « (((… »)
        raw = re.sub(r"[()]", " ", re.sub(r"(-|\b(?:titre|texte|contenu):)[()]+", r"\1", raw))
        tokens = re.findall(r'(-?)(?:(titre|texte|contenu):)?(?:"([^"]*)"|(\S+))', raw)
        parts, pending_op = [], "&"
        for negate, field, phrase, word in tokens:
            if not phrase and word in ("OU", "OR"):
                pending_op = "|"
                continue
            if not phrase and word in ("ET", "AND"):
                continue
            if not phrase and word in ("SAUF", "NOT"):
                negate = "-"
                parts.append(("", "!"))
                continue
            weight = ":A" if field == "titre" else ""
            if phrase:
                words = re.findall(r"\w+", phrase)
                if not words:
                    continue
                term = "(" + " <-> ".join(f"'{w}'{weight}" for w in words) + ")"
            else:
                prefix = word.endswith("*")
                words = re.findall(r"\w+", word)
                if not words:
                    continue
                if prefix and len(words[-1]) < 3:
                    prefix = False  # « a* » would match half the index
                suffix = ":*" + weight[1:] if prefix else weight
                term = " <-> ".join(f"'{w}'" for w in words[:-1]) + \
                    (" <-> " if len(words) > 1 else "") + f"'{words[-1]}'{suffix}"
                if len(words) > 1:
                    term = f"({term})"
            if negate:
                term = "!" + term
            if parts and parts[-1] == ("", "!"):
                parts[-1] = (pending_op if len(parts) > 1 else "", "!" + term)
            else:
                parts.append((pending_op if parts else "", term))
            pending_op = "&"
        return " ".join(f"{op} {term}".strip() for op, term in parts if term != "!")

    def search(self, request: SearchRequest, scope: Scope) -> Results:
        typed = tidy_query(request.text)
        expression = self.to_tsquery(typed)
        if not has_query_word(typed) or not re.search(r"\w", expression):
            raise QueryError(NO_WORD)
        if self.table_size is None:     # the process's first search
            self.table_size = tuple(db.session.execute(select(*_TABLE_SIZE)).one())
        try:
            # Usually one statement: the matches, with the facts that tell whether they
            # count: the query's lexemes (none: stop words only), whether a document without
            # words matches it (exclusions only: it would find almost everything; both
            # stop the matching before it starts), the keys whose change the writer has not
            # applied yet, and the table's size for the next search. A pending key that
            # these matches did not leave out: once more, left out.
            found, facts = self._matches(request, scope, expression)
            if facts["pending"]:
                scope = replace(scope, pending_keys=tuple(facts["pending"]))
                found, facts = self._matches(request, scope, expression)
        except QueryError:
            raise
        except Exception as exc:
            db.session.rollback()
            raise QueryError("Cette recherche n'a pas pu être comprise : vérifiez les "
                             "guillemets et les opérateurs.") from exc
        if facts["nodes"] == 0:
            raise QueryError(ONLY_STOP_WORDS)
        if facts["without_words"]:
            raise QueryError(ONLY_EXCLUSIONS)
        total, types, organisations, years, names, hits = 0, {}, {}, {}, {}, []
        for key, n, kind, org, year, count, unused, name, title, url, date, snippet, _ in found:
            if key is not None:
                hits.append((n, Hit(key=key, type=kind, title=title, url=url, date=date,
                                    organisation_name=name, snippet=_mark(snippet))))
            elif unused == 0b011:
                types[kind] = count
            elif unused == 0b101:
                if org is not None:
                    organisations[org] = count
                    if name:
                        names[org] = name
            elif unused == 0b110:
                years[year] = count
            elif unused == 0b111:
                total = count
        hits = [hit for _, hit in sorted(hits, key=lambda pair: pair[0])]
        shape, params = facts["shape"], facts["params"]
        suggestion = self._suggest(typed, shape, params, total) if total < 3 else None
        ranked_most = current_app.config["SEARCH_PG_RANKED_MOST"]
        return Results(total=total, hits=hits, types=types, organisations=organisations,
                       years=years, suggestion=suggestion,
                       most_recent=ranked_most if facts["dense"] and total >= ranked_most
                       else None,
                       organisation_names=names)

    def _matches(self, request: SearchRequest, scope: Scope, expression: str):
        """The matches statement's rows, and its facts (``search``)."""
        shape = _shape(scope, request)
        params = {**_readable_params(scope, request), "tsq": expression}
        pages, rows = self.table_size
        if _small(pages, rows):
            estimated, whole_table = rows, False
        else:
            estimated, whole_table = self._estimated_matches(_readable(shape)[0], params)
        # The table and its index are meant to be in memory: priced as reads from disk
        # (PostgreSQL's default), a word in a quarter of the rows makes the planner read the
        # whole table, three times slower than the index. Only then are reads priced as from
        # memory (SET LOCAL needs a transaction: a search that needs none keeps the
        # connection's prepared statements, which a rollback would forget).
        priced = whole_table
        if priced:
            db.session.execute(text("SET LOCAL random_page_cost = 1.1"))
        dense = estimated > current_app.config["SEARCH_PG_EXACT_UP_TO"]
        page = max(request.page, 1)
        if dense:   # the date index, not a bitmap of every match (the planner's habit here)
            db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
        found = db.session.execute(
            _matches_statement(shape, dense, request.sort == "date"),
            {**params, "ranked_most": current_app.config["SEARCH_PG_RANKED_MOST"],
             "per_page": request.per_page, "skipped": (page - 1) * request.per_page}).all()
        if priced:
            db.session.execute(text("SET LOCAL random_page_cost TO DEFAULT"))
        if dense:
            db.session.execute(text("SET LOCAL enable_bitmapscan TO DEFAULT"))
        nodes, without_words, pending, pages, rows = next(
            row[-1] for row in found if row[-1] is not None)
        self.table_size = (pages, rows)
        pending = sorted(set(pending) - set(scope.pending_keys))
        return found, {"nodes": nodes, "without_words": without_words, "pending": pending,
                       "dense": dense, "shape": shape, "params": params}

    @staticmethod
    def _estimated_matches(alternative: tuple, params: dict) -> tuple[float, bool]:
        """How many documents PostgreSQL expects to hold the words among those of
        ``alternative`` (its planner's estimate: no document is read), and whether, pricing
        reads as its settings do, it would read the whole table to find them."""
        statement = select(literal_column("1")).select_from(SearchEntry).where(
            SearchEntry.tsv.op("@@")(_TSQUERY), *alternative)
        compiled = statement.compile(dialect=db.session.get_bind().dialect)
        expanded = compiled.construct_expanded_state(
            {name: value for name, value in params.items() if name in compiled.binds})
        plan = db.session.connection().exec_driver_sql(
            f"EXPLAIN (FORMAT JSON) {expanded.statement}", expanded.parameters).scalar()
        plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
        return plan["Plan Rows"], _reads_whole(plan, SearchEntry.__tablename__)

    # --- « Vouliez-vous dire … » (see search/spelling.py) ---------------------------------------

    def _suggest(self, text: str, shape: tuple, params: dict, total: int) -> str | None:
        """« Vouliez-vous dire … » (see ``search/spelling.py``): the candidates of each word of
        the query come from the vocabulary (``search_word``), kept by the process until the
        index is written again (``candidates``); who holds a word or a candidate
        (``search_spelling`` met with what the person may read, ``_readable``) is asked for
        several at once: first the query's words with the first candidate of each, then, for
        a word whose first candidate no readable document holds, its other candidates."""
        words = _query_words(text)
        candidates = {word: self.candidates(word) for _, _, word in words}
        held: dict[str, str | None] = {}
        if total == 0 and words and re.fullmatch(r"\w+", text):
            # one word that no readable document matches: none holds it as written either
            held[words[0][2]] = None

        def ask(batch) -> None:
            batch = sorted(set(batch) - held.keys())
            if batch:
                held.update(dict.fromkeys(batch))
                held.update(db.session.execute(_holders_statement(shape),
                                               {**params, "words": batch}).all())

        ask([word for _, _, word in words] + [others[0] for others in candidates.values()
                                              if others])

        def holder(word: str) -> str | None:
            if word not in held:     # a candidate after the first: with the word's others
                ask(next(others for others in candidates.values() if word in others))
            return held.get(word)
        return suggest(text, words, holder, candidates.__getitem__, self._spelt)

    @staticmethod
    def candidates(word: str) -> list[str]:
        """The vocabulary's words closest to ``word`` (``spelling.closest``), from those of the
        same first letter and a close length (one range of its primary key); kept across
        requests while the index is not written (the ``search_words`` generation)."""
        def compute():
            near = db.session.execute(_near_statement(), {
                "first": word[0], "after": chr(ord(word[0]) + 1),
                "shortest": len(word) - MAX_EDITS, "longest": len(word) + MAX_EDITS}).all()
            return tuple(closest(word, near))
        return list(generations.kept(SEARCH_WORDS, word, compute, store=_CANDIDATES,
                                     limit=CANDIDATES_KEPT))

    @staticmethod
    def _spelt(word: str, key: str) -> str:
        title, body = db.session.execute(select(SearchEntry.title, SearchEntry.body)
                                         .where(SearchEntry.key == key)).one()
        for found in re.finditer(r"\w+", f"{title}\n{body[:100_000]}"):
            if fold(found.group()) == word:
                return found.group().lower()
        return word


# --- the statements, built once per shape --------------------------------------------------
#
# What the person may read and the request's filters come as bound parameters
# (``_readable_params``), the words as ``tsq``: each statement's expression tree and cache key
# are made once per process and shape of request (which filters it has, whether the person
# reads documents by name), not at every search. PostgreSQL receives the same SQL as before.

_TSQUERY = func.to_tsquery(CONFIG, bindparam("tsq", type_=String))

# « Vouliez-vous dire »'s candidates, per word, as each process keeps them (``candidates``): a
# few short words each, in a store of their own (``generations.kept``)
_CANDIDATES = generations.kept_store()
CANDIDATES_KEPT = 5_000


def _shape(scope: Scope, request: SearchRequest) -> tuple:
    """Which parts the statements have for this person and request."""
    return (bool(scope.member_space_ids), scope.signed_in and scope.user_id is not None,
            bool(scope.pending_keys), bool(request.types), bool(request.organisation_id),
            bool(request.year), request.space_id is not None, bool(request.container),
            request.author_id is not None, request.date_from is not None,
            request.date_to is not None)


def _strings(name: str):
    """A list given as one array parameter (``= ANY``): the statement's text is the same for
    every person and list, so SQLAlchemy renders it once and each connection prepares it once
    (an ``IN`` of as many parameters as items would be rendered anew at each search)."""
    return bindparam(name, type_=ARRAY(String))


def _integers(name: str):
    return bindparam(name, type_=ARRAY(Integer))


@cache
def _readable(shape: tuple) -> tuple[tuple, ...]:
    """What the person may read, narrowed by the request's filters, as alternatives that are
    each a plain AND of conditions: the documents of the spaces they may see whose own
    narrowing they pass, and those they are a reader of. (One condition with an OR between
    the two would keep PostgreSQL from combining the space index with the text index: every
    document holding the words would be read, for a signed-in person.)"""
    (members, reader, pending, types, organisation, year, space, container, author, since,
     until) = shape
    # The scope's description (core/readscope.py): a member space's documents whatever
    # their narrowing; another visible space's when their narrowing is passed.
    narrow = [SearchEntry.narrow == any_(_strings("narrowings"))]
    if members:
        narrow.append(SearchEntry.space_id == any_(_integers("member_spaces")))
    filters = []
    if pending:
        filters.append(SearchEntry.key != all_(_strings("pending")))
    if types:
        filters.append(SearchEntry.type == any_(_strings("types")))
    if organisation:
        filters.append(SearchEntry.organisation_id == bindparam("organisation_id"))
    if year:
        filters.append(func.extract("year", SearchEntry.date) == bindparam("year"))
    if space:
        filters.append(SearchEntry.space_id == bindparam("space_id"))
    if container:
        filters.append(SearchEntry.container == bindparam("container"))
    if author:
        filters.append(SearchEntry.author_id == bindparam("author_id"))
    if since:
        filters.append(SearchEntry.date >= bindparam("date_from"))
    if until:
        filters.append(SearchEntry.date < bindparam("date_to"))
    readable = [(SearchEntry.has_readers.is_(False), or_(*narrow),
                 SearchEntry.space_id == any_(_integers("visible_spaces")),
                 *filters)]
    if reader:
        readable.append((SearchEntry.key.in_(select(SearchEntryReader.key).where(
            SearchEntryReader.user_id == bindparam("reader_id"))), *filters))
    return tuple(readable)


def _readable_params(scope: Scope, request: SearchRequest) -> dict:
    """The values of ``_readable``'s parameters for this person and request."""
    params = {"narrowings": sorted({n or NARROW_AS_SPACE for n in scope.narrowings}),
              "visible_spaces": sorted(scope.visible_space_ids) or [-1],
              "member_spaces": sorted(scope.member_space_ids),
              "pending": list(scope.pending_keys), "types": list(request.types),
              "organisation_id": request.organisation_id, "year": request.year,
              "space_id": request.space_id, "container": request.container,
              "author_id": request.author_id, "date_from": request.date_from,
              "date_to": request.date_to}
    if scope.signed_in and scope.user_id is not None:
        params["reader_id"] = scope.user_id
    return params


# A query with no lexeme left (stop words only) or that a document without words matches
# (exclusions only: it would find almost everything) matches nothing: PostgreSQL checks it
# once, before reading the index (a one-time filter); ``_FACTS`` tells which it was.
_QUERY_HAS_WORDS = (func.numnode(_TSQUERY) > 0,
                    ~literal_column("''::tsvector").op("@@")(_TSQUERY))


@cache
def _matches_statement(shape: tuple, dense: bool, by_date: bool):
    """One pass over the matches (the heap scan is what costs): their rank, then from that
    the page's documents with their extract around the words, and the count with the three
    facets, in one statement. When the words are everywhere (``dense``), the matches are the
    most recent ``ranked_most`` of each alternative, read backwards through the date index
    (config.py, SEARCH_PG_EXACT_UP_TO).

    Each row: ``(key, n, type, organisation_id, year, count, grouping, organisation_name,
    title, url, date, extract, facts)``; a document of the page has its ``key`` (``n``: its
    place), a count has none (``grouping`` tells which facet it counts, 0b111 the total), and
    one row has nothing but the ``facts`` (``_FACTS``)."""
    branches = []
    for alternative in _readable(shape):
        branch = select(
            SearchEntry.key, SearchEntry.type, SearchEntry.organisation_id,
            SearchEntry.organisation_name, SearchEntry.date,
            func.cast(func.extract("year", SearchEntry.date), Integer).label("year"),
            func.ts_rank_cd(SearchEntry.tsv, _TSQUERY).label("rank"),
        ).where(SearchEntry.tsv.op("@@")(_TSQUERY), *_QUERY_HAS_WORDS, *alternative)
        if dense:
            branch = branch.order_by(SearchEntry.date.desc()).limit(
                bindparam("ranked_most", type_=Integer))
        branches.append(branch)
    matched = union_all(*branches).cte("matched")
    order = [matched.c.date.desc()] if by_date else [matched.c.rank.desc(),
                                                    matched.c.date.desc()]
    top = (select(matched.c.key, matched.c.type, matched.c.organisation_name, matched.c.date,
                  func.row_number().over(order_by=order).label("n"))
           .order_by(*order).limit(bindparam("per_page", type_=Integer))
           .offset(bindparam("skipped", type_=Integer)).subquery())
    # the extract is made for the page's documents only, after the limit
    extract = func.ts_headline(
        CONFIG, SearchEntry.body, _TSQUERY,
        f"StartSel={_START}, StopSel={_STOP}, MaxWords=35, MinWords=12, MaxFragments=2, "
        "FragmentDelimiter=\" … \"")
    page = (select(top.c.key, top.c.n, top.c.type, null(), null(), null(), null(),
                   top.c.organisation_name, SearchEntry.title, SearchEntry.url, top.c.date,
                   extract, null())
            .join(SearchEntry, SearchEntry.key == top.c.key))
    facets = (matched.c.type, matched.c.organisation_id, matched.c.year)
    counted = (select(null(), null(), *facets, func.count(), func.grouping(*facets),
                      func.max(matched.c.organisation_name), null(), null(), null(), null(),
                      null())
               .group_by(func.grouping_sets(*(tuple_(c) for c in facets), text("()"))))
    # the facts first, each NULL typed as its column (of two untyped NULLs PostgreSQL makes
    # text, which another branch's integer or JSON then cannot meet)
    facts = select(*(cast(null(), type_) for type_ in (
        String, BigInteger, String, Integer, Integer, BigInteger, Integer, String, String,
        String, DateTime, Text)), _FACTS)
    return union_all(facts, page, counted)


@cache
def _holders_statement(shape: tuple):
    """``(word, key)`` for each of ``words``: the key of a document the person may read that
    holds it (spelt so, accents aside), or NULL. Each word's holders are read once, from the
    GIN index, for every alternative of ``_readable``; each alternative then looks them up by
    key."""
    words = select(func.unnest(bindparam("words", type_=ARRAY(String))).label("word")
                   ).subquery("w")
    holders = (select(func.array_agg(SearchSpelling.key).label("holders"))
               .where(SearchSpelling.words.op("@@")(func.plainto_tsquery(SPELLING,
                                                                         words.c.word)))
               .correlate(words).lateral("h"))
    held = [select(SearchEntry.key).where(SearchEntry.key == any_(holders.c.holders), *alternative)
            .limit(1).scalar_subquery() for alternative in _readable(shape)]
    return (select(words.c.word, func.coalesce(*held) if len(held) > 1 else held[0])
            .select_from(words.join(holders, literal_column("true"))))


def _query_words(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, folded word)`` for the words of a query that « Vouliez-vous dire » checks
    (three letters or more, not a number, not an operator or a field's name)."""
    text = tidy_query(text)
    return [(match.start(), match.end(), fold(match.group()))
            for match in re.finditer(r"\w+", text)
            if len(match.group()) >= 3 and not match.group().isdigit()
            and is_query_word(text, match.start(), match.end())]


@cache
def _near_statement():
    """The vocabulary's ``(word, documents)`` of the same first letter as a word and a close
    length: ``first`` to ``after``, ``shortest`` to ``longest`` letters."""
    return select(SearchWord.word, SearchWord.documents).where(
        SearchWord.word >= bindparam("first"), SearchWord.word < bindparam("after"),
        func.length(SearchWord.word).between(bindparam("shortest", type_=Integer),
                                             bindparam("longest", type_=Integer)))


# The planner's statistics of search_entry (pages, rows): -1 rows until it was first analysed.
_TABLE_SIZE = (
    text("(SELECT relpages FROM pg_class WHERE oid = 'search_entry'::regclass)"),
    text("(SELECT reltuples FROM pg_class WHERE oid = 'search_entry'::regclass)"))
# What the matches statement says besides the matches (``PostgresBackend._matches``): the
# query's node count, whether a document without words matches it, the keys whose change
# the writer has not applied yet, and the table's size.
_FACTS = func.json_build_array(
    func.numnode(_TSQUERY), literal_column("''::tsvector").op("@@")(_TSQUERY),
    func.array(pending_keys_query().scalar_subquery()), *_TABLE_SIZE)


def _small(pages, rows) -> bool:
    """Whether search_entry is known to be so small that a search needs no estimate of its
    matches: fewer rows than ``SEARCH_PG_EXACT_UP_TO`` (every match is counted) and fewer
    pages than ``WHOLE_TABLE_COST`` (read whole, it costs less than the estimate). The
    statistics are those of the last analysis: a table analysed while empty says 0 rows
    until autovacuum comes again, so 0 rows is small only below a threshold above 0."""
    return (pages is not None and rows is not None and 0 <= rows
            and rows < current_app.config["SEARCH_PG_EXACT_UP_TO"]
            and pages < WHOLE_TABLE_COST)


def _reads_whole(plan: dict, table: str) -> bool:
    """Whether a plan (EXPLAIN's JSON) reads ``table`` sequentially, and ``table`` is not
    small (a table of a few hundred pages is read whole faster than through an index)."""
    if (plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") == table
            and plan.get("Total Cost", 0) > WHOLE_TABLE_COST):
        return True
    return any(_reads_whole(child, table) for child in plan.get("Plans", ()))


def _words(value: str) -> str:
    """Split what PostgreSQL's parser would keep whole (« ancien-tarif.pdf » is one « file »
    token to it), so that every word of a file name or a path is found."""
    return re.sub(r"[._/\\-]+", " ", value)


# The advisory lock under which the search configuration is created (any constant of the
# application's own: "fr_unaccent" as 8 bytes)
CONFIGURATION_LOCK = int.from_bytes(b"fr_unacc", "big") >> 1


def ensure_configuration(connection) -> None:
    """The ``unaccent`` extension, the ``fr_unaccent`` configuration (French stemming of
    accent-folded words) and ``fr_spelling`` (accent-folded words, not stemmed), in the current
    schema. Idempotent; the tests and benchmarks run it
    after ``create_all`` (the migration holds its own copy of these statements).

    Several processes may run it at once on a database that lacks the extension (the test
    suite's workers, each in its schema): ``IF NOT EXISTS`` does not stop two of them creating
    it together, the second failing on the catalog's unique index. A lock held until the end
    of the caller's transaction makes them wait in turn."""
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CONFIGURATION_LOCK})
    connection.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public"))
    dictionary_schema = connection.scalar(text(
        "SELECT n.nspname FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace "
        "WHERE d.dictname = 'unaccent'"))
    for name, base, dictionary in ((CONFIG, "french", "french_stem"),
                                   (SPELLING, "simple", "simple")):
        exists = connection.scalar(text(
            "SELECT 1 FROM pg_ts_config c WHERE c.cfgname = :name AND c.cfgnamespace = "
            "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())"), {"name": name})
        if not exists:
            connection.execute(text(f"CREATE TEXT SEARCH CONFIGURATION {name} "
                                    f"(COPY = pg_catalog.{base})"))
            connection.execute(text(
                f"ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR hword, hword_part, "
                f'word WITH "{dictionary_schema}".unaccent, {dictionary}'))


def _mark(headline: str) -> str:
    escaped = str(escape(headline or ""))
    return escaped.replace(_START, "<mark>").replace(_STOP, "</mark>")


