"""Spaces: creation, membership of groups (explicit, by request, by rule) and activity."""
from __future__ import annotations

from functools import cache

from flask import g
from sqlalchemy import Integer, bindparam, delete, func, select, update
from sqlalchemy.orm import contains_eager, joinedload

from .. import access
from ..accounts.models import Organisation, OrgKind, User
from ..core.types import Role
from ..core import audit
from ..core.text import unique_slug
from ..core.urls import path_for
from ..core.uow import unit_of_work
from ..extensions import db
from ..notifications.services import notify
from .models import (Activity, JoinPolicy, MemberStatus, Space, SpaceKind, SpaceMember,
                     SpaceRule, Visibility)


class SpaceError(ValueError):
    """A refused change, with a French message for the person who asked."""


def _slug_taken(slug: str) -> bool:
    return db.session.scalar(select(func.count()).where(Space.slug == slug)) > 0


def record_activity(space: Space, verb: str, summary: str, *, actor: User | None = None,
                    url: str | None = None, visibility: Visibility | None = None) -> Activity:
    """Add a line to the space's activity, in the caller's transaction."""
    item = Activity(space=space, actor_id=getattr(actor, "id", None), verb=verb,
                    summary=summary[:300], url=url, visibility=visibility)
    db.session.add(item)
    return item


def retract_activity(url: str) -> None:
    """Remove the lines announcing something taken offline (in the caller's transaction)."""
    db.session.execute(delete(Activity).where(Activity.url == url))


def restrict_activity(url: str, visibility: Visibility | None) -> None:
    """The lines announcing something follow its visibility when it changes."""
    db.session.execute(update(Activity).where(Activity.url == url).values(visibility=visibility))


def listed_spaces(user) -> list[Space]:
    """Every space the user may see, for the spaces directory."""
    return list(db.session.scalars(
        select(Space).where(Space.id.in_(access.visible_space_ids(user)))
        .options(joinedload(Space.organisation))
        .order_by(Space.kind, Space.name)))


# --- creation -------------------------------------------------------------------------------------


def ensure_organisation_space(org: Organisation) -> Space:
    """The organisation's private space (created with the organisation, one per organisation).
    The open space is made with the first organisation: the network's public facts (the
    organisations, its people's directory) are filed there."""
    ensure_open_space()
    space = db.session.scalar(select(Space).where(Space.kind == SpaceKind.ORGANISATION,
                                                  Space.organisation_id == org.id))
    if space is None:
        space = Space(slug=unique_slug(org.slug, _slug_taken), name=org.name,
                      kind=SpaceKind.ORGANISATION, visibility=Visibility.MEMBERS,
                      join_policy=JoinPolicy.CLOSED, organisation=org,
                      description=f"Espace privé de l'organisation « {org.name} ».")
        db.session.add(space)
    return space


def open_space_id() -> int | None:
    """The open space's id, looked up once per request or command (for indexing). It only
    reads: the open space is made with the first organisation (``ensure_organisation_space``)
    or by publishing, never by building a search document."""
    if g.get("_open_space_id") is None:
        g._open_space_id = db.session.scalar(select(Space.id).where(Space.kind == SpaceKind.OPEN))
    return g._open_space_id


def ensure_open_space() -> Space:
    space = db.session.scalar(select(Space).where(Space.kind == SpaceKind.OPEN))
    if space is None:
        space = Space(slug="espace-ouvert", name="Espace ouvert — vie publique locale",
                      kind=SpaceKind.OPEN, visibility=Visibility.PUBLIC,
                      join_policy=JoinPolicy.CLOSED,
                      description="L'espace partagé par toutes les collectivités pour la vie "
                                  "publique locale : informations, agenda, annonces.")
        db.session.add(space)
    return space


@unit_of_work
def create_group(*, name: str, description: str, visibility: Visibility,
                 join_policy: JoinPolicy, by: User, organisation: Organisation | None = None) -> Space:
    """A working group; its creator becomes its first admin."""
    name = name.strip()
    if not name:
        raise SpaceError("Le nom du groupe est obligatoire.")
    space = Space(slug=unique_slug(name, _slug_taken), name=name, kind=SpaceKind.GROUP,
                  visibility=visibility, join_policy=join_policy,
                  description=(description or "").strip(),
                  organisation=organisation)
    db.session.add(space)
    db.session.flush()
    db.session.add(SpaceMember(space=space, user=by, role=Role.ADMIN))
    audit.record("space.created", actor=by, organisation=organisation, target=space.name)
    record_activity(space, "space.created", f"Création du groupe « {space.name} »", actor=by)
    access.forget_roles()
    return space


