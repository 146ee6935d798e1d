"""Writing without losing anything: « Prévisualiser » shows the sanitised text without
publishing it, the form kept filled (files included); drafts are kept on the server (by the
editor's script every few seconds, or « Enregistrer le brouillon »), given back on return,
never shown to anyone else, and gone once the message is posted."""
import io

from sqlalchemy import func, select

from intranet.core.types import Role
from intranet.extensions import db
from intranet.forums import services
from intranet.forums.models import ForumDraft, ForumPost, ForumTopic

from .. import factories
from ..helpers import text
from .helpers import org_with_forum

PDF = b"%PDF-1.4\n% test\n"


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_preview_of_a_new_topic_shows_sanitised_html_and_publishes_nothing(client, login):
    org, space, forum, member = org_with_forum()
    login(member)
    response = client.post(f"/espaces/{space.slug}/forums/{forum.id}/nouveau-sujet", data={
        "title": "Conseil du 12", "body_format": "html", "previsualiser": "1",
        "body": '<p onclick="alert(1)">Ordre du <b>jour</b><script>alert(2)</script></p>',
        "files": (io.BytesIO(PDF), "ordre-du-jour.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 200
    page = text(response)
    assert "Aperçu de votre message" in page
    preview = page.split('id="apercu"')[1].split("</section>")[0]
    assert "Ordre du <b>jour</b>" in preview
    assert "onclick" not in preview and "<script" not in preview
    assert 'value="Conseil du 12"' in page                   # the form stays filled
    assert "ordre-du-jour.pdf" in page                       # the file is kept, not asked again
    assert _count(ForumTopic) == 0
    # publishing afterwards takes the kept file
    kept = page.split('name="fichier_en_attente" value="')[1].split('"')[0]
    response = client.post(f"/espaces/{space.slug}/forums/{forum.id}/nouveau-sujet", data={
        "title": "Conseil du 12", "body_format": "text", "body": "Ordre du jour",
        "fichier_en_attente": kept})
    assert response.status_code == 302
    post = db.session.scalar(select(ForumPost))
    assert [a.file.original_name for a in post.attachments] == ["ordre-du-jour.pdf"]


def test_preview_of_a_reply_and_of_an_edit(client, login):
    org, space, forum, member = org_with_forum()
    topic = services.create_topic(forum, title="Cantine", body="Menus", body_format="text",
                                  by=member)
    login(member)
    response = client.post(f"/espaces/{space.slug}/forums/sujets/{topic.id}/repondre", data={
        "body": "Menu **bio** le jeudi", "body_format": "text", "previsualiser": "1"})
    page = text(response)
    assert "Aperçu de votre message" in page and "Menu **bio** le jeudi</textarea>" in page
    assert _count(ForumPost) == 1
    response = client.post(
        f"/espaces/{space.slug}/forums/messages/{topic.first_post_id}/modifier",
        data={"title": "Cantine", "body": "<p>Menus <i>révisés</i></p>", "body_format": "html",
              "previsualiser": "1"})
    page = text(response)
    assert "<i>révisés</i>" in page.split('id="apercu"')[1]
    assert db.session.get(ForumPost, topic.first_post_id).body_html == "<p>Menus</p>"


def test_a_draft_saved_by_the_button_comes_back_and_goes_once_posted(client, login):
    org, space, forum, member = org_with_forum()
    login(member)
    url = f"/espaces/{space.slug}/forums/{forum.id}/nouveau-sujet"
    response = client.post(url, data={"title": "Déneigement", "body": "Qui a le sel ?",
                                      "body_format": "text", "enregistrer-brouillon": "1"})
    assert "Brouillon enregistré" in text(response)
    assert _count(ForumTopic) == 0
    page = text(client.get(url))
    assert 'value="Déneigement"' in page and "Qui a le sel ?</textarea>" in page
    client.post(url, data={"title": "Déneigement", "body": "Qui a le sel ?",
                           "body_format": "text"})
    assert _count(ForumDraft) == 0
    assert "Qui a le sel ?" not in text(client.get(url))


def test_the_editor_script_autosaves_a_reply_that_comes_back_on_the_topic_page(client, login):
    org, space, forum, member = org_with_forum()
    topic = services.create_topic(forum, title="Travaux", body="Rue Thiers", body_format="text",
                                  by=member)
    login(member)
    response = client.post(f"/espaces/{space.slug}/forums/sujets/{topic.id}/brouillon",
                           data={"body": "<p>Je pense que</p>", "body_format": "html"},
                           headers={"X-Requested-With": "fetch"})
    assert response.status_code == 200 and response.get_json()["saved"] is True
    page = text(client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}"))
    assert "&lt;p&gt;Je pense que&lt;/p&gt;</textarea>" in client.get(
        f"/espaces/{space.slug}/forums/sujets/{topic.id}").get_data(as_text=True)
    assert 'data-draft-url="' in page and "forum-draft.js" in page
    assert "Je pense que" in text(client.get(
        f"/espaces/{space.slug}/forums/sujets/{topic.id}/repondre"))
    client.post(f"/espaces/{space.slug}/forums/sujets/{topic.id}/repondre",
                data={"body": "Je pense que oui", "body_format": "text"})
    assert "Je pense que</p>" not in text(client.get(
        f"/espaces/{space.slug}/forums/sujets/{topic.id}/repondre"))


def test_a_draft_is_never_shown_to_anyone_else(client, login):
    org, space, forum, member = org_with_forum()
    colleague = factories.make_user(org, Role.MEMBER)
    topic = services.create_topic(forum, title="Budget", body="Chiffres", body_format="text",
                                  by=member)
    services.save_draft(member, topic=topic, body="Confidentiel : brouillon de Lucie")
    services.save_draft(member, forum=forum, title="Projet secret", body="Idée")
    login(colleague)
    assert "Confidentiel" not in text(client.get(
        f"/espaces/{space.slug}/forums/sujets/{topic.id}"))
    assert "Confidentiel" not in text(client.get(
        f"/espaces/{space.slug}/forums/sujets/{topic.id}/repondre"))
    assert "Projet secret" not in text(client.get(
        f"/espaces/{space.slug}/forums/{forum.id}/nouveau-sujet"))


def test_no_draft_where_one_may_not_write(client, login):
    org, space, forum, member = org_with_forum()
    topic = services.create_topic(forum, title="Budget", body="Chiffres", body_format="text",
                                  by=member)
    outsider = factories.make_user(factories.make_org("Nérac"), Role.MEMBER)
    login(outsider)
    response = client.post(f"/espaces/{space.slug}/forums/sujets/{topic.id}/brouillon",
                           data={"body": "intrus"}, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 404
    assert _count(ForumDraft) == 0
