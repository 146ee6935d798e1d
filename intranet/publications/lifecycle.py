"""What every publication (deliberation, aid, press release, procurement notice…) shares.

A publication is published *by an organisation*: it lives in the open space, its publisher's
editors and admins write it, and until it is published only the publisher's members see it.
Once published it is public or reserved to the network (signed-in people)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, delete, event, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..core import uploads
from ..core.models import StoredFile
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
        return relationship("Organisation")

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




class AttachmentMixin:
    """A file joined to a publication (a press release's attachment, an aid's or a notice's
    document, an act's annex): ``file_id`` and ``file``; the model adds the key to its
    publication. The file follows its row: when the row is deleted (removed from its
    publication's collection, or deleted with it), its ``StoredFile`` row goes in the same
    transaction and the file leaves the disk once that transaction commits."""

    @declared_attr
    def file_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"))

    @declared_attr
    def file(cls) -> Mapped[StoredFile]:
        return relationship(StoredFile, lazy="joined")

    @property
    def display_name(self) -> str:
        return getattr(self, "title", "") or self.file.original_name


@event.listens_for(AttachmentMixin, "after_delete", propagate=True)
def _file_follows_its_row(_mapper, connection, target) -> None:
    # Within the flush: the statement runs on the flush's own connection, so it is part of the
    # transaction; the file on disk is only removed once that transaction commits.
    table = StoredFile.__table__
    name = connection.scalar(select(table.c.storage_name).where(table.c.id == target.file_id))
    if name is not None:
        connection.execute(delete(table).where(table.c.id == target.file_id))
        uploads.remove_stored_after_commit(name)
