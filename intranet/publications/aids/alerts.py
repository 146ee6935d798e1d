"""Aid alerts: saved searches of the aids directory, mailed daily or weekly.

Anyone saves the list's search (beneficiary, theme, publishing organisation, title words). A
signed-in person's alert is confirmed at once and mails what they may see; a visitor's waits
for the link mailed to the address typed (``UNCONFIRMED_DAYS``, then the worker deletes it) and
mails public aids only. Subscribing the same search with the same address twice keeps one
alert, and a visitor is answered the same whether the address had subscribed or not.

Each mail lists the aids published since the last mail (« nouvelles ») and those published
before but changed since (« modifiées »), so an aid is mailed once, and again only when it
changes. Every mail carries its alert's unsubscribe link (a random token, valid until used,
no sign-in) and ``List-Unsubscribe`` headers.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlencode

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ...accounts.models import Organisation, User
from ...core import alerts as shared
from ...core import querystrings
from ...core.timeutil import utcnow
from ...core.uow import unit_of_work
from ...core.urls import absolute_url
from ...extensions import db
from ...mail.services import queue
from ... import access
from ..lifecycle import PublicationStatus
from .models import Aid, AidAlert, AlertFrequency
from .services import AidFilters, conditions

MAX_PER_EMAIL = 10
UNCONFIRMED_DAYS = 7
# A visitor subscribing again to an alert not yet confirmed gets the link again, not more often.
RESEND_AFTER = timedelta(hours=1)
INTERVALS = shared.INTERVALS   # due-ness, token, headers, the worker's loop: core/alerts.py
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AlertError(Exception):
    """A refused subscription or link, with a French message; nothing was stored. ``field``:
    the form's field it is about, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- the search an alert keeps ---------------------------------------------------------------


def alert_filters(args) -> AidFilters:
    """The list's filters an alert keeps: all but the state (« ouvertes »…), which changes
    with time whereas an alert is about what is new."""
    filters = AidFilters.from_args(args)
    filters.state = ""
    return filters


def alert_query(args) -> str:
    """The list's query string an alert stores, in one order whatever the address's (so the
    same search is the same alert)."""
    return urlencode(alert_filters(args).args())[:querystrings.MAX_LENGTH]


def query_filters(query: str) -> AidFilters:
    """The filters of a stored query string."""
    return alert_filters(querystrings.parse(query))


def describe(filters: AidFilters) -> str:
    """What a person reads for a search: « Thématique : Sport ; Bénéficiaire : Communes »."""
    return " ; ".join(label for _, label in filters.active()) or "Toutes les aides"


def list_url(alert: AidAlert) -> str:
    """The directory's page of the alert's search, absolute (mails)."""
    url = absolute_url("aids.index")
    return f"{url}?{alert.query}" if alert.query else url


# --- subscribing, confirming, unsubscribing --------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"],
                                  salt="territoires-aid-alert-confirm")


def confirmation_token(alert: AidAlert) -> str:
    # The alert's secret's start: a link to an alert deleted then made again is void.
    return _serializer().dumps({"a": alert.id, "t": alert.token[:8]})


def _send_confirmation(alert: AidAlert, now: datetime) -> None:
    alert.confirmation_sent_at = now
    queue(alert.email, "Confirmez votre alerte sur les aides", "aid_alert_confirm",
          alert=alert, days=UNCONFIRMED_DAYS,
          url=absolute_url("aids.confirm_alert", token=confirmation_token(alert)))


@unit_of_work
def subscribe(query: str, frequency: AlertFrequency, *, user: User | None = None,
              email: str = "") -> AidAlert | None:
    """Save the search ``query`` (``alert_query``) for a signed-in ``user`` (their address,
    confirmed at once) or for a visitor's ``email`` (a confirmation link is mailed). Returns the
    alert for a signed-in person, None for a visitor: what they are told must not depend on
    whether the address had subscribed already."""
    frequency = AlertFrequency(frequency)
    signed_in = access.is_signed_in(user)
    email = (user.email if signed_in else (email or "")).strip().lower()
    if len(email) > 254 or not EMAIL.match(email):
        raise AlertError("Indiquez une adresse électronique valide : c'est là que les aides "
                         "vous seront envoyées.", field="email")
    filters = query_filters(query)
    if filters.organisation_id and db.session.get(Organisation, filters.organisation_id) is None:
        raise AlertError("Cet organisme n'existe pas : choisissez-en un dans la liste.")
    query, now = urlencode(filters.args()), utcnow()
    alert = _saved(email, query)
    if alert is not None:
        if signed_in:
            alert.user, alert.frequency = user, frequency
            if alert.confirmed_at is None:
                alert.confirmed_at = alert.last_sent_at = now
            return alert
        if alert.confirmed_at is None and (alert.confirmation_sent_at is None
                                           or now - alert.confirmation_sent_at >= RESEND_AFTER):
            _send_confirmation(alert, now)
        return None
    held = db.session.scalar(select(func.count(AidAlert.id)).where(AidAlert.email == email))
    if held >= MAX_PER_EMAIL:
        if signed_in:
            raise AlertError(f"Vous avez déjà {MAX_PER_EMAIL} alertes : supprimez-en une "
                             "d'abord.")
        return None
    alert = AidAlert(email=email, user=user if signed_in else None, query=query,
                     label=describe(filters)[:300], frequency=frequency,
                     token=shared.new_token(),
                     confirmed_at=now if signed_in else None,
                     last_sent_at=now if signed_in else None)
    try:
        with db.session.begin_nested():
            db.session.add(alert)
    except IntegrityError:
        # The same search saved for the same address a moment ago (a double click): kept once.
        return _saved(email, query) if signed_in else None
    if not signed_in:
        _send_confirmation(alert, now)
    return alert if signed_in else None


