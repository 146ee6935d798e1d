"""The results page's query string, read into a ``SearchRequest`` — for the page itself and
for a saved search at sending time (one reader, so a mail finds what the page would).

Filters a person chooses, each shown on the page with a link that removes it:

- ``espace`` (a space's address), ``forum`` (number), ``liste`` (name), ``organisation``
  (number or address): where to look. A place the person may not see is answered exactly as
  one that does not exist — nothing found, the same words —, so the page tells nothing of it;
- ``auteur``: a person's number, or a name looked up in the directory (one person found: the
  filter; several: the page offers them); named only when the person may see that profile;
- ``du``, ``au``: a range of days (Europe/Paris), either end open; ``annee`` a year.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from sqlalchemy import func, select

from .. import access
from ..accounts.models import Organisation, User
from ..core import querystrings
from ..core.inputs import to_int
from ..core.timeutil import PARIS
from ..extensions import db
from ..forums.models import Forum
from ..lists.models import MailingList
from ..spaces.models import Space
from .backends import SearchRequest
from .documents import TYPE_LABELS

# What a saved search keeps of the page's address, in this order (``tri`` and ``page`` are
# the page's own: a mail lists the newest results).
KEPT = ("q", "type", "espace", "forum", "liste", "organisation", "auteur", "du", "au", "annee")
PLACES = ("espace", "forum", "liste", "organisation")
UNKNOWN_PLACE = "un emplacement introuvable"   # unknown, or not visible: the same words
# The filter of a place that is unknown or not visible: one that no document has.
NOWHERE = {"espace": {"space_id": -2}, "forum": {"container": "forum:0"},
           "liste": {"container": "list:0"}, "organisation": {"organisation_id": -2}}
MAX_AUTHOR_CHOICES = 8


@dataclass
class Shown:
    """A filter as the page shows it: « Dans l'espace : Voirie » with its removal link."""
    name: str       # the query-string name, removed by the link
    label: str


@dataclass
class Parsed:
    request: SearchRequest
    shown: list[Shown]
    errors: list[str]
    authors: list[User]       # people matching a typed author's name, when several do
    # The page's arguments for its links and hidden fields: a place that is unknown or not
    # visible is left out (the page never repeats a private place's address).
    kept: dict[str, list[str]]


def _day(raw: str) -> date | None:
    """A day typed as the date field sends it (« 2026-03-01 »), between years 2 and 9998 (so
    that its midnight in UTC, and the day after, exist)."""
    try:
        day = date.fromisoformat(raw.strip()[:10]) if raw.strip() else None
    except ValueError:
        return None
    return day if day is None or 1 < day.year < 9999 else None


def _find(name: str, raw: str):
    """The place a query-string value names: a space by its address (slug), a forum by its
    number, a list by its name, an organisation by its number or address; or None."""
    raw = raw.strip()[:200]
    if name == "espace":
        return db.session.scalar(select(Space).where(Space.slug == raw))
    if name == "forum":
        ident = to_int(raw, minimum=1)
        return db.session.get(Forum, ident) if ident is not None else None
    if name == "liste":
        return db.session.scalar(select(MailingList).where(MailingList.name == raw))
    ident = to_int(raw, minimum=1)
    return db.session.get(Organisation, ident) if ident is not None else \
        db.session.scalar(select(Organisation).where(Organisation.slug == raw))


def _place(user, name: str, raw: str) -> tuple[dict, str]:
    """The request's filter for a place and how it is named. A place the person may not see
    is filtered and named exactly as one that does not exist: nothing found, nothing told."""
    place = _find(name, raw)
    if place is None or not access.can_search_in(user, place):
        return NOWHERE[name], UNKNOWN_PLACE
    if name == "espace":
        return {"space_id": place.id}, f"l'espace « {place.name} »"
    if name == "forum":
        return ({"container": f"forum:{place.id}"},
                f"le forum « {place.name} » ({place.space.name})")
    if name == "liste":
        return ({"container": f"list:{place.id}"},
                f"la liste « {place.title} » ({place.space.name})")
    return {"organisation_id": place.id}, f"l'organisation « {place.name} »"


