"""Press releases (communiqués de presse): a publication of an organisation, with attachments."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...core.models import TimestampMixin
from ...core.attachments import AttachmentMixin
from ..lifecycle import PublicationMixin
from ...core import uploads
from ...core.sanitize import to_text
from ...core.urls import path_for
from ...search.documents import SearchDocument, searchable
from ...core.timeutil import utcnow
from ...extensions import db

@searchable("press", "Communiqués")
class PressRelease(PublicationMixin, TimestampMixin, db.Model):
    __tablename__ = "press_release"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    # The date printed on the release (may differ from the publication on the site).
    release_date: Mapped[date] = mapped_column(Date, index=True)
    # What the author wrote ("html": from the editor, kept sanitised; "text": without
    # JavaScript, Markdown-like) and the sanitised HTML shown on the page; written by the
    # service's ``_apply`` only.
    body_format: Mapped[str] = mapped_column(String(10), default="text")
    body_source: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    attachments: Mapped[list[PressAttachment]] = relationship(
        back_populates="release", cascade="all, delete-orphan", order_by="PressAttachment.id")

    def search_document(self) -> SearchDocument | None:
        attached = "\n".join(uploads.text_of(a.file) for a in self.attachments if a.file)
        return self.publication_document(
            type_key="press", title=self.title, url=path_for("press.show", release_id=self.id),
            body=f"{to_text(self.body_html)}\n{attached}".strip(),
            date=datetime.combine(self.release_date, datetime.min.time()))

    def __repr__(self) -> str:
        return f"<PressRelease {self.id} {self.title!r}>"


class PressAttachment(AttachmentMixin, db.Model):
    """A PDF or an image joined to a release; downloaded only by those who may see the release."""
    __tablename__ = "press_attachment"
    __search_follow__ = {"press": "release_id"}   # its text is part of the release's document

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("press_release.id", ondelete="CASCADE"),
                                            index=True)

    release: Mapped[PressRelease] = relationship(back_populates="attachments")
