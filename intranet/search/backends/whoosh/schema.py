"""What the Whoosh index holds and how text is cut into words: the French analyser, the
schema, the query parser and the clean-up of what people type."""
from __future__ import annotations

import re

from whoosh import qparser
from whoosh.analysis import (CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter,
                             StopFilter)
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.formats import Existence
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

from .. import NARROW_AS_SPACE

MAX_QUERY_CHARS = 300

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
    }


def parser(index_schema: Schema) -> qparser.QueryParser:
    """All words required; ``titre:``/``texte:`` fields; ``OU``/``OR``, ``ET``/``AND``,
    ``SAUF``/``NOT`` in capitals; ``-mot``; phrases and ``prefix*``. No boosts, ranges, fuzzy
    terms or regular expressions."""
    parser_ = qparser.MultifieldParser(["title", "body"], schema=index_schema,
                                       group=qparser.AndGroup)
    parser_.add_plugin(qparser.FieldAliasPlugin({"title": ["titre"],
                                                 "body": ["texte", "contenu"]}))
    parser_.remove_plugin_class(qparser.OperatorsPlugin)
    parser_.add_plugin(qparser.OperatorsPlugin(And=r"(?<=\s)(?:ET|AND)(?=\s)",
                                               Or=r"(?<=\s)(?:OU|OR)(?=\s)",
                                               Not=r"(^|(?<=(\s|[()])))(?:SAUF|NOT)(?=\s)",
                                               AndNot=None, AndMaybe=None, Require=None))
    for plugin in (qparser.BoostPlugin, qparser.RangePlugin, qparser.FuzzyTermPlugin,
                   qparser.RegexPlugin):
        parser_.remove_plugin_class(plugin)
    parser_.add_plugin(qparser.PlusMinusPlugin())   # « -mot » excludes, as on PostgreSQL
    return parser_


def clean(text: str) -> str:
    """Keep a query sane: bounded length, no bare or one-letter wildcards, balanced quotes."""
    text = (text or "")[:MAX_QUERY_CHARS].replace("?", " ")
    text = re.sub(r"(?<![\w'-])(\w{0,2})\*+", r"\1", text)   # « * », « a* » → « », « a »
    text = re.sub(r"\*{2,}", "*", text)
    if text.count('"') % 2:
        text = text.replace('"', " ")
    return text.strip()
