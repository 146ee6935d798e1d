"""A library's files over time: an old version made current again, a file locked while
someone edits it offline, and the bin emptied by an editor or purged by the worker."""
import io
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from intranet.core.audit import AuditEvent
from intranet.core.models import StoredFile
from intranet.core.timeutil import utcnow
from intranet.core.types import Role
from intranet.documents import services
from intranet.documents.models import Document, DocumentVersion, Folder, Page
from intranet.extensions import db

from .. import factories
from ..helpers import text

V1 = b"%PDF-1.4\n% budget primitif\n%%EOF\n"
V2 = b"%PDF-1.4\n% budget rectifie\n%%EOF\n"
V3 = b"%PDF-1.4\n% budget du collegue\n%%EOF\n"


def _world():
    org = factories.make_org("Boé")
    space = factories.org_space(org)
    editor = factories.make_user(org, Role.EDITOR, first_name="Claire")
    colleague = factories.make_user(org, Role.EDITOR, first_name="Paul")
    member = factories.make_user(org, Role.MEMBER)
    document = services.upload(space, None, (V1, "budget.pdf"), by=editor)
    services.add_version(document, (V2, "budget.pdf"), by=editor)
    return space, document, editor, colleague, member


def _url(space, document, tail=""):
    return f"/espaces/{space.slug}/documents/{document.id}{tail}"


def test_a_restored_version_is_downloaded_as_the_current_one_and_history_is_kept(client, login):
    space, document, editor, _, _ = _world()
    login(editor)
    response = client.post(_url(space, document, "/versions/1/retablir"), follow_redirects=True)
    assert "La version 1 est de nouveau la version actuelle." in text(response)
    assert client.get(_url(space, document, "/telecharger")).data == V1
    page = text(client.get(_url(space, document)))
    assert "Retour à la version 1" in page and "3 versions" in page
    assert client.get(_url(space, document, "/versions/2/telecharger")).data == V2
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "document.version_restored"))
    assert event.actor_id == editor.id and "version 1 rétablie" in event.detail


def test_a_member_who_may_not_edit_cannot_restore_and_an_unknown_version_is_404(client, login):
    space, document, editor, _, member = _world()
    login(member)
    assert client.post(_url(space, document, "/versions/1/retablir")).status_code == 403
    client.post("/deconnexion")
    login(editor)
    assert client.post(_url(space, document, "/versions/9/retablir")).status_code == 404
    assert client.get(_url(space, document, "/telecharger")).data == V2


def test_a_locked_file_is_shown_to_others_who_cannot_add_a_version(client, login, new_client):
    space, document, editor, colleague, _ = _world()
    login(editor)
    response = client.post(_url(space, document, "/verrouiller"), follow_redirects=True)
    assert "Document verrouillé" in text(response)
    other = new_client(colleague)
    page = text(other.get(_url(space, document)))
    assert "Verrouillé par Claire" in page and "depuis le" in page
    refused = other.post(_url(space, document, "/versions"), content_type="multipart/form-data",
                         data={"file": (io.BytesIO(V3), "budget.pdf")})
    assert refused.status_code == 403
    assert other.post(_url(space, document, "/versions/1/retablir")).status_code == 403
    db.session.expire_all()
    assert len(db.session.get(Document, document.id).versions) == 2
    # the holder adds their version, then releases it; the colleague may then write
    client.post(_url(space, document, "/versions"), content_type="multipart/form-data",
                data={"file": (io.BytesIO(V3), "budget.pdf")})
    assert client.get(_url(space, document, "/telecharger")).data == V3
    client.post(_url(space, document, "/deverrouiller"))
    assert "Verrouillé par" not in text(other.get(_url(space, document)))
    assert other.post(_url(space, document, "/versions/1/retablir")).status_code == 302


