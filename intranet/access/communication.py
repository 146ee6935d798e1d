"""Forums, mailing lists and messaging: who moderates a space, who reads it, what happens to
what a person sends (accepted, held for a moderator, refused with the reason), and every
decision on a forum topic or post. Part of ``intranet.access``, which re-exports every name:
callers import ``access`` only. Each SQL function is the twin of a Python decision;
tests/test_access_forums_lists.py checks they agree."""
from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_login import current_user
from sqlalchemy import and_, bindparam, false, literal, or_, select, true, union

from ..accounts.models import Membership, Organisation, User
from ..core.timeutil import utcnow
from ..core.types import Role, Visibility
from ..extensions import db
from ..forums.models import ForumPost, ForumTopic
from ..lists.models import (ListModerator, PostingPolicy, SenderAction, SenderRule, Subscriber,
                            SubscriberStatus, SubscriptionPolicy)
from ..messaging.models import ConversationParticipant
from ..spaces.models import MemberStatus, Space, SpaceKind, SpaceMember, SpaceRule


from . import (TEMPLATE_GLOBALS, _explicit_role_holders, _role_at_least, _rule_matches,
               _signed_in, can_moderate, can_read_directory, can_view, is_platform_admin,
               is_space_member, rule_members, space_ids_with_role, spaces_with_role,
               visible_space_ids, visible_spaces)

# --- forums, lists and messaging ---------------------------------------------------------------
#
# Who moderates a space, who reads it, what happens to what a person sends (accepted, held for a
# moderator, refused with the reason), and every decision on a forum topic or post. Each SQL
# function is the twin of a Python decision; tests/test_access_forums_lists.py checks they agree.


class Outcome(enum.StrEnum):
    ACCEPT = "accept"
    HOLD = "hold"        # waits for a moderator
    REFUSE = "refuse"
    DISCARD = "discard"  # dropped without a word (a list's sender rule « ignorer »)


@dataclass(frozen=True)
class Decision:
    """What becomes of something a person sends (a post, a subscription): accepted, held for a
    moderator, or refused — then ``reason`` says why, in French, for that person. The service
    applies it: a refusal raises the domain's error with the reason, before anything is written."""
    outcome: Outcome
    reason: str = ""

    @property
    def accepted(self) -> bool:
        return self.outcome == Outcome.ACCEPT

    @property
    def held(self) -> bool:
        return self.outcome == Outcome.HOLD

    @property
    def refused(self) -> bool:
        return self.outcome == Outcome.REFUSE

    @property
    def discarded(self) -> bool:
        return self.outcome == Outcome.DISCARD


ACCEPT = Decision(Outcome.ACCEPT)
HOLD = Decision(Outcome.HOLD)


def refuse(reason: str) -> Decision:
    return Decision(Outcome.REFUSE, reason)


DISCARD = Decision(Outcome.DISCARD, "Vos messages ne sont pas acceptés sur cette liste.")


# --- who moderates a space, who reads it ---------------------------------------------------------


def is_space_moderator(user, space: Space) -> bool:
    """A moderator of the space by their role there (at least ``moderator``): an organisation's
    admins in its space, the moderators and admins of a group or of the open space. The
    platform admin is not one by right: ``can_moderate`` lets them act where they see, but
    what waits for the space's moderators is not addressed to them (``moderators_to_notify``)."""
    return _role_at_least(user, space, Role.MODERATOR)


def space_moderators(space: Space):
    """SELECT of the active people who moderate ``space``: the SQL twin of
    ``is_space_moderator`` (organisation roles count in an organisation's space only; rules
    only ever make plain members)."""
    return select(User).where(User.active.is_(True),
                              User.id.in_(_explicit_role_holders(space, Role.MODERATOR)))


def moderated_spaces(user):
    """SELECT of the ids of the spaces ``user`` may moderate: the SQL twin of ``can_moderate``
    on a space (the platform admin: every space they see)."""
    if is_platform_admin(user):
        return visible_spaces(user)
    return spaces_with_role(user, Role.MODERATOR)


