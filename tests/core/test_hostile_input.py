"""Input nobody types on purpose — NUL characters, numbers past the database's range, control
characters, formulas — gets a French page and changes nothing; what is published stays
readable in feeds and spreadsheets. (Every route is also fuzzed: tests/test_fuzz_routes.py.)"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from frictionless import Resource, Schema
from sqlalchemy import func, select

from intranet.accounts.models import OrgKind
from intranet.core.types import Role
from intranet.core import csvexport
from intranet.extensions import db
from intranet.forums import services as forums
from intranet.publications.aids.models import Aid
from intranet.publications.deliberations import services as acts
from intranet.publications.deliberations.models import PublicationMode
from intranet.publications.press import services as press

from .. import factories
from ..helpers import text
from ..publications.aids import make_aid
from ..publications.deliberations.builders import make_act, valid_siret

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "open-data"


# --- 1. NUL characters --------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/organisations?q=%00", "/espaces/%00", "/aides/?q=%00",
                                 "/deliberations/?organisation=a%00b", "/recherche?q=ab%00c"])
def test_a_nul_character_in_an_address_gets_a_french_400_page(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "caractère invalide" in text(response)


def test_a_nul_character_in_the_sign_in_form_is_removed_not_a_server_error(client):
    user = factories.make_user(email="martine@agme.fr")
    response = client.post("/connexion", data={"email": "martine\x00@agme.fr",
                                               "password": factories.PASSWORD})
    assert response.status_code == 302     # the address without its NUL is hers
    assert client.get("/profil").status_code == 200
    assert user.email == "martine@agme.fr"


def test_control_characters_typed_into_a_form_are_not_stored(client, login):
    org = factories.make_org("Agmé")
    admin = factories.make_user(org, Role.ADMIN)
    login(admin)
    space = factories.org_space(org)
    response = client.post(f"/espaces/{space.slug}/forums/nouveau",
                           data={"name": "Forum\x00 des\x1b élus\x0c", "description": "",
                                 "category": "", "position": "0"})
    assert response.status_code == 302
    assert text(client.get(f"/espaces/{space.slug}/forums")).count("Forum des élus") >= 1


# --- 2. numbers out of range ---------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/aides/2147483648", "/communiques/99999999999999999999",
                                 "/deliberations/2147483648/acte.pdf",
                                 "/espaces/espace-ouvert/pages/99999999999999999999"])
def test_an_id_past_the_database_range_is_page_not_found(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page introuvable" in text(response)


def test_a_page_number_past_the_last_shows_the_last_page(client):
    for n in range(65):
        factories.make_org(f"Commune numéro {n:03d}")
    last = text(client.get("/organisations?page=2"))
    for page in ("99999999999999999999", "2147483648", "3"):
        response = client.get(f"/organisations?page={page}")
        assert response.status_code == 200
        assert text(response) == last
    assert "Commune numéro 000" in text(client.get("/organisations?page=-4"))


@pytest.mark.parametrize("query", ["a=99999999999999999999", "a=2147483648", "a=-1", "a=²"])
def test_a_recipient_number_out_of_range_leaves_the_message_form_empty(client, login, query):
    login(factories.make_user(factories.make_org()))
    response = client.get(f"/messages/nouveau?{query}")
    assert response.status_code == 200
    assert "Écrire un message" in text(response)


def test_quoting_a_post_number_out_of_range_shows_the_reply_form(client, login):
    org = factories.make_org("Agmé")
    admin = factories.make_user(org, Role.ADMIN)
    forum = forums.create_forum(factories.org_space(org), name="Élus", by=admin)
    topic = forums.create_topic(forum, title="Budget", body="Texte", body_format="text",
                                by=admin)
    login(admin)
    base = f"/espaces/{factories.org_space(org).slug}/forums/sujets/{topic.id}/repondre"
    for value in ("99999999999999999999", "2147483648", "0", "x"):
        assert client.get(f"{base}?citer={value}").status_code in (200, 404)


def test_an_amount_out_of_range_is_refused_with_a_french_message(client, login):
    org = factories.make_org("Département", kind=OrgKind.DEPARTEMENT)
    editor = factories.make_user(org, Role.EDITOR)
    login(editor)
    for amount, message in (("1e20", "ne peut pas dépasser"), ("NaN", "Saisissez un nombre"),
                            ("99999999999999999999", "ne peut pas dépasser")):
        response = client.post("/aides/nouvelle", data={
            "organisation": str(org.id), "title": "Aide aux écoles", "description": "Texte",
            "description_format": "text", "beneficiaries": "communes", "themes": "education",
            "ceiling_amount": amount, "visibility": "public"})
        assert response.status_code == 200
        assert message in text(response)
    assert db.session.scalar(select(func.count()).select_from(Aid)) == 0


# --- 5. control characters and the feeds ----------------------------------------------------------

def test_a_control_character_in_a_title_keeps_every_feed_valid_xml(client):
    org = factories.make_org("Agen", insee_code="47001", siren="214700015")
    editor = factories.make_user(org, Role.EDITOR)
    release = press.create_release(org, title="Inauguration", release_date=__import__(
        "datetime").date(2026, 6, 1), body="Texte", by=editor)
    release.title = "Inauguration\x0b du pont\x01"  # typed elsewhere than in a form
    db.session.commit()
    press.publish(release, by=editor)
    aid = make_aid(org, editor, "Aide aux façades")
    aid.title = "Aide\x1f aux façades"
    act = make_act(org, editor, number="2026_01", subject="Budget", publish=True)
    act.subject = "Budget\x08 primitif"
    db.session.commit()
    for url, title in (("/communiques/flux.atom", "Inauguration du pont"),
                       ("/aides/flux.atom", "Aide aux façades"),
                       ("/deliberations/flux.atom", "Budget primitif")):
        response = client.get(url)
        root = ET.fromstring(response.data)   # would raise on an invalid character
        titles = [t.text for t in root.iter("{http://www.w3.org/2005/Atom}title")]
        assert any(title in (t or "") for t in titles), (url, titles)


# --- 6. formulas in spreadsheets ----------------------------------------------------------------

@pytest.mark.parametrize("typed, written", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+33 5 53 00 00 00", "'+33 5 53 00 00 00"),
    ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("-12,5", "-12,5"), ("42", "42"), ("Plan - écoles", "Plan - écoles"), (None, ""),
])
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(typed, written):
    assert csvexport.safe_cell(typed) == written


def test_the_open_data_exports_neutralise_formulas_and_stay_valid(client):
    council = factories.make_org("Département de Lot-et-Garonne", kind=OrgKind.DEPARTEMENT,
                                 siren="224700013")
    editor = factories.make_user(council, Role.EDITOR)
    acts.save_settings(council, by=factories.make_user(council, Role.ADMIN),
                       siret=valid_siret("2247000130001"), publication_mode=PublicationMode.ELECTRONIC,
                       mode_chosen_on=None, mode_deliberation_number=None)
    make_aid(council, editor, "=1+1 aide", summary="@cmd|' /C calc'!A0")
    make_act(council, editor, number="2026_02", subject="=HYPERLINK(\"http://x\",\"clic\")",
             publish=True)

    aids = client.get("/aides/export.csv")
    row = next(csv.DictReader(io.StringIO(aids.data.decode("utf-8"))))
    assert row["titre"] == "'=1+1 aide"
    schema = json.loads((SHARED / "dispositif-aide-0.2.0.schema.json").read_text("utf-8"))
    report = Resource(aids.data, format="csv", schema=Schema.from_descriptor(schema)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "note"])

    export = client.get("/deliberations/export-scdl.csv")
    assert export.headers["Content-Type"] == "text/csv; charset=utf-8"
    row = next(csv.DictReader(io.StringIO(export.data.decode("utf-8"))))
    assert row["DELIB_OBJET"].startswith("'=HYPERLINK")
