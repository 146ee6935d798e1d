"""Pages (rich text with revisions and optional approval) and document libraries
(folders, files with versions, a recoverable bin). Everything belongs to one space."""
from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship, selectinload

from ..accounts.models import User
from ..core.types import Visibility, enum_column
from ..core import uploads
from ..core.models import StoredFile, TimestampMixin
from ..core.sanitize import to_text
from ..core.timeutil import to_paris, utcnow
from ..extensions import db
from ..core.urls import path_for
from ..search.documents import SearchDocument, searchable
from ..spaces.models import Space, SpaceContent


class PageStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING = "pending"        # submitted, waiting for a space editor's approval
    PUBLISHED = "published"


PAGE_STATUS_LABELS = {PageStatus.DRAFT: "Brouillon", PageStatus.PENDING: "En attente d'approbation",
                      PageStatus.PUBLISHED: "Publiée"}


@searchable("page", "Pages")
class Page(SpaceContent, TimestampMixin, db.Model):
    __tablename__ = "page"
    __table_args__ = (Index("ix_page_space_status", "space_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body_html: Mapped[str] = mapped_column(Text, default="")       # sanitised
    body_source: Mapped[str] = mapped_column(Text, default="")     # what the author typed
    body_format: Mapped[str] = mapped_column(String(10), default="text")  # "text" or "html"
    status: Mapped[PageStatus] = mapped_column(enum_column(PageStatus, "page_status"),
                                               default=PageStatus.DRAFT)
    # Narrows the space's visibility (None: as the space).
    visibility: Mapped[Visibility | None] = mapped_column(enum_column(Visibility, "visibility"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Incremented on every save: a form carrying an older number is an edit conflict.
    version: Mapped[int] = mapped_column(Integer, default=1)
    review_comment: Mapped[str] = mapped_column(Text, default="")  # last « send back » comment
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)

    space: Mapped[Space] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    revisions: Mapped[list[PageRevision]] = relationship(
        back_populates="page", cascade="all, delete-orphan", order_by="PageRevision.number.desc()")
    attachments: Mapped[list[PageAttachment]] = relationship(
        back_populates="page", cascade="all, delete-orphan", order_by="PageAttachment.id")

    @property
    def is_published(self) -> bool:
        return self.status == PageStatus.PUBLISHED

    @property
    def content_narrowing(self) -> Visibility | None:
        return self.visibility

    @property
    def content_author_id(self) -> int | None:
        return self.author_id

    @property
    def content_is_draft(self) -> bool:
        return not self.is_published

    @property
    def content_is_binned(self) -> bool:
        return self.deleted_at is not None

    @property
    def status_label(self) -> str:
        return PAGE_STATUS_LABELS[self.status]

    @classmethod
    def search_load_options(cls):
        """What ``search_document`` reads, loaded with the page (for a full reindex)."""
        return (joinedload(cls.space).joinedload(Space.organisation),
                selectinload(cls.attachments).joinedload(PageAttachment.file)
                .undefer(StoredFile.text))

    def search_document(self) -> SearchDocument | None:
        if not self.is_published or self.deleted_at is not None:
            return None  # drafts and binned pages never reach the index
        attached = "\n".join(uploads.text_of(a.file) for a in self.attachments)
        return SearchDocument(
            key=f"page:{self.id}", type="page", title=self.title,
            body=f"{to_text(self.body_html)}\n{attached}".strip(),
            url=path_for("documents.page", slug=self.space.slug, page_id=self.id),
            date=self.updated_at, space_id=self.space_id,
            narrow=self.visibility.value if self.visibility else "", author_id=self.author_id,
            organisation_id=self.space.organisation_id,
            organisation_name=self.space.organisation.name if self.space.organisation else "")


class PageRevision(db.Model):
    __tablename__ = "page_revision"
    __table_args__ = (UniqueConstraint("page_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body_html: Mapped[str] = mapped_column(Text)
    body_source: Mapped[str] = mapped_column(Text)
    body_format: Mapped[str] = mapped_column(String(10))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    note: Mapped[str] = mapped_column(String(300), default="")

    page: Mapped[Page] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()


class PageAttachment(db.Model):
    """An image or a file attached to a page (images can be shown in its body)."""
    __tablename__ = "page_attachment"
    __search_follow__ = {"page": "page_id"}   # its text is part of the page's document

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))

    page: Mapped[Page] = relationship(back_populates="attachments")
    file: Mapped[StoredFile] = relationship()

    @property
    def space(self) -> Space:
        return self.page.space


class Folder(SpaceContent, TimestampMixin, db.Model):
    __tablename__ = "folder"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("folder.id", ondelete="CASCADE"),
                                                  index=True)
    name: Mapped[str] = mapped_column(String(200))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))

    space: Mapped[Space] = relationship()
    parent: Mapped[Folder | None] = relationship(remote_side=[id])
    deleted_by: Mapped[User | None] = relationship()

    @property
    def in_bin(self) -> bool:
        folder = self
        while folder is not None:
            if folder.deleted_at is not None:
                return True
            folder = folder.parent
        return False

    @property
    def content_is_binned(self) -> bool:
        return self.in_bin


