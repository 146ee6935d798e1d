"""Every permission decision of the application, as small named functions.

Reads that are denied answer 404 (the object's existence is not revealed), writes that are
denied answer 403. A signed-out visitor's denied read is sent to the sign-in page instead, the
same way whether the object exists or not (``must_sign_in_first``). Lists, search, feeds and
exports filter in SQL with ``visible_spaces`` / ``visible_content`` so that nothing is loaded
and then hidden. The forums', lists' and messaging's decisions are in ``communication.py``,
re-exported at the end of this module.

Decisions, in words:
- a *public* space is seen by everyone, a *network* space by every signed-in person, a
  *members* space by its members only;
- members of an organisation space are the organisation's members (their role there is their
  role in the organisation); members of a group space are the people added to it (active) and
  those matched by one of its rules; every signed-in person is a member of the open space,
  where an organisation's editors and admins may write;
- content may only narrow its space's visibility;
- the platform admin administers structure (organisations, people, spaces, memberships) but
  reads a members-only space's content only if a member of it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import abort, g, has_request_context
from flask_login import current_user
from sqlalchemy import (Integer, and_, bindparam, case, false, literal, or_, select,
                        union, union_all)

from ..accounts.models import Membership, Organisation, User
from ..core import generations
from ..core.readscope import ReadScope
from ..core.text import collation_key
from ..core.types import Role, Visibility
from ..extensions import db
from ..publications.lifecycle import PublicationMixin, PublicationStatus
from ..spaces.models import (JoinPolicy, MemberStatus, Space, SpaceContent, SpaceKind,
                             SpaceMember, SpaceRule)

# --- who is this ----------------------------------------------------------------------------


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def _me():
    """The request's person (or anonymous visitor) itself, not Flask-Login's proxy: each use of
    the proxy looks the person up again, and a page's decisions use it dozens of times."""
    return current_user._get_current_object()


def resolved(user):
    """``user`` itself when given Flask-Login's proxy of it (``current_user``), for a function
    that asks many decisions about the same person (each use of the proxy looks them up)."""
    getter = getattr(user, "_get_current_object", None)
    return getter() if getter is not None else user


def is_signed_in(user) -> bool:
    return _signed_in(user)


def is_platform_admin(user) -> bool:
    return _signed_in(user) and user.is_platform_admin


def org_role(user, organisation: Organisation) -> Role | None:
    if not _signed_in(user):
        return None
    for membership in user.memberships:
        if membership.organisation_id == organisation.id:
            return membership.role
    return None


def _role_rank_sql(column):
    return case({role.value: role.rank for role in Role}, value=column, else_=0)


def _rule_matches(org, membership):
    """SQL condition: the current SpaceRule row admits this membership of this organisation."""
    return and_(or_(SpaceRule.organisation_id.is_(None), SpaceRule.organisation_id == org.c.id),
                or_(SpaceRule.org_kind.is_(None), SpaceRule.org_kind == org.c.kind),
                or_(SpaceRule.epci_id.is_(None), SpaceRule.epci_id == org.c.epci_id),
                _role_rank_sql(membership.role) >= _role_rank_sql(SpaceRule.min_role))


def _rule_member_spaces(user_id: int):
    """Spaces a user belongs to through a SpaceRule, as one SELECT."""
    org = Organisation.__table__.alias("rule_org")
    return (select(SpaceRule.space_id)
            .join(Membership, Membership.user_id == user_id)
            .join(org, org.c.id == Membership.organisation_id)
            .where(_rule_matches(org, Membership)))


def rule_members(space_id: int):
    """SELECT of the active users a space's rules bring in today."""
    org = Organisation.__table__.alias("rule_org")
    return (select(User).where(User.active.is_(True), User.id.in_(
        select(Membership.user_id)
        .join(org, org.c.id == Membership.organisation_id)
        .join(SpaceRule, SpaceRule.space_id == space_id)
        .where(_rule_matches(org, Membership)))))


def member_spaces(user):
    """SELECT of the ids of the spaces ``user`` is a member of (for SQL ``IN``)."""
    if not _signed_in(user):
        return select(Space.id).where(false())
    return union(
        select(Space.id).where(Space.kind == SpaceKind.OPEN),
        select(Space.id).join(Membership, and_(Membership.organisation_id == Space.organisation_id,
                                               Membership.user_id == user.id))
        .where(Space.kind == SpaceKind.ORGANISATION),
        select(SpaceMember.space_id).where(SpaceMember.user_id == user.id,
                                           SpaceMember.status == MemberStatus.ACTIVE),
        _rule_member_spaces(user.id),
    )


