"""Organisation charts: per organisation, a tree of units and the positions in them.

The tree is stored as an adjacency list (``OrgUnit.parent_id``); pages load all the units and
all the positions of an organisation in one query each and build the tree in Python
(``services.load_chart``), so a chart costs the same few queries whatever its size.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...accounts.models import Organisation, User
from ...core.types import LabelledEnum, Visibility, enum_column
from ...core.models import TimestampMixin
from ...core.timeutil import utcnow
from ...extensions import db


class UnitKind(LabelledEnum):
    DIRECTION = "direction", "Direction"
    SERVICE = "service", "Service"
    BUREAU = "bureau", "Bureau"
    OTHER = "autre", "Autre"


UNIT_KIND_LABELS = UnitKind.labels()

# Who may see an organisation's chart; its admins choose (network by default).
CHART_VISIBILITY_LABELS = {
    Visibility.NETWORK: "Réseau (toute personne connectée)",
    Visibility.PUBLIC: "Public (tout le monde, sans connexion)",
}


class OrgUnit(TimestampMixin, db.Model):
    """A direction, service, bureau… of an organisation; ``parent_id`` None at the top."""
    __tablename__ = "org_unit"
    __table_args__ = (Index("ix_org_unit_tree", "organisation_id", "parent_id", "sort_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"),
                                                  index=True)
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind, "org_unit_kind"),
                                           default=UnitKind.SERVICE)
    name: Mapped[str] = mapped_column(String(200))
    # Order among the siblings (same parent), smallest first.
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"<OrgUnit {self.id} {self.name!r}>"


class OrgPosition(TimestampMixin, db.Model):
    """A post in a unit: held by a person of the organisation (a ``User``), by someone without
    an account (``person_name``), or vacant. ``is_head``: the unit's head (one per unit)."""
    __tablename__ = "org_position"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"),
                                         index=True)
    title: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    person_name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    vacant: Mapped[bool] = mapped_column(Boolean, default=False)
    is_head: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[OrgUnit] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def holder(self) -> str:
        """Who holds the post, as shown on the chart ("" when nobody is named)."""
        if self.vacant:
            return ""
        if self.user is not None:
            return self.user.full_name
        return self.person_name

    def __repr__(self) -> str:
        return f"<OrgPosition {self.id} {self.title!r}>"


class OrgChartSetting(db.Model):
    """Per-organisation settings of its chart (no row: the defaults)."""
    __tablename__ = "org_chart_setting"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility, "visibility"),
                                                   default=Visibility.NETWORK)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
