"""A reply refused (empty text) keeps its file: the reply sent again carries it."""
import io

from sqlalchemy import func, select

from intranet.core import uploads
from intranet.core.models import PendingUpload
from intranet.extensions import db
from intranet.messaging.models import ConversationMessage

from ..helpers import text
from .builders import PDF, conversation, people


def test_a_refused_reply_keeps_its_file_for_the_next_try(client, login):
    world = people()
    conv = conversation(world["alice"], world["bruno"], body="Bonjour")
    login(world["bruno"])
    response = client.post(f"/messages/{conv.id}/repondre",
                           data={"body": "", "files": [(io.BytesIO(PDF), "devis.pdf")]},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert "déjà joint : devis.pdf" in text(response)
    kept = db.session.scalar(select(PendingUpload))
    assert kept.owner_id == world["bruno"].id

    response = client.post(f"/messages/{conv.id}/repondre",
                           data={"body": "Voici le devis", "fichier_en_attente": str(kept.id)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, text(response)
    db.session.expire_all()
    reply = db.session.scalars(select(ConversationMessage)
                               .order_by(ConversationMessage.id.desc())).first()
    assert [a.file.original_name for a in reply.attachments] == ["devis.pdf"]
    assert uploads.read(reply.attachments[0].file) == PDF
    assert db.session.scalar(select(func.count()).select_from(PendingUpload)) == 0