def moderated_space_ids(user) -> list[int] | object:
    """``moderated_spaces`` as the ids the person's ``reach`` holds (for a SQL ``IN``, never
    empty), rather than its subqueries rebuilt in each statement."""
    if is_platform_admin(user):
        return visible_space_ids(user)
    return space_ids_with_role(user, Role.MODERATOR)


def space_readers(space: Space):
    """SELECT of the ids of the active people who may read ``space``, or None when every
    signed-in person may (a public or network space, the open space): the SQL twin of
    ``can_view(user, space)`` for signed-in people, for mail sent to people who may have left."""
    if space.visibility != Visibility.MEMBERS or space.kind == SpaceKind.OPEN:
        return None
    return space_members(space).with_only_columns(User.id)


def _told(people, may_act) -> list[User]:
    """``people`` (a SELECT of users); where nobody is, the platform admins for whom
    ``may_act`` holds — never one who may not read what waits."""
    found = list(db.session.scalars(people))
    if found:
        return found
    admins = db.session.scalars(select(User).where(User.is_platform_admin.is_(True),
                                                   User.active.is_(True)).order_by(User.id))
    return [admin for admin in admins if may_act(admin)]


def moderators_to_notify(space: Space) -> list[User]:
    """Who is told that something waits for a moderator in a space (a reported or held forum
    post): its moderators; in a space without any, the platform admins if they may moderate
    it themselves (they see it), and nobody in a members-only space they do not belong to."""
    return _told(space_moderators(space), lambda admin: can_moderate(admin, space))


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


def addressable_spaces(user):
    """SELECT of the ids of the spaces whose members ``user`` may write to: the SQL twin of
    ``can_address_space``."""
    if not _signed_in(user):
        return select(Space.id).where(false())
    return select(Space.id).where(Space.id.in_(visible_space_ids(user)),   # read once a request
                                  Space.kind != SpaceKind.OPEN, Space.archived.is_(False))


def addressable_people(user):
    """SELECT of the ids of the active people ``user`` may write to by name: everybody the
    network's directory shows them (``can_read_directory``: the people of active
    organisations), and the members of the spaces whose members they may write to
    (``addressable_spaces``: the groups they see, whose members may belong to no organisation
    of the directory). Twin of ``can_address_person``."""
    if not _signed_in(user):
        return select(User.id).where(false())
    spaces = addressable_spaces(user)
    org = Organisation.__table__.alias("rule_org")
    directory = (select(Membership.user_id)
                 .join(Organisation, Organisation.id == Membership.organisation_id)
                 .where(Organisation.is_active.is_(True)))
    if not can_read_directory(user):
        directory = directory.where(false())
    return select(User.id).where(User.active.is_(True), User.id.in_(union(
        directory,
        select(Membership.user_id).join(Space, and_(
            Space.organisation_id == Membership.organisation_id,
            Space.kind == SpaceKind.ORGANISATION)).where(Space.id.in_(spaces)),
        select(SpaceMember.user_id).where(SpaceMember.status == MemberStatus.ACTIVE,
                                          SpaceMember.space_id.in_(spaces)),
        select(Membership.user_id).join(org, org.c.id == Membership.organisation_id)
        .join(SpaceRule, SpaceRule.space_id.in_(spaces)).where(_rule_matches(org, Membership)),
    )))


def can_address_person(user, person: User) -> bool:
    """Write to one person by name: they are active and in the directory, or share with
    ``user`` a space whose members ``user`` may write to (``addressable_people``, asked about
    this one person)."""
    if not _signed_in(user) or person is None or not person.active:
        return False
    if can_read_directory(user) and any(m.organisation.is_active for m in person.memberships):
        return True     # the directory's part of the rule, read from the person's own rows
    return db.session.scalar(select(addressable_people(user).where(User.id == person.id)
                                    .exists())) is True


