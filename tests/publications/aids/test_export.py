"""The open-data export of the aids, in the dispositif-aide 0.2.0 schema."""
import csv
import io
import json
from pathlib import Path

from frictionless import Resource, Schema

from intranet.accounts.models import OrgKind
from intranet.core.types import Role, Visibility

from ... import factories
from . import make_aid

# A copy of the schema published on schema.data.gouv.fr (shared/data/open-data), unchanged.
SCHEMA = Path(__file__).with_name("dispositif-aide-0.2.0.schema.json")


def _rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


def test_export_validates_against_the_dispositif_aide_schema(client):
    council = factories.make_org("Département de Lot-et-Garonne", kind=OrgKind.DEPARTEMENT,
                                 siren="224700013")
    commune = factories.make_org("Agen", insee_code="47001")
    epci = factories.make_org("Agglomération d'Agen", kind=OrgKind.EPCI, siren="200096956")
    for org, title, fields in (
            (council, "Aide aux écoles | rurales", dict(
                beneficiaries=["communes", "epci", "associations"], themes=["education"],
                aid_types=["financement", "ingenierie"], rate_percent=40,
                ceiling_amount=50000, programme="Plan écoles", summary="Rénovez vos écoles",
                eligibility="Commune de moins de 2 000 habitants\nProjet non commencé",
                eligible_expenses="Travaux, études")),
            (commune, "Aide aux façades", dict(beneficiaries=["particuliers"], permanent=True,
                                               closes_on=None, fixed_amount=1500)),
            (epci, "Aide à l'installation", dict(beneficiaries=["entreprises", "agriculteurs"],
                                                 description="<p>Détails</p>"))):
        editor = factories.make_user(org, Role.EDITOR)
        make_aid(org, editor, title, **fields)
    make_aid(council, factories.make_user(council, Role.EDITOR), "Réseau seulement",
             visibility=Visibility.NETWORK)

    response = client.get("/aides/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    descriptor = json.loads(SCHEMA.read_text(encoding="utf-8"))
    report = Resource(response.data, format="csv",
                      schema=Schema.from_descriptor(descriptor)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])

    rows = {row["titre"]: row for row in _rows(response.data)}
    assert list(_rows(response.data)[0]) == [f["name"] for f in descriptor["fields"]]
    assert set(rows) == {"Aide aux écoles | rurales", "Aide aux façades", "Aide à l'installation"}
    school = rows["Aide aux écoles | rurales"]
    assert school["eligibilite_geographique"] == "DEP-47"
    assert school["cibles"] == "secteur public|associations"
    assert school["types_aides"] == "financement|ingénierie"
    assert "taux 40 %" in school["description"] and "plafond 50\u202f000 €" in school["description"]
    assert json.loads(school["porteurs"])[0]["siren"] == "224700013"
    assert school["url_source"].startswith("http://territoires.test/aides/")
    assert school["date_cloture"] == "2099-12-31T22:59:59Z"   # end of the day in Paris
    assert rows["Aide aux façades"]["eligibilite_geographique"] == "COM-47001"
    assert rows["Aide aux façades"]["date_cloture"] == ""
    assert rows["Aide à l'installation"]["eligibilite_geographique"] == "EPCI-200096956"
    assert rows["Aide à l'installation"]["cibles"] == "professionnels"


def test_the_public_id_is_stable_and_unique(client):
    org = factories.make_org("Département", kind=OrgKind.DEPARTEMENT)
    editor = factories.make_user(org, Role.EDITOR)
    first, second = make_aid(org, editor, "Première"), make_aid(org, editor, "Seconde")
    rows = {row["titre"]: row["id"] for row in _rows(client.get("/aides/export.csv").data)}
    assert rows == {"Première": str(first.public_id), "Seconde": str(second.public_id)}
    assert _rows(client.get("/aides/export.csv").data)[0]["id"] == str(first.public_id)
