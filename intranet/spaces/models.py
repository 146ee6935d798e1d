"""Spaces (where content lives), group memberships, membership rules and activity."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation, OrgKind, User
from ..core import generations
from ..core.models import TimestampMixin
from ..core.timeutil import utcnow
from ..core.types import Role, Visibility, enum_column
from ..extensions import db


class SpaceKind(enum.StrEnum):
    ORGANISATION = "organisation"
    OPEN = "open"
    GROUP = "group"


SPACE_KIND_LABELS = {SpaceKind.ORGANISATION: "Espace privé d'organisation",
                     SpaceKind.OPEN: "Espace ouvert", SpaceKind.GROUP: "Groupe de travail"}


class JoinPolicy(enum.StrEnum):
    OPEN = "open"          # anyone who can see the space may join
    REQUEST = "request"    # a request, approved by a space admin
    CLOSED = "closed"      # only admins add people (or rules do)


JOIN_POLICY_LABELS = {JoinPolicy.OPEN: "Libre", JoinPolicy.REQUEST: "Sur demande",
                      JoinPolicy.CLOSED: "Fermé (ajout par les administrateurs)"}


class SpaceContent:
    """What ``access`` reads of content that lives in a space (DESIGN §2). A model says it is
    such content by inheriting this mixin, and says what else it is by overriding the
    properties that apply to it: access never guesses from the attributes an object happens to
    have. Publications say what they are with ``PublicationMixin`` instead."""

    @property
    def content_space(self) -> Space:
        return self.space

    @property
    def content_narrowing(self) -> Visibility | None:
        """A visibility narrower than its space's, or None: as its space."""
        return None

    @property
    def content_author_id(self) -> int | None:
        """Whose draft it is (they see and edit it before it is published)."""
        return None

    @property
    def content_is_draft(self) -> bool:
        """Not published yet (a draft, a page waiting for approval): its author and the
        space's editors only."""
        return False

    @property
    def content_is_binned(self) -> bool:
        """In the space's bin: its editors only."""
        return False


class Space(TimestampMixin, db.Model):
    __tablename__ = "space"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[SpaceKind] = mapped_column(enum_column(SpaceKind, "space_kind"), index=True)
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility, "visibility"))
    join_policy: Mapped[JoinPolicy] = mapped_column(enum_column(JoinPolicy, "join_policy"),
                                                    default=JoinPolicy.CLOSED)
    # The owning organisation: required for organisation spaces, optional for groups.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(default=False)
    # Members may write pages, which a space editor approves before they are published.
    pages_need_approval: Mapped[bool] = mapped_column(default=False)
    # Files uploaded by members wait for a space editor's approval before others see them.
    files_need_approval: Mapped[bool] = mapped_column(default=False)

    organisation: Mapped[Organisation | None] = relationship()
    members: Mapped[list[SpaceMember]] = relationship(back_populates="space",
                                                      cascade="all, delete-orphan")
    rules: Mapped[list[SpaceRule]] = relationship(back_populates="space",
                                                  cascade="all, delete-orphan",
                                                  order_by="SpaceRule.id")

    @property
    def kind_label(self) -> str:
        return SPACE_KIND_LABELS[self.kind]

    def __repr__(self) -> str:
        return f"<Space {self.slug}>"


# A space found by the slug of its address, on every page of a space, is kept by each process
# while no space is added, removed or changed (core/generations.py, ``kept_row``).
SPACES = "spaces"
generations.rows_kept(SPACES, Space)


class MemberStatus(enum.StrEnum):
    ACTIVE = "active"
    PENDING = "pending"    # asked to join, waiting for a space admin


class SpaceMember(TimestampMixin, db.Model):
    """Explicit membership of a group space (organisation spaces follow Membership)."""
    __tablename__ = "space_member"
    __table_args__ = (UniqueConstraint("space_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), default=Role.MEMBER)
    status: Mapped[MemberStatus] = mapped_column(enum_column(MemberStatus, "member_status"),
                                                 default=MemberStatus.ACTIVE)

    space: Mapped[Space] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class SpaceRule(TimestampMixin, db.Model):
    """Membership by rule, evaluated live: every member (of at least ``min_role``) of the
    organisations that match all the set criteria is a member of the space.

    - ``organisation_id``: that one organisation (« tous les membres du centre de gestion »);
    - ``org_kind``: every organisation of that kind (« tous les administrateurs des communes »);
    - ``epci_id``: the communes of that EPCI (« les communes de l'Agglomération d'Agen »).
    """
    __tablename__ = "space_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"))
    org_kind: Mapped[OrgKind | None] = mapped_column(enum_column(OrgKind, "org_kind"))
    epci_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    min_role: Mapped[Role] = mapped_column(enum_column(Role, "role"), default=Role.MEMBER)

    space: Mapped[Space] = relationship(back_populates="rules")
    organisation: Mapped[Organisation | None] = relationship(foreign_keys=[organisation_id])
    epci: Mapped[Organisation | None] = relationship(foreign_keys=[epci_id])

    @property
    def description(self) -> str:
        who = {Role.MEMBER: "tous les membres", Role.EDITOR: "les rédacteurs et administrateurs",
               Role.MODERATOR: "les administrateurs", Role.ADMIN: "les administrateurs"}[self.min_role]
        parts = []
        if self.organisation is not None:
            parts.append(f"de « {self.organisation.name} »")
        if self.org_kind is not None:
            plural = {OrgKind.COMMUNE: "des communes", OrgKind.EPCI: "des intercommunalités"}
            parts.append(plural.get(self.org_kind,
                                    f"des organisations de type « {self.org_kind.label} »"))
        if self.epci is not None:
            communes = "" if self.org_kind is not None else "des communes "
            parts.append(f"{communes}membres de « {self.epci.name} »")
        return f"{who.capitalize()} {' '.join(parts) or 'de toutes les organisations'}"


class Activity(SpaceContent, db.Model):
    """One line of « quoi de neuf dans mes espaces ». Written by services, in the same
    transaction as the change it reports; carries the content's own (narrower) visibility."""
    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_space_created", "space_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    verb: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(300))
    visibility: Mapped[Visibility | None] = mapped_column(enum_column(Visibility, "visibility"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    space: Mapped[Space] = relationship()
    actor: Mapped[User | None] = relationship()

    @property
    def content_narrowing(self) -> Visibility | None:
        return self.visibility
