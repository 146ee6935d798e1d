"""Search backends: Whoosh (default, an index on local disk) and PostgreSQL full-text search
(``SEARCH_BACKEND=postgres``, for several application servers). Same interface, same tests."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from ...core.readscope import ReadScope
from ..spelling import is_query_word

MAX_QUERY_CHARS = 300

# What a query gets instead of results, on either backend.
NO_WORD = "Saisissez au moins un mot à rechercher."
ONLY_STOP_WORDS = ("Cette recherche ne contient que des mots trop courants (« le », « de »…) : "
                   "ajoutez un mot plus précis.")
ONLY_EXCLUSIONS = ("Cette recherche ne fait qu'exclure des mots (« SAUF », « - ») : ajoutez "
                   "au moins un mot que les résultats doivent contenir.")

_AS_SPACE = frozenset({"Cc", "Cs", "Zs", "Zl", "Zp"})


class BusyError(RuntimeError):
    """Another process is writing the index; try again later."""


class QueryError(ValueError):
    """The query cannot be run as typed; the message says why, in French."""


REBUILDING = ("La recherche est momentanément indisponible : son index est en cours de "
              "reconstruction. Le reste du site fonctionne ; réessayez dans quelques minutes.")


class IndexDamaged(QueryError):
    """The index cannot be read (a damaged or missing file): the worker rebuilds it from the
    database (``search.services.repair``); until then every search answers ``REBUILDING``."""

    def __init__(self, message: str = REBUILDING):
        super().__init__(message)


def tidy_query(text: str | None) -> str:
    """What a person typed, made safe for either backend's parser: its first
    ``MAX_QUERY_CHARS`` characters; control characters (NUL, tabs, line breaks…), other
    spaces and lone surrogates (text decoded with ``surrogateescape``, which no encoder
    accepts) as plain spaces; invisible formatting characters (soft hyphen, zero-width
    space, byte order mark, direction marks) dropped, so that they split no word."""
    text = (text or "")[:MAX_QUERY_CHARS]
    if text.isprintable():
        return text
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category in _AS_SPACE:
            kept.append(" ")
        elif category != "Cf":
            kept.append(char)
    return "".join(kept)


def has_query_word(text: str) -> bool:
    """Whether the text holds a word to look for, not only operators (``OU``, ``SAUF``…),
    field names (``titre:``) and signs."""
    return any(is_query_word(text, match.start(), match.end())
               for match in re.finditer(r"\w+", text))


@dataclass(frozen=True)
class Scope(ReadScope):
    """Who is asking (what they may see: ``core/readscope.py``, which each backend translates),
    and the documents whose change the writer has not applied yet (left out)."""
    pending_keys: tuple[str, ...] = ()


@dataclass
class SearchRequest:
    """What to look for, and the filters narrowing it. ``matches`` describes the filters once;
    each backend translates it (Whoosh: sets of documents by term or column; PostgreSQL:
    indexed columns of ``search_entry``), and the tests hold both to it."""
    text: str
    types: list[str] = field(default_factory=list)
    organisation_id: int | None = None
    year: int | None = None
    space_id: int | None = None       # one space
    container: str = ""               # one forum or list: "forum:12", "list:3"
    author_id: int | None = None
    date_from: datetime | None = None  # included
    date_to: datetime | None = None    # excluded
    sort: str = "relevance"        # or "date"
    page: int = 1
    per_page: int = 20

    def matches(self, doc) -> bool:
        """Whether a ``SearchDocument`` passes the request's filters (what the person may see
        is the scope's part: ``core/readscope.py``)."""
        return ((not self.types or doc.type in self.types)
                and (not self.organisation_id or doc.organisation_id == self.organisation_id)
                and (not self.year or doc.date.year == self.year)
                and (self.space_id is None
                     or (doc.space_id == self.space_id and not doc.readers))
                and (not self.container or doc.container == self.container)
                and (self.author_id is None or doc.author_id == self.author_id)
                and (self.date_from is None or doc.date >= self.date_from)
                and (self.date_to is None or doc.date < self.date_to))


@dataclass
class Hit:
    key: str
    type: str
    title: str
    url: str
    date: datetime
    organisation_name: str
    snippet: str                   # safe HTML: escaped text with <mark> around matches


@dataclass
class Results:
    total: int
    hits: list[Hit]
    types: dict[str, int]
    organisations: dict[int, int]
    years: dict[int, int]
    suggestion: str | None = None
    # Set when the words are in so many documents that only this many of the most recent
    # ones were ranked and counted (PostgreSQL backend): ``total`` is then a lower bound.
    most_recent: int | None = None
    # The names of the organisations of ``organisations``, when the backend read them with
    # the counts (PostgreSQL backend): as the index files them.
    organisation_names: dict[int, str] | None = None


NARROW_AS_SPACE = "space"
