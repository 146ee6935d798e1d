"""Read models for the administration pages (the changes go through accounts/spaces services)."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from ..accounts.finder import name_matches, words_of
from ..accounts.models import Membership, Organisation, User
from ..core.audit import ACTION_LABELS, AuditEvent
from ..extensions import db
from ..mail.models import OutboxMessage, OutboxStatus
from ..spaces.models import Space


def audit_query(*, organisation: Organisation | None = None, action: str = "", who: str = "",
                ip: str = "", start=None, end=None):
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if organisation is not None:
        member_ids = select(Membership.user_id).where(Membership.organisation_id == organisation.id)
        # An organisation's part of the log: its administrative events and its members' sign-ins.
        query = query.where(or_(AuditEvent.organisation_id == organisation.id,
                                (AuditEvent.action.like("login.%")
                                 & AuditEvent.actor_id.in_(member_ids))))
    if action:
        query = query.where(AuditEvent.action == action)
    if who:
        pattern = f"%{who.strip().lower()}%"
        actor_ids = select(User.id).where(func.lower(User.email).like(pattern))
        query = query.where(or_(AuditEvent.target.ilike(pattern), AuditEvent.actor_id.in_(actor_ids)))
    if ip:
        query = query.where(AuditEvent.ip == ip.strip())
    if start:
        query = query.where(AuditEvent.created_at >= datetime.combine(start, time.min))
    if end:
        query = query.where(AuditEvent.created_at < datetime.combine(end, time.min) + timedelta(days=1))
    return query


class AuditLine(NamedTuple):
    """A line of the log as its page shows it."""
    created_at: datetime
    label: str
    actor: str          # who acted, by name (or email), « » for the system
    target: str
    ip: str
    detail: str

    @classmethod
    def of(cls, row) -> AuditLine:
        created_at, action, target, ip, detail, first_name, last_name, email = row
        actor = f"{first_name or ''} {last_name or ''}".strip() or (email or "")
        return cls(created_at, ACTION_LABELS.get(action, action), actor, target, ip or "",
                   detail)


def audit_lines(query):
    """``audit_query`` as the log's page reads it: the columns it shows and its actor's name,
    in one statement (rows, not the session's objects: a page holds 50 lines)."""
    actor = aliased(User)    # not the User of a filter's subquery
    return query.outerjoin(actor, actor.id == AuditEvent.actor_id).with_only_columns(
        AuditEvent.created_at, AuditEvent.action, AuditEvent.target, AuditEvent.ip,
        AuditEvent.detail, actor.first_name, actor.last_name, actor.email)


def overview() -> dict[str, int]:
    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))
    return {
        "organisations": count(Organisation),
        "users": count(User, User.active.is_(True)),
        "spaces": count(Space),
        "mail_pending": count(OutboxMessage, OutboxMessage.status == OutboxStatus.PENDING),
        "mail_failed": count(OutboxMessage, OutboxMessage.status == OutboxStatus.FAILED),
    }


def users_query(q: str = "", state: str = ""):
    query = select(User).order_by(User.name_key, User.email)
    words = words_of(q)
    if words:   # accents and case ignored, any order: « devillac elodie », « Élodie Dévillac »
        query = query.where(or_(User.email.ilike(f"%{q.strip()}%"),
                                and_(*name_matches(User.name_key, words))))
    if state == "actifs":
        query = query.where(User.active.is_(True))
    elif state == "desactives":
        query = query.where(User.active.is_(False))
    elif state == "invites":
        query = query.where(User.password_hash.is_(None), User.active.is_(True))
    return query


def mail_problems(limit: int = 100) -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage).where(or_(OutboxMessage.status == OutboxStatus.FAILED,
                                        (OutboxMessage.status == OutboxStatus.PENDING)
                                        & (OutboxMessage.attempts > 0)))
        .order_by(OutboxMessage.id.desc()).limit(limit)))
