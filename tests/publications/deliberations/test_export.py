"""The SCDL « délibérations » CSV export: valid against the national schema (frictionless),
public published deliberations only."""
import csv
import io
import json
from datetime import timedelta
from pathlib import Path

from frictionless import Resource, Schema

from intranet.accounts.models import OrgKind
from intranet.core.types import Role, Visibility
from intranet.publications.deliberations import services
from intranet.publications.deliberations.models import ActNature, Assembly, today_paris

from ... import factories
from ...helpers import visible_text as text
from .builders import make_act, valid_siret

SCHEMA_PATH = Path(__file__).with_name("scdl-deliberations-2.1.5.schema.json")


def _schema() -> Schema:
    with SCHEMA_PATH.open(encoding="utf-8") as handle:
        return Schema.from_descriptor(json.load(handle))


def _settings(org, siret):
    services.save_settings(org, by=factories.make_user(org, Role.ADMIN), siret=siret,
                           publication_mode=services.PublicationMode.ELECTRONIC,
                           mode_chosen_on=None, mode_deliberation_number=None)


def _world():
    council = factories.make_org("Département de Lot-et-Garonne", kind=OrgKind.DEPARTEMENT,
                                 siren="224700013")
    _settings(council, valid_siret("2247000130001"))
    editor = factories.make_user(council, Role.EDITOR)
    day = today_paris() - timedelta(days=5)
    make_act(council, editor, number="2025_CD_001", subject="Budget primitif 2025",
             nature=ActNature.BUDGET, assembly=Assembly.DEPARTMENTAL_COUNCIL, sitting_date=day,
             matiere_code="7.1", budget_year="2025", budget_name="Budget principal",
             members_in_office=42, members_present=40, votes_for=30, votes_against=8,
             abstentions=1, transmitted_on=day + timedelta(days=1),
             acknowledgement_id="047-224700013-20250110-2025_CD_001-BF", publish=True)
    make_act(council, editor, number="2025_CD_002",
             subject="Prise de participation, SEM « Territoires 47 »\nseconde ligne",
             assembly=Assembly.STANDING_COMMITTEE, sitting_date=day, matiere_code="7.9",
             publish=True)
    make_act(council, editor, number="2025_CD_003", subject="Brouillon non exporté",
             sitting_date=day)
    make_act(council, editor, number="2025_CD_004", subject="Acte réseau non exporté",
             sitting_date=day, publish=True, visibility=Visibility.NETWORK)
    make_act(council, editor, number="2025_CD_005", subject="Arrêté non exporté",
             nature=ActNature.INDIVIDUAL, sitting_date=day, publish=True)
    no_siret = factories.make_org("Commune sans SIRET")
    make_act(no_siret, factories.make_user(no_siret, Role.EDITOR), number="1",
             subject="Sans SIRET non exporté", sitting_date=day, publish=True)
    return council


def test_scdl_export_is_valid_against_the_national_schema(client, tmp_path):
    _world()
    response = client.get("/deliberations/export-scdl.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    path = tmp_path / "deliberations.csv"
    path.write_bytes(response.data)

    report = Resource(path=path.name, basepath=str(tmp_path), schema=_schema()).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])

    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == [f.name for f in _schema().fields]
    assert [r["DELIB_ID"] for r in rows] == ["2025_CD_001", "2025_CD_002"]
    budget = rows[0]
    assert budget["COLL_NOM"] == "Département de Lot-et-Garonne"
    assert budget["COLL_SIRET"].startswith("224700013") and len(budget["COLL_SIRET"]) == 14
    assert budget["DELIB_MATIERE_CODE"] == "7.1"
    assert budget["DELIB_MATIERE_NOM"] == "finances locales/décisions budgétaires"
    assert (budget["BUDGET_ANNEE"], budget["BUDGET_NOM"]) == ("2025", "Budget principal")
    assert budget["PREF_ID"] == "PREF047" and budget["PREF_DATE"] > budget["DELIB_DATE"]
    assert (budget["VOTE_EFFECTIF"], budget["VOTE_REEL"], budget["VOTE_POUR"],
            budget["VOTE_CONTRE"], budget["VOTE_ABSTENTION"]) == ("42", "39", "30", "8", "1")
    assert budget["DELIB_URL"].startswith("http://territoires.test/deliberations/")
    assert budget["DELIB_URL"].endswith("/acte.pdf")
    other = rows[1]
    assert other["DELIB_MATIERE_NOM"] == "finances locales/prise de participation (sem, etc...)"
    assert other["DELIB_OBJET"] == "Prise de participation, SEM « Territoires 47 » seconde ligne"
    assert other["VOTE_EFFECTIF"] == "" and other["PREF_ID"] == ""
    # The URL of each row serves the act's PDF.
    pdf = client.get(budget["DELIB_URL"].replace("http://territoires.test", ""))
    assert pdf.headers["Content-Type"] == "application/pdf"


