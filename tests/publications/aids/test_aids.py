"""The aids directory as its readers and writers notice it."""
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from intranet.accounts.models import OrgKind
from intranet.core.types import Role, Visibility
from intranet.accounts.services import renew_feed_token
from intranet.core.models import StoredFile
from intranet.extensions import db
from intranet.publications.aids import services
from intranet.publications.aids.models import Aid, today_paris

from ... import factories
from ...helpers import sends_to_sign_in, text
from . import aid_data, make_aid


@pytest.fixture
def council():
    org = factories.make_org("Département de Lot-et-Garonne", kind=OrgKind.DEPARTEMENT)
    return org, factories.make_user(org, Role.EDITOR)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- who sees what -------------------------------------------------------------------------------


def test_anonymous_sees_published_public_aids_but_never_drafts(client, council):
    org, editor = council
    public = make_aid(org, editor, "Fonds de soutien aux écoles")
    draft = make_aid(org, editor, "Aide en préparation", publish=False)
    withdrawn = make_aid(org, editor, "Aide abandonnée")
    services.withdraw(withdrawn, by=editor)

    listing = text(client.get("/aides/"))
    assert "Fonds de soutien aux écoles" in listing
    assert "Aide en préparation" not in listing and "Aide abandonnée" not in listing
    assert client.get(f"/aides/{public.id}").status_code == 200
    # signed out: the sign-in page, as for an aid that does not exist
    assert sends_to_sign_in(client.get(f"/aides/{draft.id}"), f"/aides/{draft.id}")
    assert sends_to_sign_in(client.get(f"/aides/{withdrawn.id}"))
    assert sends_to_sign_in(client.get("/aides/999999"))
    for url in ("/aides/export.csv", "/aides/flux.atom"):
        body = text(client.get(url))
        assert "Fonds de soutien aux écoles" in body, url
        assert "Aide en préparation" not in body and "Aide abandonnée" not in body, url


def test_drafts_are_seen_by_the_publishers_members_only(client, login, council):
    org, editor = council
    draft = make_aid(org, editor, "Aide en préparation", publish=False)
    colleague = factories.make_user(org, Role.MEMBER)
    outsider = factories.make_user(factories.make_org("Agen"), Role.ADMIN)

    login(colleague)
    assert "Aide en préparation" in text(client.get("/aides/"))
    assert client.get(f"/aides/{draft.id}").status_code == 200
    client.post("/deconnexion")
    login(outsider)
    assert "Aide en préparation" not in text(client.get("/aides/"))
    assert client.get(f"/aides/{draft.id}").status_code == 404


def test_network_only_aid_is_shown_to_signed_in_people_only(client, login, council):
    org, editor = council
    aid = make_aid(org, editor, "Aide réservée au réseau", visibility=Visibility.NETWORK)
    reader = factories.make_user(factories.make_org("Nérac"), Role.MEMBER)

    assert sends_to_sign_in(client.get(f"/aides/{aid.id}"))
    assert "Aide réservée au réseau" not in text(client.get("/aides/"))
    assert "Aide réservée au réseau" not in text(client.get("/aides/flux.atom"))
    login(reader)
    assert client.get(f"/aides/{aid.id}").status_code == 200
    assert "Aide réservée au réseau" in text(client.get("/aides/"))
    # Open data stays public data, whoever downloads it.
    assert "Aide réservée au réseau" not in text(client.get("/aides/export.csv"))


def test_private_feed_lists_network_aids_and_refuses_a_wrong_address(client, council):
    org, editor = council
    make_aid(org, editor, "Aide réservée au réseau", visibility=Visibility.NETWORK)
    make_aid(org, editor, "Brouillon secret", publish=False)
    reader = factories.make_user(factories.make_org("Nérac"), Role.MEMBER)
    token = renew_feed_token(reader)

    feed = client.get(f"/aides/flux/{token}.atom")
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    assert "Aide réservée au réseau" in text(feed)
    assert "Brouillon secret" not in text(feed)
    assert client.get("/aides/flux/pas-le-bon-jeton.atom").status_code == 404


def test_document_of_a_draft_cannot_be_downloaded_by_others(client, council):
    org, editor = council
    public = services.create_aid(org, aid_data("Aide publique"), by=editor,
                                 files=[(b"%PDF-1.4 reglement", "reglement.pdf")])
    services.publish(public, by=editor)
    draft = services.create_aid(org, aid_data("Brouillon"), by=editor,
                                files=[(b"%PDF-1.4 secret", "secret.pdf")])

    response = client.get(f"/aides/{public.id}/documents/{public.documents[0].id}")
    assert response.status_code == 200 and response.data == b"%PDF-1.4 reglement"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert sends_to_sign_in(client.get(f"/aides/{draft.id}/documents/{draft.documents[0].id}"))
    # A document reached through another aid's address is not served either.
    assert sends_to_sign_in(client.get(f"/aides/{public.id}/documents/{draft.documents[0].id}"))


