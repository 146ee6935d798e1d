"""Who reads and who writes in a space's forums."""
from sqlalchemy import func, select, update

from intranet.accounts.models import User
from intranet.core.types import Role, Visibility
from intranet.extensions import db
from intranet.forums import services
from intranet.forums.models import ForumPost, ForumTopic

from .. import factories
from ..helpers import text
from .helpers import org_with_forum, public_forum


def test_member_of_b_can_neither_read_nor_post_in_a_private_forum(client, login):
    org_a, space, forum, a_member = org_with_forum("Commune A")
    topic = services.create_topic(forum, title="Budget confidentiel", body="Chiffres internes",
                                  body_format="text", by=a_member)
    b_member = factories.make_user(factories.make_org("Commune B"), Role.ADMIN)
    login(b_member)
    base = f"/espaces/{space.slug}/forums"
    for url in (base, f"{base}/{forum.id}", f"{base}/sujets/{topic.id}",
                f"{base}/messages/{topic.first_post_id}", f"{base}/sujets/{topic.id}/repondre"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Budget confidentiel" not in text(response)
    assert client.post(f"{base}/sujets/{topic.id}/repondre",
                       data={"body": "Intrusion", "body_format": "text"}).status_code == 404
    assert client.post(f"{base}/{forum.id}/nouveau-sujet",
                       data={"title": "Intrus", "body": "x", "body_format": "text"}).status_code == 404
    assert db.session.scalar(select(func.count(ForumPost.id))) == 1
    # nor does it show in their « nouveautés »
    assert "Budget confidentiel" not in text(client.get("/forums/nouveautes"))


def test_a_member_reads_and_answers_in_the_private_forum(client, login):
    org, space, forum, member = org_with_forum()
    colleague = factories.make_user(org, Role.MEMBER)
    topic = services.create_topic(forum, title="Fête du village", body="Qui tient la buvette ?",
                                  body_format="text", by=member)
    login(colleague)
    page = text(client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}"))
    assert "Qui tient la buvette ?" in page
    response = client.post(f"/espaces/{space.slug}/forums/sujets/{topic.id}/repondre",
                           data={"body": "Moi, samedi.", "body_format": "text"})
    assert response.status_code == 302
    assert "#message-2" in response.headers["Location"]
    assert "Moi, samedi." in text(client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}"))


def test_the_space_page_links_to_its_forums(client, login):
    org, space, forum, member = org_with_forum()
    login(member)
    assert f"/espaces/{space.slug}/forums" in text(client.get(f"/espaces/{space.slug}",
                                                              follow_redirects=True))
    assert "Vie de la mairie" in text(client.get(f"/espaces/{space.slug}/forums"))


def test_anyone_reads_a_public_forum_and_signed_in_people_write_where_it_is_open(client, login):
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    group, forum = public_forum(admin, open_to_network=True)
    topic = services.create_topic(forum, title="Horaires de la déchetterie", body="Quels horaires ?",
                                  body_format="text", by=admin)
    url = f"/espaces/{group.slug}/forums/sujets/{topic.id}"
    assert "Quels horaires ?" in text(client.get(url))                  # anonymous reads
    assert client.post(f"{url}/repondre", data={"body": "x"}).status_code == 302  # to login
    outsider = factories.make_user(factories.make_org(), Role.MEMBER)
    db.session.execute(update(User).where(User.id == outsider.id)    # not a new account
                       .values(created_at=outsider.created_at.replace(year=2020)))
    db.session.commit()
    login(outsider)
    client.post(f"{url}/repondre", data={"body": "De 9 h à 12 h.", "body_format": "text"})
    assert "De 9 h à 12 h." in text(client.get(url))


def test_only_members_write_where_the_forum_is_not_open_to_the_network(client, login):
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    group = factories.make_group(admin, visibility=Visibility.NETWORK)
    forum = services.create_forum(group, name="Réservé", by=admin)
    topic = services.create_topic(forum, title="Entre nous", body="Lisible par le réseau",
                                  body_format="text", by=admin)
    outsider = factories.make_user(factories.make_org(), Role.MEMBER)
    login(outsider)
    url = f"/espaces/{group.slug}/forums/sujets/{topic.id}"
    page = text(client.get(url))
    assert "Lisible par le réseau" in page
    assert "Seuls les membres de l'espace écrivent dans ce forum." in page
    assert client.post(f"{url}/repondre", data={"body": "Moi aussi"}).status_code == 403
    assert db.session.scalar(select(ForumTopic.post_count)) == 1


def test_creating_forums_is_for_the_space_moderators(client, login):
    org = factories.make_org()
    member = factories.make_user(org, Role.MEMBER)
    admin = factories.make_user(org, Role.ADMIN)
    space = factories.org_space(org)
    login(member)
    assert client.get(f"/espaces/{space.slug}/forums/nouveau").status_code == 403
    client.post("/deconnexion")
    login(admin)
    response = client.post(f"/espaces/{space.slug}/forums/nouveau",
                           data={"name": "Ressources humaines", "category": "", "position": "0"})
    assert response.status_code == 302
    assert "Ressources humaines" in text(client.get(f"/espaces/{space.slug}/forums"))


def test_every_forum_page_opens_for_a_moderator(client, login):
    org, space, forum, member = org_with_forum()
    admin = factories.make_user(org, Role.ADMIN)
    category = services.create_category(space, "Services", by=admin)
    services.update_forum(forum, name=forum.name, category_id=category.id, by=admin)
    topic = services.create_topic(forum, title="Sujet", body="Texte", body_format="text", by=member)
    reply = services.reply(topic, body="Réponse", body_format="text", by=member)
    services.edit_post(reply, body="Réponse corrigée", body_format="text", by=member)
    services.report_post(reply, "À vérifier", by=admin)
    login(admin)
    base = f"/espaces/{space.slug}/forums"
    for url in (base, f"{base}/nouveau", f"{base}/{forum.id}", f"{base}/{forum.id}/modifier",
                f"{base}/{forum.id}/nouveau-sujet", f"{base}/sujets/{topic.id}",
                f"{base}/sujets/{topic.id}/repondre?citer={reply.id}",
                f"{base}/sujets/{topic.id}/deplacer", f"{base}/messages/{reply.id}/modifier",
                f"{base}/messages/{topic.first_post_id}/modifier",
                f"{base}/messages/{reply.id}/historique", f"{base}/messages/{reply.id}/signaler",
                f"{base}/moderation", "/forums/nouveautes", "/forums/nouveautes?non-lus=1"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert text(response).count("<h1") == 1, url
    assert "Services" in text(client.get(base))