def _has_active_admin():
    admin = Membership.__table__.alias("org_admin")
    admin_user = User.__table__.alias("org_admin_user")
    return (select(admin.c.id).join(admin_user, admin_user.c.id == admin.c.user_id)
            .where(admin.c.organisation_id == Organisation.id, admin.c.role == Role.ADMIN,
                   admin_user.c.active.is_(True)).exists())


def addressable_organisations(user):
    """SELECT of the ids of the organisations ``user`` may write to — a message to one goes
    to its administrators: every active organisation of the directory that has an active
    administrator. Twin of ``can_address_organisation``."""
    if not _signed_in(user):
        return select(Organisation.id).where(false())
    return select(Organisation.id).where(Organisation.is_active.is_(True), _has_active_admin())


def can_address_organisation(user, organisation: Organisation) -> bool:
    if not _signed_in(user) or organisation is None or not organisation.is_active:
        return False
    return db.session.scalar(select(Organisation.id).where(
        Organisation.id == organisation.id, _has_active_admin())) is not None


def choosable_organisations(user, kind=None):
    """SELECT of the ids of the organisations a person may pick in an organisation field
    (a space's rules, a new organisation's EPCI, a membership): the active organisations of
    the directory for a signed-in person, every organisation for the platform admin, who also
    manages inactive ones; optionally of one ``kind``. Twin of ``can_choose_organisation``."""
    if not _signed_in(user):
        return select(Organisation.id).where(false())
    query = select(Organisation.id)
    if not is_platform_admin(user):
        query = query.where(Organisation.is_active.is_(True))
    if kind is not None:
        query = query.where(Organisation.kind == kind)
    return query


def can_choose_organisation(user, organisation: Organisation, kind=None) -> bool:
    return (_signed_in(user) and organisation is not None
            and (organisation.is_active or is_platform_admin(user))
            and (kind is None or organisation.kind == kind))


TEMPLATE_GLOBALS["can_address_person"] = lambda person: can_address_person(current_user._get_current_object(), person)


def can_read_conversation(user, participant) -> bool:
    """A private conversation is read by its participants who have not left it — nobody else,
    the platform admin included. ``participant`` is the user's participation, or None."""
    return (_signed_in(user) and participant is not None and participant.user_id == user.id
            and participant.left_at is None)


def readable_participations(user):
    """WHERE clause on ``ConversationParticipant``: the person's own participations in the
    conversations they may read — the SQL twin of ``can_read_conversation``."""
    if not _signed_in(user):
        return false()
    return participations_readable_by(user.id)


def participations_readable_by(user_id):
    """``readable_participations`` of a signed-in person given by id — or by a bound parameter
    that stands for it, in a statement built once (the header's counters)."""
    return and_(ConversationParticipant.user_id == user_id,
                ConversationParticipant.left_at.is_(None))


# --- mailing lists: who manages, moderates, subscribes and posts ------------------------------


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


def list_moderators(mailing_list):
    """SELECT of the active people who moderate a list by right: its space's moderators (while
    the space is not archived) and the list's own moderators who may still read it — the SQL
    twin of ``can_moderate_list`` but for the platform admin's override."""
    own = select(ListModerator.user_id).where(ListModerator.list_id == mailing_list.id)
    readers = space_readers(mailing_list.space)
    if readers is not None:
        own = own.where(ListModerator.user_id.in_(readers))
    ids = [own]
    if not mailing_list.space.archived:
        ids.append(space_moderators(mailing_list.space).with_only_columns(User.id))
    return select(User).where(User.active.is_(True), User.id.in_(union(*ids)))


def list_moderators_to_notify(mailing_list) -> list[User]:
    """Who is told of a list's held posts and subscription requests: its moderators; where
    there are none, the platform admins if they may moderate the list (``_told``)."""
    return _told(list_moderators(mailing_list),
                 lambda admin: can_moderate_list(admin, mailing_list))