def test_organisation_page_lists_its_published_aids(client, council):
    org, editor = council
    make_aid(org, editor, "Aide aux bibliothèques")
    make_aid(org, editor, "Aide pas encore publiée", publish=False)
    page = text(client.get(f"/organisations/{org.slug}"))
    assert "Aide aux bibliothèques" in page
    assert "Aide pas encore publiée" not in page


# --- who writes ----------------------------------------------------------------------------------


FORM = {"title": "Aide à la rénovation des mairies", "summary": "Rénovez votre mairie",
        "description": "Pour **rénover** les mairies.<script>alert(1)</script>",
        "description_format": "text", "beneficiaries": ["communes", "epci"],
        "themes": ["energie"], "aid_types": ["financement"], "rate_percent": "37,5",
        "ceiling_amount": "50 000", "opens_on": "2025-01-01", "closes_on": "2099-06-30",
        "programme": "Plan climat", "service": "Direction de l'environnement",
        "contact_name": "Service des aides", "contact_email": "aides@cd47.fr",
        "contact_phone": "05 53 00 00 00", "visibility": "public"}


def test_editor_creates_edits_publishes_and_withdraws_an_aid(client, login, council):
    org, editor = council
    login(editor)
    response = client.post("/aides/nouvelle", data=dict(FORM, organisation=str(org.id),
                                                        document=(io.BytesIO(b"%PDF-1.4 x"),
                                                                  "reglement.pdf")))
    assert response.status_code == 302
    aid = db.session.scalar(select(Aid))
    assert aid.status.value == "draft" and aid.organisation_id == org.id
    assert sorted(aid.beneficiaries) == ["communes", "epci"] and aid.themes == ["energie"]
    assert str(aid.rate_percent) == "37.50" and str(aid.ceiling_amount) == "50000.00"
    assert "<strong>rénover</strong>" in aid.description and "<script" not in aid.description
    assert aid.documents[0].file.original_name == "reglement.pdf"

    page = text(client.get(f"/aides/{aid.id}"))
    assert "37,5 %" in page and "50\u202f000 €" in page and "Brouillon" in page

    edit_form = client.get(f"/aides/{aid.id}/modifier")
    assert edit_form.status_code == 200 and "Aide à la rénovation des mairies" in text(edit_form)
    client.post(f"/aides/{aid.id}/modifier", data=dict(FORM, title="Rénovation des mairies",
                                                        permanent="y", closes_on=""))
    db.session.refresh(aid)
    assert aid.title == "Rénovation des mairies" and aid.permanent and aid.closes_on is None

    client.post(f"/aides/{aid.id}/publier")
    client.post("/deconnexion")
    assert "Rénovation des mairies" in text(client.get("/aides/"))
    login(editor)
    client.post(f"/aides/{aid.id}/retirer")
    client.post("/deconnexion")
    assert sends_to_sign_in(client.get(f"/aides/{aid.id}"))


@pytest.mark.parametrize("who", ["other_editor", "own_member"])
def test_only_the_publishers_editors_may_change_an_aid(client, login, council, who):
    org, editor = council
    aid = make_aid(org, editor, "Aide publiée")
    person = (factories.make_user(factories.make_org("Marmande"), Role.ADMIN)
              if who == "other_editor" else factories.make_user(org, Role.MEMBER))
    login(person)
    assert client.get(f"/aides/{aid.id}").status_code == 200
    assert "Modifier" not in text(client.get(f"/aides/{aid.id}"))
    assert client.get(f"/aides/{aid.id}/modifier").status_code == 403
    assert client.post(f"/aides/{aid.id}/modifier", data=FORM).status_code == 403
    assert client.post(f"/aides/{aid.id}/retirer").status_code == 403
    assert client.post(f"/aides/{aid.id}/documents",
                       data={"file": (io.BytesIO(b"%PDF-1.4"), "x.pdf")}).status_code == 403
    db.session.refresh(aid)
    assert aid.title == "Aide publiée" and aid.is_published and not aid.documents


def test_someone_who_edits_for_no_organisation_cannot_open_the_form(client, login, council):
    org, _ = council
    login(factories.make_user(org, Role.MEMBER))
    assert client.get("/aides/nouvelle").status_code == 403
    client.post("/deconnexion")
    assert client.get("/aides/nouvelle").status_code == 302   # to the login page


def test_an_editor_cannot_publish_for_an_organisation_he_does_not_edit(client, login, council):
    org, editor = council
    other = factories.make_org("Villeneuve-sur-Lot")
    login(editor)
    response = client.post("/aides/nouvelle", data=dict(FORM, organisation=str(other.id)))
    assert response.status_code == 200 and "choix valide" in text(response)
    assert _count(Aid) == 0