def visible_spaces(user):
    """SELECT of the ids of the spaces ``user`` may see."""
    if not _signed_in(user):
        return select(Space.id).where(Space.visibility == Visibility.PUBLIC)
    return select(Space.id).where(or_(Space.visibility != Visibility.MEMBERS,
                                      Space.id.in_(member_spaces(user))))


def spaces_with_role(user, role: Role):
    """SELECT of the ids of the spaces where ``user`` holds at least ``role``."""
    if not _signed_in(user):
        return select(Space.id).where(false())
    roles = Role.at_least(role)
    parts = [
        select(Space.id).join(Membership, and_(Membership.organisation_id == Space.organisation_id,
                                               Membership.user_id == user.id))
        .where(Space.kind == SpaceKind.ORGANISATION, Membership.role.in_(roles)),
        select(SpaceMember.space_id).where(SpaceMember.user_id == user.id,
                                           SpaceMember.status == MemberStatus.ACTIVE,
                                           SpaceMember.role.in_(roles)),
    ]
    if role.rank <= Role.EDITOR.rank:  # an organisation's editors write in the open space
        parts.append(select(Space.id).where(Space.kind == SpaceKind.OPEN, select(Membership.id).where(
            Membership.user_id == user.id, Membership.role.in_(Role.at_least(Role.EDITOR))).exists()))
    if role == Role.MEMBER:
        parts.append(select(Space.id).where(Space.kind == SpaceKind.OPEN))
        parts.append(_rule_member_spaces(user.id))
    return union(*parts)


# --- what one person reaches, read once per request ----------------------------------------


@dataclass(frozen=True)
class ReachedSpace:
    """A space the person is a member of, as the header lists it."""
    id: int
    slug: str
    name: str
    kind: SpaceKind
    archived: bool


@dataclass(frozen=True)
class Reach:
    """Everything a signed-in person's spaces decide, from one statement (``_reach_rows``):

    - ``member_ids``: the spaces they are a member of (``member_spaces``);
    - ``roles``: their role in each space where they have one (``space_role``);
    - ``visible_ids``: the spaces they may see (``visible_spaces``);
    - ``spaces``: their member spaces with the names the header shows.
    """
    member_ids: frozenset[int]
    roles: dict[int, Role]
    visible_ids: frozenset[int]
    spaces: tuple[ReachedSpace, ...]


_OPEN, _ORG, _ADDED, _RULE = "open", "org", "added", "rule"   # where a membership comes from


def _reach_rows():
    """SELECT, one row per (space, source of membership), of every space the person
    (``:reach_user``) may see: the four parts of ``member_spaces``, each with the role it gives
    and its source, joined to the spaces that are not members-only (source NULL when not a
    member). Built once per process (``_REACH_ROWS``): building it cost more than running it."""
    person = bindparam("reach_user", type_=Integer)
    sources = union_all(
        select(Space.id.label("space_id"), literal(Role.MEMBER.value).label("role"),
               literal(_OPEN).label("source")).where(Space.kind == SpaceKind.OPEN),
        select(Space.id, Membership.role, literal(_ORG))
        .join(Membership, and_(Membership.organisation_id == Space.organisation_id,
                               Membership.user_id == person))
        .where(Space.kind == SpaceKind.ORGANISATION),
        select(SpaceMember.space_id, SpaceMember.role, literal(_ADDED))
        .where(SpaceMember.user_id == person, SpaceMember.status == MemberStatus.ACTIVE),
        _rule_member_spaces(person).with_only_columns(SpaceRule.space_id,
                                                      literal(Role.MEMBER.value),
                                                      literal(_RULE)),
    ).subquery("reach")
    return (select(Space.id, Space.slug, Space.name, Space.kind, Space.archived,
                   sources.c.role, sources.c.source)
            .outerjoin(sources, sources.c.space_id == Space.id)
            .where(or_(Space.visibility != Visibility.MEMBERS, sources.c.space_id.is_not(None))))


_REACH_ROWS = []


