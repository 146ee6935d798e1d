"""Every permission decision of the application, as small named functions.

Reads that are denied answer 404 (the object's existence is not revealed), writes that are
denied answer 403. Lists, search, feeds and exports filter in SQL with ``visible_spaces`` /
``visible_content`` so that nothing is loaded and then hidden.

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

from functools import wraps

from flask import abort, g, has_request_context
from flask_login import current_user
from sqlalchemy import and_, case, false, literal, or_, select, union

from .accounts.models import Membership, Organisation, User
from .core.readscope import ReadScope
from .core.types import Role, Visibility
from .publications.lifecycle import PublicationMixin, PublicationStatus
from .extensions import db
from .spaces.models import (JoinPolicy, MemberStatus, Space, SpaceContent, SpaceKind, SpaceMember,
                            SpaceRule)

# --- who is this ----------------------------------------------------------------------------


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


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


def read_scope(user) -> ReadScope:
    """What ``user`` may see, as the one description every list, feed and search translates
    (``core/readscope.py``): their visible and member spaces, read once per request
    (``forget_roles`` drops it after a membership change), afresh each time elsewhere (a
    command or the worker runs for long, and changes spaces as it goes)."""
    key = user.id if _signed_in(user) else None
    cache = g.setdefault("_read_scopes", {}) if has_request_context() else {}
    if key not in cache:
        cache[key] = ReadScope(
            signed_in=key is not None, user_id=key,
            visible_space_ids=db.session.scalars(visible_spaces(user)).all(),
            member_space_ids=db.session.scalars(member_spaces(user)).all() if key else ())
    return cache[key]


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
    """The user's effective role in a space, or None if not a member. Memoised per request."""
    if not _signed_in(user):
        return None
    cache = g.setdefault("_space_roles", {})
    key = (user.id, space.id)
    if key not in cache:
        cache[key] = _compute_space_role(user, space)
    return cache[key]


def forget_roles() -> None:
    """Drop the memoised roles and read scopes after a membership change made in this request
    or command."""
    g.pop("_space_roles", None)
    g.pop("_read_scopes", None)


def _compute_space_role(user, space: Space) -> Role | None:
    if space.kind == SpaceKind.ORGANISATION:
        return org_role(user, space.organisation) if space.organisation else None
    roles = []
    explicit = db.session.scalar(select(SpaceMember.role).where(
        SpaceMember.space_id == space.id, SpaceMember.user_id == user.id,
        SpaceMember.status == MemberStatus.ACTIVE))
    if explicit is not None:
        roles.append(Role(explicit))
    if space.kind == SpaceKind.OPEN:
        roles.append(Role.MEMBER)
        best_org = max((m.role.rank for m in user.memberships), default=0)
        if best_org >= Role.EDITOR.rank:
            roles.append(Role.EDITOR)
    elif space.rules and db.session.scalar(
            select(literal(1)).where(
                _rule_member_spaces(user.id).where(SpaceRule.space_id == space.id).exists())):
        roles.append(Role.MEMBER)
    return max(roles, key=lambda r: r.rank, default=None)


def _role_at_least(user, space: Space, role: Role) -> bool:
    current = space_role(user, space)
    return current is not None and current.rank >= role.rank


def is_space_member(user, space: Space) -> bool:
    return space_role(user, space) is not None


def pending_request(user, space: Space) -> bool:
    if not _signed_in(user):
        return False
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


def can_edit_publication(user, obj_or_org) -> bool:
    """The publisher's editors and admins write its publications."""
    org = obj_or_org if isinstance(obj_or_org, Organisation) else obj_or_org.organisation
    role = org_role(user, org)
    return role is not None and role.rank >= Role.EDITOR.rank


def visible_publications(user, model):
    """WHERE clause for a publication model: the SQL twin of ``can_view_publication``."""
    published = model.status == PublicationStatus.PUBLISHED
    if not _signed_in(user):
        return published & (model.visibility == Visibility.PUBLIC)
    own = select(Membership.organisation_id).where(Membership.user_id == user.id)
    return published | model.organisation_id.in_(own)


def can_view(user, obj) -> bool:
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
    editor_spaces = spaces_with_role(user, Role.EDITOR)
    if not _signed_in(user):
        return (model.status == "published") & model.deleted_at.is_(None)
    return or_(and_(model.status == "published", model.deleted_at.is_(None)),
               and_(model.author_id == user.id, model.deleted_at.is_(None)),
               model.space_id.in_(editor_spaces))


def can_write_page(user, space: Space) -> bool:
    """Editors write and publish pages; where pages need approval, members write and submit."""
    if space.archived or not can_view(user, space):
        return False
    needed = Role.MEMBER if space.pages_need_approval else Role.EDITOR
    return _role_at_least(user, space, needed)


