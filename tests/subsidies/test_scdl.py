"""Granted subsidies as open data: the SCDL « subventions » export validates against the
published schema, and the grants it leaves out (no SIRET) are said, with why."""
import csv
import io
import json
from pathlib import Path

from frictionless import Resource, Schema

from intranet.core.timeutil import today_paris
from intranet.extensions import db
from intranet.publications.deliberations.models import DeliberationSettings
from intranet.subsidies import services
from intranet.subsidies.models import PaymentKind

from ..helpers import text
from .test_dossiers import _granted
from .builders import council_and_communes

# A copy of the schema published on schema.data.gouv.fr (shared/data/open-data), unchanged.
SCHEMA = Path(__file__).with_name("scdl-subventions-2.1.1.schema.json")


def test_the_export_validates_and_says_what_it_leaves_out(client, login):
    world = council_and_communes()
    paid = _granted(world, amount="10 000,10")
    services.record_payment(paid, PaymentKind.ADVANCE, "3 000,05", today_paris(),
                            by=world["instructor"])
    db.session.add_all([DeliberationSettings(organisation_id=world["council"].id,
                                             siret="22470001300016"),
                        DeliberationSettings(organisation_id=world["town"].id,
                                             siret="21470145100017")])
    db.session.commit()
    left = _granted(world, amount="2 000")
    left.organisation_id = world["other"].id        # Nérac: no SIRET
    db.session.commit()

    response = client.get("/subventions/donnees-ouvertes.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    descriptor = json.loads(SCHEMA.read_text(encoding="utf-8"))
    report = Resource(response.data, format="csv",
                      schema=Schema.from_descriptor(descriptor)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8"))))
    assert list(rows[0]) == [f["name"] for f in descriptor["fields"]]
    assert len(rows) == 1
    assert rows[0]["idAttribuant"] == "22470001300016" and rows[0]["montant"] == "10000.10"
    assert rows[0]["nomBeneficiaire"] == "Commune de Layrac"
    assert rows[0]["datesPeriodeVersement"] == today_paris().isoformat()

    login(world["instructor"])
    page = text(client.get("/subventions/donnees-ouvertes"))
    assert "1 subvention" in page
    assert "Commune de Nérac (bénéficiaire) n'a pas de SIRET" in page