def _role_from(kind: SpaceKind, memberships: list[tuple[str, str]], best_org: int) -> Role | None:
    """A person's role in one space from the sources of their membership of it (the table of
    docs/architecture.md §4, « Role in a space »)."""
    if kind == SpaceKind.ORGANISATION:
        roles = [Role(role) for role, source in memberships if source == _ORG]
    else:
        roles = [Role(role) for role, source in memberships if source in (_ADDED, _RULE, _OPEN)]
        if kind == SpaceKind.OPEN and best_org >= Role.EDITOR.rank:
            roles.append(Role.EDITOR)   # an organisation's editors write in the open space
    return max(roles, key=lambda r: r.rank, default=None)


def _compute_reach(user) -> Reach:
    if not _REACH_ROWS:
        _REACH_ROWS.append(_reach_rows())
    found: dict[int, tuple[tuple, list]] = {}
    for space_id, slug, name, kind, archived, role, source in db.session.execute(
            _REACH_ROWS[0], {"reach_user": user.id}):
        entry = found.setdefault(space_id, ((space_id, slug, name, kind, archived), []))
        if source is not None:
            entry[1].append((role, source))
    best_org = max((m.role.rank for m in user.memberships), default=0)
    roles, spaces = {}, []
    for space_id, (columns, memberships) in found.items():
        if not memberships:
            continue
        spaces.append(ReachedSpace(*columns))
        role = _role_from(SpaceKind(columns[3]), memberships, best_org)
        if role is not None:
            roles[space_id] = role
    return Reach(member_ids=frozenset(s.id for s in spaces), roles=roles,
                 visible_ids=frozenset(found), spaces=tuple(spaces))


# What reach reads: a change to one of these rows gives the « access » generation a new token
# (core/generations.py), which the user loader reads with the person.
for _model, _columns in ((Membership, None), (SpaceMember, None), (SpaceRule, None),
                         (Space, ("slug", "name", "kind", "archived", "visibility",
                                  "organisation_id")),
                         (Organisation, ("kind", "epci_id")),
                         # a person added or removed: on SQLite, a new account may get the id
                         # of the last one deleted, whose rows went by the database's cascade
                         (User, ())):
    generations.watch(generations.ACCESS, _model, _columns)

# Across requests, per process: person id → (token, Reach), emptied when full. At the
# département's scale a Reach holds the ids of the ~500 spaces a signed-in person may see,
# about 48 KB: 400 people are at most 19 MB per worker.
_KEPT_REACHES: dict[int, tuple[str, Reach]] = {}
KEPT_REACHES_MAX = 400


def reach(user) -> Reach | None:
    """What a signed-in person reaches (None for a visitor): one statement, read once per
    request and kept in ``flask.g`` (``forget_roles`` drops it after a membership change);
    afresh at each call outside a request (a command or the worker runs for long, and changes
    memberships as it goes). ``read_scope``, ``space_role``, the SQL filters of a request and
    the header's list of spaces all read it.

    Across requests, the process keeps each person's reach with the « access » generation's
    token the request's user loader read: while a request reads the same token, no
    membership, space or rule has changed since, and the reach is reused without a statement.
    A request that changes one reads no token any more (``generations.advance``)."""
    if not _signed_in(user):
        return None
    if not has_request_context():
        return _compute_reach(user)
    cache = g.setdefault("_reach", {})
    if user.id not in cache:
        token = generations.request_token(generations.ACCESS)
        kept = _KEPT_REACHES.get(user.id) if token is not None else None
        if kept is not None and kept[0] == token:
            cache[user.id] = kept[1]
        else:
            cache[user.id] = _compute_reach(user)
            if token is not None:
                if len(_KEPT_REACHES) >= KEPT_REACHES_MAX:
                    _KEPT_REACHES.clear()
                _KEPT_REACHES[user.id] = (token, cache[user.id])
    return cache[user.id]


def read_scope(user) -> ReadScope:
    """What ``user`` may see, as the one description every list, feed and search translates
    (``core/readscope.py``): their visible and member spaces (``reach``; a visitor's public
    spaces are read once per request too)."""
    found = reach(user)
    if found is not None:
        return ReadScope(signed_in=True, user_id=user.id, visible_space_ids=found.visible_ids,
                         member_space_ids=found.member_ids)
    cache = g.setdefault("_read_scopes", {}) if has_request_context() else {}
    if None not in cache:
        cache[None] = ReadScope(signed_in=False, user_id=None,
                                visible_space_ids=db.session.scalars(visible_spaces(user)).all())
    return cache[None]


def member_space_ids(user) -> list[int]:
    """The ids of ``member_spaces`` for a SQL ``IN`` in a request (never empty: ``[-1]``)."""
    found = reach(user)
    return sorted(found.member_ids) if found is not None and found.member_ids else [-1]