def can_edit(user, obj) -> bool:
    """Write content in a space (or edit one piece of content, or an organisation, or a profile)."""
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
    if _is_publication(obj):
        return can_edit_publication(user, obj)
    space = _space_of(obj)
    if space is None or not can_view(user, obj):
        return False
    if is_platform_admin(user):
        return True
    return _role_at_least(user, space, Role.MODERATOR)


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
    return (select(Membership).join(User).where(Membership.organisation_id == organisation.id,
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
    user = current_user if user is None else user
    if obj is None:
        abort(404)
    if need == "admin" and isinstance(obj, Space) and is_platform_admin(user):
        return obj
    if not can_view(user, obj):
        abort(404)
    if need != "view" and not _DECISIONS[need](user, obj):
        abort(403)
    return obj


def get_or_404(model, ident=None, *, need: str = "view", **by):
    """Load one object by primary key (or by ``slug=…``) and authorise it."""
    obj = db.session.get(model, ident) if ident is not None else \
        db.session.scalar(select(model).filter_by(**by))
    return authorize(obj, need)


def require(decision: bool):
    """Abort 403 unless ``decision`` holds (for actions on something already shown)."""
    if not decision:
        abort(403)


def platform_admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _signed_in(current_user):
            from .extensions import login_manager
            return login_manager.unauthorized()
        if not is_platform_admin(current_user):
            abort(403)
        return view(*args, **kwargs)
    return wrapper


TEMPLATE_GLOBALS = {
    "can_view": lambda obj: can_view(current_user, obj),
    "can_edit": lambda obj: can_edit(current_user, obj),
    "can_moderate": lambda obj: can_moderate(current_user, obj),
    "can_admin_space": lambda space: can_admin_space(current_user, space),
    "can_manage_organisation": lambda org: can_manage_organisation(current_user, org),
    "can_publish_for": lambda org: can_edit_publication(current_user, org),
    "can_join": lambda space: can_join(current_user, space),
    "can_write_page": lambda space: can_write_page(current_user, space),
    "is_space_member": lambda space: is_space_member(current_user, space),
    "is_platform_admin": lambda: is_platform_admin(current_user),
}


def can_create_group(user) -> bool:
    """Editors and admins of any organisation may open a working group."""
    if is_platform_admin(user):
        return True
    return _signed_in(user) and any(m.role.rank >= Role.EDITOR.rank for m in user.memberships)


TEMPLATE_GLOBALS["can_create_group"] = lambda: can_create_group(current_user)


def can_manage_nomenclatures(user) -> bool:
    """Import the procurement nomenclatures: the platform admin and the council's editors."""
    if is_platform_admin(user):
        return True
    return _signed_in(user) and any(m.organisation.kind == "departement"
                                    and m.role.rank >= Role.EDITOR.rank for m in user.memberships)


TEMPLATE_GLOBALS["can_manage_nomenclatures"] = lambda: can_manage_nomenclatures(current_user)


# --- messaging: who a message to a space reaches, who reads a conversation ---------------------


def space_members(space: Space):
    """SELECT of the active people who are members of ``space`` today: an organisation
    space's are the organisation's members, a group's its active members and the people its
    rules bring in. The open space (everybody) has no list of members to write to."""
    if space.kind == SpaceKind.ORGANISATION:
        ids = select(Membership.user_id).where(Membership.organisation_id == space.organisation_id)
    elif space.kind == SpaceKind.GROUP:
        ids = union(select(SpaceMember.user_id).where(SpaceMember.space_id == space.id,
                                                      SpaceMember.status == MemberStatus.ACTIVE),
                    rule_members(space.id).with_only_columns(User.id))
    else:
        ids = select(User.id).where(false())
    return select(User).where(User.active.is_(True), User.id.in_(ids))


def can_address_space(user, space: Space) -> bool:
    """Write to all the members of a space: one the person sees, with a list of members."""
    return (_signed_in(user) and space.kind != SpaceKind.OPEN and not space.archived
            and can_view(user, space))


def can_read_conversation(user, participant) -> bool:
    """A private conversation is read by its participants who have not left it — nobody else,
    the platform admin included. ``participant`` is the user's participation, or None."""
    return (_signed_in(user) and participant is not None and participant.user_id == user.id
            and participant.left_at is None)


def can_manage_lists(user, space: Space) -> bool:
    """Create a space's mailing lists, change their settings and subscribers: the space's
    moderators and admins (an organisation's admins in its own space)."""
    return not space.archived and can_moderate(user, space)


def can_moderate_list(user, mailing_list) -> bool:
    """Approve or reject a list's held posts: its managers and the list's own moderators."""
    if can_manage_lists(user, mailing_list.space):
        return True
    return (_signed_in(user) and can_view(user, mailing_list)
            and any(m.user_id == user.id for m in mailing_list.moderators))


TEMPLATE_GLOBALS["can_manage_lists"] = lambda space: can_manage_lists(current_user, space)
TEMPLATE_GLOBALS["can_moderate_list"] = lambda mlist: can_moderate_list(current_user, mlist)


# --- forums: who writes in a forum, who changes a post -----------------------------------------


def can_post_in_forum(user, forum) -> bool:
    """The space's members write in its forums; in a public or network space, any signed-in
    person too where the forum is open to them. Nobody writes in an archived space."""
    space = forum.space
    if not _signed_in(user) or space.archived or not can_view(user, space):
        return False
    return is_space_member(user, space) or (forum.open_to_network
                                            and space.visibility != Visibility.MEMBERS)


def can_edit_forum_post(user, post) -> bool:
    """A post is changed (edited, deleted) by the space's moderators, and by its author while
    it is not deleted, its topic not locked and they may still write in the forum."""
    topic = post.topic
    if can_moderate(user, topic.space):
        return True
    return (_signed_in(user) and post.author_id == user.id and post.deleted_at is None
            and topic.deleted_at is None and not topic.locked
            and can_post_in_forum(user, topic.forum))
