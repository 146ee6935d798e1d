import io

import pytest
from sqlalchemy import event, func, select, update

from intranet.core.types import Role
from intranet.core.models import StoredFile
from intranet.documents import services
from intranet.documents.models import Document, Folder
from intranet.extensions import db

from .. import factories
from ..helpers import count_queries, text

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def setup():
    org = factories.make_org("Agen")
    return org, factories.org_space(org), factories.make_user(org, Role.EDITOR)


def _send(client, space, data, name, folder=""):
    return client.post(f"/espaces/{space.slug}/documents/envoyer",
                       data={"file": (io.BytesIO(data), name), "folder": folder},
                       content_type="multipart/form-data", follow_redirects=True)


def test_upload_then_download_with_safe_headers(client, login, setup):
    org, space, editor = setup
    login(editor)
    assert "« budget 2026.pdf » est en ligne." in text(_send(client, space, PDF, "budget 2026.pdf"))
    document = db.session.scalar(select(Document))
    response = client.get(f"/espaces/{space.slug}/documents/{document.id}/telecharger")
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "budget%202026.pdf" in response.headers["Content-Disposition"] \
        or "budget 2026.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_file_over_the_limit_or_of_a_forbidden_type_is_refused_and_nothing_stored(
        app, client, login, setup):
    org, space, editor = setup
    login(editor)
    big = PDF + b"0" * app.config["UPLOAD_MAX_BYTES"]
    assert "dépasse la taille autorisée" in text(_send(client, space, big, "gros.pdf"))
    assert "n'est pas accepté" in text(_send(client, space, b"MZ\x90\x00", "outil.exe"))
    assert "ne correspond pas à un fichier .pdf" in text(
        _send(client, space, b"<html>", "faux.pdf"))
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_files_are_stored_under_random_names_outside_static(app, client, login, setup):
    org, space, editor = setup
    login(editor)
    _send(client, space, PDF, "../../etc/passwd.pdf")
    stored = db.session.scalar(select(StoredFile))
    assert stored.original_name == "passwd.pdf"
    assert "passwd" not in stored.storage_name and len(stored.storage_name) == 40
    assert app.config["UPLOAD_DIR"] in str(app.config["UPLOAD_DIR"])
    assert client.get(f"/static/{stored.storage_name}").status_code == 404


def test_a_new_version_keeps_the_old_one_downloadable(client, login, setup):
    org, space, editor = setup
    document = services.upload(space, None, (PDF, "reglement.pdf"), by=editor)
    login(editor)
    client.post(f"/espaces/{space.slug}/documents/{document.id}/versions",
                data={"file": (io.BytesIO(PDF + b"v2"), "reglement-v2.pdf"), "note": "corrigé"},
                content_type="multipart/form-data")
    page = text(client.get(f"/espaces/{space.slug}/documents/{document.id}"))
    assert "corrigé" in page and "reglement-v2.pdf" in page
    assert client.get(f"/espaces/{space.slug}/documents/{document.id}/telecharger").data == PDF + b"v2"
    assert client.get(f"/espaces/{space.slug}/documents/{document.id}/versions/1/telecharger").data == PDF


def test_folders_rename_move_and_refuse_a_move_into_themselves(client, login, setup):
    org, space, editor = setup
    outer = services.create_folder(space, "Conseil", None, by=editor)
    inner = services.create_folder(space, "2026", outer, by=editor)
    document = services.upload(space, inner, (PDF, "pv.pdf"), by=editor)
    login(editor)
    response = client.post(f"/espaces/{space.slug}/documents/dossiers/{outer.id}/deplacer",
                           data={"target": inner.id}, follow_redirects=True)
    assert "ne peut pas être déplacé dans lui-même" in text(response)
    client.post(f"/espaces/{space.slug}/documents/dossiers/{inner.id}/renommer",
                data={"name": "Séances 2026"})
    client.post(f"/espaces/{space.slug}/documents/{document.id}/deplacer", data={"target": "0"})
    db.session.refresh(document)
    db.session.refresh(inner)
    assert document.folder_id is None and inner.name == "Séances 2026"
    root = text(client.get(f"/espaces/{space.slug}/documents"))
    assert "pv.pdf" in root and "Conseil" in root
    duplicate = client.post(f"/espaces/{space.slug}/documents/dossiers",
                            data={"name": "conseil", "parent": ""}, follow_redirects=True)
    assert "Un dossier « conseil » existe déjà ici." in text(duplicate)