def is_list_member(mailing_list, email: str, user=None) -> bool:
    """A subscriber (even with delivery suspended) counts as a member of the list: by the
    address, or by the account."""
    return _sender_facts(mailing_list, email, user)[1]


@functools.cache
def _sender_facts_statement():
    """``list_sender_action`` and ``is_list_member`` in one statement, built once (bound
    ``list_id``, ``email``, ``user_id``)."""
    action = select(SenderRule.action).where(SenderRule.list_id == bindparam("list_id"),
                                             SenderRule.email == bindparam("email"))
    member = select(Subscriber.id).where(
        Subscriber.list_id == bindparam("list_id"),
        (Subscriber.email == bindparam("email")) | (Subscriber.user_id == bindparam("user_id")),
        Subscriber.status.in_([SubscriberStatus.ACTIVE, SubscriberStatus.DISABLED]))
    return select(action.scalar_subquery(), member.exists())


def _sender_facts(mailing_list, email: str, user=None) -> tuple[SenderAction | None, bool]:
    """(the moderators' rule for this sender, whether the sender is a member of the list)."""
    return tuple(db.session.execute(_sender_facts_statement(), {
        "list_id": mailing_list.id, "email": (email or "").lower(),
        "user_id": user.id if user is not None else None}).one())


def list_in_emergency(mailing_list) -> bool:
    """Emergency moderation is on: every post waits for a moderator until its end."""
    return mailing_list.emergency_until is not None and mailing_list.emergency_until > utcnow()


def list_sender_action(mailing_list, email: str):
    """The moderators' standing decision for this sender address on this list, or None."""
    return _sender_facts(mailing_list, email)[0]


def list_posting_decision(user, mailing_list, email: str) -> Decision:
    """A post to a list from ``email`` — on the web, or by mail (``user``: the active account
    with that address, or None). The list's moderators always post. Then the sender's rule set
    by a moderator: « refuser » refuses, « ignorer » discards; emergency moderation holds
    everything else; « accepter » accepts and « retenir » holds whatever the policy. Then the
    policy: anyone, announce (moderators only), moderated (held), members (subscribers only)."""
    if user is not None and can_moderate_list(user, mailing_list):
        return ACCEPT
    action, member = _sender_facts(mailing_list, email, user)   # one statement for both
    if action == SenderAction.REJECT:
        return refuse("Les modérateurs de la liste n'acceptent pas les messages de cette "
                      "adresse.")
    if action == SenderAction.DISCARD:
        return DISCARD
    if list_in_emergency(mailing_list) or action == SenderAction.HOLD:
        return HOLD
    if action == SenderAction.ACCEPT:
        return ACCEPT
    policy = mailing_list.posting_policy
    if policy == PostingPolicy.ANYONE:
        return ACCEPT
    if policy == PostingPolicy.ANNOUNCE:
        return refuse("Seuls les modérateurs écrivent sur cette liste d'annonces.")
    if policy == PostingPolicy.MODERATED:
        return HOLD
    if member:
        return ACCEPT
    return refuse("Seuls les abonnés de la liste peuvent y écrire.")


def can_post_to_list(user, mailing_list, decision: Decision | None = None) -> bool:
    """Write to a list from the web: a signed-in person who sees it, unless refused.
    ``decision``: ``list_posting_decision`` for the person's address, when the caller has it."""
    if not (_signed_in(user) and can_view(user, mailing_list)):
        return False
    if decision is None:
        decision = list_posting_decision(user, mailing_list, user.email)
    return not (decision.refused or decision.discarded)


def can_export_list_archive(user, mailing_list) -> bool:
    """Download a list's whole archive as an mbox file: its moderators."""
    return can_moderate_list(user, mailing_list)


