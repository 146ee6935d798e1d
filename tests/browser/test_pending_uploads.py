"""An act refused for a wrong number keeps its PDF: the editor corrects the number and sends the
form again without choosing the file again."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from intranet.core import uploads
from intranet.core.types import Role
from intranet.extensions import db
from intranet.publications.deliberations.models import Deliberation

from .. import factories
from ..publications.deliberations.builders import PDF

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:     # every test here uses the browser fixture, which skips or fails then
    expect = None


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
