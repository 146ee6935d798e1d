"""An act refused for a wrong number keeps its PDF: the editor corrects the number and sends the
form again without choosing the file again."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from intranet.core import uploads
from intranet.core.types import Role
from intranet.extensions import db
from intranet.documents.models import Document
from intranet.publications.deliberations.models import Deliberation

from .. import factories
from ..publications.deliberations.builders import PDF
from ..browser_fixtures import expect

pytestmark = pytest.mark.browser


def test_a_refused_act_keeps_its_pdf(page, live_server, sign_in, tmp_path):
    org = factories.make_org("Agmé")
    editor = factories.make_user(org, Role.EDITOR)
    pdf = tmp_path / "acte.pdf"
    pdf.write_bytes(PDF)
    sign_in(editor)
    page.goto(f"{live_server}/deliberations/nouvel-acte")
    page.get_by_label("Numéro de l'acte").fill("2026-12")
    page.get_by_label("Date de la séance (ou de la décision)").fill("2026-11-20")
    page.get_by_label("Objet").fill("Travaux de l'école")
    page.get_by_label("Classification (matière ACTES)").select_option("8.1")
    page.get_by_label("Signataire : prénom et nom").fill("Marie Durand")
    page.get_by_label("Signataire : fonction").fill("Maire")
    page.get_by_label("L'acte, en PDF").set_input_files(str(pdf))
    page.get_by_role("main").get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("alert")).to_contain_text("Numéro de l'acte")
    expect(page.get_by_text("déjà joint : acte.pdf")).to_be_visible()
    page.get_by_label("Numéro de l'acte").fill("2026_12")
    page.get_by_role("main").get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_text("Acte enregistré comme brouillon")).to_be_visible()
    db.session.expire_all()
    act = db.session.scalar(select(Deliberation))
    assert act.number == "2026_12"
    assert act.act_file.original_name == "acte.pdf" and uploads.read(act.act_file) == PDF


def test_a_refused_library_upload_keeps_its_file(page, live_server, sign_in, tmp_path):
    org = factories.make_org("Agmé")
    editor = factories.make_user(org, Role.EDITOR)
    space = factories.org_space(org)
    pdf = tmp_path / "devis.pdf"
    pdf.write_bytes(PDF)
    sign_in(editor)
    page.goto(f"{live_server}/espaces/{space.slug}/documents")
    page.get_by_label("Fichier").set_input_files(str(pdf))
    page.get_by_label("Description (facultatif)").fill("Le devis signé")
    page.get_by_label("Visibilité").select_option("network")   # wider than the space: refused
    page.get_by_role("main").get_by_role("button", name="Envoyer", exact=True).click()

    expect(page.get_by_role("alert")).to_contain_text("plus visible que son espace")
    expect(page.get_by_text("déjà joint : devis.pdf")).to_be_visible()
    expect(page.get_by_label("Description (facultatif)")).to_have_value("Le devis signé")
    page.get_by_label("Visibilité").select_option("")
    page.get_by_role("main").get_by_role("button", name="Envoyer", exact=True).click()

    expect(page.get_by_text("« devis.pdf » est en ligne.")).to_be_visible()
    db.session.expire_all()
    document = db.session.scalar(select(Document))
    assert document.description == "Le devis signé"
    assert uploads.read(document.current_version.file) == PDF
