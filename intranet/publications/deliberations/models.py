"""Deliberations and other acts, the sittings that adopt them, and each organisation's
publication settings (SIRET for the SCDL export, publication mode of small communes).

An act is a publication (``PublicationMixin``): its publisher's editors write it; until it is
published only the publisher's members see it. The rules of ordonnance 2021-1310 and décret
2021-1311 (date put online, signatory, two months online, list of a sitting within a week) are
enforced in ``services``.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import (Date, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...accounts.models import Organisation, User
from ...core.types import LabelledEnum, enum_column
from ...core.frdates import format_date
from ...core.models import StoredFile, TimestampMixin
from ...core.attachments import AttachmentMixin
from ..lifecycle import PublicationMixin
from ...core import uploads
from ...core.sanitize import to_text
from ...core.urls import path_for
from ...search.documents import SearchDocument, searchable
from ...core.timeutil import to_paris, today_paris, utcnow
from ...extensions import db
from . import classification

# The list of a sitting's deliberations is put online within a week of the sitting.
SITTING_LIST_DELAY = timedelta(days=7)
# The minutes of a sitting are put online within a week of their approval (at the next sitting).
MINUTES_DELAY = timedelta(days=7)
# An act stays online at least two months (article L2131-1 CGCT as of 1 July 2022).
MINIMUM_MONTHS_ONLINE = 2
# Communes under this population may choose another publication mode.
SMALL_COMMUNE_POPULATION = 3500


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, or the month's last day (31 December + 2 → 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


class ActNature(LabelledEnum):
    """The six natures of the ACTES nomenclature."""
    DELIBERATION = "deliberation", "Délibération"
    REGULATORY = "acte_reglementaire", "Acte réglementaire"
    INDIVIDUAL = "acte_individuel", "Acte individuel"
    CONTRACT = "contrat_convention", "Contrat, convention"
    BUDGET = "budget", "Document budgétaire"
    OTHER = "autre", "Autre acte"


NATURE_LABELS = ActNature.labels()
# The SCDL « délibérations » dataset holds what an assembly voted.
SCDL_NATURES = (ActNature.DELIBERATION, ActNature.BUDGET)


class Assembly(LabelledEnum):
    MUNICIPAL_COUNCIL = "conseil_municipal", "Conseil municipal"
    COMMUNITY_COUNCIL = "conseil_communautaire", "Conseil communautaire"
    DEPARTMENTAL_COUNCIL = "conseil_departemental", "Conseil départemental"
    STANDING_COMMITTEE = "commission_permanente", "Commission permanente"
    BUREAU = "bureau", "Bureau"
    OTHER = "autre", "Autre instance ou autorité"


ASSEMBLY_LABELS = Assembly.labels()


class PublicationMode(LabelledEnum):
    """How a commune under 3,500 inhabitants makes its acts enforceable (L2131-1 CGCT)."""
    ELECTRONIC = "electronique", "Publication électronique (sur ce site)"
    POSTING = "affichage", "Affichage (en mairie)"
    PAPER = "papier", "Publication sur papier (tenue à disposition du public)"


PUBLICATION_MODE_LABELS = PublicationMode.labels()


class Sitting(TimestampMixin, db.Model):
    """A sitting of an assembly (or, for an act outside any sitting, the date of the decision).
    Its list of deliberations is put online within a week (``list_published_at``)."""
    __tablename__ = "deliberation_sitting"
    __table_args__ = (UniqueConstraint("organisation_id", "assembly", "sitting_date",
                                       name="uq_deliberation_sitting"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    assembly: Mapped[Assembly] = mapped_column(enum_column(Assembly, "deliberation_assembly"))
    sitting_date: Mapped[date] = mapped_column(Date, index=True)
    list_published_at: Mapped[datetime | None] = mapped_column(DateTime)
    list_published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    # The agenda (ordre du jour): one item a line, as its editors typed it.
    agenda: Mapped[str] = mapped_column(Text, default="", server_default="")

    organisation: Mapped[Organisation] = relationship()
    list_published_by: Mapped[User | None] = relationship()
    minutes: Mapped[SittingMinutes | None] = relationship(
        back_populates="sitting", cascade="all, delete-orphan", uselist=False)

    @property
    def agenda_items(self) -> list[str]:
        return [line.strip() for line in (self.agenda or "").splitlines() if line.strip()]

    @property
    def title(self) -> str:
        return f"{self.assembly.label} du {format_date(self.sitting_date)}"

    @property
    def list_deadline(self) -> date:
        """Last day to put the list of deliberations online."""
        return self.sitting_date + SITTING_LIST_DELAY

    @property
    def list_is_late(self) -> bool:
        if self.list_published_at is not None:
            return to_paris(self.list_published_at).date() > self.list_deadline
        return today_paris() > self.list_deadline


class SittingMinutes(PublicationMixin, TimestampMixin, db.Model):
    """The minutes (procès-verbal) of a sitting: a PDF, approved at the next sitting and put
    online within a week of that approval (ordonnance 2021-1310). A publication: the one life
    cycle publishes and withdraws it."""
    __tablename__ = "sitting_minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(
        ForeignKey("deliberation_sitting.id", ondelete="CASCADE"), unique=True)
    # The date of the sitting that approved them (None: not approved yet).
    approved_on: Mapped[date | None] = mapped_column(Date)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    sitting: Mapped[Sitting] = relationship(back_populates="minutes")
    file: Mapped[StoredFile | None] = relationship(foreign_keys=[file_id])

    @property
    def deadline(self) -> date | None:
        """Last day to put the approved minutes online."""
        return self.approved_on + MINUTES_DELAY if self.approved_on else None

    @property
    def is_late(self) -> bool:
        if self.approved_on is None:
            return False
        if self.published_at is not None:
            return to_paris(self.published_at).date() > self.deadline
        return today_paris() > self.deadline


@searchable("deliberation", "Délibérations et actes")
class Deliberation(PublicationMixin, TimestampMixin, db.Model):
    """An act: a deliberation, an arrêté, a contract, a budget…"""
    __tablename__ = "deliberation"
    __table_args__ = (
        UniqueConstraint("organisation_id", "number", name="uq_deliberation_number"),
        Index("ix_deliberation_org_sitting_date", "organisation_id", "sitting_date"),
        Index("ix_deliberation_status_sitting_date", "status", "sitting_date"),
        # The public list's count, years and publishers read this index alone (PostgreSQL's
        # index-only scan): 20,000 acts counted in 2 ms instead of 13 ms.
        Index("ix_deliberation_listing", "status", "visibility", "sitting_date",
              "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nature: Mapped[ActNature] = mapped_column(enum_column(ActNature, "act_nature"),
                                              default=ActNature.DELIBERATION)
    number: Mapped[str] = mapped_column(String(15))
    sitting_id: Mapped[int] = mapped_column(
        ForeignKey("deliberation_sitting.id", ondelete="CASCADE"), index=True)
    # Copies of the sitting's, kept in step by the services, for filters and the index.
    sitting_date: Mapped[date] = mapped_column(Date)
    assembly: Mapped[Assembly] = mapped_column(enum_column(Assembly, "deliberation_assembly"))
    subject: Mapped[str] = mapped_column(String(500))
    matiere_code: Mapped[str] = mapped_column(String(5), index=True)
    body_source: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    # Votes (all five or none): members in office, present, for, against, abstentions.
    members_in_office: Mapped[int | None] = mapped_column(Integer)
    members_present: Mapped[int | None] = mapped_column(Integer)
    votes_for: Mapped[int | None] = mapped_column(Integer)
    votes_against: Mapped[int | None] = mapped_column(Integer)
    abstentions: Mapped[int | None] = mapped_column(Integer)
    budget_year: Mapped[str | None] = mapped_column(String(9))
    budget_name: Mapped[str | None] = mapped_column(String(200))
    # The act's author (décret 2021-1311): who signed it, and as what.
    signatory_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_function: Mapped[str] = mapped_column(String(200), default="")
    act_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="SET NULL"))
    # Contrôle de légalité: date sent to the préfecture and its acknowledgement.
    transmitted_on: Mapped[date | None] = mapped_column(Date)
    acknowledgement_id: Mapped[str | None] = mapped_column(String(60))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    sitting: Mapped[Sitting] = relationship()
    act_file: Mapped[StoredFile | None] = relationship(foreign_keys=[act_file_id])
    annexes: Mapped[list[DeliberationAnnex]] = relationship(
        back_populates="deliberation", cascade="all, delete-orphan",
        order_by="DeliberationAnnex.position")

    @property
    def matiere(self) -> classification.Matiere | None:
        return classification.get(self.matiere_code)

    @property
    def body_format(self) -> str:
        """"html" when the body was written in the editor (its source is then the sanitised
        HTML itself), else "text" (Markdown-like, typed without JavaScript or imported)."""
        return "html" if self.body_source and self.body_source == self.body_html else "text"

    @property
    def has_votes(self) -> bool:
        return self.members_in_office is not None

    @property
    def votes_cast(self) -> int | None:
        if not self.has_votes:
            return None
        return (self.votes_for or 0) + (self.votes_against or 0) + (self.abstentions or 0)

    @property
    def online_until_at_least(self) -> date | None:
        """First day it may be withdrawn: two months after it was put online (Paris date)."""
        if self.published_at is None:
            return None
        return add_months(to_paris(self.published_at).date(), MINIMUM_MONTHS_ONLINE)

    @property
    def display_title(self) -> str:
        return f"{self.nature.label} n° {self.number} — {self.subject}"

    def search_document(self) -> SearchDocument | None:
        act_text = uploads.text_of(self.act_file) if self.act_file else ""
        return self.publication_document(
            type_key="deliberation", title=self.display_title,
            body=f"{self.assembly.label}\n{to_text(self.body_html)}\n{act_text}".strip(),
            url=path_for("deliberations.show", deliberation_id=self.id),
            date=datetime.combine(self.sitting_date, datetime.min.time()))


class DeliberationAnnex(AttachmentMixin, db.Model):
    __tablename__ = "deliberation_annex"

    id: Mapped[int] = mapped_column(primary_key=True)
    deliberation_id: Mapped[int] = mapped_column(
        ForeignKey("deliberation.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    deliberation: Mapped[Deliberation] = relationship(back_populates="annexes")


class DeliberationSettings(db.Model):
    """One organisation's settings for its acts, edited by its admins."""
    __tablename__ = "deliberation_settings"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    # SIREN (9) + NIC (5) of the establishment that adopts the acts (COLL_SIRET of the SCDL).
    siret: Mapped[str | None] = mapped_column(String(14))
    # Communes under 3,500 inhabitants: their chosen publication mode and the deliberation
    # that chose it.
    publication_mode: Mapped[PublicationMode] = mapped_column(
        enum_column(PublicationMode, "act_publication_mode"), default=PublicationMode.ELECTRONIC)
    mode_chosen_on: Mapped[date | None] = mapped_column(Date)
    mode_deliberation_number: Mapped[str | None] = mapped_column(String(15))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()
