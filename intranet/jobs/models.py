"""The job exchange (bourse de l'emploi territorial): vacancy notices published by an
organisation through the one publication lifecycle, applications (personal data: never indexed,
purged after the retention period), followed offers and saved searches."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, Date, DateTime, ForeignKey, Index, Integer, Numeric, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation, User
from ..core.attachments import AttachmentMixin
from ..core.models import StoredFile, TimestampMixin
from ..core.sanitize import to_text
from ..core.timeutil import utcnow
from ..core.types import LabelledEnum, enum_column
from ..core.urls import path_for
from ..extensions import db
from ..publications.lifecycle import PublicationMixin
from ..search.documents import SearchDocument, searchable


class PostOrigin(LabelledEnum):
    CREATION = "creation", "Création de poste"
    VACANCY = "vacancy", "Vacance de poste"


class Employment(LabelledEnum):
    PERMANENT = "permanent", "Emploi permanent (fonctionnaire)"
    CONTRACT = "contract", "Contrat"


# Legal bases of a contract (Code général de la fonction publique), as offers cite them.
CONTRACT_BASES = {
    "L332-8-1": "Art. L332-8 1° — absence de cadre d'emplois",
    "L332-8-2": "Art. L332-8 2° — besoins du service ou nature des fonctions (catégories A, B, C)",
    "L332-8-3": "Art. L332-8 3° — commune de moins de 1 000 habitants",
    "L332-8-4": "Art. L332-8 4° — commune de moins de 2 000 habitants, emploi à créer ou supprimer",
    "L332-8-5": "Art. L332-8 5° — emploi à temps non complet de moins de 17 h 30",
    "L332-13": "Art. L332-13 — remplacement d'un agent",
    "L332-14": "Art. L332-14 — vacance temporaire dans l'attente d'un fonctionnaire",
    "L332-23-1": "Art. L332-23 1° — accroissement temporaire d'activité",
    "L332-23-2": "Art. L332-23 2° — accroissement saisonnier d'activité",
    "L332-24": "Art. L332-24 — contrat de projet",
}


class Outcome(LabelledEnum):
    FILLED = "filled", "Pourvue"
    CLOSED = "closed", "Clôturée"


class ApplicationStatus(LabelledEnum):
    UNCONFIRMED = "unconfirmed", "Adresse à confirmer"
    RECEIVED = "received", "Reçue"
    SHORTLISTED = "shortlisted", "Présélectionnée"
    INTERVIEWED = "interviewed", "Entretien"
    REJECTED = "rejected", "Non retenue"
    HIRED = "hired", "Recrutée"


# What the publisher may set, in order; and the French line the applicant receives for each.
FOLLOWED_STATUSES = (ApplicationStatus.RECEIVED, ApplicationStatus.SHORTLISTED,
                     ApplicationStatus.INTERVIEWED, ApplicationStatus.REJECTED,
                     ApplicationStatus.HIRED)


@searchable("job", "Offres d'emploi")
class JobOffer(PublicationMixin, TimestampMixin, db.Model):
    __tablename__ = "job_offer"
    __table_args__ = (Index("ix_job_offer_status_closes", "status", "closes_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(40), default="")
    service: Mapped[str] = mapped_column(String(200), default="")
    missions_source: Mapped[str] = mapped_column(Text, default="")
    missions_html: Mapped[str] = mapped_column(Text, default="")
    missions_format: Mapped[str] = mapped_column(String(10), default="text")
    profile: Mapped[str] = mapped_column(Text, default="")
    specific_conditions: Mapped[str] = mapped_column(Text, default="")
    filiere: Mapped[str] = mapped_column(String(60), default="")
    categorie: Mapped[str] = mapped_column(String(3), default="")
    cadre: Mapped[str] = mapped_column(String(200), default="")
    grades: Mapped[str] = mapped_column(Text, default="")          # "|"-separated
    origin: Mapped[PostOrigin | None] = mapped_column(enum_column(PostOrigin, "job_post_origin"))
    employment: Mapped[Employment | None] = mapped_column(enum_column(Employment,
                                                                      "job_employment"))
    contract_basis: Mapped[str] = mapped_column(String(20), default="")
    full_time: Mapped[bool] = mapped_column(Boolean, default=True)
    hours_per_week: Mapped[float | None] = mapped_column(Numeric(4, 2))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id",
                                                            ondelete="SET NULL"), index=True)
    vacancy_date: Mapped[date | None] = mapped_column(Date)
    start_date: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    salary: Mapped[str] = mapped_column(String(200), default="")
    salary_min: Mapped[int | None] = mapped_column(Integer)         # € gross a month
    salary_max: Mapped[int | None] = mapped_column(Integer)
    how_to_apply: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome, "job_outcome"))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)
    republished_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("job_offer.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    place: Mapped[Organisation | None] = relationship(foreign_keys=[place_id])
    documents: Mapped[list[JobDocument]] = relationship(
        back_populates="offer", cascade="all, delete-orphan", order_by="JobDocument.id")

    @property
    def grade_list(self) -> list[str]:
        return [grade for grade in self.grades.split("|") if grade]

    @property
    def state_label(self) -> str:
        if self.outcome is not None and self.status.value == "withdrawn":
            return self.outcome.label
        return self.status_label

    def search_document(self) -> SearchDocument | None:
        body = "\n".join(part for part in (
            self.service, self.cadre, ", ".join(self.grade_list), f"Filière {self.filiere}",
            self.place.name if self.place else "", to_text(self.missions_html), self.profile)
            if part)
        return self.publication_document(type_key="job", title=self.title, body=body,
                                         url=path_for("jobs.show", offer_id=self.id))


class JobDocument(AttachmentMixin, db.Model):
    """A file joined to an offer (the full job description, the org chart of the service)."""
    __tablename__ = "job_document"
    __search_follow__ = {"job": "offer_id"}

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("job_offer.id", ondelete="CASCADE"),
                                          index=True)
    title: Mapped[str] = mapped_column(String(200), default="")

    offer: Mapped[JobOffer] = relationship(back_populates="documents")


class JobApplication(TimestampMixin, db.Model):
    """An application: personal data, read by the publisher's admins and the centre de gestion
    only, never indexed, deleted with its files after the retention period."""
    __tablename__ = "job_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("job_offer.id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id",
                                                           ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(30), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus, "job_application_status"),
        default=ApplicationStatus.UNCONFIRMED)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    cv_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id",
                                                             ondelete="SET NULL"))

    offer: Mapped[JobOffer] = relationship()
    user: Mapped[User | None] = relationship()
    cv: Mapped[StoredFile | None] = relationship(foreign_keys=[cv_id])
    letter: Mapped[StoredFile | None] = relationship(foreign_keys=[letter_id])

    @property
    def files(self) -> list[StoredFile]:
        return [f for f in (self.cv, self.letter) if f is not None]


class JobFollow(db.Model):
    """An offer a person follows: its closing date is a deadline of their agenda."""
    __tablename__ = "job_follow"
    __table_args__ = (UniqueConstraint("user_id", "offer_id", name="uq_job_follow"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    offer_id: Mapped[int] = mapped_column(ForeignKey("job_offer.id", ondelete="CASCADE"),
                                          index=True)


class JobAlert(TimestampMixin, db.Model):
    """A saved search: the new offers matching it are mailed once a day."""
    __tablename__ = "job_alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    query: Mapped[str] = mapped_column(String(500), default="")   # the listing's query string
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()
