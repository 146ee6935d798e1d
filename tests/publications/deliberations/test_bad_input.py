"""Bad input on the « Nouvel acte » form: a French error, and nothing stored (no act, no
sitting) but the files sent, kept as pending files for their sender (core/pending.py)."""
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from intranet.core.types import Role
from intranet.core.models import PendingUpload, StoredFile
from intranet.extensions import db
from intranet.publications.deliberations import services
from intranet.publications.deliberations.models import Deliberation, Sitting

from ... import factories
from ...helpers import text
from .builders import PDF, form, make_act


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _file(data: bytes, name: str) -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name, content_type="application/pdf")


def _files_on_disk(app) -> int:
    folder = Path(app.config["UPLOAD_DIR"]) / "files"
    return len(list(folder.iterdir())) if folder.exists() else 0


CASES = {
    "number with a hyphen": (dict(number="2025-014"), "Numéro invalide"),
    "number in lower case": (dict(number="delib_14"), "Numéro invalide"),
    "number too long": (dict(number="A" * 16), "Numéro invalide"),
    "more present than in office": (dict(members_in_office="10", members_present="12",
                                         votes_for="5", votes_against="0", abstentions="0"),
                                    "plus de membres présents (12) que de membres en exercice (10)"),
    "votes above the members present": (dict(members_present="30", votes_for="25",
                                             votes_against="4", abstentions="2"),
                                        "Les votes ne s'additionnent pas : pour + contre + "
                                        "abstentions = 31, soit plus que les 30 membres présents"),
    "only some vote counts": (dict(members_in_office="", members_present="", abstentions=""),
                              "Renseignez les cinq nombres du vote"),
    "negative vote count": (dict(votes_against="-1"), "Indiquez un nombre positif ou nul"),
    "a PNG named .png": (dict(act_pdf=(io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 50), "acte.png")),
                         "Le type de fichier « .png » n'est pas accepté. Types acceptés : PDF."),
    "a text file named .pdf": (dict(act_pdf=(io.BytesIO(b"bonjour"), "acte.pdf")),
                               "ne correspond pas à un fichier .pdf"),
    "an annex that is not a PDF": (dict(annexes=(io.BytesIO(b"PK\x03\x04zip"), "annexe.docx")),
                                   "n'est pas accepté"),
    "no subject": (dict(subject=""), "Ce champ est obligatoire."),
    "no classification": (dict(matiere=""), "Choisissez la matière de l'acte dans la liste."),
    "a level-1 classification": (dict(matiere="8"), "N'est pas un choix valide"),
    "an impossible date": (dict(sitting_date="2025-02-30"), "N'est pas une date valide"),
    "transmitted before the sitting": (dict(transmitted_on="2000-01-01"),
                                       "ne peut pas avoir été transmis en préfecture avant"),
    "acknowledgement without transmission": (dict(acknowledgement_id="047-2147-DE"),
                                             "Indiquez aussi la date de transmission"),
    "budget name without its year": (dict(budget_name="Budget annexe de l'eau"),
                                     "Indiquez à la fois l'exercice et le nom du budget"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_gets_a_french_error_and_stores_nothing(app, client, login, case):
    overrides, message = CASES[case]
    org = factories.make_org("Agen")
    login(factories.make_user(org, Role.EDITOR))
    files_before = _files_on_disk(app)
    response = client.post("/deliberations/nouvel-acte", data=form(**overrides),
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert message in text(response)
    assert _count(Deliberation) == 0 and _count(Sitting) == 0
    # Only the act's PDF, kept for the form shown again (« déjà joint »); a refused file is not.
    kept = 0 if "act_pdf" in overrides else 1
    assert _count(PendingUpload) == _count(StoredFile) == kept
    assert ("déjà joint : deliberation.pdf" in text(response)) == bool(kept)
    assert _files_on_disk(app) == files_before + kept


def test_an_upload_over_the_limit_is_refused_in_french_and_stores_nothing(app, client, login,
                                                                         monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024 * 1024)
    org = factories.make_org("Agen")
    login(factories.make_user(org, Role.EDITOR))
    files_before = _files_on_disk(app)
    big = PDF + b"0" * (1024 * 1024)
    # The act is fine, its second annex is too big: no act, the act's PDF and first annex are
    # kept as pending files, the big annex is not.
    # Encoded in memory: the test client would spool a large body to an unclosed temp file.
    body, length, boundary = stream_encode_multipart(form(
        act_pdf=_file(PDF, "acte.pdf"),
        annexes=[_file(PDF, "annexe-1.pdf"), _file(big, "annexe-2.pdf")]), use_tempfile=False)
    response = client.post("/deliberations/nouvel-acte", input_stream=body,
                           content_length=length,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert "Le fichier « annexe-2.pdf » dépasse la taille autorisée (1 Mo)." in text(response)
    assert _count(Deliberation) == 0
    assert _count(PendingUpload) == _count(StoredFile) == 2
    assert "déjà joint : annexe-1.pdf" in text(response) and "annexe-2.pdf (" not in text(response)
    assert _files_on_disk(app) == files_before + 2


def test_a_number_already_used_by_the_organisation_is_refused(client, login):
    org = factories.make_org("Agen")
    editor = factories.make_user(org, Role.EDITOR)
    make_act(org, editor, number="2025_014")
    login(editor)
    response = client.post("/deliberations/nouvel-acte", data=form(number="2025_014"),
                           content_type="multipart/form-data")
    assert "Le numéro 2025_014 est déjà celui d'un autre acte de votre organisation" in \
        text(response)
    assert _count(Deliberation) == 1
    # Another organisation may use the same number.
    other = factories.make_org("Boé")
    other_editor = factories.make_user(other, Role.EDITOR)
    make_act(other, other_editor, number="2025_014")
    assert _count(Deliberation) == 2


def test_votes_that_add_up_are_accepted(client, login):
    org = factories.make_org("Agen")
    login(factories.make_user(org, Role.EDITOR))
    response = client.post("/deliberations/nouvel-acte", data=form(
        members_in_office="29", members_present="29", votes_for="20", votes_against="5",
        abstentions="4"), content_type="multipart/form-data")
    assert response.status_code == 302, text(response)
    act = db.session.scalar(select(Deliberation))
    assert (act.members_in_office, act.members_present, act.votes_for, act.votes_against,
            act.abstentions) == (29, 29, 20, 5, 4)


def _error_next_to(page: str, field_id: str) -> str:
    """The error shown under the field ``field_id`` (empty when there is none)."""
    found = re.search(rf'<p class="error" id="{field_id}-erreur">(.*?)</p>', page, re.S)
    return " ".join(found.group(1).split()) if found else ""


def test_three_wrong_fields_are_reported_at_once_next_to_each_field(client, login):
    org = factories.make_org("Agen")
    login(factories.make_user(org, Role.EDITOR))
    # A form error (no subject) and two the service finds (number, votes): all three at once.
    response = client.post("/deliberations/nouvel-acte", data=form(
        number="2026-12", subject="", members_present="30", votes_for="25", votes_against="4",
        abstentions="2"), content_type="multipart/form-data")
    page = text(response)
    assert response.status_code == 200 and _count(Deliberation) == 0
    assert "Numéro invalide" in _error_next_to(page, "number")
    assert "« 2026_12 »" in _error_next_to(page, "number")
    assert _error_next_to(page, "subject") == "Ce champ est obligatoire."
    assert "Les votes ne s'additionnent pas" in _error_next_to(page, "votes_for")
    summary = page[page.index('class="error-summary"'):page.index("</div>",
                                                               page.index("error-summary"))]
    assert "3 erreurs" in summary
    for field_id in ("number", "subject", "votes_for"):
        assert f'href="#{field_id}"' in summary


def test_the_service_reports_every_problem_of_an_act(app):
    org = factories.make_org("Agen")
    editor = factories.make_user(org, Role.EDITOR)
    with pytest.raises(services.DeliberationError) as refused:
        make_act(org, editor, number="délib 12", subject="", matiere_code="8",
                 signatory_name="", budget_name="Budget principal")
    assert [name for name, _ in refused.value.problems] == [
        "number", "subject", "matiere", "signatory_name", "budget_year"]
    assert "« DELIB_12 »" in refused.value.problems[0][1]
    assert _count(Deliberation) == 0


@pytest.mark.parametrize("typed, suggested", [
    ("2026-12", "2026_12"), ("délib n°4", "DELIB_N_4"), ("2026/014-bis", "2026_014_BIS"),
    ("A" * 20, "A" * 15), ("  2026.12 ", "2026_12")])
def test_an_invalid_number_gets_a_valid_suggestion(typed, suggested):
    assert services.suggest_number(typed) == suggested
    assert f"« {suggested} »" in services.number_problem(typed.strip())


def test_a_number_with_a_hyphen_says_which_characters_are_allowed_once(client, login):
    org = factories.make_org("Agen")
    login(factories.make_user(org, Role.EDITOR))
    page = text(client.post("/deliberations/nouvel-acte", data=form(number="2026-12"),
                            content_type="multipart/form-data"))
    error = _error_next_to(page, "number")
    assert "seuls les chiffres, les lettres majuscules sans accent et « _ »" in error
    assert "« 2026_12 »" in error
    assert page.count("Numéro invalide") == 2   # next to the field, and in the summary
