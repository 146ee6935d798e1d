"""The access model of forums, mailing lists and messaging as tables: who × state → decision,
each Python decision checked against its SQL twin (``visible_topics``, ``moderated_spaces``,
``space_moderators``, ``space_readers``, ``addressable_spaces``, ``readable_participations``)."""
import pytest
from flask import g
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from intranet import access
from intranet.accounts.models import User
from intranet.core.timeutil import utcnow
from intranet.core.types import Role, Visibility
from intranet.extensions import db
from intranet.forums.models import Forum, ForumPost, ForumTopic
from intranet.lists.models import PostingPolicy, SubscriptionPolicy
from intranet.messaging import services as messaging
from intranet.messaging.models import ConversationParticipant
from intranet.spaces import services as spaces
from intranet.spaces.models import Space

from . import factories
from .lists import builders

ANON = AnonymousUserMixin()


def _fresh():
    g.pop("_space_roles", None)


@pytest.fixture
def people():
    org_a, org_b = factories.make_org("Commune A"), factories.make_org("Commune B")
    return {
        "org_a": org_a,
        "anonymous": ANON,
        "outsider": factories.make_user(org_b, Role.ADMIN),
        "author": factories.make_user(org_a, Role.MEMBER),
        "colleague": factories.make_user(org_a, Role.MEMBER),
        "org_editor": factories.make_user(org_a, Role.EDITOR),
        "org_admin": factories.make_user(org_a, Role.ADMIN),
        "platform_admin": factories.make_user(platform_admin=True),
    }


def _topic(forum: Forum, author, state: str) -> ForumTopic:
    """A topic of one post by ``author`` in the given state, written directly (no service:
    the table is about decisions, not about writing)."""
    now = utcnow()
    topic = ForumTopic(forum=forum, space_id=forum.space_id, title=state, author_id=author.id,
                       last_post_at=now, post_count=0 if state == "held" else 1,
                       last_position=0 if state == "held" else 1,
                       locked=state == "locked", held=state == "held",
                       deleted_at=now if state == "deleted" else None)
    post = ForumPost(topic=topic, author_id=author.id, body_html="<p>Texte</p>",
                     held=state == "held", position=None if state == "held" else 1)
    db.session.add_all([topic, post])
    db.session.flush()
    topic.first_post_id = post.id
    db.session.commit()
    return topic


def _reply(topic: ForumTopic, author, state: str) -> ForumPost:
    position = None if state == "held" else topic.last_position + 1
    if position:
        topic.last_position = position
    post = ForumPost(topic=topic, author_id=author.id, body_html="<p>Réponse</p>",
                     held=state == "held", position=position,
                     deleted_at=utcnow() if state == "deleted" else None)
    db.session.add(post)
    db.session.commit()
    return post


TOPIC_STATES = ("normal", "locked", "held", "deleted")

# who → state → (view the topic, reply in it, delete it), in organisation A's private space.
# The topic is the author's; organisation A's admin moderates its space.
TOPIC_TABLE = {
    "anonymous": dict.fromkeys(TOPIC_STATES, (False, False, False)),
    "outsider": dict.fromkeys(TOPIC_STATES, (False, False, False)),
    "author": {"normal": (True, True, True), "locked": (True, False, False),
               "held": (True, False, True), "deleted": (False, False, False)},
    "colleague": {"normal": (True, True, False), "locked": (True, False, False),
                  "held": (False, False, False), "deleted": (False, False, False)},
    "org_editor": {"normal": (True, True, False), "locked": (True, False, False),
                   "held": (False, False, False), "deleted": (False, False, False)},
    "org_admin": {"normal": (True, True, True), "locked": (True, True, True),
                  "held": (True, False, True), "deleted": (True, False, True)},
    # administers the structure, reads no members-only content
    "platform_admin": dict.fromkeys(TOPIC_STATES, (False, False, False)),
}


@pytest.fixture
def private_forum(people):
    space = factories.org_space(people["org_a"])
    forum = Forum(space=space, space_id=space.id, name="Vie de la mairie")
    db.session.add(forum)
    db.session.commit()
    return forum


