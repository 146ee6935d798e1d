"""How closely one follows a topic or a forum: everything, a forum's new topics only, normal,
or muted — a muted topic never notifies (in the site or by mail, not even a mention) and is
left out of « nouveautés depuis ma dernière visite »."""
from sqlalchemy import select

from intranet.core.types import Role
from intranet.extensions import db
from intranet.forums import reading, services
from intranet.forums.models import ForumTopic
from intranet.mail.models import OutboxMessage
from intranet.notifications.models import Notification

from .. import factories
from ..helpers import text
from .helpers import org_with_forum


def _notes(user):
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


def _mails(user):
    return db.session.scalars(select(OutboxMessage)
                              .where(OutboxMessage.recipient == user.email)).all()


def _topic(topic_id):
    return db.session.get(ForumTopic, topic_id)


def test_a_muted_topic_never_notifies_even_a_follower_or_a_mention(client, login):
    org, space, forum, author = org_with_forum()
    reader = factories.make_user(org, Role.MEMBER, first_name="Inès", last_name="Roux")
    topic = services.create_topic(forum, title="Fuite au gymnase", body="Le plombier passe",
                                  body_format="text", by=author)
    login(reader)
    client.post(f"/espaces/{space.slug}/forums/{forum.id}/suivre")       # the whole forum
    response = client.post(f"/espaces/{space.slug}/forums/sujets/{topic.id}/niveau",
                           data={"level": "muted"}, follow_redirects=True)
    page = text(response)
    assert "silencieux : jamais de notification" in page
    assert "Silencieux</span>" in page
    services.reply(_topic(topic.id), body="Réparé ce matin", body_format="text", by=author)
    services.reply(_topic(topic.id), body="@ines.roux pouvez-vous vérifier ?",
                   body_format="text", by=author)
    assert _notes(reader) == [] and _mails(reader) == []
    # the rest of the forum still notifies
    services.create_topic(forum, title="Vestiaires", body="Peinture", body_format="text",
                          by=author)
    assert [n.title for n in _notes(reader)] == [
        "Nouveau sujet dans « Vie de la mairie » : Vestiaires"]


def test_a_muted_forum_is_silent_unless_a_topic_is_followed(client, login):
    org, space, forum, author = org_with_forum()
    reader = factories.make_user(org, Role.MEMBER)
    kept = services.create_topic(forum, title="Élections", body="Bureau de vote",
                                 body_format="text", by=author)
    login(reader)
    client.post(f"/espaces/{space.slug}/forums/{forum.id}/niveau", data={"level": "muted"})
    client.post(f"/espaces/{space.slug}/forums/sujets/{kept.id}/suivre")
    services.create_topic(forum, title="Fête", body="Samedi", body_format="text", by=author)
    services.reply(_topic(kept.id), body="Assesseurs trouvés", body_format="text", by=author)
    assert [n.title for n in _notes(reader)] == [
        f"{author.full_name} a répondu à « Élections »"]


def test_watching_first_posts_only_tells_new_topics_not_replies(client, login):
    org, space, forum, author = org_with_forum()
    reader = factories.make_user(org, Role.MEMBER)
    login(reader)
    response = client.post(f"/espaces/{space.slug}/forums/{forum.id}/niveau",
                           data={"level": "first"}, follow_redirects=True)
    assert '<option selected value="first">' in text(response)
    topic = services.create_topic(forum, title="Recrutement", body="Un poste d'adjoint",
                                  body_format="text", by=author)
    services.reply(_topic(topic.id), body="Fiche de poste jointe", body_format="text", by=author)
    assert [n.title for n in _notes(reader)] == [
        "Nouveau sujet dans « Vie de la mairie » : Recrutement"]
    assert len(_mails(reader)) == 1


def test_a_topic_level_has_no_first_posts_choice(client, login):
    org, space, forum, author = org_with_forum()
    topic = services.create_topic(forum, title="Budget", body="Vote", body_format="text",
                                  by=author)
    login(author)
    response = client.post(f"/espaces/{space.slug}/forums/sujets/{topic.id}/niveau",
                           data={"level": "first"}, follow_redirects=True)
    assert "Choisissez comment suivre ce sujet." in text(response)


def test_muted_topics_and_forums_are_left_out_of_news(client, login):
    org, space, forum, author = org_with_forum()
    other = services.create_forum(space, name="Petites annonces", by=author)
    reader = factories.make_user(org, Role.MEMBER)
    muted = services.create_topic(forum, title="Sujet bavard", body="Blabla", body_format="text",
                                  by=author)
    services.create_topic(forum, title="Sujet utile", body="Info", body_format="text", by=author)
    services.create_topic(other, title="Vends tondeuse", body="50 €", body_format="text",
                          by=author)
    login(reader)
    page = text(client.get("/forums/nouveautes"))
    assert "Sujet bavard" in page and "Vends tondeuse" in page
    client.post(f"/espaces/{space.slug}/forums/sujets/{muted.id}/niveau", data={"level": "muted"})
    client.post(f"/espaces/{space.slug}/forums/{other.id}/niveau", data={"level": "muted"})
    page = text(client.get("/forums/nouveautes"))
    assert "Sujet utile" in page
    assert "Sujet bavard" not in page and "Vends tondeuse" not in page
    listing, _since = reading.news(reader, 1)
    assert listing.total == 1
    # back to normal: shown again
    client.post(f"/espaces/{space.slug}/forums/sujets/{muted.id}/niveau", data={"level": "normal"})
    assert "Sujet bavard" in text(client.get("/forums/nouveautes"))