def _saved(email: str, query: str) -> AidAlert | None:
    return db.session.scalar(select(AidAlert).where(AidAlert.email == email,
                                                    AidAlert.query == query))


def pending_alert(token: str) -> AidAlert:
    """The alert a confirmation link names, or AlertError saying why the link does not work."""
    try:
        data = _serializer().loads((token or "")[:500], max_age=UNCONFIRMED_DAYS * 86400)
    except SignatureExpired as error:
        raise AlertError(f"Ce lien a expiré : il n'était valable que {UNCONFIRMED_DAYS} jours. "
                         "Créez l'alerte à nouveau depuis le répertoire des aides.") from error
    except BadSignature as error:
        raise AlertError("Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier.") \
            from error
    alert = db.session.get(AidAlert, data.get("a")) if isinstance(data, dict) \
        and isinstance(data.get("a"), int) else None
    if alert is None or alert.token[:8] != data.get("t"):
        raise AlertError("Cette alerte n'existe plus : créez-la à nouveau depuis le répertoire "
                         "des aides.")
    return alert


@unit_of_work
def confirm(token: str) -> AidAlert:
    """Confirm the alert of a link (again: nothing changes). The first mail lists what is
    published from now on."""
    alert = pending_alert(token)
    if alert.confirmed_at is None:
        alert.confirmed_at = alert.last_sent_at = utcnow()
    return alert


def alert_for_token(token: str) -> AidAlert | None:
    """The alert of an unsubscribe link, or None."""
    if not token or len(token) > shared.TOKEN_LENGTH:
        return None
    return db.session.scalar(select(AidAlert).where(AidAlert.token == token))


def alerts_of(user: User) -> list[AidAlert]:
    return list(db.session.scalars(select(AidAlert).where(AidAlert.user_id == user.id)
                                   .order_by(AidAlert.created_at, AidAlert.id)))


@unit_of_work
def set_frequency(alert: AidAlert, frequency: AlertFrequency) -> None:
    alert.frequency = AlertFrequency(frequency)


@unit_of_work
def unsubscribe(alert: AidAlert) -> None:
    db.session.delete(alert)


# --- the worker ------------------------------------------------------------------------------


@unit_of_work
def purge_unconfirmed(now: datetime | None = None) -> int:
    """Delete the visitors' alerts left unconfirmed for ``UNCONFIRMED_DAYS``."""
    limit = (now or utcnow()) - timedelta(days=UNCONFIRMED_DAYS)
    return db.session.execute(delete(AidAlert).where(
        AidAlert.confirmed_at.is_(None), AidAlert.created_at < limit)).rowcount or 0


def send_due(now: datetime | None = None) -> int:
    """Mail each confirmed alert whose period has passed the aids new or changed since its
    last mail. A worker loop: each alert is its own step and commits on its own, so one
    failure (it stays due) loses no one else's mail. Returns the mails queued."""
    now = now or utcnow()
    due = db.session.scalars(select(AidAlert.id).where(
        AidAlert.confirmed_at.is_not(None),
        or_(AidAlert.last_sent_at.is_(None), AidAlert.last_sent_at <= shared.due_before(now)))
        .order_by(AidAlert.id)).all()
    return shared.send_each(due, lambda alert_id: _send_one(alert_id, now), "Alerte d'aides")


def matching(alert: AidAlert, since: datetime, until: datetime) -> tuple[list[Aid], list[Aid]]:
    """The aids the alert's search finds for its subscriber (a visitor: public ones only)
    published in (``since``, ``until``], and those published before but changed then."""
    subscriber = alert.user if alert.user_id is not None else None
    where = [*conditions(subscriber, query_filters(alert.query)),
             Aid.status == PublicationStatus.PUBLISHED]
    query = select(Aid).options(joinedload(Aid.organisation)).order_by(Aid.title, Aid.id)
    new = db.session.scalars(query.where(*where, Aid.published_at > since,
                                         Aid.published_at <= until)).all()
    changed = db.session.scalars(query.where(*where, Aid.published_at <= since,
                                             Aid.updated_at > since,
                                             Aid.updated_at <= until)).all()
    return list(new), list(changed)


def _send_one(alert_id: int, now: datetime) -> int:
    """One alert's mail (a step of ``send_due``): 1 if queued, else 0."""
    alert = db.session.get(AidAlert, alert_id)
    if alert is None or alert.confirmed_at is None:
        return 0
    if not shared.is_due(alert.last_sent_at, alert.frequency, now):
        return 0
    if alert.user_id is not None and not alert.user.active:
        return 0   # a deactivated account receives nothing; its alerts wait
    since = alert.last_sent_at or alert.confirmed_at
    new, changed = matching(alert, since, now)
    alert.last_sent_at = now
    if not new and not changed:
        return 0
    unsubscribe_url = absolute_url("aids.unsubscribe_alert", token=alert.token)
    manage_url = absolute_url("aids.alerts") if alert.user_id is not None else unsubscribe_url
    count = len(new) + len(changed)
    # A person's alert follows their account's address, should it change.
    queue(alert.user.email if alert.user_id is not None else alert.email, f"{count} aide{'s' if count > 1 else ''} pour votre alerte "
                       f"« {alert.label} »", "aid_alert",
          alert=alert, new=new, changed=changed,
          links={aid.id: absolute_url("aids.show", aid_id=aid.id) for aid in new + changed},
          search_url=list_url(alert), unsubscribe_url=unsubscribe_url, manage_url=manage_url,
          headers=shared.unsubscribe_headers(unsubscribe_url))
    return 1
