"""Types every domain shares: a person's role, what content's visibility is, and how an enum
is stored (as its lower-case value in a VARCHAR, the same on SQLite and PostgreSQL)."""
from __future__ import annotations

import enum

from sqlalchemy import Enum


class LabelledEnum(enum.StrEnum):
    """A StrEnum whose members carry their French label: ``BUDGET = "budget", "Document
    budgétaire"``. The value is what the database stores; ``label`` what people read."""

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict:
        """``{member: label}``, for choices and lookups."""
        return {member: member.label for member in cls}


class Role(enum.StrEnum):
    """A person's role in an organisation (and, for group spaces, in a space)."""
    MEMBER = "member"
    EDITOR = "editor"
    MODERATOR = "moderator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return ROLE_RANKS[self]

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @classmethod
    def at_least(cls, role: Role) -> list[Role]:
        return [r for r in cls if r.rank >= role.rank]


ROLE_RANKS = {Role.MEMBER: 1, Role.EDITOR: 2, Role.MODERATOR: 3, Role.ADMIN: 4}
ROLE_LABELS = {Role.MEMBER: "Membre", Role.EDITOR: "Rédacteur", Role.MODERATOR: "Modérateur",
               Role.ADMIN: "Administrateur"}
ORG_ROLES = (Role.MEMBER, Role.EDITOR, Role.ADMIN)


class Visibility(enum.StrEnum):
    PUBLIC = "public"      # anyone, anonymous included
    NETWORK = "network"    # any signed-in user
    MEMBERS = "members"    # members of the space only

    @property
    def rank(self) -> int:
        """Higher is narrower: content may only raise it above its space's."""
        return VISIBILITY_RANKS[self]

    @property
    def label(self) -> str:
        return VISIBILITY_LABELS[self]


VISIBILITY_RANKS = {Visibility.PUBLIC: 0, Visibility.NETWORK: 1, Visibility.MEMBERS: 2}
VISIBILITY_LABELS = {Visibility.PUBLIC: "Public (tout le monde, sans connexion)",
                     Visibility.NETWORK: "Réseau (toute personne connectée)",
                     Visibility.MEMBERS: "Membres de l'espace seulement"}


def enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    """The column type of an enum: its values as VARCHAR(30), checked by SQLAlchemy."""
    return Enum(enum_cls, name=name, native_enum=False, length=30,
                values_callable=lambda e: [m.value for m in e], validate_strings=True)
