"""Column helpers shared by every domain's models."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .timeutil import utcnow


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)


class StoredFile(TimestampMixin, db.Model):
    """An uploaded file, kept under instance/uploads with a random name (never in static).
    Who may download it is decided by the object that owns it (a document, a deliberation…)."""
    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    storage_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    extension: Mapped[str] = mapped_column(String(10))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    # Extracted text, for full-text search (PDF, ODT, DOCX, plain text): up to a whole book,
    # read only by the index writer (``uploads.text_of``; the models' ``search_load_options``
    # undefer it), not by the pages that list files.
    text: Mapped[str] = mapped_column(Text, default="", deferred=True)

    @property
    def human_size(self) -> str:
        if self.size < 1024:
            return f"{self.size} octets"
        if self.size < 1024 * 1024:
            return f"{self.size / 1024:.0f} Ko".replace(".", ",")
        return f"{self.size / 1024 / 1024:.1f} Mo".replace(".", ",")


class PendingUpload(db.Model):
    """A file sent with a form that was refused, kept for its owner so that the form, shown
    again, carries it (``core/pending.py``). Purged by the worker after PENDING_UPLOAD_MAX_AGE;
    when the form is accepted the row goes and its stored file becomes the real attachment."""
    __tablename__ = "pending_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"),
                                         unique=True)
    # The form field the file was chosen in ("act_pdf", "annexes"…).
    field: Mapped[str] = mapped_column(String(60), default="")
    original_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    file: Mapped[StoredFile] = relationship(lazy="joined")
