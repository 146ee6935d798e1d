"""Press releases: who reads them (pages, lists, feeds, attachments), who writes them, and what
a release's body may contain."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import func, select

from intranet.accounts import services as accounts
from intranet.core.types import Role, Visibility
from intranet.core.models import PendingUpload, StoredFile
from intranet.publications.lifecycle import PublicationStatus
from intranet.extensions import db
from intranet.publications.press import services
from intranet.publications.press.models import PressRelease
from intranet.spaces.models import Activity

from ... import factories
from ...helpers import sends_to_sign_in, text

ATOM = "{http://www.w3.org/2005/Atom}"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def feed_titles(response) -> list[str]:
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.get_data())
    return [entry.find(f"{ATOM}title").text for entry in root.iter(f"{ATOM}entry")]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stored_files_on_disk(app) -> set[str]:
    folder = Path(app.config["UPLOAD_DIR"]) / "files"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def make_release(org, editor, title, *, visibility=Visibility.PUBLIC, publish=True,
                 release_date=date(2024, 3, 15), body="Texte du communiqué.", files=()):
    release = services.create_release(org, title=title, release_date=release_date, body=body,
                                      visibility=visibility, files=files, by=editor)
    if publish:
        services.publish(release, by=editor)
    return release


@pytest.fixture
def agen():
    org = factories.make_org("Agen")
    return {"org": org, "editor": factories.make_user(org, Role.EDITOR, last_name="Rédactrice"),
            "member": factories.make_user(org, Role.MEMBER)}


# --- who reads what ----------------------------------------------------------------------------


def test_anonymous_visitor_reads_public_releases_only(client, agen):
    org, editor = agen["org"], agen["editor"]
    public = make_release(org, editor, "Ouverture de la piscine",
                          files=[(PDF, "horaires.pdf")])
    draft = make_release(org, editor, "Brouillon secret", publish=False,
                         files=[(PDF, "brouillon.pdf")])
    network = make_release(org, editor, "Note au réseau", visibility=Visibility.NETWORK,
                           files=[(PDF, "note.pdf")])

    listing = text(client.get("/communiques/"))
    assert "Ouverture de la piscine" in listing
    assert "Brouillon secret" not in listing and "Note au réseau" not in listing
    assert client.get(f"/communiques/{public.id}").status_code == 200
    assert sends_to_sign_in(client.get(f"/communiques/{draft.id}"))
    assert sends_to_sign_in(client.get(f"/communiques/{network.id}"))
    for release in (draft, network):
        attachment = release.attachments[0]
        assert sends_to_sign_in(
            client.get(f"/communiques/{release.id}/pieces-jointes/{attachment.id}"))
    # An attachment is only reached through its own release.
    assert sends_to_sign_in(
        client.get(f"/communiques/{public.id}/pieces-jointes/{draft.attachments[0].id}"))

    for url in ("/communiques/flux.atom", f"/communiques/flux.atom?organisation={org.slug}",
                f"/communiques/{org.slug}/flux.atom"):
        assert feed_titles(client.get(url)) == ["Ouverture de la piscine"], url
    org_page = text(client.get(f"/organisations/{org.slug}"))
    assert "Ouverture de la piscine" in org_page
    assert "Brouillon secret" not in org_page and "Note au réseau" not in org_page


def test_public_attachment_is_served_with_nosniff(client, agen):
    release = make_release(agen["org"], agen["editor"], "Plan du marché",
                           files=[(PDF, "plan.pdf"), (PNG, "affiche.png")])
    pdf, png = release.attachments
    response = client.get(f"/communiques/{release.id}/pieces-jointes/{pdf.id}")
    assert response.status_code == 200 and response.get_data() == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/communiques/{release.id}/pieces-jointes/{png.id}").mimetype == "image/png"


def test_signed_in_person_of_another_organisation_reads_network_releases_not_drafts(
        client, login, agen):
    make_release(agen["org"], agen["editor"], "Note au réseau", visibility=Visibility.NETWORK)
    draft = make_release(agen["org"], agen["editor"], "Brouillon secret", publish=False)
    login(factories.make_user(factories.make_org("Boé"), Role.EDITOR))

    listing = text(client.get("/communiques/"))
    assert "Note au réseau" in listing and "Brouillon secret" not in listing
    assert client.get(f"/communiques/{draft.id}").status_code == 404
    # The public feed stays public, whoever reads it.
    assert feed_titles(client.get("/communiques/flux.atom")) == []


def test_members_of_the_publisher_see_its_drafts_marked_as_such(client, login, agen):
    make_release(agen["org"], agen["editor"], "Brouillon interne", publish=False)
    login(agen["member"])
    listing = text(client.get("/communiques/"))
    assert "Brouillon interne" in listing and "Brouillon</span>" in listing


def test_private_feed_shows_network_releases_and_dies_with_a_renewed_address(client, agen):
    org, editor = agen["org"], agen["editor"]
    make_release(org, editor, "Communiqué public")
    make_release(org, editor, "Réservé au réseau", visibility=Visibility.NETWORK)
    make_release(org, editor, "Brouillon", publish=False)
    reader = factories.make_user(factories.make_org("Boé"), Role.MEMBER)
    token = accounts.feed_token(reader)

    titles = feed_titles(client.get(f"/communiques/flux/{token}.atom"))
    assert sorted(titles) == ["Communiqué public", "Réservé au réseau"]
    assert client.get("/communiques/flux/mauvais-jeton.atom").status_code == 404

    new_token = accounts.renew_feed_token(reader)
    assert client.get(f"/communiques/flux/{token}.atom").status_code == 404
    assert "Réservé au réseau" in feed_titles(client.get(f"/communiques/flux/{new_token}.atom"))


def test_private_feed_is_offered_on_the_profile_page(client, login, agen):
    login(agen["member"])
    client.post("/profil/flux/renouveler")
    page = text(client.get("/profil"))
    assert "Communiqués" in page and "/communiques/flux/" in page


def test_withdrawn_release_leaves_the_public_pages_and_feeds(client, login, agen):
    release = make_release(agen["org"], agen["editor"], "Fermeture exceptionnelle")
    login(agen["editor"])
    assert client.post(f"/communiques/{release.id}/retirer").status_code == 302
    client.post("/deconnexion")
    assert sends_to_sign_in(client.get(f"/communiques/{release.id}"))
    assert feed_titles(client.get("/communiques/flux.atom")) == []
    login(agen["member"])
    assert "Retiré" in text(client.get(f"/communiques/{release.id}"))


# --- who writes --------------------------------------------------------------------------------


def test_editor_writes_a_draft_then_publishes_it_and_the_open_space_hears_of_it(
        client, login, agen):
    org = agen["org"]
    login(agen["editor"])
    assert client.get(f"/communiques/nouveau?organisation={org.slug}").status_code == 200
    response = client.post("/communiques/nouveau", data={
        "organisation": org.slug, "title": "Fête de la Saint-Jean", "release_date": "2024-06-24",
        "visibility": "public", "body_format": "text",
        "body": "La fête aura lieu **samedi**.\n\n- feu\n- bal",
        "attachments": [(io.BytesIO(PDF), "programme.pdf")]}, content_type="multipart/form-data")
    release = db.session.scalar(select(PressRelease))
    assert response.status_code == 302 and release.status == PublicationStatus.DRAFT
    assert release.created_by_id == agen["editor"].id and len(release.attachments) == 1
    assert count(Activity) == 0

    assert client.post(f"/communiques/{release.id}/publier").status_code == 302
    db.session.refresh(release)
    assert release.is_published and release.published_at is not None
    activity = db.session.scalar(select(Activity).where(Activity.verb == "press.published"))
    assert activity.summary == "Fête de la Saint-Jean"
    assert activity.visibility == Visibility.PUBLIC
    assert activity.url.endswith(f"/communiques/{release.id}")
    client.post("/deconnexion")
    assert "Fête de la Saint-Jean" in text(client.get("/"))  # the public landing's news


def test_network_release_activity_is_not_shown_to_anonymous_visitors(client, login, agen):
    make_release(agen["org"], agen["editor"], "Note interne au réseau",
                 visibility=Visibility.NETWORK)
    activity = db.session.scalar(select(Activity).where(Activity.verb == "press.published"))
    assert activity.visibility == Visibility.NETWORK
    assert "Note interne au réseau" not in text(client.get("/"))


def test_only_the_publishers_editors_create_and_change_its_releases(client, login, agen):
    org = agen["org"]
    published = make_release(org, agen["editor"], "Communiqué d'Agen")
    draft = make_release(org, agen["editor"], "Brouillon d'Agen", publish=False)
    other_editor = factories.make_user(factories.make_org("Boé"), Role.EDITOR)

    login(agen["member"])  # a plain member of the publisher
    assert client.get("/communiques/nouveau").status_code == 403
    assert client.post("/communiques/nouveau", data={"organisation": org.slug, "title": "X",
                                                     "release_date": "2024-01-01",
                                                     "body": "x"}).status_code == 403
    assert client.get(f"/communiques/{draft.id}/modifier").status_code == 403
    assert client.post(f"/communiques/{draft.id}/publier").status_code == 403
    client.post("/deconnexion")

    login(other_editor)  # an editor, but of another organisation
    assert client.get(f"/communiques/{published.id}/modifier").status_code == 403
    assert client.post(f"/communiques/{published.id}/modifier", data={
        "title": "Piraté", "release_date": "2024-01-01", "body": "x", "visibility": "public",
        "body_format": "text"}).status_code == 403
    assert client.post(f"/communiques/{published.id}/retirer").status_code == 403
    assert client.post(f"/communiques/{draft.id}/publier").status_code == 404
    form = text(client.get("/communiques/nouveau"))
    publishers = form.split('id="organisation"', 1)[1].split("</select>")[0]
    assert "Boé" in publishers and "Agen" not in publishers
    client.post("/communiques/nouveau", data={
        "organisation": org.slug, "title": "Au nom d'Agen", "release_date": "2024-01-01",
        "visibility": "public", "body_format": "text", "body": "x"})
    assert db.session.scalar(select(func.count()).select_from(PressRelease)
                             .where(PressRelease.title == "Au nom d'Agen")) == 0
    db.session.refresh(published)
    assert published.title == "Communiqué d'Agen" and published.is_published
    client.post("/deconnexion")

    assert client.get("/communiques/nouveau").status_code == 302  # anonymous: sign in first


# --- what a body may contain ---------------------------------------------------------------------


@pytest.mark.parametrize("body_format, body", [
    ("text", "**Gras** et lien [site](https://www.agen.fr)\n\n- un\n- deux\n\n"
             "<script>alert(1)</script><img src=x onerror=alert(2)>"
             "[piège](javascript:alert(3)) <a href=\"javascript:alert(4)\">clic</a>"),
    ("html", "<p><strong>Gras</strong> et lien <a href=\"https://www.agen.fr\">site</a></p>"
             "<ul><li>un</li><li>deux</li></ul><script>alert(1)</script>"
             "<img src=x onerror=alert(2)><a href=\"javascript:alert(3)\">piège</a>"
             "<p onclick=\"alert(4)\" style=\"x\">clic</p><svg onload=alert(5)></svg>"),
])
def test_script_in_a_release_body_is_neutralised_while_formatting_survives(
        client, login, agen, body_format, body):
    login(agen["editor"])
    client.post("/communiques/nouveau", data={
        "organisation": agen["org"].slug, "title": "Communiqué piégé",
        "release_date": "2024-02-01", "visibility": "public", "body_format": body_format,
        "body": body})
    release = db.session.scalar(select(PressRelease))
    page = client.get(f"/communiques/{release.id}").get_data(as_text=True)
    article = page.split('<div class="rich">', 1)[1].split("</div>", 1)[0]

    for bad in ("<script", "onerror", "onclick", "onload", "javascript:", "<svg", "style="):
        assert bad not in article.lower(), bad
    assert "<strong>Gras</strong>" in article
    assert "<li>un</li>" in article and "<li>deux</li>" in article
    assert '<a href="https://www.agen.fr">site</a>' in article
    assert "<script" not in release.body_html
    if body_format == "html":  # pasted HTML is only ever stored cleaned
        assert release.body_source == release.body_html


# --- attachments --------------------------------------------------------------------------------


def test_forbidden_file_type_is_refused_in_french_and_nothing_is_stored(app, client, login, agen):
    login(agen["editor"])
    before = stored_files_on_disk(app)
    response = client.post("/communiques/nouveau", data={
        "organisation": agen["org"].slug, "title": "Avec pièce jointe",
        "release_date": "2024-02-01", "visibility": "public", "body_format": "text",
        "body": "Voir la pièce jointe.",
        "attachments": [(io.BytesIO(PDF), "programme.pdf"),
                        (io.BytesIO(b"MZ\x90\x00binaire"), "programme.exe")]},
        content_type="multipart/form-data")

    assert response.status_code == 200
    assert "Le type de fichier « .exe » n'est pas accepté" in text(response)
    # No release; the valid PDF sent with it is only kept for the form shown again.
    assert "déjà joint : programme.pdf" in text(response)
    assert count(PressRelease) == 0 and count(StoredFile) == count(PendingUpload) == 1
    assert len(stored_files_on_disk(app) - before) == 1


def test_file_over_the_size_limit_is_refused_and_the_release_is_unchanged(
        app, client, login, agen, monkeypatch):
    release = make_release(agen["org"], agen["editor"], "Communiqué", publish=False)
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024)
    login(agen["editor"])
    before = stored_files_on_disk(app)

    response = client.post(f"/communiques/{release.id}/modifier", data={
        "title": "Nouveau titre", "release_date": "2024-02-01", "visibility": "public",
        "body_format": "text", "body": "Texte",
        "attachments": [(io.BytesIO(PDF + b"0" * 2048), "gros.pdf")]},
        content_type="multipart/form-data")

    assert response.status_code == 200
    assert "dépasse la taille autorisée" in text(response)
    db.session.refresh(release)
    assert release.title == "Communiqué" and release.attachments == []
    assert count(StoredFile) == 0 and stored_files_on_disk(app) == before


def test_content_not_matching_its_extension_is_refused(client, login, agen):
    login(agen["editor"])
    response = client.post("/communiques/nouveau", data={
        "organisation": agen["org"].slug, "title": "Faux PDF", "release_date": "2024-02-01",
        "visibility": "public", "body_format": "text", "body": "x",
        "attachments": [(io.BytesIO(b"<html><script>alert(1)</script>"), "faux.pdf")]},
        content_type="multipart/form-data")
    assert "ne correspond pas à un fichier .pdf" in text(response)
    assert count(PressRelease) == 0


def test_editor_removes_an_attachment(app, client, login, agen):
    release = make_release(agen["org"], agen["editor"], "Communiqué",
                           files=[(PDF, "a.pdf"), (PDF, "b.pdf")])
    first = release.attachments[0]
    first_id, storage = first.id, first.file.storage_name
    login(agen["editor"])
    response = client.post(f"/communiques/{release.id}/pieces-jointes/{first_id}/supprimer")
    assert response.status_code == 302
    db.session.refresh(release)
    assert [a.file.original_name for a in release.attachments] == ["b.pdf"]
    assert storage not in stored_files_on_disk(app)


# --- the list ------------------------------------------------------------------------------------


def test_list_filters_by_organisation_and_year_newest_first_with_pages(client, agen):
    org, editor = agen["org"], agen["editor"]
    boe = factories.make_org("Boé")
    boe_editor = factories.make_user(boe, Role.EDITOR)
    make_release(org, editor, "Agen 2023", release_date=date(2023, 5, 1))
    make_release(org, editor, "Agen 2024 printemps", release_date=date(2024, 4, 1))
    make_release(org, editor, "Agen 2024 été", release_date=date(2024, 7, 1))
    make_release(boe, boe_editor, "Boé 2024", release_date=date(2024, 5, 1))

    page = text(client.get("/communiques/"))
    order = [page.index(t) for t in ("Agen 2024 été", "Boé 2024", "Agen 2024 printemps",
                                     "Agen 2023")]
    assert order == sorted(order)
    filtered = text(client.get(f"/communiques/?organisation={org.slug}&annee=2024"))
    assert "Agen 2024 été" in filtered and "Agen 2024 printemps" in filtered
    assert "Boé 2024" not in filtered and "Agen 2023" not in filtered
    assert '<option selected value="2024">' in filtered or 'value="2024" selected' in filtered

    for n in range(22):
        make_release(boe, boe_editor, f"Série {n:02d}", release_date=date(2022, 1, n + 1))
    first = text(client.get("/communiques/"))
    assert "Page 1 sur 2" in first and "Série 00" not in first
    second = text(client.get("/communiques/?page=2"))
    assert "Série 00" in second and "Agen 2024 été" not in second


def test_edit_page_gives_back_the_text_as_typed_and_its_attachments(client, login, agen):
    release = make_release(agen["org"], agen["editor"], "Communiqué", publish=False,
                           body="Un **mot** important.", files=[(PDF, "annexe.pdf")],
                           visibility=Visibility.NETWORK)
    login(agen["editor"])
    page = text(client.get(f"/communiques/{release.id}/modifier"))
    assert page.count("<h1>") == 1
    assert "Un **mot** important.</textarea>" in page
    assert 'value="network" selected' in page or '<option selected value="network">' in page
    assert "annexe.pdf" in page
    response = client.post(f"/communiques/{release.id}/supprimer")
    assert response.status_code == 302 and count(PressRelease) == 0 and count(StoredFile) == 0
