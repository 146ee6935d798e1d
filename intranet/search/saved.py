"""Saved searches: a signed-in person keeps a search of the results page and receives, daily
or weekly, what it finds that is new since the last mail.

The search is run **as the person, at sending time** (``services.query`` with their live
rights): a result in a space they have left since, or narrowed since, is not mailed. « New »
is a result never mailed for this search (``SavedSearchSent``), among those dated since the
look-back before the last mail (``SAVED_SEARCH_LOOKBACK_DAYS``; not before the search was
saved): a deliberation published days after its sitting (its date), or a page still waiting
for the index writer at one mail, is in the next one; a result is mailed once, even if
edited since. Nothing new, no mail. Due-ness, the unsubscribe token and headers and the
worker's loop are shared with the aid alerts (``core/alerts.py``); the mail goes through the
outbox.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select

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
from .backends import Hit, IndexDamaged, QueryError
from .models import SavedSearch, SavedSearchSent

MAX_PER_PERSON = 20
MAX_PER_MAIL = 20
MAX_SCANNED = 200    # results looked at per mail, newest first


class SavedSearchError(ValueError):
    """A refused change, with a French message; nothing was stored."""


def describe(user, query: str) -> str:
    """What a person reads for a saved search: « « voirie » — Dans l'espace « Voirie » »."""
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
    if any(shown.label.endswith(filters.UNKNOWN_PLACE) for shown in parsed.shown):
        raise SavedSearchError("Cette recherche est limitée à un emplacement introuvable : "
                               "retirez ce filtre avant de l'enregistrer.")
    query = filters.saved_query(parsed.kept, parsed.request.author_id)
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
def remove(saved: SavedSearch) -> None:
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


def send_due(now: datetime | None = None) -> int:
    """Mail each due saved search what it finds, never mailed before, for its owner now. Each
    one is its own transaction (``core/alerts.send_each``). Returns the mails queued."""
    now = now or utcnow()
    due = db.session.scalars(select(SavedSearch.id).where(
        or_(SavedSearch.last_sent_at.is_(None),
            SavedSearch.last_sent_at <= shared.due_before(now)))
        .order_by(SavedSearch.id)).all()
    return shared.send_each(due, lambda saved_id: _send_one(saved_id, now),
                            "Recherche enregistrée")


def new_results(saved: SavedSearch, now: datetime) -> tuple[list[Hit], bool]:
    """What the search finds for its owner, with their rights now, that was never mailed:
    results dated since the look-back before the last mail (not before the search was saved),
    newest first, at most ``MAX_SCANNED`` looked at (``True`` when there were more)."""
    since = saved.last_sent_at or saved.created_at
    lookback = timedelta(days=current_app.config["SAVED_SEARCH_LOOKBACK_DAYS"])
    request = filters.parse(saved.user, filters.stored(saved.query),
                            per_page=MAX_SCANNED).request
    request.sort, request.page = "date", 1
    start = max(since - lookback, saved.created_at)
    request.date_from = max(request.date_from or start, start)
    request.date_to = min(request.date_to or now, now)
    if request.date_from >= request.date_to:
        return [], False
    found = services.query(saved.user, request)
    sent = set(db.session.scalars(select(SavedSearchSent.key).where(
        SavedSearchSent.saved_search_id == saved.id,
        SavedSearchSent.key.in_([hit.key for hit in found.hits]))))
    return [hit for hit in found.hits if hit.key not in sent], found.total > len(found.hits)


def _send_one(saved_id: int, now: datetime) -> int:
    """One saved search's mail (a step of ``send_due``): 1 if queued, else 0."""
    saved = db.session.get(SavedSearch, saved_id)
    if saved is None or not shared.is_due(saved.last_sent_at, saved.frequency, now):
        return 0
    if not saved.user.active:
        return 0   # a deactivated account receives nothing; its searches wait
    try:
        hits, more = new_results(saved, now)
    except IndexDamaged:
        return 0   # the index is being rebuilt: still due, sent at a later round
    except QueryError as error:
        current_app.logger.info("Recherche enregistrée %s : %s", saved.id, error)
        hits, more = [], False
    lookback = timedelta(days=current_app.config["SAVED_SEARCH_LOOKBACK_DAYS"])
    db.session.execute(delete(SavedSearchSent).where(
        SavedSearchSent.saved_search_id == saved.id,
        SavedSearchSent.date < (saved.last_sent_at or now) - lookback))
    saved.last_sent_at = now
    if not hits:
        return 0
    db.session.add_all(SavedSearchSent(saved_search_id=saved.id, key=hit.key, date=hit.date)
                       for hit in hits)
    count = len(hits)
    unsubscribe_url = absolute_url("search.unsubscribe", token=saved.token)
    queue(saved.user.email,
          f"{count}{'+' if more else ''} nouveau{'x' if count > 1 else ''} résultat"
          f"{'s' if count > 1 else ''} pour « {saved.label} »"[:300],
          "saved_search", saved=saved, hits=hits[:MAX_PER_MAIL], count=count, more=more,
          links={hit.key: absolute(hit.url) for hit in hits[:MAX_PER_MAIL]},
          type_label=services.type_label, search_url=results_url(saved),
          manage_url=absolute_url("search.saved"), unsubscribe_url=unsubscribe_url,
          headers=shared.unsubscribe_headers(unsubscribe_url))
    return 1
