"""Subsidy dossiers: an organisation applies for an aid of the directory, with its financing
plan and the documents the aid requires; the council's instructors take it through the
commission permanente to a grant, paid in instalments. Every transition is a ``DossierEvent``."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation, User
from ..core.attachments import AttachmentMixin
from ..core.timeutil import utcnow
from ..core.types import LabelledEnum, enum_column
from ..extensions import db
from ..publications.aids.models import Aid

Money = Numeric(14, 2)


class DossierState(LabelledEnum):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Déposé"
    INCOMPLETE = "incomplete", "Incomplet"
    UNDER_REVIEW = "under_review", "En instruction"
    PROPOSED = "proposed", "Proposé à la commission permanente"
    GRANTED = "granted", "Accordé"
    REFUSED = "refused", "Refusé"
    CLOSED = "closed", "Soldé"
    LAPSED = "lapsed", "Caduc"


class FunderKind(LabelledEnum):
    AID = "aid", "L'aide demandée"
    PUBLIC = "public", "Autre financeur public"
    PRIVATE = "private", "Financeur privé"
    OWN = "own", "Fonds propres"


PUBLIC_KINDS = (FunderKind.AID, FunderKind.PUBLIC)


class PaymentKind(LabelledEnum):
    ADVANCE = "advance", "Avance"
    PARTIAL = "partial", "Acompte"
    BALANCE = "balance", "Solde"


class SubsidyInstructor(db.Model):
    """A person of the council who instructs every dossier of one programme."""
    __tablename__ = "subsidy_instructor"
    __table_args__ = (UniqueConstraint("user_id", "programme"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    programme: Mapped[str] = mapped_column(String(200), index=True)
    user: Mapped[User] = relationship()


class SubsidyRequirement(db.Model):
    """A document an aid's dossiers must carry before they are submitted."""
    __tablename__ = "subsidy_requirement"

    id: Mapped[int] = mapped_column(primary_key=True)
    aid_id: Mapped[int] = mapped_column(ForeignKey("aid.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    aid: Mapped[Aid] = relationship()


class SubsidyDossier(db.Model):
    __tablename__ = "subsidy_dossier"
    __table_args__ = (Index("ix_subsidy_dossier_state_deadline", "state", "works_deadline"),
                      # the instructors' list, last submitted first, a page at a time
                      Index("ix_subsidy_dossier_submitted", "submitted_at", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    aid_id: Mapped[int] = mapped_column(ForeignKey("aid.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    state: Mapped[DossierState] = mapped_column(enum_column(DossierState, "dossier_state"),
                                                default=DossierState.DRAFT, index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    communes: Mapped[str] = mapped_column(Text, default="")
    cost_excl_vat: Mapped[Decimal] = mapped_column(Money)
    cost_incl_vat: Mapped[Decimal] = mapped_column(Money)
    amount_requested: Mapped[Decimal] = mapped_column(Money)
    schedule: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    sitting_on: Mapped[date | None] = mapped_column(Date)
    amount_granted: Mapped[Decimal | None] = mapped_column(Money)
    conditions: Mapped[str] = mapped_column(Text, default="")
    works_deadline: Mapped[date | None] = mapped_column(Date)
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id",
                                                                 ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    aid: Mapped[Aid] = relationship()
    organisation: Mapped[Organisation] = relationship()
    lines: Mapped[list[FinancingLine]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="FinancingLine.id")
    documents: Mapped[list[DossierDocument]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="DossierDocument.id")
    events: Mapped[list[DossierEvent]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="DossierEvent.id")
    payments: Mapped[list[SubsidyPayment]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="SubsidyPayment.id")

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal("0.00"))

    @property
    def plan_total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


class FinancingLine(db.Model):
    __tablename__ = "subsidy_financing_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("subsidy_dossier.id", ondelete="CASCADE"), index=True)
    kind: Mapped[FunderKind] = mapped_column(enum_column(FunderKind, "funder_kind"))
    funder: Mapped[str] = mapped_column(String(200), default="")
    amount: Mapped[Decimal] = mapped_column(Money)
    dossier: Mapped[SubsidyDossier] = relationship(back_populates="lines")


class DossierDocument(AttachmentMixin, db.Model):
    __tablename__ = "subsidy_dossier_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("subsidy_dossier.id", ondelete="CASCADE"), index=True)
    requirement_id: Mapped[int | None] = mapped_column(
        ForeignKey("subsidy_requirement.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    dossier: Mapped[SubsidyDossier] = relationship(back_populates="documents")
    requirement: Mapped[SubsidyRequirement | None] = relationship()


class DossierEvent(db.Model):
    """One step of a dossier's history: who, when, from which state to which, why, what
    changed."""
    __tablename__ = "subsidy_dossier_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("subsidy_dossier.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id",
                                                           ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    from_state: Mapped[str] = mapped_column(String(30), default="")
    to_state: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[str] = mapped_column(Text, default="")
    dossier: Mapped[SubsidyDossier] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()

    @property
    def to_label(self) -> str:
        return DossierState(self.to_state).label

    @property
    def from_label(self) -> str:
        return DossierState(self.from_state).label if self.from_state else ""


class SubsidyPayment(db.Model):
    __tablename__ = "subsidy_payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("subsidy_dossier.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PaymentKind] = mapped_column(enum_column(PaymentKind, "payment_kind"))
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_on: Mapped[date] = mapped_column(Date)
    dossier: Mapped[SubsidyDossier] = relationship(back_populates="payments")
