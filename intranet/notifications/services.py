"""Notify people: one row per person in the notification centre, in the caller's transaction,
and an email per their preference (queued in the outbox, never sent in the request).

``notify`` (and ``settings_for``) add to the caller's unit of work and never commit: they are
steps of other services' changes. The person's own actions (``mark_read``,
``set_preferences``) are units of work; ``send_digests`` is a worker loop whose steps — one
person's digest each — commit one by one."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from ..core.pagination import paginate
from ..accounts.models import User
from ..core.timeutil import utcnow
from ..core.uow import transaction, unit_of_work
from ..core.urls import absolute_url
from ..extensions import db
from ..mail import services as mail
from .models import Delivery, Notification, NotificationPreference, NotificationSettings


@dataclass(frozen=True)
class Kind:
    key: str
    label: str                      # shown on the preferences page
    default: Delivery = Delivery.IMMEDIATE


KINDS: dict[str, Kind] = {}


def register_kind(key: str, label: str, default: Delivery = Delivery.IMMEDIATE) -> Kind:
    """Each domain declares the kinds of notification it sends (once, at import)."""
    kind = KINDS.setdefault(key, Kind(key, label, default))
    return kind


register_kind("space.join_request", "Demandes d'adhésion à mes groupes")


def delivery_for(user: User, kind: str) -> Delivery:
    chosen = db.session.scalar(select(NotificationPreference.delivery).where(
        NotificationPreference.user_id == user.id, NotificationPreference.kind == kind))
    if chosen is not None:
        return Delivery(chosen)
    return KINDS[kind].default if kind in KINDS else Delivery.IMMEDIATE


def deliveries_for(user: User) -> dict[str, Delivery]:
    """What ``delivery_for`` answers for every kind, in one statement (the preferences page)."""
    chosen = dict(db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.delivery)
        .where(NotificationPreference.user_id == user.id)).all())
    return {key: Delivery(chosen[key]) if chosen.get(key) is not None else kind.default
            for key, kind in KINDS.items()}


def settings_for(user: User) -> NotificationSettings:
    settings = db.session.get(NotificationSettings, user.id)
    if settings is None:
        settings = NotificationSettings(user_id=user.id, mail_content=True)
        db.session.add(settings)
    return settings


def notify(users, kind: str, title: str, *, url: str = "", body: str = "", actor=None,
           reply_to: str | None = None) -> list[Notification]:
    """Notify each active person (never the actor); mail those who want it at once.

    ``url`` is site-relative; ``body`` is plain text and may be private: it goes into the
    email only for people who accept content in their emails. ``reply_to`` (a signed reply
    address) lets them answer from their mail app."""
    created = []
    for user in {u.id: u for u in users}.values():
        if not user.active or (actor is not None and user.id == actor.id):
            continue
        note = Notification(user_id=user.id, kind=kind, title=title[:300], body=body, url=url,
                            actor_id=getattr(actor, "id", None))
        db.session.add(note)
        created.append(note)
        if delivery_for(user, kind) == Delivery.IMMEDIATE:
            _mail_now(user, note, reply_to)
    return created


def _link(url: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url if url.startswith("/") else url


def _mail_now(user: User, note: Notification, reply_to: str | None) -> None:
    with_content = settings_for(user).mail_content
    mail.queue(user.email, note.title, "notification", user=user, note=note,
               link=_link(note.url) if note.url else "", with_content=with_content,
               preferences=absolute_url("notifications.preferences"),
               reply_to=reply_to if with_content else None)
    note.mailed_at = utcnow()


def send_digests(now=None) -> int:
    """One email per person with what they chose to receive as a daily digest and have not
    read nor received yet. Run daily (``flask notifications digest``). A worker loop: each
    person's digest (the mail queued, the notifications marked as mailed, the day noted) is
    its own step and commits on its own, so that one failure loses no one else's. Returns
    mails queued."""
    now = now or utcnow()
    digest_kinds = {k for k, kind in KINDS.items() if kind.default == Delivery.DIGEST}
    rows = db.session.execute(
        select(Notification.id, Notification.user_id, Notification.kind,
               NotificationPreference.delivery)
        .outerjoin(NotificationPreference,
                   (NotificationPreference.user_id == Notification.user_id)
                   & (NotificationPreference.kind == Notification.kind))
        .where(Notification.mailed_at.is_(None), Notification.read_at.is_(None),
               Notification.created_at <= now)
        .order_by(Notification.user_id, Notification.created_at)).all()
    by_user: dict[int, list[int]] = {}
    for note_id, user_id, kind, chosen in rows:
        delivery = Delivery(chosen) if chosen else (
            Delivery.DIGEST if kind in digest_kinds else None)
        if delivery == Delivery.DIGEST:
            by_user.setdefault(user_id, []).append(note_id)
    sent = 0
    for user_id, note_ids in by_user.items():
        with transaction():
            sent += _send_digest(user_id, note_ids, now)
    return sent


def _send_digest(user_id: int, note_ids: list[int], now) -> int:
    """One person's digest (one step of ``send_digests``): 1 if queued, else 0."""
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return 0
    settings = settings_for(user)
    if settings.last_digest_at and now - settings.last_digest_at < timedelta(hours=20):
        return 0  # one digest a day, whatever how often the job runs
    notes = list(db.session.scalars(select(Notification).where(Notification.id.in_(note_ids))
                                    .order_by(Notification.created_at, Notification.id)))
    mail.queue(user.email, f"Votre résumé du jour : {len(notes)} nouveauté"
               f"{'s' if len(notes) > 1 else ''}", "digest", user=user, notes=notes,
               with_content=settings.mail_content, link=_link,
               preferences=absolute_url("notifications.preferences"))
    for note in notes:
        note.mailed_at = now
    settings.last_digest_at = now
    return 1


def unread_query(user_id):
    """SELECT of the number of a person's unread notifications (``user_id``: their id, or a
    bound parameter): the header's counter."""
    return select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))


def unread_count(user: User) -> int:
    return db.session.scalar(unread_query(user.id))


def recent(user: User, page: int = 1, per_page: int = 30):
    return paginate(select(Notification).where(Notification.user_id == user.id)
                       .order_by(Notification.created_at.desc(), Notification.id.desc()),
                       page=page, per_page=per_page)


@unit_of_work
def mark_read(user: User, note_id: int | None = None) -> None:
    query = update(Notification).where(Notification.user_id == user.id,
                                       Notification.read_at.is_(None))
    if note_id is not None:
        query = query.where(Notification.id == note_id)
    db.session.execute(query.values(read_at=utcnow()))


@unit_of_work
def set_preferences(user: User, choices: dict[str, Delivery], mail_content: bool) -> None:
    existing = {p.kind: p for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    for kind, delivery in choices.items():
        if kind not in KINDS:
            continue
        if kind in existing:
            existing[kind].delivery = delivery
        else:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, delivery=delivery))
    settings_for(user).mail_content = mail_content