def test_an_export_with_a_wrong_siret_would_be_caught_by_the_validation(tmp_path):
    """The check above is not vacuous: the validator does refuse a bad row."""
    header = ",".join(f.name for f in _schema().fields)
    path = tmp_path / "bad.csv"
    path.write_text(header + "\nVille,123,1,2025-01-10,8.4,x,Objet,,,,,,,,,,\n", encoding="utf-8")
    report = Resource(path=path.name, basepath=str(tmp_path), schema=_schema()).validate()
    assert not report.valid


def test_export_follows_the_list_filters(client):
    council = _world()
    everything = client.get("/deliberations/export-scdl.csv").get_data(as_text=True)
    assert "2025_CD_001" in everything and "2025_CD_002" in everything
    only_finances = client.get("/deliberations/export-scdl.csv?assembly=commission_permanente"
                               ).get_data(as_text=True)
    assert "2025_CD_002" in only_finances and "2025_CD_001" not in only_finances
    other_org = client.get("/deliberations/export-scdl.csv?organisation=inconnue"
                           ).get_data(as_text=True)
    assert "2025_CD_001" in other_org  # an unknown organisation filters nothing out
    mine = client.get(f"/deliberations/export-scdl.csv?organisation={council.slug}&theme=7.9"
                      ).get_data(as_text=True)
    assert "2025_CD_002" in mine and "2025_CD_001" not in mine


def test_export_page_counts_the_acts_it_leaves_out_and_says_why(client, login):
    _world()
    page = text(client.get("/deliberations/donnees-ouvertes"))
    assert "2 actes dans le fichier." in page
    assert "Télécharger le fichier CSV (2 lignes)" in page
    assert "1 acte : réservés aux personnes connectées" in page               # 2025_CD_004
    assert "1 acte : arrêtés, contrats et autres actes" in page               # 2025_CD_005
    assert "1 acte : le SIRET de l'organisation n'est pas renseigné" in page   # the commune
    assert "Commune sans SIRET : 1 acte" in page
    assert "saisir le SIRET" not in page            # a visitor cannot fix it
    assert "Brouillon non exporté" not in page      # drafts are not even counted
    filtered = text(client.get("/deliberations/donnees-ouvertes?assembly=commission_permanente"))
    assert "1 acte dans le fichier." in filtered and "SIRET" not in filtered


def test_an_act_of_an_organisation_without_siret_tells_its_editor(client, login):
    commune = factories.make_org("Agmé")
    admin = factories.make_user(commune, Role.ADMIN, first_name="Martine", last_name="Delmas")
    editor = factories.make_user(commune, Role.EDITOR)
    act = make_act(commune, editor, number="2026_01", subject="Voirie communale",
                   sitting_date=today_paris() - timedelta(days=3))
    login(editor)
    page = text(client.get(f"/deliberations/{act.id}"))
    assert "ne figurera pas dans l'export open data (format SCDL) : le SIRET d'Agmé" in page
    assert "peut le saisir dans les réglages des délibérations : Martine Delmas." in page
    client.post("/deconnexion")
    login(admin)
    page = text(client.get(f"/deliberations/{act.id}"))
    assert "Vous pouvez le saisir dans les réglages des délibérations" in page
    _settings(commune, valid_siret("2147000150001"))
    assert "ne figurera pas" not in text(client.get(f"/deliberations/{act.id}"))
    client.post("/deconnexion")
    assert "ne figurera pas" not in text(client.get(f"/deliberations/{act.id}"))  # visitors
