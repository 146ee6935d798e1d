"""Organisations, people and their memberships."""
from __future__ import annotations

import re
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint,
                        event)
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from ..core import generations
from ..core.models import TimestampMixin
from ..core.text import collation_key, fold
from ..core.types import LabelledEnum, Role, enum_column
from ..core.urls import path_for
from ..extensions import db
from ..search.documents import SearchDocument, searchable


# ``collation_key`` of a name, kept by the model (see ``_keep_name_keys``): lists order by it and
# the finders search it, the same way on SQLite and PostgreSQL. Byte order ("C") on PostgreSQL,
# so that a space sorts before a letter there as it does in SQLite and in Python.
NAME_KEY_LENGTH = 250
NameKey = String(NAME_KEY_LENGTH, collation="C").with_variant(String(NAME_KEY_LENGTH), "sqlite")


class OrgKind(LabelledEnum):
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"
    PREFECTURE = "prefecture", "Préfecture"
    ASSOCIATION_MAIRES = "association_maires", "Association des maires"
    CENTRE_GESTION = "centre_gestion", "Centre de gestion"
    COMMUNE = "commune", "Commune"
    EPCI = "epci", "Intercommunalité (EPCI)"
    OTHER = "autre", "Autre organisme"


ORG_KIND_LABELS = OrgKind.labels()


class PersonFunction(LabelledEnum):
    """What a person does, from the directory's controlled list (« autre »: ``User.function``
    says it in free text). The directory filters on it (« toutes les secrétaires de mairie »)."""
    MAYOR = "maire", "Maire"
    DEPUTY_MAYOR = "adjoint", "Adjoint au maire"
    COUNCILLOR = "conseiller", "Conseiller municipal"
    PRESIDENT = "president", "Président"
    VICE_PRESIDENT = "vice_president", "Vice-président"
    DGS = "dgs", "Directeur général des services (DGS)"
    SECRETARY = "secretaire_mairie", "Secrétaire de mairie"
    RECEPTION = "agent_accueil", "Agent d'accueil"
    ACCOUNTANT = "comptable", "Comptable"
    TECHNICAL = "responsable_technique", "Responsable technique"
    PROJECT_OFFICER = "charge_mission", "Chargé de mission"
    DIRECTOR = "directeur", "Directeur ou chef de service"
    OTHER = "autre", "Autre"


PERSON_FUNCTION_LABELS = PersonFunction.labels()

# How a function typed as free text is read (accents and case ignored, at its start), in order:
# the first that matches wins. What follows the words found is kept as the precision.
_FUNCTION_WORDS = [
    (PersonFunction.DEPUTY_MAYOR, r"(maire )?adjointe? au maire|maire adjointe?|adjointe?"),
    (PersonFunction.VICE_PRESIDENT, r"vice president(e)?"),
    (PersonFunction.PRESIDENT, r"president(e)?"),
    (PersonFunction.MAYOR, r"maire"),
    (PersonFunction.COUNCILLOR, r"conseill(er|ere) municipa(l|le)"),
    (PersonFunction.DGS, r"(directeur|directrice) general(e)? des services|dgs"),
    (PersonFunction.SECRETARY, r"secretaire (de mairie|general(e)?)"),
    (PersonFunction.RECEPTION, r"agent(e)? d accueil"),
    (PersonFunction.ACCOUNTANT, r"comptable"),
    (PersonFunction.TECHNICAL, r"responsable (des services )?techniques?"),
    (PersonFunction.PROJECT_OFFICER, r"charge(e)? de mission"),
    (PersonFunction.DIRECTOR, r"directeur|directrice|chef(fe)? de service"),
]


def function_from_text(text: str | None) -> tuple[PersonFunction | None, str]:
    """The controlled function a free text names, and what remains of the text: « Secrétaire
    de mairie » → (secretaire_mairie, ""), « Chargé de mission aménagement » →
    (charge_mission, "aménagement"), « Délégué de l'association » → (autre, the text);
    nothing typed → (None, "")."""
    text = " ".join((text or "").split())
    if not text:
        return None, ""
    # ``fold`` keeps one character per character here (accents dropped, not letters added),
    # so a match's end in the folded text is its end in the text as typed.
    folded = re.sub(r"[^0-9a-z]", " ", fold(text))
    for kind, words in _FUNCTION_WORDS:
        found = re.match(rf"(?:{words})(?![0-9a-z])", folded)
        if found:
            rest = text[found.end():] if len(folded) == len(text) else text
            return kind, rest.strip(" ,;:-–—")
    return PersonFunction.OTHER, text
# Who heads an organisation, and who runs its town hall: read from its people's functions.
HEAD_FUNCTIONS = (PersonFunction.MAYOR, PersonFunction.PRESIDENT)
SECRETARY_FUNCTIONS = (PersonFunction.SECRETARY, PersonFunction.DGS)


