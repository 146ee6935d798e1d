"""Procurement notices: who sees them, who writes them, open and past lists, codes, feed."""
import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from intranet.core.types import Role, Visibility
from intranet.core.models import StoredFile
from intranet.core.timeutil import utcnow
from intranet.extensions import db
from intranet.publications.procurement import services
from intranet.publications.procurement.models import Procedure, ProcurementNotice

from ... import factories
from ...helpers import sends_to_sign_in, text

FAMILIES = "code;libelle;parent\nT;Travaux;\nT01;Voirie;T\nF;Fournitures;\n"


@pytest.fixture
def buyer():
    org = factories.make_org("Villeneuve-sur-Lot")
    services.import_nomenclature("Familles d'achat", FAMILIES)
    return org, factories.make_user(org, Role.EDITOR)


def make_notice(org, editor, title, *, publish=True, days=30, codes="T01",
                visibility=Visibility.PUBLIC, upload=None):
    notice = services.create_notice(org, services.NoticeData(
        title=title, procedure=Procedure.ADAPTED, deadline=utcnow() + timedelta(days=days),
        codes=codes, visibility=visibility), by=editor, files=[upload] if upload else ())
    if publish:
        services.publish(notice, by=editor)
    return notice


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_anonymous_sees_published_public_notices_never_drafts(client, buyer):
    org, editor = buyer
    public = make_notice(org, editor, "Réfection de la voirie")
    draft = make_notice(org, editor, "Marché en préparation", publish=False)
    withdrawn = make_notice(org, editor, "Marché abandonné")
    services.withdraw(withdrawn, by=editor)

    listing = text(client.get("/marches/"))
    assert "Réfection de la voirie" in listing
    assert "Marché en préparation" not in listing and "Marché abandonné" not in listing
    assert client.get(f"/marches/avis/{public.id}").status_code == 200
    assert sends_to_sign_in(client.get(f"/marches/avis/{draft.id}"))
    assert sends_to_sign_in(client.get(f"/marches/avis/{withdrawn.id}"))
    feed = text(client.get("/marches/flux.atom"))
    assert "Réfection de la voirie" in feed and "Marché en préparation" not in feed
    code_page = text(client.get("/marches/nomenclatures/familles-d-achat/T01"))
    assert "Réfection de la voirie" in code_page and "Marché en préparation" not in code_page
    assert "Marché abandonné" not in code_page
    assert "Marché abandonné" not in text(client.get("/"))


def test_network_only_notices_are_for_signed_in_people(client, login, buyer):
    org, editor = buyer
    notice = make_notice(org, editor, "Marché réservé", visibility=Visibility.NETWORK)
    assert sends_to_sign_in(client.get(f"/marches/avis/{notice.id}"))
    assert "Marché réservé" not in text(client.get("/marches/"))
    assert "Marché réservé" not in text(client.get("/marches/flux.atom"))
    login(factories.make_user(factories.make_org("Tonneins"), Role.MEMBER))
    assert client.get(f"/marches/avis/{notice.id}").status_code == 200
    assert "Marché réservé" in text(client.get("/marches/"))
    assert "Marché réservé" in text(client.get("/marches/nomenclatures/familles-d-achat/T01"))


def test_open_and_past_notices_are_listed_apart(client, buyer):
    org, editor = buyer
    make_notice(org, editor, "Consultation ouverte", days=3)
    make_notice(org, editor, "Consultation terminée", days=-3)
    current = text(client.get("/marches/"))
    past = text(client.get("/marches/?periode=passes"))
    assert "Consultation ouverte" in current and "Consultation terminée" not in current
    assert "Consultation terminée" in past and "Consultation ouverte" not in past
    assert "Nomenclatures des achats" in current


def test_the_lists_find_a_title_and_show_the_buyers_drafts_to_its_people_only(client, login,
                                                                            buyer):
    org, editor = buyer
    make_notice(org, editor, "Voirie communale", days=3)
    make_notice(org, editor, "Voirie rurale", days=-3)
    make_notice(org, editor, "Cantine scolaire", days=3)
    make_notice(org, editor, "Voirie du bourg", days=5, publish=False)
    found = text(client.get("/marches/?q=voirie"))
    assert "Voirie communale" in found and "Cantine scolaire" not in found
    assert "Voirie rurale" not in found and "Voirie du bourg" not in found
    past = text(client.get("/marches/?periode=passes&q=VOIRIE"))
    assert "Voirie rurale" in past and "Voirie communale" not in past
    login(factories.make_user(factories.make_org("Tonneins"), Role.EDITOR))
    assert "Voirie du bourg" not in text(client.get("/marches/?q=voirie"))
    client.post("/deconnexion")
    login(editor)
    mine = text(client.get("/marches/?q=voirie"))
    assert "Voirie du bourg" in mine and "Voirie communale" in mine


