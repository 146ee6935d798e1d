"""Classified ads, their photos and the reports people make about them."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, Numeric, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.attachments import AttachmentMixin, delete_in_flush
from ..core.models import StoredFile, TimestampMixin
from ..core.timeutil import utcnow
from ..core.types import LabelledEnum, enum_column
from ..core.urls import path_for
from ..extensions import db
from ..publications.lifecycle import PublicationMixin
from ..search.documents import SearchDocument, searchable


class AdKind(LabelledEnum):
    SELL = "sell", "Vend"
    GIVE = "give", "Donne"
    LEND = "lend", "Prête ou emprunte"
    SEEK = "seek", "Recherche"


class AdCategory(LabelledEnum):
    VEHICLES = "vehicles", "Véhicules et engins"
    FURNITURE = "furniture", "Mobilier"
    IT = "it", "Informatique"
    EVENTS = "events", "Matériel pour événements"
    SERVICES = "services", "Services"
    HOUSING = "housing", "Logement"
    OTHER = "other", "Autre"


@searchable("ad", "Petites annonces")
class Ad(PublicationMixin, TimestampMixin, db.Model):
    """An ad published by an organisation (``personal`` False: its editors and admins manage
    it) or by a member personally (``personal`` True: only its author, ``created_by``, manages
    it; ``organisation`` is then the organisation the author belongs to, shown as « Marie Dupont,
    Mairie de Layrac », so that a reader knows who answers). It is online while it is
    published, not hidden by a moderator and ``expires_at`` is ahead (``is_live``)."""
    __tablename__ = "ad"

    id: Mapped[int] = mapped_column(primary_key=True)
    personal: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[AdKind] = mapped_column(enum_column(AdKind, "ad_kind"), index=True)
    category: Mapped[AdCategory] = mapped_column(enum_column(AdCategory, "ad_category"),
                                                 index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Title, description and commune folded (lower case, no accents: ``core.text.fold``), so
    # that the listing's « Mots » finds « chêne » when « chene » is typed.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # None: free (a gift, a loan) or nothing asked.
    price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    # Where the thing is: a commune of the network.
    commune_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    # The reminder of this period was mailed (reset by a renewal).
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The worker saw it expire and sent it out of the search index (reset by a renewal).
    expiry_noted_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Each renewal increments it: a renewal link carries the value it was made with, so it
    # serves once.
    renewal_count: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    organisation = relationship("Organisation", foreign_keys="Ad.organisation_id")
    commune = relationship("Organisation", foreign_keys=[commune_id])
    photos: Mapped[list[AdPhoto]] = relationship(
        back_populates="ad", cascade="all, delete-orphan", order_by="AdPhoto.id")
    reports: Mapped[list[AdReport]] = relationship(
        back_populates="ad", cascade="all, delete-orphan", order_by="AdReport.id")

    def is_live_at(self, moment: datetime) -> bool:
        return self.is_published and self.hidden_at is None and self.expires_at > moment

    @property
    def is_live(self) -> bool:
        return self.is_live_at(utcnow())

    @property
    def is_expired(self) -> bool:
        return self.is_published and self.expires_at <= utcnow()

    @property
    def advertiser(self) -> str:
        """Who the ad is by, as readers see it (never an email address)."""
        if self.personal and self.created_by is not None:
            return f"{self.created_by.full_name}, {self.organisation.name}"
        return self.organisation.name

    @property
    def price_label(self) -> str:
        if self.price is None or self.price == 0:
            return "" if self.kind == AdKind.SEEK else "Gratuit"
        text = f"{self.price:,.2f}".replace(",", " ").replace(".", ",").removesuffix(",00")
        return f"{text} €"

    def search_document(self) -> SearchDocument | None:
        if not self.is_live:
            return None  # expired, done, hidden or a draft: not found
        where = self.commune.name if self.commune else ""
        return self.publication_document(
            type_key="ad", title=self.title, url=path_for("ads.show", ad_id=self.id),
            body=f"{self.kind.label} · {self.category.label} · {where}\n{self.description}")

    def __repr__(self) -> str:
        return f"<Ad {self.id} {self.title!r}>"


class AdPhoto(AttachmentMixin, db.Model):
    """One photo: ``file`` is the display size, ``thumbnail`` the small one; both are JPEG
    files re-encoded without metadata (``core/images.py``) and leave with the row."""
    __tablename__ = "ad_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    ad_id: Mapped[int] = mapped_column(ForeignKey("ad.id", ondelete="CASCADE"), index=True)
    thumbnail_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"))

    ad: Mapped[Ad] = relationship(back_populates="photos")
    file: Mapped[StoredFile] = relationship(StoredFile, foreign_keys="AdPhoto.file_id",
                                            lazy="joined")
    thumbnail: Mapped[StoredFile] = relationship(StoredFile, foreign_keys=[thumbnail_id],
                                                 lazy="joined")


@event.listens_for(AdPhoto, "after_delete")
def _thumbnail_follows_its_row(_mapper, connection, target) -> None:
    delete_in_flush(connection, target.thumbnail_id)   # as AttachmentMixin does for ``file``


class AdReport(TimestampMixin, db.Model):
    """Someone signalled an ad to the open space's moderators; ``resolved_at`` once they
    decided (hidden, or left online)."""
    __tablename__ = "ad_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    ad_id: Mapped[int] = mapped_column(ForeignKey("ad.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)

    ad: Mapped[Ad] = relationship(back_populates="reports")
    reporter = relationship("User")
