"""Applications: personal data. A CV by its content, read by the publisher's admins and the
centre de gestion only, every step mailed to the applicant in French, a visitor's application
sent once their address is confirmed, and the purge that deletes what has had its time."""
import io
from datetime import timedelta
from pathlib import Path

import pytest
from flask import current_app
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart
from sqlalchemy import func, select

from intranet.core.models import StoredFile
from intranet.core.timeutil import utcnow
from intranet.extensions import db
from intranet.jobs import services
from intranet.jobs.models import ApplicationStatus, JobApplication
from intranet.mail.models import OutboxMessage
from intranet.notifications.models import Notification

from .. import factories
from ..helpers import text
from .builders import PDF, employers, published_offer


def _apply(client, offer, **fields):
    data = {"name": "Léa Martin", "email": "lea.martin@exemple.fr", "message": "Motivée.",
            "cv": (PDF, "cv.pdf")} | fields
    data = {key: FileStorage(io.BytesIO(value[0]), filename=value[1])
            if isinstance(value, tuple) else value for key, value in data.items()}
    # Encoded in memory: the test client would spool a large body to an unclosed temp file.
    body, length, boundary = stream_encode_multipart(data, use_tempfile=False)
    return client.post(f"/emplois/{offer.id}/candidater", input_stream=body,
                       content_length=length,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_a_visitor_applies_confirms_her_address_and_follows_each_step(client, login, new_client):
    world = employers()
    offer = published_offer(world)
    answer = _apply(client, offer)
    assert answer.status_code == 200 and "confirmez votre adresse" in text(answer)
    application = db.session.scalar(select(JobApplication))
    assert application.status == ApplicationStatus.UNCONFIRMED
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == "lea.martin@exemple.fr"))
    link = next(line for line in mail.body_text.splitlines() if "/emplois/candidature/" in line)
    confirmed = client.get(link.strip()[link.index("/emplois/"):])
    assert "Candidature confirmée" in text(confirmed)
    assert "déjà confirmée" in text(client.get(link.strip()[link.index("/emplois/"):]))
    assert application.status == ApplicationStatus.RECEIVED
    notified = set(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "jobs.application")))
    assert notified == {world["admin"].id, world["cdg_editor"].id}
    reader = new_client(world["admin"])
    page = text(reader.get(f"/emplois/{offer.id}/candidatures"))
    assert "Léa Martin" in page and "Motivée." in page
    reader.post(f"/emplois/candidatures/{application.id}/etape", data={"status": "interviewed"})
    last = db.session.scalars(select(OutboxMessage.body_text).where(
        OutboxMessage.recipient == "lea.martin@exemple.fr").order_by(OutboxMessage.id.desc())).first()
    assert "invité(e) à un entretien" in last


def test_a_signed_in_agent_applies_at_once(client, login):
    world = employers()
    offer = published_offer(world)
    agent = factories.make_user(world["other"], first_name="Paul", last_name="Durand")
    login(agent)
    _apply(client, offer, name="Paul Durand", email="")
    application = db.session.scalar(select(JobApplication))
    assert application.status == ApplicationStatus.RECEIVED and application.email == agent.email


@pytest.mark.parametrize("who, allowed", [
    ("admin", True), ("cdg_editor", True), ("editor", False), ("member", False),
    ("cdg_member", False), ("other_admin", False), ("platform_admin", False), (None, False)])
def test_a_cv_is_read_by_the_publishers_admins_and_the_centre_de_gestion_only(new_client, who,
                                                                               allowed):
    world = employers()
    world["platform_admin"] = factories.make_user(platform_admin=True)
    offer = published_offer(world)
    application = services.apply(offer, name="Léa", email="lea@exemple.fr",
                                 cv=(PDF, "cv.pdf"), user=world["member"])
    reader = new_client(world[who]) if who else new_client()
    cv = reader.get(f"/emplois/candidatures/{application.id}/cv")
    listing = reader.get(f"/emplois/{offer.id}/candidatures")
    if allowed:
        assert cv.status_code == 200 and cv.data == PDF and listing.status_code == 200
    else:
        assert cv.status_code in (302, 404) and b"PDF" not in cv.data
        assert listing.status_code in (302, 404) and "Léa" not in text(listing)


