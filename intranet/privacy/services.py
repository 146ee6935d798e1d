"""Personal data: asking for one's account to be erased, the platform admin's decision, and the
retention periods the worker applies. Each public function is one unit of work."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select

from ..accounts import passwords
from ..accounts.models import User
from ..accounts.sessions import UserSession
from ..core import audit
from ..core.audit import AuditEvent
from ..core.timeutil import utcnow
from ..core.uow import unit_of_work
from ..core.urls import absolute_url
from ..extensions import db
from ..mail import services as mail
from ..mail.models import OutboxMessage, OutboxStatus
from . import erasure
from .models import ErasureRequest, ErasureStatus


FAREWELL_SUBJECT = "Votre compte a été effacé"


class PrivacyError(ValueError):
    """A refused change, with a French message for the person who asked."""


def pending_request(user: User) -> ErasureRequest | None:
    return db.session.scalar(select(ErasureRequest).where(
        ErasureRequest.user_id == user.id, ErasureRequest.status == ErasureStatus.PENDING))


def requests_of(user: User) -> list[ErasureRequest]:
    return list(db.session.scalars(select(ErasureRequest).where(ErasureRequest.user_id == user.id)
                                   .order_by(ErasureRequest.requested_at.desc())))


def pending_requests() -> list[ErasureRequest]:
    return list(db.session.scalars(select(ErasureRequest)
                                   .where(ErasureRequest.status == ErasureStatus.PENDING)
                                   .order_by(ErasureRequest.requested_at)))


def decided_requests(limit: int = 50) -> list[ErasureRequest]:
    return list(db.session.scalars(select(ErasureRequest)
                                   .where(ErasureRequest.status != ErasureStatus.PENDING)
                                   .order_by(ErasureRequest.decided_at.desc()).limit(limit)))


def _target(user: User) -> str:
    return f"compte n° {user.id}"


@unit_of_work
def request_erasure(user: User, *, password: str, note: str = "") -> ErasureRequest:
    """The person asks for their account to be erased, confirming with their password (or, for
    an account without one, ProConnect's, by ticking the confirmation). The platform admins
    are told by mail."""
    if user.has_password and not passwords.verify(user.password_hash, password or ""):
        raise PrivacyError("Le mot de passe est incorrect : la demande n'a pas été envoyée.")
    if pending_request(user) is not None:
        raise PrivacyError("Vous avez déjà une demande d'effacement en attente.")
    request = ErasureRequest(user_id=user.id, note=(note or "").strip()[:2000])
    db.session.add(request)
    db.session.flush()
    audit.record("privacy.erasure_requested", actor=user, target=_target(user))
    admins = db.session.scalars(select(User).where(User.is_platform_admin.is_(True),
                                                   User.active.is_(True), User.id != user.id))
    link = absolute_url("privacy.admin_requests")
    for admin in admins:
        mail.queue(admin.email, "Demande d'effacement d'un compte", "privacy_erasure_requested",
                   admin=admin, person=user, link=link)
    return request


@unit_of_work
def cancel_request(user: User) -> None:
    request = pending_request(user)
    if request is None:
        raise PrivacyError("Vous n'avez pas de demande d'effacement en attente.")
    request.status, request.decided_at = ErasureStatus.CANCELLED, utcnow()
    audit.record("privacy.erasure_cancelled", actor=user, target=_target(user))


def _check_decidable(request: ErasureRequest, by: User) -> None:
    if request.status != ErasureStatus.PENDING:
        raise PrivacyError("Cette demande a déjà été traitée.")
    if request.user_id == by.id:
        raise PrivacyError("Un autre administrateur de la plateforme doit traiter votre propre "
                           "demande.")


@unit_of_work
def confirm_erasure(request: ErasureRequest, *, by: User) -> None:
    """Erase the account (``erasure.erase``), tell the person at the address they had, and
    note it in the audit log without their name."""
    _check_decidable(request, by)
    person = request.user
    address = person.email
    erasure.erase(person)
    request.status, request.decided_at, request.decided_by_id = (ErasureStatus.CONFIRMED,
                                                                 utcnow(), by.id)
    audit.record("privacy.erased", actor=by, target=_target(person))
    # The last mail to the old address (it names nobody); the retention round deletes it once
    # sent, so the address leaves the mail log too.
    mail.queue(address, FAREWELL_SUBJECT, "privacy_erasure_done")


@unit_of_work
def refuse_erasure(request: ErasureRequest, *, by: User, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise PrivacyError("Indiquez la raison du refus : elle est envoyée à la personne.")
    _check_decidable(request, by)
    request.status, request.decided_at, request.decided_by_id = (ErasureStatus.REFUSED,
                                                                 utcnow(), by.id)
    request.refusal_reason = reason[:2000]
    person = request.user
    audit.record("privacy.erasure_refused", actor=by, target=_target(person))
    mail.queue(person.email, "Votre demande d'effacement", "privacy_erasure_refused",
               person=person, reason=request.refusal_reason,
               link=absolute_url("privacy.mine"))


# --- retention ---------------------------------------------------------------------------------


def retention_days() -> dict[str, int]:
    """The periods in force, in days (read by the public page and the worker)."""
    config = current_app.config
    return {"audit": config["PRIVACY_AUDIT_RETENTION_DAYS"],
            "signin": config["PRIVACY_SIGNIN_RETENTION_DAYS"],
            "applications": config["JOBS_APPLICATION_RETENTION_DAYS"],
            "bounces": config["LISTS_BOUNCE_RETENTION_DAYS"]}


@unit_of_work
def apply_retention(now: datetime | None = None) -> tuple[int, int]:
    """Delete the audit lines older than ``PRIVACY_AUDIT_RETENTION_DAYS`` and the ended sign-in
    sessions older than ``PRIVACY_SIGNIN_RETENTION_DAYS`` (an active session is never
    touched); the counts go to the audit log. The farewell mails of erased accounts, once
    sent, go too. Returns (audit lines, sessions)."""
    now = now or utcnow()
    days = retention_days()
    audit_limit = now - timedelta(days=days["audit"])
    session_limit = now - timedelta(days=days["signin"])
    lines = db.session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.created_at < audit_limit))
    if lines:
        db.session.execute(delete(AuditEvent).where(AuditEvent.created_at < audit_limit))
    # A session never marked ended is over once idle longer than any session may live.
    longest = max(current_app.config["SESSION_ABSOLUTE_TIMEOUT"],
                  current_app.config["REMEMBER_COOKIE_DURATION"])
    ended = or_(UserSession.ended_at < session_limit,
                UserSession.ended_at.is_(None)
                & (UserSession.last_seen_at < min(session_limit, now - longest)))
    sessions = db.session.scalar(select(func.count()).select_from(UserSession).where(ended))
    if sessions:
        db.session.execute(delete(UserSession).where(ended))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.subject == FAREWELL_SUBJECT,
                                                   OutboxMessage.status == OutboxStatus.SENT))
    if lines or sessions:
        audit.record("privacy.retention_applied",
                     target=f"{lines} ligne(s) du journal, {sessions} session(s)",
                     detail=f"journal : {days['audit']} jours ; connexions : {days['signin']} jours")
    return lines, sessions
