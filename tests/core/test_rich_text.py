"""One way to write: every form that takes a text (pages, forum posts, messages, list posts,
acts, notices, aids, press releases) offers the same editor (``_macros.rich_text``), asks
nobody to choose a format or to type Markdown, and takes any format value without failing."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from flask import url_for
from sqlalchemy import select

from intranet.core.sanitize import known_format
from intranet.core.types import Role, Visibility
from intranet.documents import services as documents
from intranet.extensions import db
from intranet.forums import services as forums
from intranet.forums.models import ForumPost
from intranet.lists import services as lists
from intranet.lists.models import ListMessage
from intranet.messaging import services as messaging
from intranet.publications.aids import services as aids
from intranet.publications.procurement import services as procurement
from intranet.publications.procurement.models import Procedure
from intranet.publications.press import services as press
from intranet.publications.press.models import PressRelease

from .. import factories
from ..helpers import visible_text
from ..lists.builders import make_list
from ..publications.deliberations.builders import act_data, make_act


@pytest.fixture
def world():
    org = factories.make_org("Agmé")
    alice = factories.make_user(org, Role.ADMIN, first_name="Alice")
    bruno = factories.make_user(org, Role.MEMBER, first_name="Bruno")
    space = factories.org_space(org)
    page = documents.create_page(space, title="Horaires", body="Ouvert le lundi.\n\nFermé le mardi.",
                                 body_format="text", by=alice)
    forum = forums.create_forum(space, name="Vie de la mairie", by=alice)
    topic = forums.create_topic(forum, title="Budget", body="Premier message", body_format="text",
                                by=alice)
    mlist = make_list(space, alice)
    posted = lists.post_from_web(mlist, alice, subject="Réunion", body="Jeudi à 18 h.")
    conversation = messaging.start_conversation(alice, to=bruno.email, subject="Voirie",
                                                body="Le chantier commence lundi.")
    act = make_act(org, alice)
    aid = aids.create_aid(org, aids.AidData(
        title="Aide aux écoles", description="Pour les écoles.", beneficiaries=["communes"],
        themes=["sport"], closes_on=date(2099, 12, 31), visibility=Visibility.PUBLIC), by=alice)
    procurement.import_nomenclature("Familles d'achat", "code;libelle;parent\nA;Travaux;\n")
    notice = procurement.create_notice(org, procurement.NoticeData(
        title="Voirie", procedure=Procedure.ADAPTED, deadline=datetime(2099, 1, 1, 11),
        codes="A", description="Réfection.", visibility=Visibility.PUBLIC), by=alice)
    release = press.create_release(org, title="Inauguration", release_date=date(2024, 6, 1),
                                   body="Le maire invite.", by=alice)
    db.session.commit()
    return {"org": org, "alice": alice, "bruno": bruno, "space": space, "page": page,
            "forum": forum, "topic": topic, "mlist": mlist, "posted": posted,
            "conversation": conversation, "act": act, "aid": aid, "notice": notice,
            "release": release}


# (test id, endpoint, its arguments from the world, the text field's name, its format's name)
FORMS = [
    ("page-nouvelle", "documents.new_page", lambda w: {"slug": w["space"].slug}, "body", "body_format"),
    ("page-modifier", "documents.edit_page",
     lambda w: {"slug": w["space"].slug, "page_id": w["page"].id}, "body", "body_format"),
    ("sujet-nouveau", "forums.new_topic",
     lambda w: {"slug": w["space"].slug, "forum_id": w["forum"].id}, "body", "body_format"),
    ("sujet", "forums.topic", lambda w: {"slug": w["space"].slug, "topic_id": w["topic"].id},
     "body", "body_format"),
    ("sujet-repondre", "forums.reply",
     lambda w: {"slug": w["space"].slug, "topic_id": w["topic"].id}, "body", "body_format"),
    ("message-forum-modifier", "forums.edit_post",
     lambda w: {"slug": w["space"].slug, "post_id": w["topic"].first_post_id}, "body",
     "body_format"),
    ("message-nouveau", "messaging.compose", lambda w: {}, "body", "body_format"),
    ("conversation", "messaging.show", lambda w: {"conversation_id": w["conversation"].id},
     "body", "body_format"),
    ("liste-ecrire", "lists.write", lambda w: {"slug": w["space"].slug, "name": w["mlist"].name},
     "body", "body_format"),
    ("liste-fil", "lists.thread", lambda w: {"slug": w["space"].slug, "name": w["mlist"].name,
                                             "thread_id": w["posted"].thread_id},
     "body", "body_format"),
    ("acte-nouveau", "deliberations.create", lambda w: {}, "body", "body_format"),
    ("acte-modifier", "deliberations.edit", lambda w: {"deliberation_id": w["act"].id},
     "body", "body_format"),
    ("aide-nouvelle", "aids.new", lambda w: {}, "description", "description_format"),
    ("aide-modifier", "aids.edit", lambda w: {"aid_id": w["aid"].id}, "description",
     "description_format"),
    ("avis-nouveau", "procurement.new", lambda w: {}, "description", "description_format"),
    ("avis-modifier", "procurement.edit", lambda w: {"notice_id": w["notice"].id},
     "description", "description_format"),
    ("communique-nouveau", "press.create", lambda w: {}, "body", "body_format"),
    ("communique-modifier", "press.edit", lambda w: {"release_id": w["release"].id}, "body",
     "body_format"),
]


@pytest.mark.parametrize("endpoint, args, name, format_name", [f[1:] for f in FORMS],
                         ids=[f[0] for f in FORMS])
def test_every_form_offers_the_one_editor_and_no_format_choice(app, client, login, world,
                                                              endpoint, args, name, format_name):
    login(world["alice"])
    with app.test_request_context():
        url = url_for(endpoint, **args(world))
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)

    textarea = re.search(rf'<textarea[^>]*name="{name}"[^>]*>', html)
    assert textarea and 'data-editor="rich"' in textarea.group(0), url
    field_id = re.search(r'id="([^"]+)"', textarea.group(0)).group(1)
    # Named by its visible label, described by a hint that says how to write.
    assert re.search(rf'<label[^>]*for="{field_id}"[^>]*id="{field_id}-libelle"', html) or \
        re.search(rf'<label[^>]*id="{field_id}-libelle"[^>]*for="{field_id}"', html), url
    assert f'aria-describedby="{field_id}-aide' in textarea.group(0)
    hint = re.search(rf'<p class="hint" id="{field_id}-aide">(.*?)</p>', html, re.S).group(1)
    assert "ligne vide" in hint
    # Its format travels in a hidden input tied to it; nobody chooses one.
    fmt = re.search(rf'<input[^>]*name="{format_name}"[^>]*>', html).group(0)
    assert 'type="hidden"' in fmt and f'data-editor-format-for="{field_id}"' in fmt
    assert not re.search(r'<select[^>]*name="[^"]*_format"', html)
    assert "Format d" not in visible_text(response)
    # No Markdown taught anywhere on the page.
    for taught in ("**", "[texte", "## ", "Markdown", "HTML"):
        assert taught not in visible_text(response), (url, taught)
    assert "**gras**" not in html
    assert 'src="/static/js/editor.js"' in html


def test_a_text_kept_as_plain_text_comes_with_its_rendering_for_the_editor(client, login,
                                                                           world):
    login(world["alice"])
    page = world["page"]
    html = client.get(f"/espaces/{world['space'].slug}/pages/{page.id}/modifier") \
        .get_data(as_text=True)
    template = re.search(r'<template data-editor-html-for="body">(.*?)</template>', html, re.S)
    assert template and "<p>Ouvert le lundi.</p>" in template.group(1)
    assert re.search(r'name="body_format"[^>]*value="text"|value="text"[^>]*name="body_format"',
                     html)


def test_a_form_sent_back_keeps_the_editor_html(client, login, world):
    """Refused (here, no title), the press release form comes back with the HTML in the
    textarea and the format "html", so the editor shows it as it was."""
    login(world["alice"])
    response = client.post("/communiques/nouveau", data={
        "organisation": world["org"].slug, "title": "", "release_date": "2024-06-01",
        "visibility": "public", "body": "<p>Une <b>grande</b> fête</p>", "body_format": "html"})
    assert response.status_code in (200, 400)
    html = response.get_data(as_text=True)
    assert "Une &lt;b&gt;grande&lt;/b&gt; fête" in html
    assert re.search(r'name="body_format"[^>]*value="html"|value="html"[^>]*name="body_format"',
                     html)
    assert "data-editor-html-for" not in html      # HTML goes back as it was, not re-rendered


# --- any format value --------------------------------------------------------------------------

@pytest.mark.parametrize("sent, kept", [("html", "html"), ("text", "text"), ("markdown", "text"),
                                        ("", "text"), (None, "text"), ("HTML", "text"),
                                        ("<script>", "text")])
def test_known_format(sent, kept):
    assert known_format(sent) == kept


def test_every_service_takes_an_unknown_format_as_text(world):
    alice, bruno, space, org = world["alice"], world["bruno"], world["space"], world["org"]
    odd = "<b>gras</b> et suite"       # as text, the tags are not kept as HTML formatting

    page = documents.create_page(space, title="Essai", body=odd, body_format="markdown",
                                 by=alice)
    assert page.body_format == "text"
    topic = forums.create_topic(world["forum"], title="Essai", body=odd, body_format="rtf",
                                by=alice)
    assert db.session.get(ForumPost, topic.first_post_id).body_format == "text"
    release = press.create_release(org, title="Essai", release_date=date(2024, 6, 2), body=odd,
                                   body_format="markdown", by=alice)
    assert release.body_format == "text" and release.body_source == odd
    conversation = messaging.start_conversation(alice, to=bruno.email, subject="Essai",
                                                body="Un *mot*", body_format="word")
    assert "<em>mot</em>" in conversation.messages[0].body_html
    message = lists.post_from_web(world["mlist"], alice, subject="Essai", body="Un texte",
                                  body_format="pdf")
    assert message.body_text == "Un texte" and message.body_html == ""
    act = make_act(org, alice, number="2025_002", body="Un *mot*", body_format="odt")
    assert act.body_html == "<p>Un <em>mot</em></p>" and act.body_format == "text"


def test_html_from_the_editor_is_cleaned_and_kept_as_html(world):
    alice, bruno = world["alice"], world["bruno"]
    sent = '<p>Le <b>conseil</b> se réunit<script>alert(1)</script></p>'

    conversation = messaging.start_conversation(alice, to=bruno.email, subject="Conseil",
                                                body=sent, body_format="html")
    stored = conversation.messages[0]
    assert "<b>conseil</b>" in stored.body_html and "script" not in stored.body_html

    message = lists.post_from_web(world["mlist"], alice, subject="Conseil", body=sent,
                                  body_format="html")
    assert "<b>conseil</b>" in message.body_html and "script" not in message.body_html
    assert "<" not in message.body_text                     # mailed as text

    act = make_act(world["org"], alice, number="2025_003", body=sent, body_format="html")
    assert "<b>conseil</b>" in act.body_html and act.body_format == "html"
    assert act.body_source == act.body_html

    empty = make_act(world["org"], alice, number="2025_004", body="<p><br></p>",
                     body_format="html")
    assert empty.body_html == "" and empty.body_source == ""


def test_an_empty_editor_is_an_empty_message(world):
    with pytest.raises(messaging.MessagingError):
        messaging.start_conversation(world["alice"], to=world["bruno"].email, subject="Vide",
                                     body="<p><br></p>", body_format="html")
    with pytest.raises(press.PressError):
        press.create_release(world["org"], title="Vide", release_date=date(2024, 6, 2),
                             body="<p> </p>", body_format="html", by=world["alice"])


def test_a_list_post_written_in_the_editor_is_archived_formatted(client, login, world):
    login(world["alice"])
    mlist = world["mlist"]
    response = client.post(f"/espaces/{world['space'].slug}/listes/{mlist.name}/ecrire", data={
        "subject": "Fête", "body": "<p>La <b>fête</b> du village</p>", "body_format": "html"})
    assert response.status_code == 302
    message = db.session.scalar(select(ListMessage).where(ListMessage.subject == "Fête"))
    assert message.body_text == "La fête du village"          # what subscribers receive
    thread = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<b>fête</b>" in thread


def test_a_forged_format_on_a_form_is_not_an_error(client, login, world):
    login(world["alice"])
    response = client.post("/communiques/nouveau", data={
        "organisation": world["org"].slug, "title": "Vœux", "release_date": "2024-12-20",
        "visibility": "public", "body": "Bonne année", "body_format": "<script>"})
    assert response.status_code == 302
    release = db.session.scalar(select(PressRelease).where(PressRelease.title == "Vœux"))
    assert release.body_format == "text" and release.body_html == "<p>Bonne année</p>"


def test_act_data_defaults_to_text():
    assert act_data().body_format == "text"