@pytest.mark.parametrize("cv, name, message", [
    (b"Bonjour, je suis un texte", "cv.pdf", "doit être un fichier PDF"),
    (b"\x89PNG\r\n\x1a\n....", "cv.pdf", "doit être un fichier PDF"),
    (b"%PDF-1.4\n" + b"0" * 3 * 1024 * 1024, "cv.pdf", "dépasse 2 Mo"),
])
def test_a_cv_that_is_not_a_pdf_or_too_big_is_refused_and_nothing_stored(app, client, cv, name,
                                                                       message, monkeypatch):
    # A smaller limit than the real one (5 MB) keeps the test's request in memory.
    monkeypatch.setitem(app.config, "JOBS_APPLICATION_MAX_BYTES", 2 * 1024 * 1024)
    world = employers()
    offer = published_offer(world)
    answer = _apply(client, offer, cv=(cv, name))
    assert answer.status_code == 200 and message in text(answer)
    assert 'value="Léa Martin"' in answer.get_data(as_text=True)   # what was typed stays
    assert db.session.scalar(select(func.count(JobApplication.id))) == 0
    assert db.session.scalar(select(func.count(StoredFile.id))) == 0


def test_a_real_pdf_with_another_name_is_taken_as_a_pdf(client):
    world = employers()
    offer = published_offer(world)
    _apply(client, offer, cv=(PDF, "mon cv.docx"))
    stored = db.session.scalar(select(StoredFile))
    assert stored.extension == "pdf" and stored.original_name == "mon cv.pdf"


def test_the_purge_deletes_expired_applications_and_their_files_and_nothing_else():
    world = employers()
    old_offer, current_offer = published_offer(world), published_offer(world)
    expired = services.apply(old_offer, name="Ancien", email="a@exemple.fr",
                             cv=(PDF, "cv.pdf"), letter=(PDF, "lettre.pdf"), user=world["member"])
    current = services.apply(current_offer, name="Actuel", email="b@exemple.fr",
                             cv=(PDF, "cv.pdf"), user=world["member"])
    forgotten = services.apply(current_offer, name="Jamais confirmé", email="c@exemple.fr",
                               cv=(PDF, "cv.pdf"))
    forgotten.created_at = utcnow() - timedelta(days=8)
    old_offer.ended_at = utcnow() - timedelta(days=current_app.config[
        "JOBS_APPLICATION_RETENTION_DAYS"] + 1)
    db.session.commit()
    folder = Path(current_app.config["UPLOAD_DIR"]) / "files"
    gone = [folder / f.storage_name for f in expired.files + forgotten.files]
    kept = [folder / f.storage_name for f in current.files]
    assert services.purge() == 2
    assert [a.name for a in db.session.scalars(select(JobApplication))] == ["Actuel"]
    assert not any(path.exists() for path in gone) and all(path.exists() for path in kept)
    assert db.session.scalar(select(func.count(StoredFile.id))) == 1
    from intranet.core.audit import AuditEvent
    assert db.session.scalar(select(AuditEvent.target).where(
        AuditEvent.action == "jobs.applications_purged")) == "2 candidature(s)"


def test_applications_are_never_indexed(search_backend):
    from intranet.search import services as search
    from intranet.search.backends import SearchRequest
    world = employers()
    offer = published_offer(world)
    services.apply(offer, name="Zébulon Xylophage", email="z@exemple.fr", cv=(PDF, "cv.pdf"),
                   message="xylophage", user=world["member"])
    search.drain()
    assert search.query(world["admin"], SearchRequest(text="xylophage")).total == 0