def test_the_bin_hides_and_gives_back(client, login, setup):
    org, space, editor = setup
    folder = services.create_folder(space, "Archives", None, by=editor)
    inside = services.upload(space, folder, (PDF, "vieux.pdf"), by=editor)
    member = factories.make_user(org, Role.MEMBER)
    login(editor)
    client.post(f"/espaces/{space.slug}/documents/dossiers/{folder.id}/supprimer",
                follow_redirects=True)
    client.post("/deconnexion")
    login(member)
    assert "Archives" not in text(client.get(f"/espaces/{space.slug}/documents"))
    assert client.get(f"/espaces/{space.slug}/documents/{inside.id}/telecharger").status_code == 404
    assert client.get(f"/espaces/{space.slug}/corbeille").status_code == 403
    client.post("/deconnexion")
    login(editor)
    assert "Archives" in text(client.get(f"/espaces/{space.slug}/corbeille"))
    client.post(f"/espaces/{space.slug}/documents/dossiers/{folder.id}/restaurer")
    client.post("/deconnexion")
    login(member)
    assert client.get(f"/espaces/{space.slug}/documents/{inside.id}/telecharger").status_code == 200


def test_members_read_but_only_editors_write(client, login, setup):
    org, space, editor = setup
    document = services.upload(space, None, (PDF, "note.pdf"), by=editor)
    login(factories.make_user(org, Role.MEMBER))
    assert client.get(f"/espaces/{space.slug}/documents/{document.id}/telecharger").status_code == 200
    assert _send(client, space, PDF, "x.pdf").status_code == 403
    assert client.post(f"/espaces/{space.slug}/documents/{document.id}/supprimer").status_code == 403


def test_another_organisation_cannot_list_or_download(client, login, setup):
    org, space, editor = setup
    document = services.upload(space, None, (PDF, "note.pdf"), by=editor)
    login(factories.make_user(factories.make_org("Agmé"), Role.ADMIN))
    assert client.get(f"/espaces/{space.slug}/documents").status_code == 404
    assert client.get(f"/espaces/{space.slug}/documents/{document.id}/telecharger").status_code == 404
    # nor through a space of its own
    other_space = factories.org_space(db.session.scalar(select(type(org)).where(type(org).name == "Agmé")))
    assert client.get(f"/espaces/{other_space.slug}/documents/{document.id}/telecharger").status_code == 404


def test_library_listing_has_a_constant_number_of_queries(client, login, setup):
    org, space, editor = setup
    login(editor)
    counts = []
    for n in (2, 15):
        while db.session.scalar(select(func.count()).select_from(Document)) < n:
            services.upload(space, None, (PDF, f"d{n}.pdf"), by=editor)
        counts.append(count_queries(client, f"/espaces/{space.slug}/documents"))
    assert counts[0] == counts[1], counts


def test_pages_listing_files_do_not_read_their_extracted_text(client, login, setup, app):
    """A file's extracted text (up to a whole book) is read by the index writer only."""
    org, space, editor = setup
    document = services.upload(space, None, (b"Compte rendu du conseil.", "cr.txt"), by=editor)
    db.session.execute(update(StoredFile).values(text="Compte rendu du conseil. " * 40_000))
    db.session.commit()
    statements = []

    def listen(conn, cursor, statement, *args):
        statements.append(statement)
    login(editor)
    with client.application.app_context():
        engine = db.engine                      # the engine of the application serving pages
    event.listen(engine, "before_cursor_execute", listen)
    try:
        for page in ("documents", f"documents/{document.id}"):
            assert client.get(f"/espaces/{space.slug}/{page}").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert statements and not any("stored_file.text" in s or "stored_file_1.text" in s
                                  for s in statements)
    with app.test_request_context():
        found = db.session.get(Document, document.id)
        assert "Compte rendu" in found.search_document().body       # the writer still reads it