def can_change_subscription_address(user, subscriber) -> bool:
    """Change the address a subscription is delivered to: the subscribed person themself
    (outside addresses do it through the signed link of their own messages' footer)."""
    return (_signed_in(user) and subscriber.user_id == user.id
            and can_view(user, subscriber.mailing_list))


def list_subscription_decision(user, mailing_list) -> Decision:
    """A person (``user``), or an outside address (``user`` None), asks to subscribe: accepted,
    held for a moderator (a list « sur demande »; an outside address first follows its
    confirmation link), or refused. Only lists of public spaces take outside addresses."""
    policy = mailing_list.subscription_policy
    if user is not None and not can_view(user, mailing_list):
        return refuse("Vous n'avez pas accès à cette liste.")
    if policy == SubscriptionPolicy.CLOSED:
        return refuse("Les abonnements à cette liste sont gérés par ses gestionnaires : "
                      "demandez-leur de vous inscrire." if user is not None else
                      "Les abonnements à cette liste sont gérés par ses gestionnaires.")
    if user is None and mailing_list.space.visibility != Visibility.PUBLIC:
        return refuse("Seules les listes des espaces publics acceptent l'abonnement d'adresses "
                      "extérieures : demandez aux gestionnaires de la liste.")
    return HOLD if policy == SubscriptionPolicy.REQUEST else ACCEPT


TEMPLATE_GLOBALS["can_manage_lists"] = lambda space: can_manage_lists(current_user._get_current_object(), space)
TEMPLATE_GLOBALS["can_moderate_list"] = lambda mlist: can_moderate_list(current_user._get_current_object(), mlist)


# --- forums: who reads, writes and changes topics and posts -------------------------------------


def can_post_in_forum(user, forum) -> bool:
    """The space's members write in its forums; in a public or network space, any signed-in
    person too where the forum is open to them. Nobody writes in an archived space."""
    space = forum.space
    if not _signed_in(user) or space.archived or not can_view(user, space):
        return False
    return is_space_member(user, space) or (forum.open_to_network
                                            and space.visibility != Visibility.MEMBERS)


@dataclass(frozen=True)
class TopicRights:
    """What one person may do in one topic, decided once: a topic page asks it about each of
    its posts. ``post`` is a ``ForumPost`` or anything with its ``author_id``, ``deleted_at``
    and ``held`` (the topic page's rows)."""
    topic: ForumTopic
    user_id: int | None     # None: not signed in
    sees_space: bool
    moderator: bool         # can_moderate(user, the topic's space)
    writer: bool            # can_post_in_forum(user, the topic's forum)

    def _own(self, item) -> bool:
        return self.user_id is not None and item.author_id == self.user_id

    def view_topic(self) -> bool:
        """Deleted topics: the moderators only; held ones: their author and the moderators."""
        topic = self.topic
        if not self.sees_space:
            return False
        if self.moderator:
            return True
        return topic.deleted_at is None and (not topic.held or self._own(topic))

    def view_post(self, post) -> bool:
        """A held post: its author and the moderators. A deleted one keeps its place (its
        text: ``read_post``)."""
        return self.view_topic() and (not post.held or self.moderator or self._own(post))

    def read_post(self, post) -> bool:
        """The text and attachments of a deleted post: the moderators only."""
        return self.view_post(post) and (post.deleted_at is None or self.moderator)

    def reply(self) -> bool:
        """Those who write in the forum, in a topic neither deleted nor held; in a locked one,
        the moderators only."""
        topic = self.topic
        return (self.writer and self.view_topic() and topic.deleted_at is None
                and not topic.held and (not topic.locked or self.moderator))

    def quote(self, post) -> bool:
        return self.reply() and post.deleted_at is None and self.view_post(post)

    def _changes_own(self) -> bool:
        """An author still changes their posts while they write in the forum and the topic is
        neither deleted nor locked."""
        return self.writer and self.topic.deleted_at is None and not self.topic.locked

    def edit_post(self, post) -> bool:
        """A post not deleted: the moderators, and its author while ``_changes_own``."""
        return (self.view_post(post) and post.deleted_at is None
                and (self.moderator or (self._own(post) and self._changes_own())))

    def delete_post(self, post) -> bool:
        """As ``edit_post`` (the first post carries the topic: the service says to delete the
        topic instead)."""
        return self.edit_post(post)

    def restore_post(self, post) -> bool:
        """A deleted post: the moderators."""
        return self.moderator and self.view_post(post) and post.deleted_at is not None

    def report_post(self, post) -> bool:
        """Signed-in readers report a post that is not theirs and not deleted."""
        return (self.user_id is not None and self.view_post(post) and not self._own(post)
                and post.deleted_at is None)

    def like_post(self, post) -> bool:
        """Signed-in readers like a published post that is not deleted — not their own (a
        like says « merci » to someone else)."""
        return (self.user_id is not None and self.read_post(post) and not post.held
                and post.deleted_at is None and not self._own(post))

    def split_topic(self) -> bool:
        """Move some posts of the topic to a new topic: the moderators, in a live topic."""
        topic = self.topic
        return (self.moderator and topic.deleted_at is None and not topic.held
                and not self.topic.forum.space.archived)

    def delete_topic(self) -> bool:
        """The moderators; its author while nobody answered, the topic not locked."""
        topic = self.topic
        if not self.view_topic():
            return False
        return self.moderator or (self._own(topic) and topic.post_count <= 1
                                  and not topic.locked and topic.deleted_at is None)

    def held_scope(self) -> str | None:
        """Which held posts a page of the topic shows, as ``view_post`` decides: "all" to the
        moderators, "own" to the other signed-in people, None to anonymous visitors."""
        if self.moderator:
            return "all"
        return "own" if self.user_id is not None else None