@pytest.mark.parametrize("changes, message", [
    ({"ceiling_amount": "-5000"}, "Le montant ne peut pas être négatif."),
    ({"fixed_amount": "-1"}, "Le montant ne peut pas être négatif."),
    ({"rate_percent": "120"}, "Le taux doit être compris entre 0 et 100 %."),
    ({"rate_percent": "beaucoup"}, "N'est pas une valeur décimale valide."),
    ({"opens_on": "2099-07-01", "closes_on": "2099-06-30"},
     "La date de clôture est antérieure à la date d'ouverture."),
    ({"closes_on": "31/02/2099"}, "N'est pas une date valide."),
    ({"closes_on": ""}, "Indiquez une date de clôture, ou cochez « Aide permanente »."),
    ({"beneficiaries": []}, "Choisissez au moins un type de bénéficiaire."),
    ({"document": (io.BytesIO(b"MZ\x90\x00"), "programme.exe")},
     "Le type de fichier « .exe » n'est pas accepté."),
    ({"document": (io.BytesIO(b"<html>"), "faux.pdf")}, "ne correspond pas à un fichier .pdf"),
])
def test_bad_input_gets_a_french_error_and_stores_nothing(client, login, council, changes,
                                                          message):
    org, editor = council
    login(editor)
    response = client.post("/aides/nouvelle", data=dict(FORM, organisation=str(org.id), **changes))
    assert response.status_code == 200
    assert message in text(response)
    assert _count(Aid) == 0 and _count(StoredFile) == 0


def test_a_forbidden_attachment_on_an_existing_aid_changes_nothing(client, login, council):
    org, editor = council
    aid = make_aid(org, editor, "Aide publiée")
    login(editor)
    response = client.post(f"/aides/{aid.id}/modifier",
                           data=dict(FORM, title="Titre changé",
                                     document=(io.BytesIO(b"#!/bin/sh"), "script.sh")))
    assert "Le type de fichier « .sh » n'est pas accepté." in text(response)
    db.session.refresh(aid)
    assert aid.title == "Aide publiée" and _count(StoredFile) == 0
    response = client.post(f"/aides/{aid.id}/documents",
                           data={"file": (io.BytesIO(b"MZ"), "virus.exe")}, follow_redirects=True)
    assert "Le type de fichier « .exe » n'est pas accepté." in text(response)
    assert _count(StoredFile) == 0


def test_the_service_refuses_bad_amounts_whatever_the_entry_point(council):
    org, editor = council
    for fields in ({"ceiling_amount": -1}, {"rate_percent": 101},
                   {"opens_on": date(2030, 1, 2), "closes_on": date(2030, 1, 1)}):
        with pytest.raises(services.AidError):
            services.create_aid(org, aid_data(**fields), by=editor)
    assert _count(Aid) == 0


# --- finding aids --------------------------------------------------------------------------------


def test_filters_by_beneficiary_theme_and_open_or_closed(client, council):
    org, editor = council
    today = today_paris()
    make_aid(org, editor, "Aide sport communes", beneficiaries=["communes"], themes=["sport"])
    make_aid(org, editor, "Aide culture associations", beneficiaries=["associations"],
             themes=["culture"], permanent=True, closes_on=None)
    make_aid(org, editor, "Aide close", beneficiaries=["communes"], themes=["culture"],
             opens_on=today - timedelta(days=60), closes_on=today - timedelta(days=1))
    make_aid(org, editor, "Aide future", beneficiaries=["entreprises"], themes=["economie"],
             opens_on=today + timedelta(days=10), closes_on=today + timedelta(days=40))
    make_aid(org, editor, "Aide du jour", beneficiaries=["particuliers"], themes=["habitat"],
             opens_on=today, closes_on=today)

    def titles(query: str) -> set[str]:
        page = text(client.get(f"/aides/?{query}"))
        return {t for t in ("Aide sport communes", "Aide culture associations", "Aide close",
                            "Aide future", "Aide du jour") if t in page}

    assert titles("beneficiaire=communes") == {"Aide sport communes", "Aide close"}
    assert titles("theme=culture") == {"Aide culture associations", "Aide close"}
    assert titles("etat=ouvertes") == {"Aide sport communes", "Aide culture associations",
                                       "Aide du jour"}
    assert titles("etat=cloturees") == {"Aide close"}
    assert titles("etat=a-venir") == {"Aide future"}
    assert titles("beneficiaire=communes&etat=ouvertes") == {"Aide sport communes"}
    assert titles("beneficiaire=inconnu") == titles("")   # an unknown value is ignored


def test_search_finds_words_of_the_title_whatever_the_accents(client, council):
    org, editor = council
    make_aid(org, editor, "Équipements sportifs des écoles")
    make_aid(org, editor, "Rénovation énergétique")
    assert "Équipements sportifs" in text(client.get("/aides/?q=ecoles+equipements"))
    assert "Rénovation" not in text(client.get("/aides/?q=ecoles"))
    assert "Aucune aide" in text(client.get("/aides/?q=100%25"))
