"""Writing in a forum: rich text, quoting, mentions, attachments, locked topics, anti-spam."""
import io
from datetime import timedelta

from sqlalchemy import select, update

from intranet import config
from intranet.accounts.models import User
from intranet.core.types import Role
from intranet.core.timeutil import utcnow
from intranet.extensions import db
from intranet.forums import services
from intranet.forums.models import ForumPost, ForumTopic
from intranet.notifications.models import Notification

from .. import factories
from ..helpers import sends_to_sign_in, text
from .helpers import org_with_forum, public_forum

PDF = b"%PDF-1.4\n% test\n"


def _age(user, days=365):
    """An established account (not a new one, whose first public post is held)."""
    db.session.execute(update(User).where(User.id == user.id)
                       .values(created_at=utcnow() - timedelta(days=days)))
    db.session.commit()


def test_a_new_topic_is_sanitised_rich_text(client, login):
    org, space, forum, member = org_with_forum()
    login(member)
    response = client.post(f"/espaces/{space.slug}/forums/{forum.id}/nouveau-sujet", data={
        "title": "Piège", "body_format": "html",
        "body": '<p onclick="alert(1)">Bonjour <b>à tous</b><script>alert(2)</script></p>'})
    assert response.status_code == 302
    post = db.session.scalar(select(ForumPost))
    assert "<b>à tous</b>" in post.body_html
    assert "onclick" not in post.body_html and "<script" not in post.body_html
    assert "Nouveau sujet : Piège" in text(client.get("/"))   # in « quoi de neuf »


def test_an_empty_message_is_refused_in_french(client, login):
    org, space, forum, member = org_with_forum()
    login(member)
    response = client.post(f"/espaces/{space.slug}/forums/{forum.id}/nouveau-sujet", data={
        "title": "Vide", "body_format": "html", "body": "<p><br></p>"})
    assert response.status_code == 200
    assert "Le message est vide" in text(response)
    assert db.session.scalar(select(ForumTopic)) is None


def test_quoting_a_post_puts_it_in_a_blockquote_naming_its_author(client, login):
    org, space, forum, author = org_with_forum()
    db.session.execute(update(User).where(User.id == author.id)
                       .values(first_name="Hélène", last_name="Martin"))
    db.session.commit()
    topic = services.create_topic(forum, title="Cantine", body="Le menu change **lundi**.",
                                  body_format="text", by=author)
    replier = factories.make_user(org, Role.MEMBER)
    login(replier)
    form = text(client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}/repondre"
                           f"?citer={topic.first_post_id}"))
    assert "> <cite>Hélène Martin</cite> a écrit :" in form
    assert "> Le menu change **lundi**." in form
    body = services.quote(db.session.get(ForumPost, topic.first_post_id)) + "Très bonne nouvelle."
    client.post(f"/espaces/{space.slug}/forums/sujets/{topic.id}/repondre",
                data={"body": body, "body_format": "text"})
    reply = db.session.scalar(select(ForumPost).where(ForumPost.position == 2))
    assert reply.body_html.startswith("<blockquote>")
    assert "<cite>Hélène Martin</cite> a écrit :" in reply.body_html
    assert "<strong>lundi</strong>" in reply.body_html
    assert "Très bonne nouvelle." in reply.body_html.split("</blockquote>")[1]


def test_mentions_notify_the_people_named_who_can_see_the_space(client, login):
    org, space, forum, author = org_with_forum()
    colleague = factories.make_user(org, Role.MEMBER, first_name="Jean-Pierre", last_name="Lefèvre")
    by_email = factories.make_user(org, Role.MEMBER, email="secretariat.mairie@agen.fr")
    factories.make_user(factories.make_org(), Role.MEMBER, first_name="Paul", last_name="Durand")
    login(author)
    client.post(f"/espaces/{space.slug}/forums/{forum.id}/nouveau-sujet", data={
        "title": "Dossier voirie", "body_format": "text",
        "body": "@jean-pierre.lefevre et @secretariat.mairie, pouvez-vous relire ? "
                "(@paul.durand n'a pas accès ; écrire à contact@agen.fr)"})
    notes = db.session.scalars(select(Notification).where(Notification.kind == "forum.mention")).all()
    assert sorted(n.user_id for n in notes) == sorted([colleague.id, by_email.id])
    assert notes[0].title == f"{author.full_name} vous a mentionné dans « Dossier voirie »"
    assert "/forums/messages/" in notes[0].url


def test_a_mention_inside_a_quotation_does_not_notify_again(client, login):
    org, space, forum, author = org_with_forum()
    colleague = factories.make_user(org, Role.MEMBER, email="claire@agen.fr")
    topic = services.create_topic(forum, title="Question", body="@claire, une idée ?",
                                  body_format="text", by=author)
    assert db.session.query(Notification).filter_by(user_id=colleague.id).count() == 1
    services.reply(topic, body=services.quote(db.session.get(ForumPost, topic.first_post_id))
                   + "Je relance.", body_format="text", by=author)
    assert db.session.query(Notification).filter_by(user_id=colleague.id,
                                                    kind="forum.mention").count() == 1