@pytest.mark.parametrize("who", list(TOPIC_TABLE))
def test_topic_decisions_and_their_sql_twin(people, private_forum, who):
    user = people[who]
    topics = {state: _topic(private_forum, people["author"], state) for state in TOPIC_STATES}
    _fresh()
    listed_in_space = set(db.session.scalars(select(ForumTopic.id).where(
        access.visible_topics(user, private_forum.space))))
    listed = set(db.session.scalars(select(ForumTopic.id).where(access.visible_topics(user))))
    for state, topic in topics.items():
        got = (access.can_view_topic(user, topic), access.can_reply(user, topic),
               access.can_delete_topic(user, topic))
        assert got == TOPIC_TABLE[who][state], state
        assert (topic.id in listed) == got[0], f"visible_topics disagrees ({state})"
        assert (topic.id in listed_in_space) == got[0], f"visible_topics(space) ({state})"


POST_STATES = ("normal", "held", "deleted")

# who → state of a reply by the author → (view, read its text, edit, delete, restore, report)
POST_TABLE = {
    "anonymous": dict.fromkeys(POST_STATES, (False,) * 6),
    "author": {"normal": (True, True, True, True, False, False),
               "held": (True, True, True, True, False, False),
               "deleted": (True, False, False, False, False, False)},
    "colleague": {"normal": (True, True, False, False, False, True),
                  "held": (False, False, False, False, False, False),
                  "deleted": (True, False, False, False, False, False)},
    "org_admin": {"normal": (True, True, True, True, False, True),
                  "held": (True, True, True, True, False, True),
                  "deleted": (True, True, False, False, True, False)},
    "platform_admin": dict.fromkeys(POST_STATES, (False,) * 6),
}


@pytest.mark.parametrize("who", list(POST_TABLE))
def test_post_decisions(people, private_forum, who):
    user = people[who]
    topic = _topic(private_forum, people["org_admin"], "normal")
    posts = {state: _reply(topic, people["author"], state) for state in POST_STATES}
    _fresh()
    for state, post in posts.items():
        rights = access.topic_rights(user, topic)
        got = (access.can_view_post(user, post), access.can_read_post(user, post),
               access.can_edit_post(user, post), access.can_delete_post(user, post),
               rights.restore_post(post), access.can_report_post(user, post))
        assert got == POST_TABLE[who][state], state


def test_the_author_changes_their_posts_only_while_the_topic_is_open(people, private_forum):
    author = people["author"]
    topic = _topic(private_forum, people["org_admin"], "normal")
    post = _reply(topic, author, "normal")
    assert access.can_edit_post(author, post)
    topic.locked = True
    db.session.commit()
    assert not access.can_edit_post(author, post) and not access.can_delete_post(author, post)
    assert access.can_edit_post(people["org_admin"], post)
    topic.locked = False
    private_forum.space.archived = True
    db.session.commit()
    _fresh()
    assert not access.can_edit_post(author, post)       # nobody writes in an archived space
    assert access.can_edit_post(people["org_admin"], post)


def test_held_posts_shown_on_a_topic_page(people, private_forum):
    topic = _topic(private_forum, people["author"], "normal")
    scopes = {who: access.topic_rights(people[who], topic).held_scope()
              for who in ("anonymous", "colleague", "org_admin")}
    assert scopes == {"anonymous": None, "colleague": "own", "org_admin": "all"}


# who → (view, reply, moderate) in a public group's forum open to the network, and whether a
# new account's post there is held for a moderator
PUBLIC_TABLE = {
    "anonymous": (True, False, False),
    "outsider": (True, True, False),
    "author": (True, True, False),
    "platform_admin": (True, True, True),   # sees it, so moderates it
}


@pytest.mark.parametrize("who", list(PUBLIC_TABLE))
def test_a_public_forum_open_to_the_network(people, who):
    owner = factories.make_user(factories.make_org(), Role.ADMIN)
    group = factories.make_group(owner, visibility=Visibility.PUBLIC)
    forum = Forum(space=group, space_id=group.id, name="Questions", open_to_network=True)
    db.session.add(forum)
    db.session.commit()
    topic = _topic(forum, owner, "normal")
    user = people[who]
    _fresh()
    got = (access.can_view_topic(user, topic), access.can_reply(user, topic),
           access.can_moderate(user, group))
    assert got == PUBLIC_TABLE[who]
    if got[1]:
        decision = access.forum_reply_decision(user, topic)
        # every test account is new: held unless they moderate
        assert decision.held is (not got[2]) and not decision.refused
    else:
        assert access.forum_reply_decision(user, topic).refused


