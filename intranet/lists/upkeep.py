"""What happens to a list's subscriptions once they exist: delivery failures (bounces), which
suspend delivery past a threshold and are forgotten with time; a manager's mass removal; a
subscriber's change of address, confirmed from the new address. Each public function that
changes something is one unit of work, as in ``services``."""
from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..core import audit
from ..core.inputs import to_int
from ..core.timeutil import utcnow
from ..core.uow import unit_of_work
from ..core.urls import absolute_url, path_for
from ..extensions import db
from ..notifications.services import notify
from .models import ListBounce, MailingList, Subscriber, SubscriberStatus
from .services import (ListError, _forget_bounces, _queue_notice, normalise_address,
                       unsubscribe_token)

log = logging.getLogger("intranet.lists")


# --- bounces ------------------------------------------------------------------------------------


HARD_BOUNCE_WEIGHT, SOFT_BOUNCE_WEIGHT = 1.0, 0.5


def _rescore(sub: Subscriber) -> None:
    """The subscriber's score and count from the bounces kept."""
    count, score = db.session.execute(select(
        func.count(ListBounce.id),
        func.coalesce(func.sum(case((ListBounce.hard.is_(True), HARD_BOUNCE_WEIGHT),
                                    else_=SOFT_BOUNCE_WEIGHT)), 0.0))
        .where(ListBounce.subscriber_id == sub.id)).one()
    sub.bounce_count, sub.bounce_score = count, float(score)


@unit_of_work
def record_bounce(sub: Subscriber, *, hard: bool = True, status: str = "") -> None:
    """One more delivery failure: a permanent one (5.x.x) weighs 1, a temporary one (4.x.x)
    0.5. Past the list's threshold, delivery stops and the person is told (in the
    notification centre for people of the intranet, by mail otherwise)."""
    mlist = sub.mailing_list
    db.session.add(ListBounce(subscriber_id=sub.id, hard=hard, status=status[:12],
                              received_at=utcnow()))
    db.session.flush()
    _rescore(sub)
    sub.last_bounce_at = utcnow()
    if sub.bounce_score >= mlist.bounce_threshold and sub.status == SubscriberStatus.ACTIVE:
        sub.status = SubscriberStatus.DISABLED
        log.warning("distribution suspendue pour %s sur %s (score d'erreurs %s)", sub.email,
                    mlist.address, sub.bounce_score)
        if sub.user is not None:
            notify([sub.user], "lists.delivery_disabled",
                   f"Distribution de la liste {mlist.address} suspendue",
                   url=path_for("lists.show", slug=mlist.space.slug, name=mlist.name),
                   body="Les messages de la liste ne parviennent plus à votre adresse. "
                        "Vérifiez-la, puis réactivez la distribution sur la page de la liste.")
        else:
            _queue_notice(sub.email, f"Distribution de la liste « {mlist.title} » suspendue",
                          "list_disabled", mlist=mlist, sub=sub,
                          unsubscribe=absolute_url("lists.one_click",
                                                   token=unsubscribe_token(sub)))


@unit_of_work
def forget_old_bounces(now: datetime | None = None) -> int:
    """The bounce score decays: bounces older than LISTS_BOUNCE_RETENTION_DAYS are forgotten
    and the scores of their subscribers computed again (a suspended delivery stays suspended
    until the person or a manager turns it back on). Returns how many were forgotten."""
    limit = (now or utcnow()) - timedelta(days=current_app.config["LISTS_BOUNCE_RETENTION_DAYS"])
    touched = list(db.session.scalars(select(Subscriber).where(Subscriber.id.in_(
        select(ListBounce.subscriber_id).where(ListBounce.received_at < limit)))))
    if not touched:
        return 0
    forgotten = db.session.execute(delete(ListBounce).where(ListBounce.received_at < limit)
                                   .execution_options(synchronize_session=False)).rowcount
    for sub in touched:
        _rescore(sub)
    return forgotten


# --- managers: mass removal -----------------------------------------------------------------------


def addresses_in(text: str) -> tuple[list[str], list[str]]:
    """(addresses, lines that are not addresses) of a pasted list: one per line,
    « Nom <adresse> » accepted, commas and semicolons too."""
    found, problems = {}, []
    for raw in re.split(r"[\n,;]", text or ""):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = re.search(r"<([^<>]+)>\s*$", line)
        try:
            found.setdefault(normalise_address(match.group(1) if match else line), None)
        except ListError:
            problems.append(line[:100])
    return list(found), problems


