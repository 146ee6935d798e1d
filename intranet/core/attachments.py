"""A file joined to a row of content: one mixin for every attachment of the application (a press
release's attachment, an aid's or a notice's document, an act's annex, an event's file)."""
from __future__ import annotations

from sqlalchemy import ForeignKey, delete, event, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from . import uploads
from .models import StoredFile


class AttachmentMixin:
    """A file joined to a row (a publication, an event): ``file_id`` and ``file``; the model
    adds the key to its owner. The file follows its row: when the row is deleted (removed from
    its owner's collection, or deleted with it), its ``StoredFile`` row goes in the same
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


def delete_in_flush(connection, file_id: int | None) -> None:
    """Delete the ``StoredFile`` row ``file_id`` from an ``after_delete`` hook of the row that
    held it. Within the flush: the statement runs on the flush's own connection, so it is part
    of the transaction; the file on disk is only removed once that transaction commits."""
    table = StoredFile.__table__
    name = connection.scalar(select(table.c.storage_name).where(table.c.id == file_id))
    if name is not None:
        connection.execute(delete(table).where(table.c.id == file_id))
        uploads.remove_stored_after_commit(name)


@event.listens_for(AttachmentMixin, "after_delete", propagate=True)
def _file_follows_its_row(_mapper, connection, target) -> None:
    delete_in_flush(connection, target.file_id)
