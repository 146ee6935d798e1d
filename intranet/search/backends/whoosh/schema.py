"""What the Whoosh index holds and how text is cut into words: the French analyser, the
schema, the query parser and the clean-up of what people type."""
from __future__ import annotations

import re

from whoosh import qparser
from whoosh import query as q
from whoosh.analysis import (CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter,
                             StopFilter)
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.formats import Existence
from whoosh.lang import stopwords_for_language
from whoosh.qparser import syntax
from whoosh.query.positional import Phrase
from whoosh.support.charset import accent_map

from .. import NARROW_AS_SPACE, tidy_query

SEARCHABLE = ("title", "body")     # the fields a query names; ``titre:``, ``texte:``…
MIN_PREFIX = 3                     # letters before a ``*``

# French stop words, and the elided articles and pronouns (« l'église », « qu'il »).
STOP_WORDS = frozenset(stopwords_for_language("fr")) | {"l", "d", "j", "m", "n", "s", "t", "c",
                                                       "qu", "jusqu", "lorsqu", "puisqu"}

# Narrowing of a document's visibility, as a number: 0 as its space (or public), 1 network
# (any signed-in person who sees the space), 2 members of the space only.
NARROW_CODES = {NARROW_AS_SPACE: 0, "public": 0, "network": 1, "members": 2}

# The body is indexed twice: ``body`` keeps each word's positions and characters (phrases,
# highlights), ``words`` only its frequency. Matching and scoring read ``words``, whose
# postings decode about four times faster.
MATCHED_AS = {"body": "words"}


def french_analyzer():
    """Words, lower case, French stop words, accents folded, then the Snowball French stem
    (« Délibérations » and « deliberation » meet on « deliber »). Folding first keeps both
    spellings on one stem: the stemmer treats « è » and « e » differently."""
    return (RegexTokenizer(r"\w+") | LowercaseFilter()
            | StopFilter(stoplist=STOP_WORDS, minsize=1)
            | CharsetFilter(accent_map) | StemFilter(lang="fr", cachesize=200_000))


def surface_analyzer():
    """Words as written, for spelling suggestions: lower case, accents folded, no stem, no
    stop word, three letters at least."""
    return (RegexTokenizer(r"\w+") | LowercaseFilter()
            | StopFilter(stoplist=STOP_WORDS, minsize=3) | CharsetFilter(accent_map))


