"""Moderators' standing decisions on a list: per-sender rules (« toujours accepter / retenir /
refuser / ignorer ») set from a held message or by address, and emergency moderation (every
post held until a given time). ``access.list_posting_decision`` applies both to every post,
by mail and on the web; these units of work only record them (and settle the held messages
of that sender at once)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ..accounts.models import User
from ..core import audit
from ..core.frdates import format_datetime
from ..core.timeutil import utcnow
from ..core.uow import unit_of_work
from ..extensions import db
from .models import (SENDER_ACTION_LABELS, ListMessage, MailingList, MessageStatus, SenderAction,
                     SenderRule)
from .services import ListError, _publish, _queue_notice, normalise_address

REJECT_REASON = "Les modérateurs de la liste n'acceptent pas les messages de cette adresse."


def sender_rules(mlist: MailingList) -> list[SenderRule]:
    return list(db.session.scalars(select(SenderRule).where(SenderRule.list_id == mlist.id)
                                   .order_by(SenderRule.email)))


def _set_rule(mlist: MailingList, email: str, action: SenderAction, by: User) -> SenderRule:
    rule = db.session.scalar(select(SenderRule).where(SenderRule.list_id == mlist.id,
                                                      SenderRule.email == email))
    if rule is None:
        rule = SenderRule(list_id=mlist.id, email=email, action=action, created_by_id=by.id)
        db.session.add(rule)
    rule.action, rule.created_by_id, rule.created_at = action, by.id, utcnow()
    audit.record("list.updated", actor=by, organisation=mlist.space.organisation,
                 target=mlist.address,
                 detail=f"règle d'expéditeur : {email} — {SENDER_ACTION_LABELS[action]}")
    return rule


@unit_of_work
def set_sender_rule(mlist: MailingList, email: str, action, *, by: User) -> SenderRule:
    """A rule typed on the rules page, for an address that has not written yet."""
    try:
        action = SenderAction(action)
    except ValueError as exc:
        raise ListError("Choisissez ce qu'il faut faire des messages de cette adresse.") from exc
    return _set_rule(mlist, normalise_address(email), action, by)


@unit_of_work
def rule_from_held(message: ListMessage, action, *, by: User) -> int:
    """The moderator's choice for the sender of a held message, for all their posts: the
    rule is kept, and this message and the sender's other held ones are settled now
    (accepted: published; refused: the sender is told; ignored: dropped silently; retained:
    left in the queue). Returns how many held messages were settled."""
    if message.status != MessageStatus.HELD:
        raise ListError("Ce message a déjà été traité.")
    try:
        action = SenderAction(action)
    except ValueError as exc:
        raise ListError("Choisissez ce qu'il faut faire des messages de cet expéditeur.") \
            from exc
    mlist = message.mailing_list
    _set_rule(mlist, message.sender_email, action, by)
    if action == SenderAction.HOLD:
        return 0
    held = list(db.session.scalars(select(ListMessage).where(
        ListMessage.list_id == mlist.id, ListMessage.status == MessageStatus.HELD,
        ListMessage.sender_email == message.sender_email).order_by(ListMessage.created_at)))
    for each in held:
        each.moderated_by_id = by.id
        if action == SenderAction.ACCEPT:
            _publish(each)
            continue
        each.status = MessageStatus.REJECTED
        if action == SenderAction.REJECT:
            each.reject_reason = REJECT_REASON
            _queue_notice(each.sender_email,
                          f"Votre message à {mlist.address} n'a pas été diffusé",
                          "list_rejected", mlist=mlist, message=each, reason=REJECT_REASON)
        else:
            each.reject_reason = "Ignoré (règle d'expéditeur)."
    return len(held)


@unit_of_work
def remove_sender_rule(rule: SenderRule, *, by: User) -> None:
    mlist = db.session.get(MailingList, rule.list_id)
    audit.record("list.updated", actor=by, organisation=mlist.space.organisation,
                 target=mlist.address, detail=f"règle d'expéditeur retirée : {rule.email}")
    db.session.delete(rule)


@unit_of_work
def start_emergency(mlist: MailingList, until: datetime | None, *, by: User) -> None:
    """Hold every post (but the moderators') until ``until`` (UTC, naive)."""
    if until is None or until <= utcnow():
        raise ListError("Indiquez une date et une heure à venir pour la fin de la modération "
                        "d'urgence.")
    if until > utcnow() + timedelta(days=366):
        raise ListError("La modération d'urgence dure au plus un an.")
    mlist.emergency_until = until
    audit.record("list.updated", actor=by, organisation=mlist.space.organisation,
                 target=mlist.address, detail=f"modération d'urgence jusqu'au {format_datetime(until)}")


@unit_of_work
def end_emergency(mlist: MailingList, *, by: User) -> None:
    mlist.emergency_until = None
    audit.record("list.updated", actor=by, organisation=mlist.space.organisation,
                 target=mlist.address, detail="fin de la modération d'urgence")