def visible_space_ids(user):
    """``visible_spaces`` for a SQL ``IN`` in a request: a signed-in person's ids (never empty:
    ``[-1]``), read with their ``reach``; a visitor's public spaces stay a subquery of the
    statement that uses them (one statement fewer on an anonymous page)."""
    found = reach(user)
    if found is None:
        return visible_spaces(user)
    return sorted(found.visible_ids) or [-1]


def space_ids_with_role(user, role: Role) -> list[int]:
    """The ids of ``spaces_with_role`` for a SQL ``IN`` in a request (never empty: ``[-1]``)."""
    found = reach(user)
    ids = sorted(space_id for space_id, held in found.roles.items()
                 if held.rank >= role.rank) if found is not None else []
    return ids or [-1]


def visible_content(user, model):
    """WHERE clause for a content model with ``space_id`` and a nullable ``visibility``: the
    SQL translation of ``read_scope(user).admits(space_id, visibility)``."""
    scope = read_scope(user)
    narrowing = model.visibility.is_(None) | model.visibility.in_(
        [n for n in scope.narrowings if n in {v.value for v in Visibility}])
    if scope.member_space_ids:
        narrowing = narrowing | model.space_id.in_(sorted(scope.member_space_ids))
    return and_(model.space_id.in_(sorted(scope.visible_space_ids) or [-1]), narrowing)


# --- roles in a space --------------------------------------------------------------------------


def space_role(user, space: Space) -> Role | None:
    """The user's effective role in a space, or None if not a member (``reach``). Memoised per
    request, and in a command until ``forget_roles``."""
    if not _signed_in(user):
        return None
    cache = g.setdefault("_space_roles", {})
    key = (user.id, space.id)
    if key not in cache:
        cache[key] = reach(user).roles.get(space.id)
    return cache[key]


def forget_kept_reaches() -> None:
    """Empty this process's reaches kept across requests (the next page of each person reads
    theirs again): what the tests that count a page's statements start from."""
    _KEPT_REACHES.clear()


def forget_roles() -> None:
    """Drop what was read of memberships (roles, read scopes, reach) after a membership change
    made in this request or command."""
    for name in ("_space_roles", "_read_scopes", "_reach", f"generation_{generations.ACCESS}"):
        g.pop(name, None)


def _role_at_least(user, space: Space, role: Role) -> bool:
    current = space_role(user, space)
    return current is not None and current.rank >= role.rank


def _explicit_role_holders(space: Space, least: Role):
    """SELECT of the ids of the people whose own role in ``space`` is at least ``least``: an
    organisation's members by their role in it (an organisation's space), the active members
    of any other space by theirs. Rules only ever make plain members; who else counts (the
    open space's organisation editors) is the caller's."""
    roles = Role.at_least(least)
    if space.kind == SpaceKind.ORGANISATION:
        return select(Membership.user_id).where(
            Membership.organisation_id == space.organisation_id, Membership.role.in_(roles))
    return select(SpaceMember.user_id).where(SpaceMember.space_id == space.id,
                                             SpaceMember.status == MemberStatus.ACTIVE,
                                             SpaceMember.role.in_(roles))


def is_space_member(user, space: Space) -> bool:
    return space_role(user, space) is not None


_UNREAD = object()


def pending_request(user, space: Space, added=_UNREAD) -> bool:
    """The person asked to join and waits. ``added``: their ``SpaceMember`` row of this space
    (or None, they have none) when the caller has read it already."""
    if not _signed_in(user):
        return False
    if added is not _UNREAD:
        return added is not None and added.user_id == user.id and added.space_id == space.id \
            and added.status == MemberStatus.PENDING
    return db.session.scalar(select(literal(1)).where(
        SpaceMember.space_id == space.id, SpaceMember.user_id == user.id,
        SpaceMember.status == MemberStatus.PENDING)) is not None


# --- decisions on one object --------------------------------------------------------------------


def _space_of(obj) -> Space | None:
    """A space, or the space of content that says it lives in one (``SpaceContent``)."""
    if isinstance(obj, Space):
        return obj
    return obj.content_space if isinstance(obj, SpaceContent) else None


def _is_publication(obj) -> bool:
    return isinstance(obj, PublicationMixin)