def test_a_locked_topic_refuses_replies_with_a_french_message(client, login):
    org, space, forum, member = org_with_forum()
    admin = factories.make_user(org, Role.ADMIN)
    topic = services.create_topic(forum, title="Clos", body="Sujet clos", body_format="text",
                                  by=member)
    login(admin)
    client.post(f"/espaces/{space.slug}/forums/sujets/{topic.id}/verrouiller")
    assert db.session.get(ForumTopic, topic.id).locked
    client.post("/deconnexion")
    login(member)
    url = f"/espaces/{space.slug}/forums/sujets/{topic.id}"
    assert "Ce sujet est verrouillé : il n'accepte plus de réponses." in text(client.get(url))
    response = client.post(f"{url}/repondre", data={"body": "Encore un mot", "body_format": "text"})
    assert "Ce sujet est verrouillé : il n'accepte plus de réponses." in text(response)
    assert "Encore un mot" in text(response)     # what was typed is not lost
    assert db.session.get(ForumTopic, topic.id).post_count == 1
    # and nobody edits there but the moderators
    assert client.get(f"/espaces/{space.slug}/forums/messages/{topic.first_post_id}/modifier"
                      ).status_code == 403


def test_posting_too_fast_is_refused(client, login, data_app):
    org, space, forum, member = org_with_forum()
    topic = services.create_topic(forum, title="Rafale", body="1", body_format="text", by=member)
    data_app.config["FORUM_POSTS_PER_MINUTE"] = 3
    client.application.config["FORUM_POSTS_PER_MINUTE"] = 3
    try:
        login(member)
        url = f"/espaces/{space.slug}/forums/sujets/{topic.id}/repondre"
        for i in range(2):
            assert client.post(url, data={"body": f"réponse {i}"}).status_code == 302
        response = client.post(url, data={"body": "une de trop"})
        assert "Vous publiez trop vite : 3 messages par minute au plus." in text(response)
        assert db.session.get(ForumTopic, topic.id).post_count == 3
    finally:
        for flask_app in (data_app, client.application):
            flask_app.config["FORUM_POSTS_PER_MINUTE"] = config.FORUM_POSTS_PER_MINUTE


def test_the_first_post_of_a_new_account_in_a_public_forum_waits_for_a_moderator(client, login):
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    group, forum = public_forum(admin)
    topic = services.create_topic(forum, title="Bienvenue", body="Présentez-vous",
                                  body_format="text", by=admin)
    newcomer = factories.make_user(factories.make_org(), Role.MEMBER)
    login(newcomer)
    url = f"/espaces/{group.slug}/forums/sujets/{topic.id}"
    client.post(f"{url}/repondre", data={"body": "Achetez mes montres", "body_format": "text"})
    held = db.session.scalar(select(ForumPost).where(ForumPost.author_id == newcomer.id))
    assert held.held and held.position is None
    assert "En attente de validation" in text(client.get(url))      # its author sees it waiting
    client.post("/deconnexion")
    assert "Achetez mes montres" not in text(client.get(url))       # nobody else does
    assert db.session.scalar(select(Notification.kind).where(Notification.user_id == admin.id)) \
        == "forum.report"
    login(admin)
    queue = text(client.get(f"/espaces/{group.slug}/forums/moderation"))
    assert "Achetez mes montres" in queue
    client.post(f"/espaces/{group.slug}/forums/messages/{held.id}/valider")
    client.post("/deconnexion")
    assert "Achetez mes montres" in text(client.get(url))
    assert db.session.get(ForumTopic, topic.id).post_count == 2
    # once a post is accepted, the next ones are published at once
    post = services.reply(db.session.get(ForumTopic, topic.id), body="Merci", body_format="text",
                          by=newcomer)
    assert not post.held and post.position == 3


def test_attachments_are_served_to_those_who_read_the_topic(client, login):
    org, space, forum, member = org_with_forum()
    login(member)
    client.post(f"/espaces/{space.slug}/forums/{forum.id}/nouveau-sujet", data={
        "title": "Compte rendu", "body": "Ci-joint.", "body_format": "text",
        "files": [(io.BytesIO(PDF), "compte-rendu.pdf")]}, content_type="multipart/form-data")
    post = db.session.scalar(select(ForumPost))
    page = text(client.get(f"/espaces/{space.slug}/forums/sujets/{post.topic_id}"))
    assert "compte-rendu.pdf" in page
    attachment = post.attachments[0]
    url = f"/espaces/{space.slug}/forums/messages/{post.id}/pieces/{attachment.id}"
    assert client.get(url).data == PDF
    client.post("/deconnexion")
    assert sends_to_sign_in(client.get(url))


def test_a_wrong_attachment_is_refused_and_nothing_is_posted(client, login):
    org, space, forum, member = org_with_forum()
    login(member)
    response = client.post(f"/espaces/{space.slug}/forums/{forum.id}/nouveau-sujet", data={
        "title": "Virus", "body": "Ouvrez", "body_format": "text",
        "files": [(io.BytesIO(b"MZ\x90\x00"), "programme.exe")]},
        content_type="multipart/form-data")
    assert "n'est pas accepté" in text(response)
    assert db.session.scalar(select(ForumTopic)) is None