def test_a_full_disk_during_an_upload_says_so_and_leaves_nothing_behind(
        app, client, login, setup, monkeypatch):
    """The disk fills up half-way through the file: a French message, no half-written file in
    the upload folder, no row in the database; once there is room, the same upload works."""
    import errno
    import os

    from intranet.core import uploads
    org, space, editor = setup
    login(editor)

    def half_then_full(handle, data):
        handle.write(data[:len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(uploads, "_put", half_then_full)
    folder = uploads._folder()
    before = set(os.listdir(folder))
    page = text(_send(client, space, PDF, "budget.pdf"))
    assert "disque est plein ou inaccessible" in page and "rien n'a été enregistré" in page
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0
    assert set(os.listdir(folder)) == before          # not even a partial file
    monkeypatch.undo()
    assert "« budget.pdf » est en ligne." in text(_send(client, space, PDF, "budget.pdf"))


def test_breadcrumbs_of_a_deep_folder_or_document_take_one_statement_whatever_the_depth(
        client, login, setup):
    """The folder's path (« Fil d'Ariane ») is read in one statement: a page costs the same at
    three levels as at two, and shows every level, root first."""
    org, space, editor = setup
    login(editor)
    levels = [services.create_folder(space, "Conseil", None, by=editor)]
    levels.append(services.create_folder(space, "2026", levels[-1], by=editor))
    shallow = services.upload(space, levels[-1], (PDF, "pv.pdf"), by=editor)
    levels.append(services.create_folder(space, "Juin", levels[-1], by=editor))
    deep = services.upload(space, levels[-1], (PDF, "pv-juin.pdf"), by=editor)
    base = f"/espaces/{space.slug}/documents"
    deep_id, shallow_id, ids = deep.id, shallow.id, [folder.id for folder in levels]
    for address in (f"{base}/{deep_id}", f"{base}/dossiers/{ids[-1]}"):
        crumbs = text(client.get(address)).split("Fil d'Ariane")[1].split("</nav>")[0]
        assert crumbs.index("Conseil") < crumbs.index("2026") < crumbs.index("Juin")
    db.session.expunge_all()    # nothing kept from the pages above
    assert count_queries(client, f"{base}/{deep_id}") == count_queries(client, f"{base}/{shallow_id}")
    assert count_queries(client, f"{base}/dossiers/{ids[2]}") == \
        count_queries(client, f"{base}/dossiers/{ids[1]}")


def test_a_spaces_folders_are_kept_and_a_folder_renamed_moved_or_binned_shows_at_once(
        new_client, setup):
    """The space's folders are read once per process (``_space_folders``): a folder's page and
    a document's page read their path and the « move to » choices from them, and every change
    to a folder shows at the next page."""
    import re

    def path_of(page: str) -> list[str]:
        crumbs = page.split("Fil d'Ariane")[1].split("</nav>")[0]
        return re.findall(r">([^<>]+)</a>", crumbs)

    def choices_of(page: str) -> list[str]:
        select = page.split('name="target"')[1].split("</select>")[0]
        return [name.replace("— ", "") for name in re.findall(r">([^<>]+)</option>", select)]

    org, space, editor = setup
    member = new_client(factories.make_user(org))
    council = services.create_folder(space, "Conseil", None, by=editor)
    year = services.create_folder(space, "2026", council, by=editor)
    archives = services.create_folder(space, "Archives", None, by=editor)
    minutes = services.upload(space, year, (PDF, "pv.pdf"), by=editor)
    client = new_client(editor)
    base = f"/espaces/{space.slug}/documents"
    folder_page, document_page = f"{base}/dossiers/{year.id}", f"{base}/{minutes.id}"
    for address in (folder_page, document_page):
        client.get(address)
        assert count_queries(client, address, values_kept=True) < count_queries(client, address)
    assert choices_of(client.get(folder_page).text) == \
        ["Racine de la bibliothèque", "Archives", "Conseil"]    # not itself
    assert choices_of(client.get(document_page).text) == \
        ["Racine de la bibliothèque", "Archives", "Conseil", "2026"]

    services.rename_folder(council, "Conseil municipal", by=editor)
    assert "Conseil municipal" in path_of(client.get(document_page).text)
    services.move_folder(year, archives, by=editor)
    assert path_of(client.get(folder_page).text)[-2:] == ["Archives", "2026"]
    assert choices_of(client.get(document_page).text) == \
        ["Racine de la bibliothèque", "Archives", "2026", "Conseil municipal"]
    # behind the session's back: a bulk statement through the session
    db.session.execute(update(Folder).where(Folder.id == archives.id).values(name="Anciens"))
    db.session.commit()
    assert "Anciens" in path_of(client.get(document_page).text)

    assert member.get(document_page).status_code == 200
    services.delete_folder(archives, by=editor)      # the bin: its contents with it
    assert member.get(folder_page).status_code == 404
    assert member.get(document_page).status_code == 404
    # neither the binned folder nor the folder inside it are offered any more
    assert choices_of(client.get(f"{base}/dossiers/{council.id}").text) == \
        ["Racine de la bibliothèque"]