@unit_of_work
def update_space(space: Space, *, by: User, name: str, description: str,
                 visibility: Visibility, join_policy: JoinPolicy, archived: bool,
                 pages_need_approval: bool = False, files_need_approval: bool = False) -> None:
    if not name.strip():
        raise SpaceError("Le nom de l'espace est obligatoire.")
    if space.kind == SpaceKind.ORGANISATION and visibility != Visibility.MEMBERS:
        raise SpaceError("L'espace privé d'une organisation reste réservé à ses membres.")
    space.name, space.description = name.strip(), (description or "").strip()
    space.visibility, space.join_policy, space.archived = visibility, join_policy, archived
    space.pages_need_approval = pages_need_approval
    space.files_need_approval = files_need_approval
    audit.record("space.updated", actor=by, organisation=space.organisation, target=space.name)
    access.forget_roles()


# --- group membership ---------------------------------------------------------------------------


def _membership(space: Space, user: User) -> SpaceMember | None:
    return db.session.scalar(select(SpaceMember).where(SpaceMember.space_id == space.id,
                                                       SpaceMember.user_id == user.id))


def added_member(space: Space, user: User) -> SpaceMember | None:
    """The person's own membership row (added, joined or asked), not one a rule gives."""
    return _membership(space, user)


def _require_group(space: Space) -> None:
    if space.kind != SpaceKind.GROUP:
        raise SpaceError("Les membres de cet espace sont ceux de son organisation : "
                         "gérez-les depuis la page de l'organisation.")


@unit_of_work
def add_member(space: Space, user: User, *, role: Role = Role.MEMBER, by: User) -> SpaceMember:
    """Add someone directly: no invitation to accept (staff who rarely sign in still receive
    what the space sends)."""
    _require_group(space)
    if not user.active:
        raise SpaceError(f"Le compte de {user.full_name} est désactivé.")
    member = _membership(space, user)
    if member is not None and member.status == MemberStatus.ACTIVE and member.role == role:
        raise SpaceError(f"{user.full_name} est déjà membre de cet espace.")
    if member is not None and member.status == MemberStatus.ACTIVE and member.role == Role.ADMIN \
            and role != Role.ADMIN and _admin_count(space) <= 1:
        raise SpaceError("Un groupe doit garder au moins un administrateur : "
                         "nommez-en un autre avant de changer ce rôle.")
    if member is None:
        member = SpaceMember(space=space, user=user)
        db.session.add(member)
    member.role, member.status = role, MemberStatus.ACTIVE
    audit.record("space.member_added", actor=by, organisation=space.organisation,
                 target=f"{user.email} → {space.name}", detail=role.value)
    record_activity(space, "space.member_added", f"{user.full_name} rejoint « {space.name} »",
                    actor=by)
    access.forget_roles()
    return member


@unit_of_work
def join(space: Space, user: User) -> MemberStatus:
    """Join an open group, or ask to join a group « sur demande »."""
    _require_group(space)
    if not access.can_join(user, space):
        raise SpaceError("Ce groupe n'accepte pas de demande d'adhésion.")
    member = _membership(space, user) or SpaceMember(space=space, user=user, role=Role.MEMBER)
    db.session.add(member)
    if space.join_policy == JoinPolicy.OPEN:
        member.status = MemberStatus.ACTIVE
        record_activity(space, "space.member_added",
                        f"{user.full_name} rejoint « {space.name} »", actor=user)
    else:
        member.status = MemberStatus.PENDING
        _tell_admins_of_request(space, user)
    access.forget_roles()
    return member.status


def _tell_admins_of_request(space: Space, user: User) -> None:
    admins = db.session.scalars(select(User).join(SpaceMember).where(
        SpaceMember.space_id == space.id, SpaceMember.role == Role.ADMIN,
        SpaceMember.status == MemberStatus.ACTIVE, User.active.is_(True))).all()
    notify(admins, "space.join_request", f"{user.full_name} demande à rejoindre le groupe "
           f"« {space.name} »", url=path_for("spaces.members", slug=space.slug),
           body=f"{user.full_name}{' (' + user.function + ')' if user.function else ''} "
                "demande à rejoindre le groupe. Acceptez ou refusez la demande depuis la liste "
                "des membres.", actor=user)