@searchable("document", "Documents")
class Document(SpaceContent, TimestampMixin, db.Model):
    __tablename__ = "document"
    __table_args__ = (Index("ix_document_space_folder", "space_id", "folder_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"))
    folder_id: Mapped[int | None] = mapped_column(ForeignKey("folder.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[Visibility | None] = mapped_column(enum_column(Visibility, "visibility"))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("document_version.id", use_alter=True, ondelete="SET NULL"))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    # « Verrouillé pour modification »: someone edits the file offline; nobody else may add a
    # version until they (or an editor) release it, or DOCUMENTS_LOCK_HOURS have passed.
    locked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    locked_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Uploaded by a member where files need approval: seen by its author and the space's
    # editors only, out of search, until an editor approves it.
    pending_approval: Mapped[bool] = mapped_column(default=False)

    space: Mapped[Space] = relationship()
    folder: Mapped[Folder | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    deleted_by: Mapped[User | None] = relationship(foreign_keys=[deleted_by_id])
    locked_by: Mapped[User | None] = relationship(foreign_keys=[locked_by_id])
    current_version: Mapped[DocumentVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True)
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", foreign_keys="DocumentVersion.document_id",
        cascade="all, delete-orphan", order_by="DocumentVersion.number.desc()")

    @property
    def in_bin(self) -> bool:
        return self.deleted_at is not None or (self.folder is not None and self.folder.in_bin)

    @property
    def content_narrowing(self) -> Visibility | None:
        return self.visibility

    @property
    def content_is_binned(self) -> bool:
        return self.in_bin

    @property
    def content_is_draft(self) -> bool:
        return self.pending_approval

    @property
    def content_author_id(self) -> int | None:
        return self.created_by_id

    @classmethod
    def search_load_options(cls):
        return (joinedload(cls.space).joinedload(Space.organisation),
                joinedload(cls.current_version).joinedload(DocumentVersion.file)
                .undefer(StoredFile.text))

    def search_document(self) -> SearchDocument | None:
        if self.in_bin or self.current_version is None or self.pending_approval:
            return None   # binned or waiting for approval: out of the index
        text = uploads.text_of(self.current_version.file)
        return SearchDocument(
            key=f"document:{self.id}", type="document", title=self.name,
            body=f"{self.description}\n{text}".strip(),
            url=path_for("documents.document", slug=self.space.slug, doc_id=self.id),
            date=self.updated_at, space_id=self.space_id,
            narrow=self.visibility.value if self.visibility else "",
            author_id=self.created_by_id, organisation_id=self.space.organisation_id,
            organisation_name=self.space.organisation.name if self.space.organisation else "")


class DocumentVersion(db.Model):
    __tablename__ = "document_version"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"),
                                             index=True)
    number: Mapped[int] = mapped_column(Integer)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    note: Mapped[str] = mapped_column(String(300), default="")

    document: Mapped[Document] = relationship(back_populates="versions",
                                              foreign_keys=[document_id])
    file: Mapped[StoredFile] = relationship()
    uploaded_by: Mapped[User | None] = relationship()


class ShareLink(db.Model):
    """A link to one document's current version for someone outside the network (an
    architect, a contractor): only the token's SHA-256 is kept; an expiry date is required, a
    password optional (hashed like the accounts'); revocable; its downloads are counted."""
    __tablename__ = "document_share_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"),
                                             index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")   # for whom, as its author says
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    downloads: Mapped[int] = mapped_column(Integer, default=0)
    last_download_at: Mapped[datetime | None] = mapped_column(DateTime)

    document: Mapped[Document] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def space(self) -> Space:
        return self.document.space

    @property
    def expires_on(self):
        """The last day it is valid, in Paris (``expires_at`` is the end of that day)."""
        return to_paris(self.expires_at - timedelta(seconds=1)).date()

    def is_live(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and (now or utcnow()) < self.expires_at
