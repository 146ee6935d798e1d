"""Files sent with a refused form are kept for their sender, and for nobody else: the form
shown again carries them, « retirer » drops them, the worker purges the old ones, and the
per-person bound is told in French."""
from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from intranet.core import pending, uploads
from intranet.core.models import PendingUpload, StoredFile
from intranet.core.timeutil import utcnow
from intranet.core.types import Role
from intranet.extensions import db
from intranet.publications.deliberations.models import Deliberation

from .. import factories
from ..helpers import text
from ..publications.deliberations.builders import PDF, form

import pytest


def _path(stored: StoredFile) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "files" / stored.storage_name


def _editor():
    org = factories.make_org("Agmé")
    return factories.make_user(org, Role.EDITOR)


def test_a_refused_act_keeps_its_pdf_and_the_corrected_form_uses_it(client, login):
    editor = _editor()
    login(editor)
    response = client.post("/deliberations/nouvel-acte", data=form(number="2026-12"),
                           content_type="multipart/form-data")
    assert response.status_code == 200
    page = text(response)
    assert "déjà joint : deliberation.pdf" in page
    kept = db.session.scalar(select(PendingUpload))
    assert kept.owner_id == editor.id and kept.field == "act_pdf"
    assert f'name="fichier_en_attente" value="{kept.id}"' in response.get_data(as_text=True)

    response = client.post("/deliberations/nouvel-acte",
                           data=form(number="2026_12", act_pdf=None,
                                     fichier_en_attente=str(kept.id)),
                           content_type="multipart/form-data")
    assert response.status_code == 302, text(response)
    act = db.session.scalar(select(Deliberation))
    assert act.act_file.original_name == "deliberation.pdf"
    assert uploads.read(act.act_file) == PDF          # the same file, moved, not sent again
    assert db.session.scalar(select(func.count()).select_from(PendingUpload)) == 0
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 1


def test_another_person_cannot_use_my_pending_file(client, login):
    editor = _editor()
    other = factories.make_user(factories.make_org("Astaffort"), Role.EDITOR)
    mine = pending.keep([pending.Sent(PDF, "devis.pdf")], editor)[0]
    login(other)
    response = client.post("/deliberations/nouvel-acte",
                           data=form(act_pdf=None, fichier_en_attente=str(mine.id)),
                           content_type="multipart/form-data")
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Deliberation)) == 0
    response = client.post("/deliberations/nouvel-acte",
                           data=form(act_pdf=None, retirer_fichier=str(mine.id)),
                           content_type="multipart/form-data")
    assert response.status_code == 404
    assert db.session.get(PendingUpload, mine.id) is not None


def test_retirer_drops_the_pending_file(client, login):
    editor = _editor()
    login(editor)
    client.post("/deliberations/nouvel-acte", data=form(number="2026-12"),
                content_type="multipart/form-data")
    kept = db.session.scalar(select(PendingUpload))
    path = _path(kept.file)
    assert path.exists()
    response = client.post("/deliberations/nouvel-acte",
                           data=form(number="2026-12", act_pdf=None,
                                     fichier_en_attente=str(kept.id),
                                     retirer_fichier=str(kept.id)),
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert "déjà joint" not in text(response)
    assert db.session.scalar(select(func.count()).select_from(PendingUpload)) == 0
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0
    assert not path.exists()


def test_the_worker_purges_expired_pending_files(runner):
    editor = _editor()
    old, fresh = pending.keep([pending.Sent(PDF, "ancien.pdf"), pending.Sent(PDF, "neuf.pdf")],
                              editor)
    old_path, fresh_path = _path(old.file), _path(fresh.file)
    old.created_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    assert pending.claim([old.id, fresh.id], editor) == [fresh]   # expired: not offered

    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 expiré(s) supprimé(s)" in result.output
    assert not old_path.exists() and fresh_path.exists()
    assert db.session.scalars(select(PendingUpload.original_name)).all() == ["neuf.pdf"]
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 1


def test_pending_files_beyond_the_bound_are_refused_in_french(app, client, login):
    editor = _editor()
    limit = app.config["PENDING_UPLOAD_MAX_BYTES"]
    for twin in (app, current_app):   # the web app and the data app
        twin.config["PENDING_UPLOAD_MAX_BYTES"] = 2 * len(PDF)
    try:
        pending.keep([pending.Sent(PDF, "un.pdf"), pending.Sent(PDF, "deux.pdf")], editor)
        with pytest.raises(uploads.UploadError, match="dépassent"):
            pending.keep([pending.Sent(PDF, "trois.pdf")], editor)
        login(editor)
        response = client.post("/deliberations/nouvel-acte", data=form(number="2026-12"),
                               content_type="multipart/form-data")
        assert response.status_code == 200
        assert "Les fichiers joints en attente dépassent" in text(response)
    finally:
        for twin in (app, current_app):
            twin.config["PENDING_UPLOAD_MAX_BYTES"] = limit
    assert db.session.scalar(select(func.count()).select_from(PendingUpload)) == 2


def test_a_file_the_form_refuses_is_not_kept(client, login):
    login(_editor())
    response = client.post("/deliberations/nouvel-acte",
                           data=form(number="2026-12",
                                     act_pdf=(io.BytesIO(b"pas un pdf"), "acte.txt")),
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(PendingUpload)) == 0