FORM = {"title": "Entretien des espaces verts", "reference": "2025-EV-01",
        "procedure": "appel_offres_ouvert", "deadline_date": "2099-03-31",
        "deadline_time": "12:00", "description": "Marché de **trois** ans.",
        "description_format": "text", "codes": "T01, F", "visibility": "public"}


def test_editor_writes_publishes_and_withdraws_a_notice(client, login, buyer):
    org, editor = buyer
    login(editor)
    response = client.post("/marches/avis/nouveau", data=dict(
        FORM, organisation=str(org.id), document=(io.BytesIO(b"%PDF-1.4 rc"), "rc.pdf")))
    assert response.status_code == 302
    notice = db.session.scalar(select(ProcurementNotice))
    assert notice.procedure == Procedure.OPEN_TENDER and not notice.is_published
    assert notice.deadline == datetime(2099, 3, 31, 10, 0)   # 12:00 in Paris, summer time
    assert sorted(c.code for c in notice.codes) == ["F", "T01"]
    assert notice.documents[0].file.original_name == "rc.pdf"
    page = text(client.get(f"/marches/avis/{notice.id}"))
    assert "31 mars 2099 à 12 h 00" in page and "<strong>trois</strong>" in page

    assert "2099-03-31" in text(client.get(f"/marches/avis/{notice.id}/modifier"))
    client.post(f"/marches/avis/{notice.id}/modifier", data=dict(FORM, codes="T",
                                                                 procedure="negociee"))
    db.session.refresh(notice)
    assert [c.code for c in notice.codes] == ["T"] and notice.procedure == Procedure.NEGOTIATED

    client.post(f"/marches/avis/{notice.id}/publier")
    client.post("/deconnexion")
    assert "Entretien des espaces verts" in text(client.get("/marches/"))
    assert client.get(f"/marches/avis/{notice.id}/documents/{notice.documents[0].id}").data \
        == b"%PDF-1.4 rc"
    login(editor)
    client.post(f"/marches/avis/{notice.id}/retirer")
    client.post("/deconnexion")
    assert sends_to_sign_in(client.get(f"/marches/avis/{notice.id}"))
    assert sends_to_sign_in(
        client.get(f"/marches/avis/{notice.id}/documents/{notice.documents[0].id}"))


def test_only_the_buyers_editors_may_change_a_notice(client, login, buyer):
    org, editor = buyer
    notice = make_notice(org, editor, "Avis publié")
    login(factories.make_user(factories.make_org("Nérac"), Role.ADMIN))
    assert client.get(f"/marches/avis/{notice.id}").status_code == 200
    assert client.get(f"/marches/avis/{notice.id}/modifier").status_code == 403
    assert client.post(f"/marches/avis/{notice.id}/modifier", data=FORM).status_code == 403
    assert client.post(f"/marches/avis/{notice.id}/retirer").status_code == 403
    db.session.refresh(notice)
    assert notice.title == "Avis publié" and notice.is_published


@pytest.mark.parametrize("changes, message", [
    ({"codes": "T01 ZZZ"}, "Code(s) inconnu(s) dans les nomenclatures : « ZZZ »."),
    ({"deadline_date": "31/03/2099"}, "N'est pas une date valide."),
    ({"deadline_time": ""}, "Ce champ est obligatoire."),
    ({"procedure": "gre_a_gre"}, "N'est pas un choix valide."),
    ({"document": (io.BytesIO(b"MZ"), "dce.exe")},
     "Le type de fichier « .exe » n'est pas accepté."),
])
def test_bad_input_gets_a_french_error_and_stores_nothing(client, login, buyer, changes, message):
    org, editor = buyer
    login(editor)
    response = client.post("/marches/avis/nouveau",
                           data=dict(FORM, organisation=str(org.id), **changes))
    assert response.status_code == 200
    assert message in text(response)
    assert _count(ProcurementNotice) == 0 and _count(StoredFile) == 0


def test_a_cpv_code_may_be_typed_without_its_check_digit(buyer):
    org, editor = buyer
    services.import_nomenclature("CPV", "code,code8,parent_code8,label_en\n"
                                        "45000000-7,45000000,,Construction work\n")
    notice = make_notice(org, editor, "Travaux", codes="45000000")
    assert [c.code for c in notice.codes] == ["45000000-7"]


def test_a_code_used_by_a_notice_cannot_vanish_from_a_new_import(buyer):
    org, editor = buyer
    make_notice(org, editor, "Avis", codes="T01")
    with pytest.raises(services.CsvImportError) as refused:
        services.import_nomenclature("Familles d'achat", "code;libelle;parent\nT;Travaux;\n")
    assert "« T01 »" in str(refused.value)
    assert _count(ProcurementNotice) == 1