def test_reasons_of_a_refused_reply(people, private_forum):
    author = people["author"]
    reasons = {state: access.forum_reply_decision(author, _topic(private_forum, author, state))
               for state in TOPIC_STATES}
    assert "supprimé" in reasons["deleted"].reason
    assert "validation" in reasons["held"].reason
    assert "verrouillé" in reasons["locked"].reason
    assert reasons["normal"].accepted
    assert access.forum_reply_decision(people["outsider"],
                                       _topic(private_forum, author, "normal")).refused


# --- who moderates a space --------------------------------------------------------------------


def test_space_moderators_is_the_sql_twin_of_is_space_moderator(people):
    org_space = factories.org_space(people["org_a"])
    group = factories.make_group(people["org_admin"], visibility=Visibility.NETWORK)
    spaces.add_member(group, people["colleague"], role=Role.MODERATOR, by=people["org_admin"])
    spaces.add_member(group, people["author"], role=Role.EDITOR, by=people["org_admin"])
    open_space = spaces.ensure_open_space()
    db.session.commit()
    _fresh()
    everyone = [u for k, u in people.items() if k not in ("org_a", "anonymous")]
    for space in (org_space, group, open_space):
        listed = {u.id for u in db.session.scalars(access.space_moderators(space))}
        assert listed == {u.id for u in everyone if access.is_space_moderator(u, space)}
    for user in everyone + [ANON]:
        moderated = set(db.session.scalars(access.moderated_spaces(user)))
        for space in db.session.scalars(select(Space)):
            assert (space.id in moderated) == access.can_moderate(user, space), (user, space)
        # the same ids, read from the person's reach (what a request's statements use)
        assert set(access.moderated_space_ids(user)) - {-1} == moderated, user


def test_who_is_told_when_something_waits_for_a_moderator(people):
    """The space's moderators; where there are none, the platform admins — only where they
    may moderate (see) the space themselves."""
    org_admin, platform_admin = people["org_admin"], people["platform_admin"]
    assert access.moderators_to_notify(factories.org_space(people["org_a"])) == [org_admin]
    public = factories.make_group(people["outsider"], visibility=Visibility.PUBLIC)
    closed = factories.make_group(people["outsider"], visibility=Visibility.MEMBERS)
    people["outsider"].active = False     # the groups' only admin leaves
    db.session.commit()
    _fresh()
    assert access.moderators_to_notify(public) == [platform_admin]
    assert access.moderators_to_notify(closed) == []


def test_space_readers_is_the_sql_twin_of_can_view_for_signed_in_people(people):
    org_space = factories.org_space(people["org_a"])
    closed = factories.make_group(people["org_admin"])
    network = factories.make_group(people["org_admin"], visibility=Visibility.NETWORK)
    inactive = factories.make_user(people["org_a"], active=False)
    everyone = [u for k, u in people.items() if k not in ("org_a", "anonymous")] + [inactive]
    _fresh()
    for space in (org_space, closed, network):
        readers = access.space_readers(space)
        if readers is None:
            assert space.visibility != Visibility.MEMBERS
            continue
        ids = set(db.session.scalars(readers))
        assert ids == {u.id for u in everyone if access.can_view(u, space)}


# --- mailing lists ------------------------------------------------------------------------------


def _list(people, posting, subscription=SubscriptionPolicy.OPEN, space=None):
    space = space or factories.org_space(people["org_a"])
    return builders.make_list(space, people["org_admin"], posting=posting,
                              subscription=subscription)