def schema() -> Schema:
    analyzer = french_analyzer()
    return Schema(
        key=ID(stored=True, unique=True),
        type=ID(stored=True, sortable=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
        body=TEXT(analyzer=analyzer, stored=True, chars=True),
        words=TEXT(analyzer=analyzer, phrase=False),
        spell=FieldType(Existence(), surface_analyzer()),   # the vocabulary, as written
        url=STORED(),
        date=DATETIME(stored=True, sortable=True),
        year=NUMERIC(sortable=True),
        space=NUMERIC(sortable=True, signed=True),    # -1: visible to ``reader`` ids only
        narrow=NUMERIC(sortable=True),                # NARROW_CODES
        reader=KEYWORD(),
        org=NUMERIC(stored=True, sortable=True),
        org_name=STORED(),
        container=ID(),                               # "forum:12", "list:3": a term filter
        author=ID(),                                  # the author's user id: a term filter
    )


def fields_of(doc) -> dict:
    """A SearchDocument as the index's fields."""
    return {
        "key": doc.key, "type": doc.type, "title": doc.title, "body": doc.body,
        "words": doc.body, "spell": f"{doc.title}\n{doc.body}", "url": doc.url,
        "date": doc.date, "year": doc.date.year,
        "space": -1 if doc.readers or doc.space_id is None else doc.space_id,
        "narrow": NARROW_CODES.get(doc.narrow or NARROW_AS_SPACE, 2),
        "reader": " ".join(str(r) for r in doc.readers),
        "org": doc.organisation_id or 0, "org_name": doc.organisation_name,
        "container": doc.container or "",
        "author": str(doc.author_id) if doc.author_id is not None else "",
    }


class _Exclusions(qparser.PlusMinusPlugin):
    """« -mot » excludes what it is attached to — a word, a phrase, a field's word, a group
    in parentheses —, wherever it is, as « SAUF mot » does; « +mot » is « mot » (every word
    is required anyway). A sign counts at the start of a word only: « Saint-Martin » is two
    words to find, and a « - » followed by a space is nothing.

    Whoosh's own plugin sorts the nodes of the outermost group only: a « - » inside
    parentheses, « x (-b) », reached the query as a marker it has no query for, and the
    search failed; and it took every « - » for a sign, so that « Saint-Martin » excluded
    « martin »."""

    def __init__(self):
        super().__init__(plusexpr=r"(?<![^\s(])\+(?=\S)", minusexpr=r"(?<![^\s(])-(?=\S)")

    def do_plusminus(self, parser, group):
        result, exclude = group.empty_copy(), False
        for node in group:
            if isinstance(node, self.Plus):
                continue
            if isinstance(node, self.Minus):
                exclude = True
                continue
            if isinstance(node, syntax.GroupNode):
                node = self.do_plusminus(parser, node)
            if exclude and not isinstance(node, syntax.Operator):
                node = syntax.NotGroup([node])
            exclude = False
            result.append(node)
        return result


class _DropEmptyGroups(qparser.Plugin):
    """An operator with nothing to apply to is dropped: « (SAUF SAUF ) » left Whoosh with an
    empty « not » group, whose query it could not make (``IndexError``)."""

    def filters(self, parser):
        return [(self.drop_empty, 700)]          # after the operators (600)

    def drop_empty(self, parser, group):
        result = group.empty_copy()
        for node in group:
            if isinstance(node, syntax.GroupNode):
                node = self.drop_empty(parser, node)
                if not node.nodes:
                    continue
            result.append(node)
        return result


def parser(index_schema: Schema) -> qparser.QueryParser:
    """All words required; ``titre:``/``texte:`` fields; ``OU``/``OR``, ``ET``/``AND``,
    ``SAUF``/``NOT`` in capitals; ``-mot``; phrases and ``prefix*``. No boosts, ranges, fuzzy
    terms, regular expressions or single quotes, and no other field: ``url:x`` or
    ``date:2024`` are words (the parser only knows the searchable fields)."""
    searchable = Schema(**{name: index_schema[name] for name in SEARCHABLE})
    parser_ = qparser.MultifieldParser(list(SEARCHABLE), schema=searchable,
                                       group=qparser.AndGroup)
    parser_.add_plugin(qparser.FieldAliasPlugin({"title": ["titre"],
                                                 "body": ["texte", "contenu"]}))
    parser_.remove_plugin_class(qparser.OperatorsPlugin)
    parser_.add_plugin(qparser.OperatorsPlugin(And=r"(?<=\s)(?:ET|AND)(?=\s)",
                                               Or=r"(?<=\s)(?:OU|OR)(?=\s)",
                                               Not=r"(^|(?<=(\s|[()])))(?:SAUF|NOT)(?=\s|$)",
                                               AndNot=None, AndMaybe=None, Require=None))
    for plugin in (qparser.BoostPlugin, qparser.RangePlugin, qparser.FuzzyTermPlugin,
                   qparser.RegexPlugin, qparser.EveryPlugin, qparser.SingleQuotePlugin):
        parser_.remove_plugin_class(plugin)
    parser_.add_plugin(_Exclusions())   # « -mot » excludes, as on PostgreSQL
    parser_.add_plugin(_DropEmptyGroups())
    return parser_


_UNDERSTOOD = (q.Term, Phrase, q.And, q.Or, q.DisjunctionMax, q.Not, q.AndNot, q.AndMaybe,
               q.Require)


def understood(query) -> bool:
    """Whether the engine (``segments.py``) answers every part of the query: words,
    phrases, prefixes of ``MIN_PREFIX`` letters or more, and the operators between them.
    Anything else the parser might make of odd syntax is searched as plain words."""
    if query is q.NullQuery:
        return True
    if isinstance(query, (q.Prefix, q.Wildcard)):
        return query.fieldname in SEARCHABLE and len(
            re.match(r"\w*", query.text).group()) >= MIN_PREFIX
    if isinstance(query, (q.Term, Phrase)) and query.fieldname not in SEARCHABLE:
        return False
    return isinstance(query, _UNDERSTOOD) and all(understood(sub) for sub in query.children())


def plain_query(text: str, index_schema: Schema):
    """Every word of the text, each required in the title or the body: what a query is
    searched as when its syntax cannot be (``understood``)."""
    analyzer = index_schema["body"].analyzer
    words = [token.text for token in analyzer(text, mode="query")]
    return q.And([q.Or([q.Term(name, word) for name in SEARCHABLE])
                  for word in words]).normalize() if words else q.NullQuery


def clean(text: str) -> str:
    """Keep a query sane: bounded length, no control character, no bare or short prefix
    (``*``, ``a*``), balanced quotes."""
    text = tidy_query(text).replace("?", " ")
    text = re.sub(r"(?<![\w'-])(\w{0,2})\*+", r"\1", text)   # « * », « a* » → « », « a »
    text = re.sub(r"\*{2,}", "*", text)
    if text.count('"') % 2:
        text = text.replace('"', " ")
    return text.strip()
