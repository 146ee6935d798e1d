"""Saved searches: a signed-in person keeps a search of the results page and receives, daily
or weekly, what it finds that is new since the last mail.

The search is run **as the person, at sending time** (``services.query`` with their live
rights): a result in a space they have left since, or narrowed since, is not mailed. « New »
is a document dated in [last mail, now) — an index entry's date is its content's latest
change, so an edited page comes again —, cut at the oldest change the index writer has not
applied yet, so nothing waiting for the index is skipped: the next mail starts there. Nothing
new, no mail. Due-ness, the unsubscribe token and headers and the worker's loop are shared
with the aid alerts (``core/alerts.py``); the mail goes through the outbox.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import func, or_, select

from .. import access
from ..accounts.models import User
from ..core import alerts as shared
from ..core.alerts import AlertFrequency
from ..core.timeutil import utcnow
from ..core.uow import unit_of_work
from ..core.urls import absolute, absolute_url
from ..extensions import db
from ..mail.services import queue
from . import filters, services
from .backends import IndexDamaged, QueryError
from .models import SavedSearch, SearchQueue

MAX_PER_PERSON = 20
MAX_PER_MAIL = 20


class SavedSearchError(ValueError):
    """A refused change, with a French message; nothing was stored."""


def describe(user, query: str) -> str:
    """What a person reads for a saved search: « voirie — Dans l'espace « Voirie » »."""
    parsed = filters.parse(user, filters.stored(query))
    words = parsed.request.text.strip()[:80]
    return " — ".join([f"« {words} »", *(shown.label for shown in parsed.shown)])[:200]


def results_url(saved: SavedSearch) -> str:
    """The results page of the search, newest first, absolute (mails)."""
    return f"{absolute_url('search.results')}?{saved.query}&tri=date"


def _label(label: str) -> str:
    return " ".join((label or "").split())[:200]


@unit_of_work
def save(user: User, query: str, frequency, label: str = "") -> SavedSearch:
    """Keep the search ``query`` (``filters.saved_query``) for ``user``; its first mail lists
    what is new from now on."""
    if not access.can_save_search(user):
        raise SavedSearchError("Connectez-vous pour enregistrer une recherche.")
    parsed = filters.parse(user, filters.stored(query))
    if not parsed.request.text.strip():
        raise SavedSearchError("Saisissez d'abord les mots à rechercher.")
    try:
        frequency = AlertFrequency(frequency)
    except ValueError:
        raise SavedSearchError("Choisissez « Chaque jour » ou « Chaque semaine ».") from None
    held = db.session.scalar(select(func.count(SavedSearch.id))
                             .where(SavedSearch.user_id == user.id))
    if held >= MAX_PER_PERSON:
        raise SavedSearchError(f"Vous avez déjà {MAX_PER_PERSON} recherches enregistrées : "
                               "supprimez-en une d'abord.")
    saved = SavedSearch(user=user, query=query, frequency=frequency,
                        label=_label(label) or describe(user, query),
                        token=shared.new_token(), last_sent_at=utcnow())
    db.session.add(saved)
    return saved


@unit_of_work
def change(saved: SavedSearch, *, label: str, frequency) -> None:
    try:
        saved.frequency = AlertFrequency(frequency)
    except ValueError:
        raise SavedSearchError("Choisissez « Chaque jour » ou « Chaque semaine ».") from None
    saved.label = _label(label) or describe(saved.user, saved.query)


@unit_of_work
def delete(saved: SavedSearch) -> None:
    db.session.delete(saved)


def saved_of(user: User) -> list[SavedSearch]:
    return list(db.session.scalars(select(SavedSearch).where(SavedSearch.user_id == user.id)
                                   .order_by(SavedSearch.created_at, SavedSearch.id)))


def for_token(token: str) -> SavedSearch | None:
    """The saved search of an unsubscribe link, or None."""
    if not token or len(token) > shared.TOKEN_LENGTH:
        return None
    return db.session.scalar(select(SavedSearch).where(SavedSearch.token == token))


# --- the worker ------------------------------------------------------------------------------


def indexed_until(now: datetime) -> datetime:
    """Everything changed before this is in the index: ``now``, or the oldest change still
    waiting for the index writer."""
    oldest = db.session.scalar(select(func.min(SearchQueue.created_at)))
    return min(now, oldest) if oldest is not None else now


def send_due(now: datetime | None = None) -> int:
    """Mail each due saved search what it finds, new since its last mail, for its owner now.
    Each one is its own transaction (``core/alerts.send_each``). Returns the mails queued."""
    now = now or utcnow()
    due = db.session.scalars(select(SavedSearch.id).where(
        or_(SavedSearch.last_sent_at.is_(None),
            SavedSearch.last_sent_at <= shared.due_before(now)))
        .order_by(SavedSearch.id)).all()
    until = indexed_until(now)
    return shared.send_each(due, lambda saved_id: _send_one(saved_id, now, until),
                            "Recherche enregistrée")


def new_results(saved: SavedSearch, since: datetime, until: datetime):
    """What the search finds for its owner, with their rights now, dated in [since, until):
    ``Results`` (newest first, ``MAX_PER_MAIL`` of them), or None for an empty window."""
    request = filters.parse(saved.user, filters.stored(saved.query), per_page=MAX_PER_MAIL) \
        .request
    request.sort, request.page = "date", 1
    request.date_from = max(request.date_from or since, since)
    request.date_to = min(request.date_to or until, until)
    if request.date_from >= request.date_to:
        return None
    return services.query(saved.user, request)


def _send_one(saved_id: int, now: datetime, until: datetime) -> int:
    """One saved search's mail (a step of ``send_due``): 1 if queued, else 0."""
    saved = db.session.get(SavedSearch, saved_id)
    if saved is None or not shared.is_due(saved.last_sent_at, saved.frequency, now):
        return 0
    if not saved.user.active:
        return 0   # a deactivated account receives nothing; its searches wait
    since = saved.last_sent_at or saved.created_at
    try:
        found = new_results(saved, since, until)
    except IndexDamaged:
        return 0   # the index is being rebuilt: still due, sent at a later round
    except QueryError as error:
        current_app.logger.info("Recherche enregistrée %s : %s", saved.id, error)
        found = None
    saved.last_sent_at = max(until, since)
    if found is None or not found.total:
        return 0
    unsubscribe_url = absolute_url("search.unsubscribe", token=saved.token)
    queue(saved.user.email,
          f"{found.total} nouveau{'x' if found.total > 1 else ''} résultat"
          f"{'s' if found.total > 1 else ''} pour « {saved.label} »"[:300],
          "saved_search", saved=saved, found=found,
          links={hit.key: absolute(hit.url) for hit in found.hits},
          type_label=services.type_label, search_url=results_url(saved),
          manage_url=absolute_url("search.saved"), unsubscribe_url=unsubscribe_url,
          headers=shared.unsubscribe_headers(unsubscribe_url))
    return 1