def authors_named(user, typed: str) -> list[User]:
    """The people whose name holds what was typed, among those ``user`` may look up in the
    directory (nobody for a visitor), at most ``MAX_AUTHOR_CHOICES`` + 1."""
    words = [w for w in typed.lower().split() if w][:4]
    if not words or not access.can_read_directory(user):
        return []
    query = select(User).where(User.active.is_(True)).order_by(User.last_name, User.first_name,
                                                               User.id)
    for word in words:
        like = f"%{word[:60]}%"
        query = query.where(func.lower(User.first_name + " " + User.last_name).like(like))
    return [person for person in db.session.scalars(query.limit(MAX_AUTHOR_CHOICES + 1))
            if access.can_view(user, person)]


def parse(user, args, *, page: int = 1, per_page: int = 20) -> Parsed:
    """The page's arguments (a MultiDict) as a request for ``user``."""
    text = args.get("q", "")
    request = SearchRequest(text=text, types=[t for t in args.getlist("type")
                                              if t in TYPE_LABELS],
                            year=to_int(args.get("annee"), minimum=1, maximum=9999),
                            sort="date" if args.get("tri") == "date" else "relevance",
                            page=page, per_page=per_page)
    shown, errors, authors = [], [], []
    kept = {key: [value[:300] for value in args.getlist(key)] for key in args}
    for name in PLACES:
        raw = args.get(name, "")
        if not raw.strip():
            continue
        values, label = _place(user, name, raw)
        if label == UNKNOWN_PLACE:
            kept.pop(name, None)
        for attribute, value in values.items():
            setattr(request, attribute, value)
        shown.append(Shown(name, f"Dans {label}"))
    typed = (args.get("auteur") or "").strip()[:100]
    author = to_int(typed, minimum=1)
    if author is None and typed:
        authors = authors_named(user, typed)
        if len(authors) == 1:
            author = authors[0].id
            authors = []
        elif not access.can_read_directory(user):
            errors.append("Le filtre par auteur est réservé aux personnes connectées : il n'a "
                          "pas été appliqué.")
        elif not authors:
            errors.append(f"Aucune personne de l'annuaire ne s'appelle « {typed} » : le filtre "
                          "par auteur n'a pas été appliqué.")
    if author is not None:
        request.author_id = author
        person = db.session.get(User, author)
        name = person.full_name if person is not None and access.can_view(user, person) \
            else "une personne introuvable"
        shown.append(Shown("auteur", f"Écrit par {name}"))
    start, end = _day(args.get("du", "")), _day(args.get("au", ""))
    if args.get("du", "").strip() and start is None or args.get("au", "").strip() and end is None:
        errors.append("Une date n'a pas été comprise : choisissez-la dans le calendrier "
                      "(jour/mois/année). Ce filtre n'a pas été appliqué.")
    if start and end and start > end:
        errors.append("La date de début est après la date de fin : les dates ont été "
                      "inversées.")
        start, end = end, start
    if start:
        request.date_from = _midnight(start)
        shown.append(Shown("du", f"Depuis le {start.strftime('%d/%m/%Y')}"))
    if end:
        request.date_to = _midnight(end + timedelta(days=1))
        shown.append(Shown("au", f"Jusqu'au {end.strftime('%d/%m/%Y')}"))
    if request.year:
        shown.append(Shown("annee", f"En {request.year}"))
    return Parsed(request=request, shown=shown, errors=errors, authors=authors, kept=kept)


def _midnight(day: date) -> datetime:
    """Midnight of ``day`` in Paris, as the naive UTC timestamps the index holds."""
    local = datetime.combine(day, time(), PARIS)
    return (local - local.utcoffset()).replace(tzinfo=None)


def saved_query(args: dict[str, list[str]], author_id: int | None = None) -> str:
    """The part of the page's arguments (``Parsed.kept``) a saved search keeps (an author
    typed by name is kept as the person it was resolved to)."""
    kept = [(key, value) for key in KEPT for value in args.get(key, [])
            if value and key != "auteur"]
    if author_id is not None:
        kept.append(("auteur", str(author_id)))
    return urlencode(kept)[:1000]


def stored(query: str):
    """A saved search's query string as the page's arguments."""
    return querystrings.parse(query)