@searchable("organisation", "Organisations")
class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(NameKey, default="", index=True)
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind, "org_kind"), index=True)
    insee_code: Mapped[str | None] = mapped_column(String(5), unique=True)
    siren: Mapped[str | None] = mapped_column(String(9), unique=True)
    epci_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    population: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(300))
    opening_hours: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    epci: Mapped[Organisation | None] = relationship(remote_side=[id], back_populates="communes")
    communes: Mapped[list[Organisation]] = relationship(back_populates="epci",
                                                        order_by="Organisation.name_key")
    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation",
                                                         cascade="all, delete-orphan")

    def search_document(self) -> SearchDocument | None:
        """Public facts, found by anyone (the open space's public part)."""
        if not self.is_active:
            return None
        from ..spaces.services import open_space_id
        facts = [self.kind.label, self.insee_code or "", self.siren or "",
                 self.epci.name if self.epci else "", self.description]
        return SearchDocument(key=f"organisation:{self.id}", type="organisation", title=self.name,
                              body=" ".join(f for f in facts if f),
                              url=path_for("accounts.organisation", slug=self.slug),
                              date=self.created_at, space_id=open_space_id(), narrow="public",
                              organisation_id=self.id, organisation_name=self.name)

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


# what signing in, a lock-out, a new password or feed address change: not the directory's entry
@searchable("person", "Personnes", unread=("last_login_at", "locked_until", "password_hash",
                                           "token_generation", "feed_token"))
class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # None until the person sets a password through their invitation link.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    # Sorted by last name, then first name; the address when the person has no name yet.
    name_key: Mapped[str] = mapped_column(NameKey, default="", index=True)
    # The directory's function (``function_kind``, a controlled list) and its free text: what
    # « autre » means, or a precision (« adjoint aux finances »).
    function_kind: Mapped[PersonFunction | None] = mapped_column(
        enum_column(PersonFunction, "person_function"), index=True)
    function: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    # What the network sees of the person in the directory (``access.directory_details``).
    show_email: Mapped[bool] = mapped_column(Boolean, default=True)
    show_phone: Mapped[bool] = mapped_column(Boolean, default=False)
    show_function: Mapped[bool] = mapped_column(Boolean, default=True)
    photo_path: Mapped[str | None] = mapped_column(String(100))
    # Deactivated users cannot sign in; what they wrote stays, signed with their name.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_platform_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Bumped to invalidate every signed token (password reset, invitation) issued before.
    token_generation: Mapped[int] = mapped_column(Integer, default=0)
    # Secret part of the person's private feed and calendar addresses; replaced to revoke them.
    feed_token: Mapped[str | None] = mapped_column(String(43), unique=True)
    # Sign-in refused until then after repeated failures (``services.authenticate``).
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan",
        order_by="Membership.id")

    def get_id(self) -> str | None:
        """Flask-Login's identifier, written in the session and remember cookies: the key of
        the person's server-side session (``accounts/sessions.py``), never the account's id."""
        return getattr(self, "session_key", None)

    # Flask-Login's UserMixin compares people by ``get_id()``: by account here, as before.
    __hash__ = object.__hash__

    def __eq__(self, other):
        if isinstance(other, User):
            return self is other if self.id is None else self.id == other.id
        return NotImplemented

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def full_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email

    @property
    def function_label(self) -> str:
        """« Secrétaire de mairie », « Adjoint au maire — finances », or the free text."""
        if self.function_kind is None or self.function_kind == PersonFunction.OTHER:
            return self.function
        label = self.function_kind.label
        return f"{label} — {self.function}" if self.function else label

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @classmethod
    def search_load_options(cls):
        return (selectinload(cls.memberships).joinedload(Membership.organisation),)

    def search_document(self) -> SearchDocument | None:
        """The directory: found by signed-in people only (the network), never anonymously."""
        if not self.active:
            return None
        from ..spaces.services import open_space_id
        organisations = ", ".join(m.organisation.name for m in self.memberships)
        function = self.function_label if self.show_function else ""
        return SearchDocument(key=f"person:{self.id}", type="person", title=self.full_name,
                              body=f"{function}\n{organisations}".strip(),
                              url=path_for("accounts.person", user_id=self.id),
                              date=self.created_at, space_id=open_space_id(), narrow="network")

    def __repr__(self) -> str:
        return f"<User {self.email}>"


def person_key(first_name: str | None, last_name: str | None, email: str | None) -> str:
    return (collation_key(f"{last_name or ''} {first_name or ''}", NAME_KEY_LENGTH)
            or collation_key(email, NAME_KEY_LENGTH))


def _keep_name_keys(mapper, connection, target) -> None:
    """Refresh ``name_key`` whenever a row is written: every service, import and the demo
    go through the ORM, so the key never lags behind the name."""
    if isinstance(target, Organisation):
        target.name_key = collation_key(target.name, NAME_KEY_LENGTH)
    else:
        target.name_key = person_key(target.first_name, target.last_name, target.email)


for _model in (Organisation, User):
    event.listen(_model, "before_insert", _keep_name_keys)
    event.listen(_model, "before_update", _keep_name_keys)

# What many pages read of the organisations (a filter's EPCIs, a form's communes, the lists of
# organisations) is kept by each process while no organisation is added, removed or changed
# (core/generations.py, ``kept``); so is an organisation found by the slug of its address
# (``kept_row``).
ORGANISATIONS = "organisations"
generations.rows_kept(ORGANISATIONS, Organisation)


class Membership(TimestampMixin, db.Model):
    __tablename__ = "membership"
    __search_follow__ = {"person": "user_id"}   # a person's document lists their organisations
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"),
                                                 index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), default=Role.MEMBER)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
