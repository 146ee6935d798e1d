"""Every form with files keeps them when it is refused: the form shown again says « déjà
joint : devis.pdf », the corrected form sent without choosing the file again saves it, « retirer »
drops it, and another person's pending file is a 404 (acts and messages: test_pending_uploads.py
and tests/messaging)."""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Callable

import pytest
from sqlalchemy import func, select

from intranet.accounts.models import OrgKind
from intranet.core import pending
from intranet.core.models import PendingUpload, StoredFile
from intranet.core.types import Role
from intranet.documents import services as documents
from intranet.documents.models import Document, Page
from intranet.extensions import db
from intranet.forums.models import ForumAttachment
from intranet.publications.aids.models import Aid
from intranet.publications.press.models import PressRelease
from intranet.publications.procurement import services as procurement
from intranet.publications.procurement.models import ProcurementNotice

from .. import factories
from ..forums.helpers import org_with_forum
from ..helpers import text
from ..publications.aids import make_aid
from ..publications.deliberations.builders import PDF

AID = {"title": "Aide à la rénovation des mairies", "description": "Pour rénover.",
       "description_format": "text", "beneficiaries": ["communes"], "themes": ["energie"],
       "aid_types": ["financement"], "closes_on": "2099-06-30", "visibility": "public"}
NOTICE = {"title": "Entretien des espaces verts", "reference": "2025-EV-01",
          "procedure": "appel_offres_ouvert", "deadline_date": "2099-03-31",
          "deadline_time": "12:00", "description": "Marché de trois ans.",
          "description_format": "text", "codes": "T01", "visibility": "public"}
RELEASE = {"title": "Fête de la Saint-Jean", "release_date": "2024-06-24",
           "visibility": "public", "body_format": "text", "body": "La fête aura lieu samedi."}
LONG_NOTE = "x" * 301       # past the note's 300 characters: the form refuses it


@dataclass
class Form:
    """A form with files: where it is, what it needs, what refuses it, and what it saved."""
    url: str
    person: object
    data: dict                     # a valid submission, without its file
    refused: dict                  # what makes it refused
    field: str                     # its file field
    attached: Callable[[], list]   # the names of the saved item's files


def _aid_new():
    org = factories.make_org("Département de Lot-et-Garonne", kind=OrgKind.DEPARTEMENT)
    editor = factories.make_user(org, Role.EDITOR)
    return Form("/aides/nouvelle", editor, dict(AID, organisation=str(org.id)), {"title": ""},
                "document", lambda: [d.file.original_name
                                     for a in db.session.scalars(select(Aid)) for d in a.documents])


def _aid_edit():
    org = factories.make_org("Département de Lot-et-Garonne", kind=OrgKind.DEPARTEMENT)
    editor = factories.make_user(org, Role.EDITOR)
    aid = make_aid(org, editor, publish=False)
    return Form(f"/aides/{aid.id}/modifier", editor, AID, {"title": ""}, "document",
                lambda: [d.file.original_name for d in db.session.get(Aid, aid.id).documents])


def _notice_new():
    org = factories.make_org("Villeneuve-sur-Lot")
    procurement.import_nomenclature("Familles d'achat", "code;libelle;parent\nT;Travaux;\n"
                                                        "T01;Voirie;T\n")
    return Form("/marches/avis/nouveau", factories.make_user(org, Role.EDITOR),
                dict(NOTICE, organisation=str(org.id)), {"title": ""}, "document",
                lambda: [d.file.original_name for n in db.session.scalars(select(ProcurementNotice))
                         for d in n.documents])


def _release_new():
    org = factories.make_org("Agen")
    return Form("/communiques/nouveau", factories.make_user(org, Role.EDITOR),
                dict(RELEASE, organisation=org.slug), {"title": ""}, "attachments",
                lambda: [a.file.original_name for r in db.session.scalars(select(PressRelease))
                         for a in r.attachments])


def _forum_names():
    return [a.file.original_name for a in db.session.scalars(select(ForumAttachment))]


def _topic_new():
    _, space, forum, member = org_with_forum()
    return Form(f"/espaces/{space.slug}/forums/{forum.id}/nouveau-sujet", member,
                {"title": "Vide-greniers", "body": "Le programme.", "body_format": "text"},
                {"title": ""}, "files", _forum_names)