def can_view_publication(user, obj) -> bool:
    """Published: public, or network (signed in). Otherwise the publisher's members only."""
    if obj.is_published:
        return obj.visibility == Visibility.PUBLIC or _signed_in(user)
    return org_role(user, obj.organisation) is not None


def publication_audience(user) -> str:
    """Who reads the same published items of every publication type as ``user``: « network »
    (every signed-in person reads all of them) or « public » (a visitor: the public ones). The
    key under which what is computed from them may be shared (``generations.kept``)."""
    return "network" if _signed_in(user) else "public"


def published_to(audience: str, model):
    """WHERE clause: the published items of ``model`` that ``audience`` reads; for each person,
    the same rows as ``published & visible_publications(person, model)``."""
    published = model.status == PublicationStatus.PUBLISHED
    return published if audience == "network" else published & (model.visibility ==
                                                                  Visibility.PUBLIC)


def can_edit_publication(user, obj_or_org) -> bool:
    """The publisher's editors and admins write its publications."""
    org = obj_or_org if isinstance(obj_or_org, Organisation) else obj_or_org.organisation
    role = org_role(user, org)
    return role is not None and role.rank >= Role.EDITOR.rank


def publishing_organisations(user) -> list[Organisation]:
    """The organisations ``user`` publishes for (acts, aids, notices, press releases): the
    active ones where they are editor or admin, by name. The platform admin is no publisher."""
    if not _signed_in(user):
        return []
    return sorted((m.organisation for m in user.memberships
                   if m.organisation.is_active and can_edit_publication(user, m.organisation)),
                  key=lambda org: collation_key(org.name))


def visible_publications(user, model):
    """WHERE clause for a publication model: the SQL twin of ``can_view_publication``."""
    published = model.status == PublicationStatus.PUBLISHED
    if not _signed_in(user):
        return published & (model.visibility == Visibility.PUBLIC)
    own = select(Membership.organisation_id).where(Membership.user_id == user.id)
    return published | model.organisation_id.in_(own)


# Content that does not live in a space only (a person's own events) says who sees and who
# changes it through its own decisions, registered by the module of this package that holds them.
_OWN_DECISIONS: dict[type, dict] = {}


def register_own_decisions(model: type, **decisions) -> None:
    _OWN_DECISIONS[model] = decisions


def can_view(user, obj) -> bool:
    own = _OWN_DECISIONS.get(type(obj))
    if own is not None:
        return own["view"](user, obj)
    return can_view_in_space(user, obj)


def can_view_in_space(user, obj) -> bool:
    """``can_view`` by the rules of content in a space (what an own decision builds on)."""
    if _is_publication(obj):
        return can_view_publication(user, obj)
    if isinstance(obj, Organisation):
        return obj.is_active or is_platform_admin(user)
    if isinstance(obj, User):
        # People's profiles are part of the network's directory, not of the public site.
        return can_read_directory(user) and (obj.active or is_platform_admin(user)
                                             or obj.id == user.id)
    space = _space_of(obj)
    if space is None:
        return False
    if obj is not space and not _draft_visible(user, obj, space):
        return False
    visibility = space.visibility
    narrowed = obj.content_narrowing if obj is not space else None
    if narrowed is not None and narrowed.rank > visibility.rank:
        visibility = narrowed
    if visibility == Visibility.PUBLIC:
        return True
    if visibility == Visibility.NETWORK:
        return _signed_in(user)
    return is_space_member(user, space)


def _draft_visible(user, content: SpaceContent, space: Space) -> bool:
    """Drafts, pending and binned content: their author and the space's editors only."""
    if not (content.content_is_draft or content.content_is_binned):
        return True
    if _role_at_least(user, space, Role.EDITOR):
        return True
    return (not content.content_is_binned and _signed_in(user)
            and content.content_author_id == user.id)


def visible_drafts(user, model):
    """WHERE clause, twin of ``_draft_visible``, for content with ``status``, ``author_id`` and
    ``deleted_at``: published and not binned, or the user's own, or in a space they edit."""
    if not _signed_in(user):
        return (model.status == "published") & model.deleted_at.is_(None)
    return or_(and_(model.status == "published", model.deleted_at.is_(None)),
               and_(model.author_id == user.id, model.deleted_at.is_(None)),
               model.space_id.in_(space_ids_with_role(user, Role.EDITOR)))


def can_write_page(user, space: Space) -> bool:
    """Editors write and publish pages; where pages need approval, members write and submit."""
    if space.archived or not can_view(user, space):
        return False
    needed = Role.MEMBER if space.pages_need_approval else Role.EDITOR
    return _role_at_least(user, space, needed)


