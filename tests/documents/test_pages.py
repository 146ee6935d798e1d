import io

import pytest

from sqlalchemy import select

from intranet.core.types import Role, Visibility
from intranet.documents import services
from intranet.documents.models import Page, PageRevision, PageStatus
from intranet.extensions import db
from intranet.spaces.models import JoinPolicy

from .. import factories
from ..helpers import count_queries, sends_to_sign_in, text


def _setup(role=Role.EDITOR):
    org = factories.make_org("Agen")
    user = factories.make_user(org, role)
    return org, factories.org_space(org), user


def test_an_editor_writes_in_plain_text_and_publishes(client, login):
    org, space, editor = _setup()
    login(editor)
    response = client.post(f"/espaces/{space.slug}/pages/nouvelle", data={
        "title": "Horaires d'été", "body": "## Mairie\n\nOuverte **le matin**.\n\n- lundi\n- mardi",
        "body_format": "text"})
    page = db.session.scalar(select(Page))
    assert response.headers["Location"].endswith(f"/pages/{page.id}")
    assert page.status == PageStatus.DRAFT
    client.post(f"/espaces/{space.slug}/pages/{page.id}/publier")
    shown = text(client.get(f"/espaces/{space.slug}/pages/{page.id}"))
    assert "<h2>Mairie</h2>" in shown and "<strong>le matin</strong>" in shown
    assert "<li>lundi</li>" in shown
    # and the organisation's members see it in « quoi de neuf »
    colleague = factories.make_user(org, Role.MEMBER)
    client.post("/deconnexion")
    login(colleague)
    assert "Nouvelle page : Horaires d'été" in text(client.get("/"))


def test_html_from_the_editor_is_sanitised_on_save(client, login):
    org, space, editor = _setup()
    login(editor)
    client.post(f"/espaces/{space.slug}/pages/nouvelle", data={
        "title": "Piège", "body_format": "html",
        "body": '<p onclick="alert(1)">Bonjour <b>à tous</b><script>alert(2)</script>'
                '<a href="javascript:alert(3)">lien</a></p>'})
    page = db.session.scalar(select(Page))
    assert "onclick" not in page.body_html and "<script" not in page.body_html
    assert "javascript:" not in page.body_html and "<b>à tous</b>" in page.body_html


def test_a_draft_is_seen_by_its_author_and_editors_only(client, login):
    org, space, editor = _setup()
    page = services.create_page(space, title="Projet", body="x", body_format="text", by=editor)
    member = factories.make_user(org, Role.MEMBER)
    login(member)
    assert client.get(f"/espaces/{space.slug}/pages/{page.id}").status_code == 404
    assert "Projet" not in text(client.get(f"/espaces/{space.slug}/pages"))
    services.publish_page(page, by=editor)
    assert client.get(f"/espaces/{space.slug}/pages/{page.id}").status_code == 200


def test_members_of_another_organisation_never_see_a_private_page(client, login):
    org, space, editor = _setup()
    page = services.create_page(space, title="Budget", body="secret", body_format="text", by=editor)
    services.publish_page(page, by=editor)
    login(factories.make_user(factories.make_org("Agmé"), Role.ADMIN))
    assert client.get(f"/espaces/{space.slug}/pages/{page.id}").status_code == 404
    assert client.get(f"/espaces/{space.slug}/pages").status_code == 404


def test_a_page_can_narrow_a_public_space_but_not_widen_a_private_one(client, login):
    org, space, editor = _setup()
    group = factories.make_group(editor, visibility=Visibility.PUBLIC,
                                 join_policy=JoinPolicy.OPEN)
    page = services.create_page(group, title="Interne", body="x", body_format="text", by=editor,
                                visibility=Visibility.NETWORK)
    services.publish_page(page, by=editor)
    assert sends_to_sign_in(client.get(f"/espaces/{group.slug}/pages/{page.id}"))  # anonymous
    with pytest.raises(services.DocumentError, match="ne peut pas être plus visible"):
        services.create_page(space, title="Public ?", body="x", body_format="text", by=editor,
                             visibility=Visibility.PUBLIC)
    assert db.session.scalar(select(Page).where(Page.title == "Public ?")) is None


def test_every_save_is_a_revision_and_an_old_one_can_be_restored(client, login):
    org, space, editor = _setup()
    login(editor)
    page = services.create_page(space, title="Tarifs", body="Tarif 2025", body_format="text",
                                by=editor)
    client.post(f"/espaces/{space.slug}/pages/{page.id}/modifier", data={
        "title": "Tarifs", "body": "Tarif 2026", "body_format": "text", "version": page.version,
        "note": "nouveaux tarifs"})
    history = text(client.get(f"/espaces/{space.slug}/pages/{page.id}/historique"))
    assert "Version 2" in history and "nouveaux tarifs" in history
    client.post(f"/espaces/{space.slug}/pages/{page.id}/historique/1/restaurer")
    db.session.refresh(page)
    assert "Tarif 2025" in page.body_html
    assert db.session.query(PageRevision).filter_by(page_id=page.id).count() == 3


def test_an_edit_conflict_keeps_what_the_second_person_typed(client, login):
    org, space, editor = _setup()
    page = services.create_page(space, title="CR", body="v1", body_format="text", by=editor)
    opened_at = page.version
    services.update_page(page, title="CR", body="v2 par un collègue", body_format="text",
                         by=editor, base_version=opened_at)
    login(editor)
    response = client.post(f"/espaces/{space.slug}/pages/{page.id}/modifier", data={
        "title": "CR", "body": "Mon long texte à ne pas perdre", "body_format": "text",
        "version": opened_at})
    shown = text(response)
    assert response.status_code == 200
    assert "Quelqu'un a modifié cette page" in shown
    assert "Mon long texte à ne pas perdre" in shown      # still in the form
    assert "v2 par un collègue" in shown                  # the saved version beside it
    db.session.refresh(page)
    assert "v2" in page.body_html