def subscribers_by_address(mlist: MailingList, emails: list[str]) -> list[Subscriber]:
    if not emails:
        return []
    return list(db.session.scalars(select(Subscriber).where(
        Subscriber.list_id == mlist.id, Subscriber.email.in_(emails))
        .options(joinedload(Subscriber.user)).order_by(Subscriber.email)))


def subscribers_by_id(mlist: MailingList, ids) -> list[Subscriber]:
    ids = [i for i in (to_int(v) for v in ids or []) if i is not None]
    if not ids:
        return []
    return list(db.session.scalars(select(Subscriber).where(
        Subscriber.list_id == mlist.id, Subscriber.id.in_(ids[:5000]))
        .options(joinedload(Subscriber.user)).order_by(Subscriber.email)))


@unit_of_work
def remove_subscribers(mlist: MailingList, subs: list[Subscriber], *, by: User) -> int:
    """Mass removal by a manager, once confirmed: all of them in one change, audited with
    the addresses removed."""
    subs = [s for s in subs if s.list_id == mlist.id]
    if not subs:
        raise ListError("Aucun abonné de cette liste ne correspond : personne n'a été retiré.")
    emails = sorted(s.email for s in subs)
    for sub in subs:
        db.session.delete(sub)
    shown = ", ".join(emails[:50]) + (f" (et {len(emails) - 50} autres)" if len(emails) > 50
                                      else "")
    audit.record("list.updated", actor=by, organisation=mlist.space.organisation,
                 target=mlist.address, detail=f"{len(emails)} abonné(s) retiré(s) : {shown}")
    return len(emails)


# --- a subscriber changes their address -------------------------------------------------------


ADDRESS_CHANGE_MAX_AGE = timedelta(days=7)


def _address_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"],
                                  salt="territoires-list-address")


def address_change_token(sub: Subscriber, email: str) -> str:
    return _address_serializer().dumps({"s": sub.id, "e": email, "k": sub.secret[:8],
                                        "o": sub.email})


@unit_of_work
def request_address_change(sub: Subscriber, new_email: str) -> str:
    """Mail a confirmation link to the new address; nothing changes until it is followed.
    The link carries the subscription, its current and new addresses and part of the
    subscription's secret: a new subscription, or the address changed, voids it."""
    email = normalise_address(new_email)
    mlist = sub.mailing_list
    if email == sub.email:
        raise ListError("C'est déjà l'adresse de cet abonnement.")
    if db.session.scalar(select(func.count()).where(Subscriber.list_id == mlist.id,
                                                    Subscriber.email == email)):
        raise ListError(f"L'adresse {email} est déjà abonnée à cette liste.")
    token = address_change_token(sub, email)
    _queue_notice(email, f"Confirmez votre nouvelle adresse pour la liste « {mlist.title} »",
                  "list_address", mlist=mlist, old=sub.email, new=email,
                  link=absolute_url("lists.confirm_address", token=token),
                  days=ADDRESS_CHANGE_MAX_AGE.days)
    return email


def pending_address_change(token: str) -> tuple[Subscriber, str] | None:
    """(subscription, new address) a valid confirmation link names, or None."""
    try:
        data = _address_serializer().loads(token or "",
                                           max_age=int(ADDRESS_CHANGE_MAX_AGE.total_seconds()))
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    ident = to_int(str(data.get("s")))
    sub = db.session.get(Subscriber, ident) if ident is not None else None
    if sub is None or sub.secret[:8] != data.get("k") or sub.email != data.get("o") \
            or not isinstance(data.get("e"), str):
        return None
    return sub, data["e"]


@unit_of_work
def confirm_address_change(token: str) -> Subscriber | None:
    found = pending_address_change(token)
    if found is None:
        return None
    sub, email = found
    if db.session.scalar(select(func.count()).where(Subscriber.list_id == sub.list_id,
                                                    Subscriber.email == email,
                                                    Subscriber.id != sub.id)):
        raise ListError(f"L'adresse {email} est déjà abonnée à cette liste.")
    log.info("adresse d'abonnement changée sur %s : %s → %s", sub.mailing_list.address,
             sub.email, email)
    sub.email = email
    sub.own_address = sub.user_id is not None
    if sub.status == SubscriberStatus.DISABLED:  # a new address: a fresh start
        _forget_bounces(sub)
    return sub
