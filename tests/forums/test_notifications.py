"""Subscriptions to a topic or a forum notify new posts, with a reply-by-email address; a
reply by email becomes a post, as that person, unless the topic is locked or they may no
longer write."""
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from intranet.accounts.models import Membership
from intranet.core.types import Role
from intranet.mail import replies
from intranet.mail.replies import ReplyRefused, reply_address
from intranet.extensions import db
from intranet.forums import following, services
from intranet.forums.models import ForumPost, ForumTopic
from intranet.mail.models import OutboxMessage
from intranet.notifications.models import Notification

from .. import factories
from ..helpers import text
from .helpers import org_with_forum

PDF = b"%PDF-1.4\n% test\n"


def _notes(user, kind="forum.reply"):
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                         Notification.kind == kind)
                            .order_by(Notification.id)).all()


def test_following_a_topic_notifies_its_replies_with_a_reply_address(client, login):
    org, space, forum, author = org_with_forum()
    follower = factories.make_user(org, Role.MEMBER)
    topic = services.create_topic(forum, title="Travaux rue Thiers", body="Début lundi",
                                  body_format="text", by=author)
    login(follower)
    client.post(f"/espaces/{space.slug}/forums/sujets/{topic.id}/suivre")
    client.post("/deconnexion")
    services.reply(db.session.get(ForumTopic, topic.id), body="Reporté à mardi",
                   body_format="text", by=author)
    [note] = _notes(follower)
    assert note.title == f"{author.full_name} a répondu à « Travaux rue Thiers »"
    assert note.body == "Reporté à mardi"
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == follower.email))
    assert mail.reply_to == reply_address(follower, "forum_topic", topic.id)
    assert _notes(author) == []          # never about one's own post


def test_the_author_of_a_topic_follows_it_and_can_stop(client, login):
    org, space, forum, author = org_with_forum()
    replier = factories.make_user(org, Role.MEMBER)
    topic = services.create_topic(forum, title="Sondage", body="Vos avis ?", body_format="text",
                                  by=author)
    services.reply(topic, body="Pour", body_format="text", by=replier)
    assert len(_notes(author)) == 1
    login(author)
    page = text(client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}"))
    assert "Ne plus suivre ce sujet" in page
    client.post(f"/espaces/{space.slug}/forums/sujets/{topic.id}/suivre")
    services.reply(db.session.get(ForumTopic, topic.id), body="Contre", body_format="text",
                   by=replier)
    assert len(_notes(author)) == 1


def test_following_a_forum_notifies_new_topics_and_replies(client, login):
    org, space, forum, author = org_with_forum()
    follower = factories.make_user(org, Role.MEMBER)
    login(follower)
    client.post(f"/espaces/{space.slug}/forums/{forum.id}/suivre")
    topic = services.create_topic(forum, title="Nouvel agent", body="Bienvenue à Léa",
                                  body_format="text", by=author)
    services.reply(topic, body="Bienvenue !", body_format="text", by=author)
    titles = [n.title for n in _notes(follower)]
    assert titles == ["Nouveau sujet dans « Vie de la mairie » : Nouvel agent",
                      f"{author.full_name} a répondu à « Nouvel agent »"]


def test_someone_who_left_the_space_is_no_longer_notified(client, login):
    org, space, forum, author = org_with_forum()
    leaver = factories.make_user(org, Role.MEMBER)
    topic = services.create_topic(forum, title="Interne", body="x", body_format="text", by=author)
    following.toggle_subscription(leaver, topic=topic)
    db.session.execute(db.delete(Membership).where(Membership.user_id == leaver.id))
    db.session.commit()
    services.reply(db.session.get(ForumTopic, topic.id), body="Secret", body_format="text",
                   by=author)
    assert _notes(leaver) == []


def test_a_reply_by_email_becomes_a_post_of_that_person():
    org, space, forum, author = org_with_forum()
    follower = factories.make_user(org, Role.MEMBER)
    topic = services.create_topic(forum, title="Réunion", body="Jeudi 14 h ?", body_format="text",
                                  by=author)
    mail = EmailMessage()
    mail.set_content("D'accord pour jeudi.")
    mail.add_attachment(PDF, maintype="application", subtype="pdf", filename="ordre-du-jour.pdf")
    replies.handle(reply_address(follower, "forum_topic", topic.id),
                   "D'accord pour jeudi.\n\nLe 3 mars, Marie a écrit :\n> Jeudi 14 h ?\n", mail)
    post = db.session.scalar(select(ForumPost).where(ForumPost.position == 2))
    assert post.author_id == follower.id
    assert post.body_source == "D'accord pour jeudi."
    assert [a.file.original_name for a in post.attachments] == ["ordre-du-jour.pdf"]
    assert len(_notes(author)) == 1


def test_a_reply_by_email_is_refused_in_a_locked_topic_or_by_someone_who_left():
    org, space, forum, author = org_with_forum()
    follower = factories.make_user(org, Role.MEMBER)
    admin = factories.make_user(org, Role.ADMIN)
    topic = services.create_topic(forum, title="Réunion", body="x", body_format="text", by=author)
    services.set_locked(topic, True, by=admin)
    with pytest.raises(ReplyRefused, match="verrouillé"):
        replies.handle(reply_address(follower, "forum_topic", topic.id), "Trop tard ?")
    services.set_locked(topic, False, by=admin)
    db.session.execute(db.delete(Membership).where(Membership.user_id == follower.id))
    db.session.commit()
    db.session.expire_all()
    with pytest.raises(ReplyRefused, match="n.existe plus"):
        replies.handle(reply_address(follower, "forum_topic", topic.id), "Et maintenant ?")
    assert db.session.get(ForumTopic, topic.id).post_count == 1