def can_edit(user, obj) -> bool:
    """Write content in a space (or edit one piece of content, or an organisation, or a profile)."""
    own = _OWN_DECISIONS.get(type(obj))
    if own is not None:
        return own["edit"](user, obj)
    if isinstance(obj, Organisation):
        return can_manage_organisation(user, obj)
    if isinstance(obj, User):
        return _signed_in(user) and (user.id == obj.id or is_platform_admin(user))
    if _is_publication(obj):
        return can_view_publication(user, obj) and can_edit_publication(user, obj)
    space = _space_of(obj)
    if space is None or space.archived or not can_view(user, obj):
        return False
    if (obj is not space and obj.content_is_draft and obj.content_author_id == user.id
            and can_write_page(user, space)):
        return True  # a member's own draft, in a space where members write for approval
    return _role_at_least(user, space, Role.EDITOR)


def can_moderate(user, obj) -> bool:
    """Moderate what is in a space (forums, lists, …): the space's moderators
    (``is_space_moderator``, the one definition of who moderates a space), and the platform
    admin wherever they see. A publication: its publisher's editors."""
    if _is_publication(obj):
        return can_edit_publication(user, obj)
    space = _space_of(obj)
    if space is None or not can_view(user, obj):
        return False
    return is_platform_admin(user) or is_space_moderator(user, space)


def can_admin_space(user, space: Space) -> bool:
    """Change a space's settings, members and rules."""
    if is_platform_admin(user):
        return True
    if space.kind == SpaceKind.ORGANISATION:
        return False  # an organisation space's members are the organisation's: see below
    return _role_at_least(user, space, Role.ADMIN)


def can_join(user, space: Space) -> bool:
    return (_signed_in(user) and space.kind == SpaceKind.GROUP and not space.archived
            and space.join_policy != JoinPolicy.CLOSED and can_view(user, space)
            and not is_space_member(user, space))


def can_manage_organisation(user, organisation: Organisation) -> bool:
    """Manage an organisation's profile and members: its admins and the platform admin."""
    if is_platform_admin(user):
        return True
    role = org_role(user, organisation)
    return role is not None and role.rank >= Role.ADMIN.rank


def can_read_directory(user) -> bool:
    """The network's directory of people (an organisation's members, people's profiles) is
    for signed-in people only, never the public site."""
    return _signed_in(user)


def directory_members(organisation: Organisation):
    """SELECT of an organisation's people as the directory lists them (active accounts)."""
    return directory_members_of(organisation.id)


def directory_members_of(organisation_id):
    """``directory_members`` by the organisation's id, or by a bound parameter in a statement
    built once."""
    return (select(Membership).join(User).where(Membership.organisation_id == organisation_id,
                                                User.active.is_(True)))


def can_view_org_chart(user, org: Organisation, visibility: Visibility) -> bool:
    """An organisation's chart: the network's by default, public if its admins say so."""
    if not can_view(user, org):
        return False
    return visibility == Visibility.PUBLIC or _signed_in(user)


def can_edit_org_chart(user, org: Organisation) -> bool:
    return can_view(user, org) and can_manage_organisation(user, org)


def can_view_sitting(user, sitting) -> bool:
    """A sitting of an assembly is public once its list of deliberations is online; before,
    its organisation's members only."""
    return sitting.list_published_at is not None or org_role(user, sitting.organisation) is not None


def can_read_audit(user, organisation: Organisation | None = None) -> bool:
    if is_platform_admin(user):
        return True
    return organisation is not None and can_manage_organisation(user, organisation)


def administered_organisations(user) -> list[Organisation]:
    if not _signed_in(user):
        return []
    return [m.organisation for m in user.memberships if m.role == Role.ADMIN]


# --- view helpers ---------------------------------------------------------------------------------

_DECISIONS = {"view": can_view, "edit": can_edit, "moderate": can_moderate,
              "admin": lambda user, obj: can_admin_space(user, obj),
              "manage": lambda user, obj: can_manage_organisation(user, obj)}


def authorize(obj, need: str = "view", user=None):
    """Abort unless the current user may ``need`` the object: 404 if they may not even see it
    (or it does not exist), 403 if they see it but may not do this. Returns the object."""
    user = _me() if user is None else user
    if obj is None:
        abort(404)
    if need == "admin" and isinstance(obj, Space) and is_platform_admin(user):
        return obj
    if not can_view(user, obj):
        abort(404)
    if need != "view" and not _DECISIONS[need](user, obj):
        abort(403)
    return obj


