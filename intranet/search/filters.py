"""The results page's query string, read into a ``SearchRequest`` — for the page itself and
for a saved search at sending time (one reader, so a mail finds what the page would).

Filters a person chooses, each shown on the page with a link that removes it:

- ``espace``, ``forum``, ``liste`` (ids), ``organisation`` (id): where to look. A place the
  person may not see is searched all the same — it finds nothing, as the permission filter is
  inside the query — and named exactly as an id that does not exist, so the page tells
  nothing about it;
- ``auteur`` (a person's id): named only when the person may see that person's profile;
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


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


def _place(user, name: str, ident: int | None) -> tuple[dict, str]:
    """The request's filter for a place and how it is named: an unknown place and one the
    person may not see are named alike (and find nothing)."""
    if name == "espace":
        space = db.session.get(Space, ident)
        seen = space is not None and access.can_search_in(user, space)
        return {"space_id": ident}, f"l'espace « {space.name} »" if seen else UNKNOWN_PLACE
    if name == "forum":
        forum = db.session.get(Forum, ident)
        seen = forum is not None and access.can_search_in(user, forum)
        return ({"container": f"forum:{ident}"},
                f"le forum « {forum.name} » ({forum.space.name})" if seen else UNKNOWN_PLACE)
    if name == "liste":
        mlist = db.session.get(MailingList, ident)
        seen = mlist is not None and access.can_search_in(user, mlist)
        return ({"container": f"list:{ident}"},
                f"la liste « {mlist.title} » ({mlist.space.name})" if seen else UNKNOWN_PLACE)
    organisation = db.session.get(Organisation, ident)
    seen = organisation is not None and access.can_search_in(user, organisation)
    return ({"organisation_id": ident},
            f"l'organisation « {organisation.name} »" if seen else UNKNOWN_PLACE)


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
    for name in PLACES:
        ident = to_int(args.get(name), minimum=1)
        if ident is None:
            continue
        values, label = _place(user, name, ident)
        for attribute, value in values.items():
            setattr(request, attribute, value)
        shown.append(Shown(name, f"Dans {label}"))
    author = to_int(args.get("auteur"), minimum=1)
    typed = (args.get("auteur_nom") or "").strip()[:100]
    if author is None and typed:
        authors = authors_named(user, typed)
        if len(authors) == 1:
            author = authors[0].id
            authors = []
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
    return Parsed(request=request, shown=shown, errors=errors, authors=authors)


def _midnight(day: date) -> datetime:
    """Midnight of ``day`` in Paris, as the naive UTC timestamps the index holds."""
    local = datetime.combine(day, time(), PARIS)
    return (local - local.utcoffset()).replace(tzinfo=None)


def saved_query(args, author_id: int | None = None) -> str:
    """The part of the page's address a saved search keeps (an author typed by name is kept
    as the person it was resolved to)."""
    kept = [(key, value) for key in KEPT for value in args.getlist(key)
            if value and key != "auteur"]
    if author_id is not None:
        kept.append(("auteur", str(author_id)))
    return urlencode(kept)[:1000]


def stored(query: str):
    """A saved search's query string as the page's arguments."""
    return querystrings.parse(query)
