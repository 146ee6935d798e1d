"""The accessibility statement (RGAA 4.1): audits recorded by the platform admin, and the
compliance level they give.

The statement follows the RGAA model: its level is « non conforme » until an audit is recorded;
then it follows the audit's rate of compliance with the RGAA criteria (``compliance_level``). The
latest audit is the one the statement, the footer and the home page show; earlier ones are kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask import current_app, g, has_request_context
from sqlalchemy import Date, DateTime, ForeignKey, Numeric, String, Text, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from . import audit, hooks
from .timeutil import utcnow
from .uow import unit_of_work

NON_COMPLIANT = "non conforme"
PARTIALLY_COMPLIANT = "partiellement conforme"
FULLY_COMPLIANT = "totalement conforme"


class AccessibilityError(ValueError):
    """A refused audit record; the message is in French, for the form."""


def compliance_level(rate: Decimal | float | None) -> str:
    """The RGAA rule: every criterion met (100 %) → totally compliant; at least half → partially;
    less, or no audit yet → not compliant."""
    if rate is None:
        return NON_COMPLIANT
    if rate >= 100:
        return FULLY_COMPLIANT
    if rate >= 50:
        return PARTIALLY_COMPLIANT
    return NON_COMPLIANT


class AccessibilityAudit(db.Model):
    """One recorded audit of RGAA compliance, and the statement established from it."""
    __tablename__ = "accessibility_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    audited_on: Mapped[date] = mapped_column(Date)
    auditor: Mapped[str] = mapped_column(String(200))
    # Share of the applicable RGAA criteria that are met, in percent (e.g. 76.47).
    compliance_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    # One item a line: what is not accessible, why, and what to use instead.
    non_compliances: Mapped[str] = mapped_column(Text, default="")
    derogations: Mapped[str] = mapped_column(Text, default="")       # disproportionate burden
    exemptions: Mapped[str] = mapped_column(Text, default="")        # content not subject to it
    pages_checked: Mapped[str] = mapped_column(Text, default="")
    test_environment: Mapped[str] = mapped_column(Text, default="")  # browsers, screen readers
    statement_date: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def level(self) -> str:
        return compliance_level(self.compliance_rate)

    @property
    def rate_fr(self) -> str:
        """« 76,5 », « 100 »: the rate as French readers write it."""
        return f"{self.compliance_rate:.2f}".rstrip("0").rstrip(".").replace(".", ",")

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line.strip(" -•\t") for line in (text or "").splitlines() if line.strip(" -•\t")]


@dataclass(frozen=True)
class Statement:
    """What the statement page shows: the latest audit (or none) and the contact means."""
    audit: AccessibilityAudit | None
    level: str
    date: date | None
    contact_email: str | None
    contact_url: str | None


def latest_audit() -> AccessibilityAudit | None:
    return db.session.scalar(select(AccessibilityAudit)
                             .order_by(AccessibilityAudit.id.desc()).limit(1))


def audits() -> list[AccessibilityAudit]:
    return list(db.session.scalars(select(AccessibilityAudit)
                                   .order_by(AccessibilityAudit.id.desc())))


def current_level() -> str:
    """The compliance level the footer and the home page show (read once per request).

    The error pages show the footer too, the 500 page included: if the database cannot answer,
    the level shown is « non conforme », which claims nothing. On a signed-in page the rate is
    read with the header's counters (``hooks.register_header_value``): no statement of its own."""
    if has_request_context() and "accessibility_level" in g:
        return g.accessibility_level
    try:
        rate = hooks.header_value("accessibility_rate")
    except SQLAlchemyError:
        current_app.logger.warning("accessibility level unknown: the database did not answer")
        return NON_COMPLIANT
    level = compliance_level(rate)
    if has_request_context():
        g.accessibility_level = level
    return level


def _latest_rate():
    return (select(AccessibilityAudit.compliance_rate)
            .order_by(AccessibilityAudit.id.desc()).limit(1))


hooks.register_header_value("accessibility_rate", _latest_rate)


def statement() -> Statement:
    config = current_app.config
    last = latest_audit()
    written = config.get("ACCESSIBILITY_STATEMENT_DATE")
    return Statement(audit=last, level=compliance_level(last.compliance_rate if last else None),
                     date=last.statement_date if last else
                     (date.fromisoformat(written) if written else None),
                     contact_email=config.get("ACCESSIBILITY_CONTACT_EMAIL") or None,
                     contact_url=config.get("ACCESSIBILITY_CONTACT_URL") or None)


@unit_of_work
def record_audit(*, audited_on: date, auditor: str, compliance_rate: Decimal, by,
                 statement_date: date | None = None, non_compliances: str = "",
                 derogations: str = "", exemptions: str = "", pages_checked: str = "",
                 test_environment: str = "") -> AccessibilityAudit:
    """Record an audit; the statement is established from it (today, unless a date is given)."""
    today = utcnow().date()
    statement_date = statement_date or today
    auditor = (auditor or "").strip()
    if not auditor:
        raise AccessibilityError("Indiquez qui a réalisé l'audit.")
    if compliance_rate is None or not 0 <= compliance_rate <= 100:
        raise AccessibilityError("Le taux de conformité est un pourcentage, entre 0 et 100.")
    if audited_on > today or statement_date > today:
        raise AccessibilityError("Les dates ne peuvent pas être dans le futur.")
    if statement_date < audited_on:
        raise AccessibilityError("La déclaration ne peut pas être antérieure à l'audit.")
    record = AccessibilityAudit(
        audited_on=audited_on, auditor=auditor[:200],
        compliance_rate=Decimal(compliance_rate).quantize(Decimal("0.01")),
        non_compliances=non_compliances or "", derogations=derogations or "",
        exemptions=exemptions or "", pages_checked=pages_checked or "",
        test_environment=test_environment or "", statement_date=statement_date,
        recorded_by_id=getattr(by, "id", None))
    db.session.add(record)
    audit.record("accessibility.audit_recorded", actor=by, target=auditor[:200],
                 detail=f"{record.compliance_rate} % ({record.level})")
    return record