def get_or_404(model, ident=None, *, need: str = "view", options=(), **by):
    """Load one object by primary key (or by ``slug=…``) and authorise it. ``options``: what
    to load with it (``joinedload(…)``), for a page that shows it."""
    if ident is not None:
        obj = db.session.get(model, ident, options=options)
    elif options:
        obj = db.session.scalar(select(model).filter_by(**by).options(*options))
    else:   # a space or an organisation kept across requests (``generations.kept_row``)
        obj = generations.kept_row(model, _found_by(model, tuple(sorted(by))),
                                   {f"by_{column}": value for column, value in by.items()})
    return authorize(obj, need)


# (model, columns) → the SELECT of one row by these columns, their values bound (``by_slug``…):
# a space found by its slug on every page of a space, built once
_FOUND_BY: dict[tuple, object] = {}


def _found_by(model, columns: tuple[str, ...]):
    key = (model, columns)
    if key not in _FOUND_BY:
        _FOUND_BY[key] = select(model).filter_by(
            **{column: bindparam(f"by_{column}") for column in columns})
    return _FOUND_BY[key]


def part_or_404(model, ident, **owner):
    """The row ``ident`` of ``model`` when it belongs to what the view already authorised
    (``owner``: its columns, such as ``space_id=space.id``), else 404: an id taken from
    another space or organisation reveals nothing."""
    obj = db.session.get(model, ident)
    if obj is None or any(getattr(obj, column) != value for column, value in owner.items()):
        abort(404)
    return obj


def require(decision: bool):
    """Abort 403 unless ``decision`` holds (for actions on something already shown)."""
    if not decision:
        abort(403)


def platform_admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _signed_in(current_user):
            from ..extensions import login_manager
            return login_manager.unauthorized()
        if not is_platform_admin(current_user):
            abort(403)
        return view(*args, **kwargs)
    return wrapper


TEMPLATE_GLOBALS = {
    "can_view": lambda obj: can_view(_me(), obj),
    "can_edit": lambda obj: can_edit(_me(), obj),
    "can_moderate": lambda obj: can_moderate(_me(), obj),
    "can_admin_space": lambda space: can_admin_space(_me(), space),
    "can_manage_organisation": lambda org: can_manage_organisation(_me(), org),
    "can_publish_for": lambda org: can_edit_publication(_me(), org),
    "can_join": lambda space: can_join(_me(), space),
    "can_write_page": lambda space: can_write_page(_me(), space),
    "is_space_member": lambda space: is_space_member(_me(), space),
    "is_platform_admin": lambda: is_platform_admin(_me()),
}


def can_create_group(user) -> bool:
    """Editors and admins of any organisation may open a working group."""
    if is_platform_admin(user):
        return True
    return _signed_in(user) and any(m.role.rank >= Role.EDITOR.rank for m in user.memberships)


TEMPLATE_GLOBALS["can_create_group"] = lambda: can_create_group(_me())


def can_manage_nomenclatures(user) -> bool:
    """Import the procurement nomenclatures: the platform admin and the council's editors."""
    if is_platform_admin(user):
        return True
    return _signed_in(user) and any(m.organisation.kind == "departement"
                                    and m.role.rank >= Role.EDITOR.rank for m in user.memberships)


TEMPLATE_GLOBALS["can_manage_nomenclatures"] = lambda: can_manage_nomenclatures(_me())


# The forums', lists' and messaging's decisions live in their own module of this package, and
# are read from here like every other decision (``access.can_reply``…). Imported last: that
# module reads the decisions above.
from .communication import (  # noqa: E402
    Outcome, Decision, ACCEPT, HOLD, refuse, is_space_moderator, space_moderators,
    moderated_spaces, moderated_space_ids, space_readers, moderators_to_notify, space_members, can_address_space,
    addressable_spaces, addressable_people, can_address_person, addressable_organisations,
    can_address_organisation, choosable_organisations, can_choose_organisation,
    can_read_conversation, readable_participations, participations_readable_by,
    can_manage_lists, can_moderate_list, list_moderators, list_moderators_to_notify,
    is_list_member, list_posting_decision, can_post_to_list, list_subscription_decision,
    DISCARD, list_in_emergency, list_sender_action, can_export_list_archive,
    can_change_subscription_address,
    can_post_in_forum, TopicRights, topic_rights, can_view_topic, can_view_post,
    can_read_post, can_reply, can_edit_post, can_delete_post, can_report_post,
    can_delete_topic, can_move_topic_to, visible_topics, is_new_account,
    must_hold_forum_post, forum_topic_decision, forum_reply_decision,
    can_like_post, can_split_topic, can_split_to, can_merge_topics, sees_forum_address,
    forum_mail_topic_decision)
