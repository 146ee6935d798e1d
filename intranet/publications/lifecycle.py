"""What every publication (deliberation, aid, press release, procurement notice…) shares.

A publication is published *by an organisation*: it lives in the open space, its publisher's
editors and admins write it, and until it is published only the publisher's members see it.
Once published it is public or reserved to the network (signed-in people)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..core.timeutil import utcnow
from ..core.types import Visibility, enum_column
from ..search.documents import SearchDocument


class PublicationStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"   # taken offline; kept for the record


PUBLICATION_STATUS_LABELS = {PublicationStatus.DRAFT: "Brouillon",
                             PublicationStatus.PUBLISHED: "Publié",
                             PublicationStatus.WITHDRAWN: "Retiré"}


class PublicationMixin:
    """Columns: publisher ``organisation_id``, ``status``, ``visibility``, ``published_at``,
    ``created_by_id``. ``visibility`` is PUBLIC or NETWORK."""

    status: Mapped[PublicationStatus] = mapped_column(
        enum_column(PublicationStatus, "publication_status"), default=PublicationStatus.DRAFT,
        index=True)
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility, "visibility"),
                                                   default=Visibility.PUBLIC)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)

    @declared_attr
    def organisation_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)

    @declared_attr
    def organisation(cls):
        return relationship("Organisation", foreign_keys=[cls.organisation_id])

    @declared_attr
    def created_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    @declared_attr
    def created_by(cls):
        return relationship("User", foreign_keys=[cls.created_by_id])

    @property
    def is_published(self) -> bool:
        return self.status == PublicationStatus.PUBLISHED

    @property
    def status_label(self) -> str:
        return PUBLICATION_STATUS_LABELS[self.status]

    def publication_document(self, *, type_key: str, title: str, body: str, url: str,
                             date: datetime | None = None) -> SearchDocument | None:
        """The search document of a publication: published ones only (drafts and withdrawn
        ones never reach the index), in the open space, narrowed to its own visibility."""
        from ..spaces.services import open_space_id
        space_id = open_space_id()
        if not self.is_published or space_id is None:
            return None
        return SearchDocument(
            key=f"{type_key}:{self.id}", type=type_key, title=title, body=body, url=url,
            date=date or self.published_at or utcnow(), space_id=space_id,
            narrow=self.visibility.value, organisation_id=self.organisation_id,
            organisation_name=self.organisation.name if self.organisation else "")