def topic_rights(user, topic: ForumTopic) -> TopicRights:
    space = topic.space
    sees = can_view(user, space)
    return TopicRights(topic=topic, user_id=user.id if _signed_in(user) else None,
                       sees_space=sees, moderator=sees and can_moderate(user, space),
                       writer=sees and can_post_in_forum(user, topic.forum))


def can_view_topic(user, topic: ForumTopic) -> bool:
    return topic_rights(user, topic).view_topic()


def can_view_post(user, post: ForumPost) -> bool:
    return topic_rights(user, post.topic).view_post(post)


def can_read_post(user, post: ForumPost) -> bool:
    return topic_rights(user, post.topic).read_post(post)


def can_reply(user, topic: ForumTopic) -> bool:
    return topic_rights(user, topic).reply()


def can_edit_post(user, post: ForumPost) -> bool:
    return topic_rights(user, post.topic).edit_post(post)


def can_delete_post(user, post: ForumPost) -> bool:
    return topic_rights(user, post.topic).delete_post(post)


def can_report_post(user, post: ForumPost) -> bool:
    return topic_rights(user, post.topic).report_post(post)


def can_delete_topic(user, topic: ForumTopic) -> bool:
    return topic_rights(user, topic).delete_topic()


def can_like_post(user, post: ForumPost) -> bool:
    return topic_rights(user, post.topic).like_post(post)


def can_split_topic(user, topic: ForumTopic) -> bool:
    return topic_rights(user, topic).split_topic()


def can_split_to(user, topic: ForumTopic, forum) -> bool:
    """The new topic of a split goes to a forum of the topic's own space."""
    return can_split_topic(user, topic) and forum.space_id == topic.space_id


def can_merge_topics(user, source: ForumTopic, target: ForumTopic) -> bool:
    """Move every post of ``source`` into ``target``: the moderators of their space, both
    topics live and in the same space."""
    return (source.id != target.id and source.space_id == target.space_id
            and target.deleted_at is None and not target.held
            and topic_rights(user, source).split_topic()
            and topic_rights(user, target).split_topic())