from .jobs import (  # noqa: E402
    is_centre_de_gestion, can_apply, can_read_applications, application_readers)
from .agenda import (  # noqa: E402
    is_invited, can_view_event, can_add_event, writable_calendars, can_edit_event, visible_events,
    visible_events_bound, invited_bound,
    can_see_resources, can_book, can_manage_resources, bookable_resources, bookable_resources_of,
    booking_organisations)

# The directory's decisions (people's details, outside contacts), read as ``access.<name>``.
from .contacts import (  # noqa: E402
    DirectoryDetails, sees_all_details, directory_details, directory_details_of, function_readable,
    can_keep_outside_contacts, outside_contact_keepers, can_view_outside_contact,
    can_edit_outside_contact, visible_outside_contacts, shareable_spaces,
    can_share_outside_contact_with)

TEMPLATE_GLOBALS["directory_details"] = lambda person: directory_details(_me(), person)
TEMPLATE_GLOBALS["can_keep_outside_contacts"] = \
    lambda org: can_keep_outside_contacts(_me(), org)
TEMPLATE_GLOBALS["can_edit_outside_contact"] = \
    lambda contact: can_edit_outside_contact(_me(), contact)

# The classified ads' decisions, read as ``access.<name>``.
from .ads import (  # noqa: E402
    ad_publishers, can_post_ad, can_post_ad_as, can_manage_ad, can_moderate_ads, can_view_ad,
    can_report_ad, can_contact_advertiser, live_ads, visible_ads, managed_ads)
# Subsidy dossiers' decisions, read as ``access.<name>``.
from .subsidies import (  # noqa: E402
    instructed_programmes, is_instructor, can_instruct, can_view_dossier, can_write_dossier,
    applying_organisations, can_apply_for_aid, can_edit_requirements, can_assign_instructors,
    visible_dossiers, dossier_instructors, dossier_writers, can_see_programme_figures,
    can_see_beneficiary, instructed_dossiers, visible_dossiers_bound)
# Aid alerts' decisions, read as ``access.<name>``.
from .alerts import owns_aid_alert, can_manage_aid_alert  # noqa: E402
# Within a conversation: messages read, people added, messages changed, read receipts.
from .conversations import (  # noqa: E402
    visible_messages, can_read_message, can_add_to_conversation, is_own_message,
    message_change_deadline, can_change_message, shows_read_receipts)
# Search: where a search may be limited, saved searches, read as ``access.<name>``.
from .search import (  # noqa: E402
    can_search_in, can_save_search, owns_saved_search, can_unsubscribe_saved_search)
# Where a request comes from, and who must add a second factor, read as ``access.<name>``.
from .extranet import (  # noqa: E402
    client_address, is_trusted_address, from_trusted_network, is_privileged, needs_second_factor,
    can_reset_second_factor)
# Personal data (export, erasure), read as ``access.<name>``.
from .privacy import (  # noqa: E402
    can_export_own_data, can_request_erasure, can_view_erasure_request, can_decide_erasure)
# Document libraries and pages: approval, locks, the bin, shared links, read as ``access.<name>``.
from .documents import (  # noqa: E402
    space_editors, awaiting_approval, awaiting_approval_count, approval_spaces, lock_ends_at,
    lock_holder_id, can_lock_document, can_release_lock, can_add_version, can_empty_bin,
    can_share_document, share_link_opens, documents_awaiting_approval, awaiting_files_count,
    can_upload_document, visible_document_drafts, can_approve_document)
# The visibility filters above for statements built once, the viewer as bound parameters.
from .bound import (  # noqa: E402
    visible_content_bound, visible_drafts_bound, visible_document_drafts_bound, content_viewer,
    visible_publications_bound, publication_viewer)
# Signed-out visitors: which refused reads send them to the sign-in page, read as
# ``access.<name>``.
from .visitors import ANSWERED_WITHOUT_SIGN_IN, must_sign_in_first  # noqa: E402