def test_an_editor_releases_someone_else_s_lock_and_a_lock_lapses_by_itself(app, client, login):
    space, document, editor, colleague, member = _world()
    services.lock_document(document, by=colleague)
    login(member)
    assert client.post(_url(space, document, "/deverrouiller")).status_code == 403
    client.post("/deconnexion")
    login(editor)
    client.post(_url(space, document, "/deverrouiller"))
    db.session.expire_all()
    assert db.session.get(Document, document.id).locked_by_id is None
    services.lock_document(db.session.get(Document, document.id), by=colleague)
    doc = db.session.get(Document, document.id)
    doc.locked_at = utcnow() - timedelta(hours=app.config["DOCUMENTS_LOCK_HOURS"], minutes=1)
    db.session.commit()
    assert "Verrouillé par" not in text(client.get(_url(space, document)))
    assert client.post(_url(space, document, "/versions/1/retablir")).status_code == 302


def _binned_world():
    space, document, editor, colleague, member = _world()
    folder = services.create_folder(space, "Archives 2019", None, by=editor)
    inner = services.upload(space, folder, (V3, "vieux-plan.pdf"), by=editor)
    kept = services.upload(space, None, (V3, "a-garder.pdf"), by=editor)
    page = services.create_page(space, title="Ancienne note", body="", body_format="text",
                                by=editor)
    services.delete_document(document, by=editor)
    services.delete_folder(folder, by=editor)
    services.delete_page(page, by=editor)
    return space, editor, member, kept, inner


def _stored_on_disk(app) -> int:
    return len(list(Path(app.config["UPLOAD_DIR"], "files").glob("*")))


def test_an_editor_empties_the_bin_after_confirming_and_the_files_go(app, client, login):
    space, editor, member, kept, inner = _binned_world()
    inner_id = inner.id
    login(member)
    assert client.post(f"/espaces/{space.slug}/corbeille/vider",
                       data={"confirm": "y"}).status_code == 403
    client.post("/deconnexion")
    login(editor)
    page = text(client.get(f"/espaces/{space.slug}/corbeille"))
    assert "Vider la corbeille" in page and "Archives 2019" in page
    # the tab's title names the bin only (the form was once drawn in it too)
    assert page.split("<title>", 1)[1].split("</title>", 1)[0].startswith(
        f"Corbeille — {space.name}")
    assert page.count("Vider la corbeille") == 1
    response = client.post(f"/espaces/{space.slug}/corbeille/vider", follow_redirects=True)
    assert "Cochez la case de confirmation" in text(response)
    assert db.session.scalar(select(func.count()).select_from(Document)) == 3
    on_disk = _stored_on_disk(app)
    response = client.post(f"/espaces/{space.slug}/corbeille/vider", data={"confirm": "y"},
                           follow_redirects=True)
    assert "Corbeille vidée : 3 éléments supprimés définitivement." in text(response)
    assert "La corbeille est vide." in text(response)
    assert db.session.scalars(select(Document.name)).all() == ["a-garder.pdf"]
    assert db.session.scalar(select(func.count()).select_from(Folder)) == 0
    assert db.session.scalar(select(func.count()).select_from(Page)) == 0
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 1
    assert _stored_on_disk(app) == on_disk - 3   # budget v1 and v2, the plan in the folder
    assert client.get(f"/espaces/{space.slug}/documents/{inner_id}").status_code == 404
    assert client.get(f"/espaces/{space.slug}/documents/{kept.id}/telecharger").data == V3


def test_the_worker_purges_what_stayed_in_a_bin_longer_than_the_retention(app, runner):
    space, editor, member, kept, inner = _binned_world()
    recent = services.upload(space, None, (V1, "recent.pdf"), by=editor)
    services.delete_document(recent, by=editor)
    old = utcnow() - timedelta(days=app.config["DOCUMENTS_BIN_RETENTION_DAYS"] + 1)
    for model in (Document, Folder, Page):
        for row in db.session.scalars(select(model).where(model.deleted_at.is_not(None),
                                                          model.id != recent.id
                                                          if model is Document else True)):
            row.deleted_at = old
    db.session.commit()
    result = runner.invoke(args=["worker", "--once"])
    assert "corbeilles : 3 élément(s) supprimé(s) définitivement" in result.output
    assert sorted(db.session.scalars(select(Document.name))) == ["a-garder.pdf", "recent.pdf"]
    assert db.session.scalar(select(func.count()).select_from(DocumentVersion)) == 2