def sees_forum_address(user, forum) -> bool:
    """A forum's address for new topics by mail is shown to those who may open a topic there
    (those who would be refused need not know it)."""
    return can_post_in_forum(user, forum)


def forum_mail_topic_decision(user, forum) -> Decision:
    """A new topic received by mail at a forum's address from ``user`` (the active account
    with the sender's address, or None): refused to unknown senders, then as on the web
    (``forum_topic_decision``)."""
    if user is None:
        return refuse("Adresse d'expéditeur inconnue : seules les personnes inscrites peuvent "
                      "ouvrir un sujet par courriel.")
    return forum_topic_decision(user, forum)


def can_move_topic_to(user, topic: ForumTopic, forum) -> bool:
    """A topic's moderators move it to another forum of a space they moderate, not archived
    (``moderated_spaces`` lists them in SQL)."""
    return (forum.id != topic.forum_id and can_moderate(user, topic.space)
            and not forum.space.archived and can_moderate(user, forum.space))


def visible_topics(user, space: Space | None = None):
    """WHERE clause on ``ForumTopic``: the SQL twin of ``can_view_topic``. With ``space`` (the
    one the listing is in, already loaded) its part is decided in Python, so the clause is
    only about the topics' own state."""
    own_held = (and_(ForumTopic.held.is_(True), ForumTopic.author_id == user.id)
                if _signed_in(user) else false())
    shown = and_(ForumTopic.deleted_at.is_(None), or_(ForumTopic.held.is_(False), own_held))
    if space is not None:
        if not can_view(user, space):
            return false()
        return true() if can_moderate(user, space) else shown
    return and_(ForumTopic.space_id.in_(visible_space_ids(user)),
                or_(shown, ForumTopic.space_id.in_(moderated_space_ids(user))))


def is_new_account(user) -> bool:
    """Created less than ``FORUM_NEW_ACCOUNT_DAYS`` ago."""
    days = current_app.config["FORUM_NEW_ACCOUNT_DAYS"]
    return user.created_at is not None and user.created_at > utcnow() - timedelta(days=days)


def must_hold_forum_post(user, space: Space) -> bool:
    """A new account's first words in a public space wait for a moderator: its posts are held
    until one of them has been published. Moderators are never held."""
    if space.visibility != Visibility.PUBLIC or can_moderate(user, space):
        return False
    if not is_new_account(user):
        return False
    published = db.session.scalar(select(literal(1)).where(
        ForumPost.author_id == user.id, ForumPost.held.is_(False),
        ForumPost.deleted_at.is_(None)).limit(1))
    return published is None


def forum_topic_decision(user, forum) -> Decision:
    """A new topic in ``forum``: refused to those who may not write there, held when
    ``must_hold_forum_post``, else accepted."""
    if not can_post_in_forum(user, forum):
        return refuse("Cet espace est archivé : on ne peut plus y écrire." if forum.space.archived
                      else "Vous ne pouvez pas écrire dans ce forum.")
    return HOLD if must_hold_forum_post(user, forum.space) else ACCEPT


def forum_reply_decision(user, topic: ForumTopic) -> Decision:
    """A reply in ``topic``: refused unless ``can_reply`` (the reason says which rule), held
    when ``must_hold_forum_post``, else accepted."""
    if not can_reply(user, topic):
        if topic.deleted_at is not None:
            reason = "Ce sujet a été supprimé : il n'accepte plus de réponses."
        elif topic.held:
            reason = "Ce sujet attend la validation d'un modérateur : on pourra y répondre ensuite."
        elif topic.locked:
            reason = "Ce sujet est verrouillé : il n'accepte plus de réponses."
        elif topic.space.archived:
            reason = "Cet espace est archivé : on ne peut plus y écrire."
        else:
            reason = "Vous ne pouvez pas écrire dans ce forum."
        return refuse(reason)
    return HOLD if must_hold_forum_post(user, topic.space) else ACCEPT

