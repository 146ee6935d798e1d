"""The directory of aids (répertoire des aides): what an organisation offers, to whom, until when.

An aid is a publication (``PublicationMixin``): its publisher's editors write it, only its
publisher's members see it until it is published. Its ``public_id`` (a UUID) never changes: it is
the ``id`` of the open-data export and what the subsidies domain refers to.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (Boolean, Date, DateTime, ForeignKey, Index, Numeric, String, Text,
                        UniqueConstraint, Uuid)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...accounts.models import User
from ...core.models import TimestampMixin
from ...core.alerts import AlertFrequency
from ...core.types import enum_column
from ...core.attachments import AttachmentMixin
from ..lifecycle import PublicationMixin
from ...core import uploads
from ...core.sanitize import to_text
from ...core.urls import path_for
from ...search.documents import SearchDocument, searchable
from ...core.timeutil import today_paris, utcnow
from ...extensions import db

# Who may apply. The export maps each to one of the schema's four « cibles ».
BENEFICIARIES = {
    "communes": "Communes",
    "epci": "Intercommunalités (EPCI)",
    "etablissements_publics": "Autres établissements publics",
    "associations": "Associations",
    "entreprises": "Entreprises",
    "agriculteurs": "Exploitants agricoles",
    "particuliers": "Particuliers",
}
BENEFICIARY_TARGETS = {
    "communes": "secteur public", "epci": "secteur public",
    "etablissements_publics": "secteur public", "associations": "associations",
    "entreprises": "professionnels", "agriculteurs": "professionnels",
    "particuliers": "particuliers",
}

THEMES = {
    "agriculture": "Agriculture et forêt",
    "amenagement": "Aménagement et urbanisme",
    "culture": "Culture et patrimoine",
    "eau": "Eau et assainissement",
    "economie": "Économie et emploi",
    "education": "Éducation et jeunesse",
    "energie": "Énergie et climat",
    "environnement": "Environnement et biodiversité",
    "habitat": "Habitat et logement",
    "mobilite": "Mobilité et voirie",
    "numerique": "Numérique",
    "social": "Solidarités et santé",
    "sport": "Sport",
    "tourisme": "Tourisme",
}

# The kinds of help (« types_aides » of the dispositif-aide schema).
AID_TYPES = {
    "financement": "Financement (subvention)",
    "pret": "Prêt ou avance remboursable",
    "ingenierie": "Ingénierie et accompagnement",
    "information": "Information et conseil",
}

FACETS = {"beneficiary": BENEFICIARIES, "theme": THEMES, "type": AID_TYPES}


class AidStatus:
    """Where an aid stands in time, computed from its dates and today (Paris)."""
    OPEN = "ouvertes"
    UPCOMING = "a-venir"
    CLOSED = "cloturees"


AID_STATE_LABELS = {AidStatus.OPEN: "Ouverte", AidStatus.UPCOMING: "À venir",
                    AidStatus.CLOSED: "Clôturée"}
# The same states as a filter of the directory (« Toutes », « Ouvertes »…): written out, as
# « À venir » has no plural.
AID_STATE_FILTERS = {AidStatus.OPEN: "Ouvertes", AidStatus.UPCOMING: "À venir",
                     AidStatus.CLOSED: "Clôturées"}


@searchable("aid", "Aides")
class Aid(PublicationMixin, TimestampMixin, db.Model):
    __tablename__ = "aid"
    __table_args__ = (Index("ix_aid_dates", "permanent", "opens_on", "closes_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    title: Mapped[str] = mapped_column(String(200))
    search_title: Mapped[str] = mapped_column(String(200), default="")  # folded: no accents
    summary: Mapped[str] = mapped_column(String(180), default="")
    description: Mapped[str] = mapped_column(Text, default="")        # sanitised HTML
    eligibility: Mapped[str] = mapped_column(Text, default="")        # plain text
    eligible_expenses: Mapped[str] = mapped_column(Text, default="")  # plain text
    rate_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    ceiling_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    fixed_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    permanent: Mapped[bool] = mapped_column(Boolean, default=False)
    opens_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    programme: Mapped[str] = mapped_column(String(200), default="")
    service: Mapped[str] = mapped_column(String(200), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    tags: Mapped[list[AidTag]] = relationship(back_populates="aid", cascade="all, delete-orphan",
                                              order_by="AidTag.id")
    documents: Mapped[list[AidDocument]] = relationship(
        back_populates="aid", cascade="all, delete-orphan", order_by="AidDocument.id")

    def search_document(self) -> SearchDocument | None:
        attached = "\n".join(uploads.text_of(d.file) for d in self.documents if d.file)
        themes = "Thématiques : " + ", ".join(self.labels("theme")) if self.themes else ""
        body = "\n".join(part for part in (self.summary, themes, to_text(self.description),
                                            self.eligibility, self.eligible_expenses,
                                            self.programme, self.service, attached) if part)
        return self.publication_document(type_key="aid", title=self.title, body=body,
                                         url=path_for("aids.show", aid_id=self.id))

    def _values(self, facet: str) -> list[str]:
        """The facet's values, in the order of its list (not of entry)."""
        order = {value: n for n, value in enumerate(FACETS[facet])}
        return sorted((t.value for t in self.tags if t.facet == facet),
                      key=lambda v: order.get(v, len(order)))

    @property
    def beneficiaries(self) -> list[str]:
        return self._values("beneficiary")

    @property
    def themes(self) -> list[str]:
        return self._values("theme")

    @property
    def aid_types(self) -> list[str]:
        return self._values("type")

    def labels(self, facet: str) -> list[str]:
        names = FACETS[facet]
        return [names.get(v, v) for v in self._values(facet)]

    def state(self, today: date | None = None) -> str:
        today = today or today_paris()
        if self.permanent:
            return AidStatus.OPEN
        if self.opens_on and self.opens_on > today:
            return AidStatus.UPCOMING
        if self.closes_on and self.closes_on < today:
            return AidStatus.CLOSED
        return AidStatus.OPEN

    @property
    def state_label(self) -> str:
        return AID_STATE_LABELS[self.state()]

    def __repr__(self) -> str:
        return f"<Aid {self.id} {self.title!r}>"


