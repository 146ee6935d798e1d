"""Outside contacts: people and firms an organisation works with who have no account."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import NameKey, Organisation, User
from ..core.models import TimestampMixin
from ..extensions import db
from ..spaces.models import Space


class OutsideContact(TimestampMixin, db.Model):
    """A contact kept by ``organisation``: seen by its members, and, when ``space_id`` is set,
    by the members of that space too (``access.can_view_outside_contact``)."""
    __tablename__ = "outside_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    space_id: Mapped[int | None] = mapped_column(ForeignKey("space.id", ondelete="SET NULL"),
                                                 index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(NameKey, default="", index=True)
    company: Mapped[str] = mapped_column(String(200), default="")
    trade: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()
    space: Mapped[Space | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<OutsideContact {self.id} {self.name!r}>"
