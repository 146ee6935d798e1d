"""A person's request that their account be erased, and its outcome."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.timeutil import utcnow
from ..core.types import LabelledEnum, enum_column
from ..extensions import db


class ErasureStatus(LabelledEnum):
    PENDING = "pending", "En attente"
    CONFIRMED = "confirmed", "Effacement fait"
    REFUSED = "refused", "Refusée"
    CANCELLED = "cancelled", "Annulée par la personne"


class ErasureRequest(db.Model):
    """« Effacer mon compte »: asked by the person, confirmed or refused by the platform
    admin. The row stays after the erasure (its person is then the anonymised account), as the
    proof that the request was met."""
    __tablename__ = "privacy_erasure_request"
    __table_args__ = (Index("ix_privacy_erasure_status", "status", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    status: Mapped[ErasureStatus] = mapped_column(enum_column(ErasureStatus, "erasure_status"),
                                                  default=ErasureStatus.PENDING)
    # What the person wrote with their request (optional), shown to the platform admin.
    note: Mapped[str] = mapped_column(Text, default="")
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    refusal_reason: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