# policy → sender → outcome of a post (by mail or on the web)
POSTING_TABLE = {
    PostingPolicy.MEMBERS: {"moderator": "accept", "subscriber": "accept",
                            "outside subscriber": "accept", "member": "refuse",
                            "stranger": "refuse"},
    PostingPolicy.ANYONE: {"moderator": "accept", "subscriber": "accept",
                           "outside subscriber": "accept", "member": "accept",
                           "stranger": "accept"},
    PostingPolicy.MODERATED: {"moderator": "accept", "subscriber": "hold",
                              "outside subscriber": "hold", "member": "hold", "stranger": "hold"},
    PostingPolicy.ANNOUNCE: {"moderator": "accept", "subscriber": "refuse",
                             "outside subscriber": "refuse", "member": "refuse",
                             "stranger": "refuse"},
}


@pytest.mark.parametrize("policy", list(POSTING_TABLE))
def test_list_posting_decisions(people, policy):
    mlist = _list(people, policy)
    builders.add_outside(mlist, ["dehors@exemple.org"])
    from intranet.lists import services as lists
    lists.subscribe_user(mlist, people["author"])
    senders = {"moderator": (people["org_admin"], people["org_admin"].email),
               "subscriber": (people["author"], people["author"].email),
               "outside subscriber": (None, "dehors@exemple.org"),
               "member": (people["colleague"], people["colleague"].email),
               "stranger": (None, "inconnu@ailleurs.fr")}
    for name, (user, email) in senders.items():
        decision = access.list_posting_decision(user, mlist, email)
        assert decision.outcome == POSTING_TABLE[policy][name], name
        assert decision.refused == bool(decision.reason)
        if user is not None:
            assert access.can_post_to_list(user, mlist) == (not decision.refused)
    assert not access.can_post_to_list(people["outsider"], mlist)   # does not see it
    assert not access.can_post_to_list(ANON, mlist)


def test_list_subscription_decisions(people):
    outcomes = {}
    for policy in SubscriptionPolicy:
        private = _list(people, PostingPolicy.MEMBERS, policy)
        public_group = factories.make_group(people["org_admin"], visibility=Visibility.PUBLIC)
        public = _list(people, PostingPolicy.MEMBERS, policy, space=public_group)
        outcomes[policy] = (access.list_subscription_decision(people["colleague"], private).outcome,
                            access.list_subscription_decision(people["outsider"], private).outcome,
                            access.list_subscription_decision(None, private).outcome,
                            access.list_subscription_decision(None, public).outcome)
    assert outcomes == {
        SubscriptionPolicy.OPEN: ("accept", "refuse", "refuse", "accept"),
        SubscriptionPolicy.REQUEST: ("hold", "refuse", "refuse", "hold"),
        SubscriptionPolicy.CLOSED: ("refuse", "refuse", "refuse", "refuse"),
    }


def test_list_moderators_are_those_who_may_still_moderate_it(people):
    """The twin of can_moderate_list: a list moderator who left the members-only space is no
    longer told of its held posts (nor may they moderate it)."""
    from intranet.lists import services as lists
    mlist = _list(people, PostingPolicy.MODERATED)
    lists.add_moderator(mlist, people["colleague"].email, by=people["org_admin"])
    told = {u.id for u in access.list_moderators_to_notify(mlist)}
    assert told == {people["org_admin"].id, people["colleague"].id}
    people["colleague"].memberships.clear()     # leaves the organisation
    db.session.commit()
    _fresh()
    assert not access.can_moderate_list(people["colleague"], mlist)
    assert {u.id for u in access.list_moderators_to_notify(mlist)} == {people["org_admin"].id}


# --- messaging ----------------------------------------------------------------------------------


def test_addressable_spaces_is_the_sql_twin_of_can_address_space(people):
    factories.org_space(people["org_a"])
    factories.make_group(people["org_admin"])
    archived = factories.make_group(people["org_admin"], visibility=Visibility.NETWORK)
    archived.archived = True
    spaces.ensure_open_space()
    db.session.commit()
    for who in ("anonymous", "outsider", "author", "org_admin", "platform_admin"):
        user = people[who]
        _fresh()
        listed = set(db.session.scalars(access.addressable_spaces(user)))
        for space in db.session.scalars(select(Space)):
            assert (space.id in listed) == access.can_address_space(user, space), (who, space)


