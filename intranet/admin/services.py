"""Read models for the administration pages (the changes go through accounts/spaces services)."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import DateTime, Integer, Select, String, and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased

from ..accounts.finder import name_matches, words_of
from ..accounts.models import Membership, Organisation, User
from ..core.audit import ACTION_LABELS, AuditEvent
from ..extensions import db
from ..mail.models import OutboxMessage, OutboxStatus
from ..spaces.models import Space


def audit_lines(*, organisation: Organisation | None = None, action: str = "", who: str = "",
                ip: str = "", start=None, end=None) -> tuple[Select, dict]:
    """The log's lines as its page reads them, newest first: the columns it shows and the
    actor's name, in one statement of rows (not the session's objects: a page holds 50
    lines). Given as the statement, built once for each set of filters used
    (``_audit_statement``), and the values of its parameters."""
    params: dict = {}
    if organisation is not None:
        params["organisation_id"] = organisation.id
    if action:
        params["action"] = action
    if who:
        params["who"] = f"%{who.strip().lower()}%"
    if ip:
        params["ip"] = ip.strip()
    if start:
        params["start"] = datetime.combine(start, time.min)
    if end:
        params["end"] = datetime.combine(end, time.min) + timedelta(days=1)
    return _audit_statement(frozenset(params)), params


@cache
def _audit_statement(filters: frozenset[str]) -> Select:
    """``audit_lines``' statement for the filters named in ``filters`` (its parameters)."""
    actor = aliased(User)    # not the User of a filter's subquery
    query = (select(AuditEvent.created_at, AuditEvent.action, AuditEvent.target, AuditEvent.ip,
                    AuditEvent.detail, actor.first_name, actor.last_name, actor.email)
             .select_from(AuditEvent).outerjoin(actor, actor.id == AuditEvent.actor_id)
             .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()))
    if "organisation_id" in filters:
        organisation_id = bindparam("organisation_id", type_=Integer)
        member_ids = select(Membership.user_id).where(
            Membership.organisation_id == organisation_id)
        # An organisation's part of the log: its administrative events and its members' sign-ins.
        query = query.where(or_(AuditEvent.organisation_id == organisation_id,
                                (AuditEvent.action.like("login.%")
                                 & AuditEvent.actor_id.in_(member_ids))))
    if "action" in filters:
        query = query.where(AuditEvent.action == bindparam("action", type_=String))
    if "who" in filters:
        pattern = bindparam("who", type_=String)
        actor_ids = select(User.id).where(func.lower(User.email).like(pattern))
        query = query.where(or_(AuditEvent.target.ilike(pattern),
                                AuditEvent.actor_id.in_(actor_ids)))
    if "ip" in filters:
        query = query.where(AuditEvent.ip == bindparam("ip", type_=String))
    if "start" in filters:
        query = query.where(AuditEvent.created_at >= bindparam("start", type_=DateTime))
    if "end" in filters:
        query = query.where(AuditEvent.created_at < bindparam("end", type_=DateTime))
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