class AidTag(db.Model):
    """One value of a multi-valued facet of an aid: a beneficiary kind, a theme, a kind of help."""
    __tablename__ = "aid_tag"
    __table_args__ = (UniqueConstraint("aid_id", "facet", "value"),
                      Index("ix_aid_tag_facet_value", "facet", "value"))

    id: Mapped[int] = mapped_column(primary_key=True)
    aid_id: Mapped[int] = mapped_column(ForeignKey("aid.id", ondelete="CASCADE"), index=True)
    facet: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(40))

    aid: Mapped[Aid] = relationship(back_populates="tags")


class AidDocument(AttachmentMixin, TimestampMixin, db.Model):
    """A file attached to an aid (rules, application form…)."""
    __tablename__ = "aid_document"
    __search_follow__ = {"aid": "aid_id"}   # its text is part of the aid's document

    id: Mapped[int] = mapped_column(primary_key=True)
    aid_id: Mapped[int] = mapped_column(ForeignKey("aid.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")

    aid: Mapped[Aid] = relationship(back_populates="documents")


class AidAlert(TimestampMixin, db.Model):
    """A saved search of the directory: the aids it finds, new or changed since the last mail,
    are mailed daily or weekly to ``email``. A signed-in person's alert (``user``) is confirmed
    at once and sees what they see; a visitor's waits for the link mailed to the address and
    sees public aids only. ``token`` (random, secret) unsubscribes without signing in."""
    __tablename__ = "aid_alert"
    __table_args__ = (UniqueConstraint("email", "query"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))   # indexed by the unique (email, query)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    query: Mapped[str] = mapped_column(String(500), default="")   # the list's query string
    label: Mapped[str] = mapped_column(String(300), default="")
    frequency: Mapped[AlertFrequency] = mapped_column(
        enum_column(AlertFrequency, "aid_alert_frequency"), default=AlertFrequency.WEEKLY)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AidAlert {self.id} {self.email} {self.query!r}>"