def test_addressable_people_is_the_sql_twin_of_can_address_person(people):
    """Whom one may write to by name: the people of the directory's active organisations, the
    members of a group one may write to (even of no organisation), never an inactive account
    or the people of an organisation taken out of the directory alone."""
    group = factories.make_group(people["org_admin"], visibility=Visibility.NETWORK)
    loner = factories.make_user(None, Role.MEMBER)          # of no organisation
    spaces.add_member(group, loner, by=people["org_admin"])
    gone = factories.make_org("Commune fermée")
    of_gone = factories.make_user(gone, Role.MEMBER)
    gone.is_active = False
    inactive = factories.make_user(people["org_a"], Role.MEMBER)
    inactive.active = False
    db.session.commit()
    everyone = list(db.session.scalars(select(User)))
    for who in ("anonymous", "outsider", "author", "org_admin", "platform_admin"):
        user = people[who]
        _fresh()
        listed = set(db.session.scalars(access.addressable_people(user)))
        for person in everyone:
            assert (person.id in listed) == access.can_address_person(user, person), \
                (who, person.email)
    assert access.can_address_person(people["author"], people["outsider"])
    assert not access.can_address_person(people["author"], inactive)
    assert not access.can_address_person(people["outsider"], of_gone)


def test_readable_participations_is_the_sql_twin_of_can_read_conversation(people):
    author, colleague = people["author"], people["colleague"]
    conversation = messaging.start_conversation(author, to=colleague.email, subject="Objet",
                                                body="Bonjour")
    left = db.session.scalar(select(ConversationParticipant).where(
        ConversationParticipant.user_id == colleague.id))
    messaging.leave(left)
    for user in (author, colleague, people["org_admin"], ANON):
        rows = db.session.scalars(select(ConversationParticipant).where(
            ConversationParticipant.conversation_id == conversation.id,
            access.readable_participations(user))).all()
        mine = db.session.scalar(select(ConversationParticipant).where(
            ConversationParticipant.conversation_id == conversation.id,
            ConversationParticipant.user_id == getattr(user, "id", None)))
        assert bool(rows) == access.can_read_conversation(user, mine)
    assert messaging.participation(author, conversation.id) is not None
    assert messaging.participation(colleague, conversation.id) is None


def test_a_topic_moves_to_the_forums_of_spaces_its_moderator_moderates(people, private_forum):
    admin = people["org_admin"]
    topic = _topic(private_forum, people["author"], "normal")
    mine = factories.make_group(admin)
    theirs = factories.make_group(people["outsider"], visibility=Visibility.PUBLIC)
    forums = {}
    for name, space in (("same", private_forum.space), ("mine", mine), ("theirs", theirs)):
        forums[name] = Forum(space=space, space_id=space.id, name=name)
    db.session.add_all(forums.values())
    db.session.commit()
    _fresh()
    assert {name: access.can_move_topic_to(admin, topic, f) for name, f in forums.items()} \
        == {"same": True, "mine": True, "theirs": False}
    assert not access.can_move_topic_to(admin, topic, private_forum)    # already there
    assert not access.can_move_topic_to(people["author"], topic, forums["same"])
    mine.archived = True
    db.session.commit()
    _fresh()
    assert not access.can_move_topic_to(admin, topic, forums["mine"])
    from intranet.forums import reading
    assert {f.name for f in reading.forums_moderated_by(admin, exclude=private_forum)} == {"same"}


def test_the_moderators_of_an_archived_space_are_not_told_of_its_lists(people):
    """They may not moderate its lists any more (can_manage_lists): only the list's own
    moderators are told."""
    from intranet.lists import services as lists
    group = factories.make_group(people["org_admin"], visibility=Visibility.NETWORK)
    mlist = _list(people, PostingPolicy.MODERATED, space=group)
    lists.add_moderator(mlist, people["colleague"].email, by=people["org_admin"])
    group.archived = True
    db.session.commit()
    _fresh()
    assert not access.can_moderate_list(people["org_admin"], mlist)
    assert access.can_moderate_list(people["colleague"], mlist)
    assert [u.id for u in access.list_moderators_to_notify(mlist)] == [people["colleague"].id]
