"""Likes: one per person and post, taken back by a second click, counted with the names of
who liked, shown only with a post one may read; nobody likes their own post."""
from sqlalchemy import func, select

from intranet.core.types import Role
from intranet.extensions import db
from intranet.forums import services
from intranet.forums.models import ForumLike, ForumTopic

from .. import factories
from ..helpers import visible_text
from .helpers import org_with_forum


def test_likes_are_counted_once_per_person_with_their_names(client, login):
    org, space, forum, author = org_with_forum()
    anne = factories.make_user(org, Role.MEMBER, first_name="Anne", last_name="Sarda")
    marc = factories.make_user(org, Role.MEMBER, first_name="Marc", last_name="Pujol")
    topic = services.create_topic(forum, title="Fleurissement", body="Bravo aux agents",
                                  body_format="text", by=author)
    url = f"/espaces/{space.slug}/forums/messages/{topic.first_post_id}/aimer"
    topic_url = f"/espaces/{space.slug}/forums/sujets/{topic.id}"
    login(anne)
    client.post(url)
    client.post("/deconnexion")
    login(marc)
    page = visible_text(client.post(url, follow_redirects=True))
    assert "Vous aimez ce message." in page
    assert "2 personnes aiment ce message : Anne Sarda, Marc Pujol" in page
    assert "Je n'aime plus" in page
    client.post(url)                                  # a second click takes it back
    page = visible_text(client.get(topic_url))
    assert "1 personne aime ce message : Anne Sarda" in page
    assert db.session.scalar(select(func.count()).select_from(ForumLike)) == 1


def test_nobody_likes_their_own_post(client, login):
    org, space, forum, author = org_with_forum()
    topic = services.create_topic(forum, title="Mon idée", body="Un composteur",
                                  body_format="text", by=author)
    login(author)
    assert "J'aime" not in visible_text(client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}"))
    response = client.post(f"/espaces/{space.slug}/forums/messages/{topic.first_post_id}/aimer")
    assert response.status_code == 403


def test_who_liked_is_not_shown_with_a_deleted_post_nor_to_outsiders(client, login):
    org, space, forum, author = org_with_forum()
    fan = factories.make_user(org, Role.MEMBER, first_name="Paul", last_name="Vidal")
    topic = services.create_topic(forum, title="Ramassage", body="Lundi", body_format="text",
                                  by=author)
    reply = services.reply(db.session.get(ForumTopic, topic.id), body="Et les encombrants ?",
                           body_format="text", by=author)
    services.toggle_like(reply, by=fan)
    outsider = factories.make_user(factories.make_org("Nérac"), Role.MEMBER)
    login(outsider)
    assert client.post(f"/espaces/{space.slug}/forums/messages/{reply.id}/aimer").status_code \
        == 404
    client.post("/deconnexion")
    login(factories.make_user(org, Role.MEMBER))
    topic_url = f"/espaces/{space.slug}/forums/sujets/{topic.id}"
    assert "1 personne aime ce message : Paul Vidal" in visible_text(client.get(topic_url))
    services.delete_post(db.session.get(type(reply), reply.id), by=author)
    page = visible_text(client.get(topic_url))
    assert "Message supprimé." in page and "Paul Vidal" not in page