def test_member_pages_need_an_editor_s_approval_where_the_space_asks(client, login):
    org, space, editor = _setup()
    space.pages_need_approval = True
    db.session.commit()
    author = factories.make_user(org, Role.MEMBER)
    login(author)
    client.post(f"/espaces/{space.slug}/pages/nouvelle", data={
        "title": "Fête du village", "body": "Samedi", "body_format": "text"})
    page = db.session.scalar(select(Page))
    response = client.post(f"/espaces/{space.slug}/pages/{page.id}/publier", follow_redirects=True)
    assert "envoyée pour approbation" in text(response)
    db.session.refresh(page)
    assert page.status == PageStatus.PENDING
    assert client.post(f"/espaces/{space.slug}/pages/{page.id}/approuver").status_code == 403
    client.post("/deconnexion")
    login(editor)
    assert "Fête du village" in text(client.get(f"/espaces/{space.slug}/pages"))  # « À approuver »
    client.post(f"/espaces/{space.slug}/pages/{page.id}/renvoyer", data={"comment": ""})
    db.session.refresh(page)
    assert page.status == PageStatus.PENDING  # a send-back needs a comment
    client.post(f"/espaces/{space.slug}/pages/{page.id}/renvoyer",
                data={"comment": "Précisez l'heure."})
    db.session.refresh(page)
    assert page.status == PageStatus.DRAFT and "Précisez l'heure." in page.review_comment
    services.publish_page(page, by=author)
    client.post(f"/espaces/{space.slug}/pages/{page.id}/approuver")
    db.session.refresh(page)
    assert page.status == PageStatus.PUBLISHED


def test_without_approval_members_cannot_write_pages(client, login):
    org, space, editor = _setup()
    login(factories.make_user(org, Role.MEMBER))
    assert client.get(f"/espaces/{space.slug}/pages/nouvelle").status_code == 403


def test_image_attachment_is_shown_inline_and_a_forbidden_type_is_refused(client, login):
    org, space, editor = _setup()
    page = services.create_page(space, title="Plan", body="x", body_format="text", by=editor)
    login(editor)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    client.post(f"/espaces/{space.slug}/pages/{page.id}/pieces",
                data={"file": (io.BytesIO(png), "plan.png")}, content_type="multipart/form-data")
    attachment = page.attachments[0]
    response = client.get(f"/espaces/{space.slug}/pages/{page.id}/pieces/{attachment.id}")
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    refused = client.post(f"/espaces/{space.slug}/pages/{page.id}/pieces",
                          data={"file": (io.BytesIO(b"<html><script>x</script>"), "page.html")},
                          content_type="multipart/form-data", follow_redirects=True)
    assert "n'est pas accepté" in text(refused)
    db.session.refresh(page)
    assert len(page.attachments) == 1


def test_a_binned_page_disappears_for_members_and_comes_back(client, login):
    org, space, editor = _setup()
    page = services.create_page(space, title="Ancienne", body="x", body_format="text", by=editor)
    services.publish_page(page, by=editor)
    services.delete_page(page, by=editor)
    member = factories.make_user(org, Role.MEMBER)
    login(member)
    assert client.get(f"/espaces/{space.slug}/pages/{page.id}").status_code == 404
    client.post("/deconnexion")
    login(editor)
    assert "Ancienne" in text(client.get(f"/espaces/{space.slug}/corbeille"))
    client.post(f"/espaces/{space.slug}/pages/{page.id}/restaurer")
    client.post("/deconnexion")
    login(member)
    assert client.get(f"/espaces/{space.slug}/pages/{page.id}").status_code == 200


def test_page_list_uses_a_constant_number_of_queries(client, login):
    org, space, editor = _setup()
    login(editor)
    counts = []
    for n in (2, 20):
        while db.session.query(Page).count() < n:
            page = services.create_page(space, title=f"P{n}", body="x", body_format="text",
                                        by=editor)
            services.publish_page(page, by=editor)
        counts.append(count_queries(client, f"/espaces/{space.slug}/pages"))
    assert counts[0] == counts[1], counts


def test_what_announced_a_page_follows_it_offline_and_into_narrower_visibility(client, login):
    org, space, editor = _setup()
    group = factories.make_group(editor, visibility=Visibility.NETWORK, join_policy=JoinPolicy.OPEN)
    page = services.create_page(group, title="Réunion voirie", body="x", body_format="text",
                                by=editor)
    services.publish_page(page, by=editor)
    outsider = factories.make_user(factories.make_org("Agmé"))
    login(outsider)
    assert "Réunion voirie" in text(client.get(f"/espaces/{group.slug}"))
    services.update_page(page, title=page.title, body="x", body_format="text", by=editor,
                         base_version=page.version, visibility=Visibility.MEMBERS)
    assert "Réunion voirie" not in text(client.get(f"/espaces/{group.slug}"))
    services.update_page(page, title=page.title, body="x", body_format="text", by=editor,
                         base_version=page.version)
    services.unpublish_page(page, by=editor)
    assert "Réunion voirie" not in text(client.get(f"/espaces/{group.slug}"))
