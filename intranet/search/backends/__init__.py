"""Search backends: Whoosh (default, an index on local disk) and PostgreSQL full-text search
(``SEARCH_BACKEND=postgres``, for several application servers). Same interface, same tests."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class BusyError(RuntimeError):
    """Another process is writing the index; try again later."""


class QueryError(ValueError):
    """The query cannot be run as typed; the message says why, in French."""


@dataclass
class Scope:
    """Who is asking, resolved against the database at query time."""
    signed_in: bool
    user_id: int | None
    visible_space_ids: list[int]
    member_space_ids: list[int]
    pending_keys: list[str] = field(default_factory=list)


@dataclass
class SearchRequest:
    text: str
    types: list[str] = field(default_factory=list)
    organisation_id: int | None = None
    year: int | None = None
    sort: str = "relevance"        # or "date"
    page: int = 1
    per_page: int = 20


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


NARROW_AS_SPACE = "space"