def _reply():
    _, space, forum, member = org_with_forum()
    from intranet.forums import services as forums
    topic = forums.create_topic(forum, title="Vide-greniers", body="Qui vient ?",
                                body_format="text", by=member)
    return Form(f"/espaces/{space.slug}/forums/sujets/{topic.id}/repondre", member,
                {"body": "Voici le programme.", "body_format": "text"}, {"body": ""}, "files",
                _forum_names)


def _library_upload():
    org = factories.make_org("Agen")
    space = factories.org_space(org)
    return Form(f"/espaces/{space.slug}/documents/envoyer", factories.make_user(org, Role.EDITOR),
                # the organisation's space is for its members: « réseau » is refused
                {"description": "Le devis signé."}, {"visibility": "network"}, "file",
                lambda: [d.current_version.file.original_name
                         for d in db.session.scalars(select(Document))])


def _new_version():
    org = factories.make_org("Agen")
    space = factories.org_space(org)
    editor = factories.make_user(org, Role.EDITOR)
    doc = documents.upload(space, None, (PDF, "ancien.pdf"), by=editor)
    return Form(f"/espaces/{space.slug}/documents/{doc.id}/versions", editor,
                {"note": "Version signée"}, {"note": LONG_NOTE}, "file",
                lambda: [v.file.original_name for v in db.session.get(Document, doc.id).versions
                         if v.number > 1])


def _page_attachment():
    org = factories.make_org("Agen")
    space = factories.org_space(org)
    editor = factories.make_user(org, Role.EDITOR)
    page = documents.create_page(space, title="Plan", body="x", body_format="text", by=editor)
    return Form(f"/espaces/{space.slug}/pages/{page.id}/pieces", editor, {},
                {"note": LONG_NOTE}, "file",
                lambda: [a.file.original_name for a in db.session.get(Page, page.id).attachments])


FORMS = [_aid_new, _aid_edit, _notice_new, _release_new, _topic_new, _reply, _library_upload,
         _new_version, _page_attachment]
IDS = ["aide", "aide-modifiee", "avis", "communique", "sujet", "reponse", "bibliotheque",
       "nouvelle-version", "piece-de-page"]


def _post(client, form: Form, *, changes=None, file=True, **fields):
    data = dict(form.data, **(changes or {}), **fields)
    if file:
        data[form.field] = (io.BytesIO(PDF), "devis.pdf")
    return client.post(form.url, data=data, content_type="multipart/form-data")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture(params=FORMS, ids=IDS)
def form(request, app):
    return request.param()


def test_a_refused_form_keeps_its_file_and_the_corrected_form_saves_it(client, login, form):
    login(form.person)
    files_before = _count(StoredFile)
    refused = _post(client, form, changes=form.refused)
    assert refused.status_code == 200
    assert "déjà joint : devis.pdf" in text(refused)
    assert form.attached() == []
    kept = db.session.scalar(select(PendingUpload))
    assert kept.owner_id == form.person.id

    saved = _post(client, form, file=False, fichier_en_attente=str(kept.id))
    assert saved.status_code == 302, text(saved)
    assert form.attached() == ["devis.pdf"]
    assert _count(PendingUpload) == 0
    assert _count(StoredFile) == files_before + 1      # the same file, moved, not sent again


def test_retirer_drops_the_kept_file(client, login, form):
    login(form.person)
    files_before = _count(StoredFile)
    _post(client, form, changes=form.refused)
    kept = db.session.scalar(select(PendingUpload))
    again = _post(client, form, changes=form.refused, file=False,
                  fichier_en_attente=str(kept.id), retirer_fichier=str(kept.id))
    assert again.status_code == 200
    assert "déjà joint" not in text(again)
    assert _count(PendingUpload) == 0 and _count(StoredFile) == files_before


def test_another_persons_pending_file_is_a_404(client, login, form):
    other = factories.make_user(factories.make_org("Astaffort"), Role.EDITOR)
    theirs = pending.keep([pending.Sent(PDF, "secret.pdf")], other, field=form.field)[0]
    login(form.person)
    response = _post(client, form, file=False, fichier_en_attente=str(theirs.id))
    assert response.status_code == 404
    assert form.attached() == []
    assert db.session.get(PendingUpload, theirs.id) is not None


def test_a_refused_library_upload_shows_its_form_again_with_what_was_typed(client, login):
    form = _library_upload()
    login(form.person)
    response = _post(client, form, changes=form.refused)
    assert response.status_code == 200          # no redirect: the form is on this page
    page = text(response)
    assert "Un contenu ne peut pas être plus visible que son espace" in page
    assert "Le devis signé." in page and "déjà joint : devis.pdf" in page
