"""The outbox: one row per message to send, written in the transaction that causes it."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.types import enum_column
from ..core.timeutil import utcnow
from ..extensions import db


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"    # gave up after MAIL_GIVE_UP_AFTER; shown to admins


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # Overrides of the default sender, a Reply-To, and extra headers (JSON object): what
    # mailing lists and reply-by-email need (List-Id, List-Unsubscribe…).
    sender: Mapped[str | None] = mapped_column(String(300))
    reply_to: Mapped[str | None] = mapped_column(String(300))
    headers: Mapped[str] = mapped_column(Text, default="")
    # Stored files sent attached (JSON list of ``stored_file`` ids; a list post's attachments).
    attachments: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[OutboxStatus] = mapped_column(enum_column(OutboxStatus, "outbox_status"),
                                                 default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