@unit_of_work
def approve(space: Space, user: User, *, by: User) -> None:
    member = _membership(space, user)
    if member is None or member.status != MemberStatus.PENDING:
        raise SpaceError("Cette demande n'existe plus.")
    member.status = MemberStatus.ACTIVE
    audit.record("space.member_approved", actor=by, organisation=space.organisation,
                 target=f"{user.email} → {space.name}")
    record_activity(space, "space.member_added", f"{user.full_name} rejoint « {space.name} »",
                    actor=by)
    access.forget_roles()


@unit_of_work
def remove_member(space: Space, user: User, *, by: User) -> None:
    """Remove (or refuse) a member; a group always keeps at least one admin."""
    member = _membership(space, user)
    if member is None:
        raise SpaceError(f"{user.full_name} n'est pas membre explicite de cet espace.")
    if member.role == Role.ADMIN and member.status == MemberStatus.ACTIVE and _admin_count(space) <= 1:
        raise SpaceError("Un groupe doit garder au moins un administrateur : "
                         "nommez-en un autre avant de partir.")
    db.session.delete(member)
    audit.record("space.member_removed", actor=by, organisation=space.organisation,
                 target=f"{user.email} → {space.name}")
    access.forget_roles()


def _admin_count(space: Space) -> int:
    return db.session.scalar(select(func.count()).select_from(SpaceMember).where(
        SpaceMember.space_id == space.id, SpaceMember.role == Role.ADMIN,
        SpaceMember.status == MemberStatus.ACTIVE))


def members(space: Space) -> list[SpaceMember]:
    return list(db.session.scalars(_members_statement(), {"members_space_id": space.id}))


def rules(space: Space) -> list[SpaceRule]:
    """A group's membership rules with the organisations they name, in one statement."""
    return list(db.session.scalars(_rules_statement(), {"rules_space_id": space.id}))


# The members page's statements, built once with the space as a parameter.
@cache
def _members_statement():
    return (select(SpaceMember)
            .where(SpaceMember.space_id == bindparam("members_space_id", type_=Integer))
            .join(SpaceMember.user).options(contains_eager(SpaceMember.user))
            .order_by(SpaceMember.status, User.name_key, User.id))


@cache
def _rules_statement():
    return (select(SpaceRule).where(SpaceRule.space_id == bindparam("rules_space_id", type_=Integer))
            .options(joinedload(SpaceRule.organisation), joinedload(SpaceRule.epci))
            .order_by(SpaceRule.id))


@unit_of_work
def add_rule(space: Space, *, by: User, organisation: Organisation | None = None,
             org_kind: OrgKind | None = None, epci: Organisation | None = None,
             min_role: Role = Role.MEMBER) -> SpaceRule:
    _require_group(space)
    if organisation is None and org_kind is None and epci is None and min_role == Role.MEMBER:
        raise SpaceError("Cette règle ferait entrer tout le réseau dans le groupe : précisez "
                         "une organisation, un type d'organisation, une intercommunalité ou un rôle.")
    if epci is not None and epci.kind != OrgKind.EPCI:
        raise SpaceError(f"« {epci.name} » n'est pas une intercommunalité.")
    rule = SpaceRule(space=space, organisation=organisation, org_kind=org_kind, epci=epci,
                     min_role=min_role)
    db.session.add(rule)
    audit.record("space.rule_added", actor=by, organisation=space.organisation,
                 target=space.name, detail=rule.description)
    access.forget_roles()
    return rule


@unit_of_work
def remove_rule(rule: SpaceRule, *, by: User) -> None:
    audit.record("space.rule_removed", actor=by, organisation=rule.space.organisation,
                 target=rule.space.name, detail=rule.description)
    db.session.delete(rule)
    access.forget_roles()


def rule_members(space: Space, limit: int = 200) -> list[User]:
    """The people a space's rules bring in today (for the members page)."""
    return list(db.session.scalars(_rule_members_statement(),
                                   {"rule_space_id": space.id, "rule_limit": limit}))


@cache
def _rule_members_statement():
    """``access.rule_members`` built once, the space and the limit as parameters (building
    its expression tree cost more than running it)."""
    return (access.rule_members(bindparam("rule_space_id", type_=Integer))
            .order_by(User.name_key, User.id).limit(bindparam("rule_limit", type_=Integer)))
