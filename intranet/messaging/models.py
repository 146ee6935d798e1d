"""Conversations, their participants (read state, archive, leaving) and their messages."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship, selectinload

from ..accounts.models import User
from ..core.models import StoredFile
from ..core.sanitize import to_text
from ..core.timeutil import utcnow
from ..core.urls import path_for
from ..extensions import db
from ..search.documents import SearchDocument, searchable


class Conversation(db.Model):
    """A private exchange. Who reads it is its list of participants, nobody else."""
    __tablename__ = "conversation"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    # How it was addressed when a group was chosen (« Administrateurs de … »), for the record.
    audience: Mapped[str] = mapped_column(String(300), default="")
    # What it is about, when it was started from something of the site (an ad, …): its address
    # (site-relative) and name, shown on the conversation's page. Empty otherwise.
    about_url: Mapped[str] = mapped_column(String(300), default="")
    about_label: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Number of messages: a participant has read the first ``read_count`` of them.
    message_count: Mapped[int] = mapped_column(Integer, default=0)

    created_by: Mapped[User | None] = relationship()
    participants: Mapped[list[ConversationParticipant]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan",
        order_by="ConversationParticipant.id")
    messages: Mapped[list[ConversationMessage]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan",
        order_by="ConversationMessage.id")

    def reader_ids(self, message: ConversationMessage | None = None) -> list[int]:
        """Who may read it today: the participants who have not left (and, for ``message``,
        those added after it without the history do not)."""
        return [p.user_id for p in self.participants
                if p.left_at is None and (message is None or p.sees(message))]


class ConversationParticipant(db.Model):
    """One person in one conversation, with their own read state and archive."""
    __tablename__ = "conversation_participant"
    __table_args__ = (UniqueConstraint("conversation_id", "user_id"),
                      Index("ix_conversation_participant_inbox", "user_id", "left_at",
                            "archived_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_count: Mapped[int] = mapped_column(Integer, default=0)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime)
    left_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A person added without the history sees the messages from this one on (None: all).
    visible_from_id: Mapped[int | None] = mapped_column(Integer)

    conversation: Mapped[Conversation] = relationship(back_populates="participants")
    user: Mapped[User] = relationship()

    def sees(self, message: ConversationMessage) -> bool:
        return self.visible_from_id is None or message.id >= self.visible_from_id

    @property
    def unread(self) -> bool:
        return self.conversation.message_count > self.read_count


@searchable("message", "Messages")
class ConversationMessage(db.Model):
    __tablename__ = "conversation_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    # Messages stay when their author's account is deactivated (or deleted: then unsigned).
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    body_source: Mapped[str] = mapped_column(Text)      # what the author typed
    body_html: Mapped[str] = mapped_column(Text)        # sanitised
    via_email: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # A line written by the site (« X a ajouté Y »), not by its author.
    is_system: Mapped[bool] = mapped_column(Boolean, default=False)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()
    attachments: Mapped[list[ConversationAttachment]] = relationship(
        back_populates="message", cascade="all, delete-orphan",
        order_by="ConversationAttachment.id")

    @classmethod
    def search_load_options(cls):
        return (joinedload(cls.conversation).selectinload(Conversation.participants),
                selectinload(cls.attachments).joinedload(ConversationAttachment.file)
                .undefer(StoredFile.text))

    def search_document(self) -> SearchDocument | None:
        if self.is_system or self.deleted_at is not None:
            return None  # nothing to find: a line of the site, or a message its author deleted
        readers = self.conversation.reader_ids(self)
        if not readers:
            return None  # everybody left: nobody may find it any more
        names = " ".join(a.file.original_name for a in self.attachments)
        return SearchDocument(
            key=f"message:{self.id}", type="message", title=self.conversation.subject,
            body=f"{to_text(self.body_html)}\n{names}".strip(),
            url=path_for("messaging.show", conversation_id=self.conversation_id)
            + f"#message-{self.id}",
            date=self.created_at, readers=readers, author_id=self.author_id)


class ConversationAttachment(db.Model):
    __tablename__ = "conversation_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("conversation_message.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"))

    message: Mapped[ConversationMessage] = relationship(back_populates="attachments")
    file: Mapped[StoredFile] = relationship()
