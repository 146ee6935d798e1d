"""Granted subsidies as open data: the SCDL « subventions » export validates against the
published schema, and the grants it leaves out (no SIRET) are said, with why."""
import csv
import io
import json
from pathlib import Path

from frictionless import Resource, Schema
from sqlalchemy import true

from intranet import access
from intranet.core.timeutil import today_paris
from intranet.core.types import Role
from intranet.extensions import db
from intranet.publications.deliberations.models import DeliberationSettings
from intranet.subsidies import scdl, services
from intranet.subsidies.models import PaymentKind

from .. import factories
from ..helpers import text
from ..publications.aids import make_aid
from .test_dossiers import _granted
from .builders import PROGRAMME, council_and_communes

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


def test_the_export_page_counts_and_leaves_out_as_the_export_does(client, login):
    """The page's one statement (``scdl.summary``) finds what ``scdl.rows`` finds: the count of
    the export's rows, and the grants left out — attribuant first, an empty SIRET as none —
    among those the person sees only."""
    world = council_and_communes()
    exported = _granted(world)
    no_beneficiary = _granted(world, amount="2 000")
    neither = _granted(world, amount="3 000")
    unseen = _granted(world, amount="4 000")
    db.session.add_all([DeliberationSettings(organisation_id=world["council"].id,
                                             siret="22470001300016"),
                        DeliberationSettings(organisation_id=world["town"].id,
                                             siret="21470145100017"),
                        DeliberationSettings(organisation_id=world["other"].id, siret="")])
    no_beneficiary.organisation_id = world["other"].id       # Nérac: an empty SIRET
    db.session.commit()
    assert len(scdl.rows()[0]) == scdl.summary(true()).exported == 3

    # an aid of a publisher without a SIRET applied for by Nérac; Nérac's grant of an aid of a
    # programme the instructor does not instruct (left out, not seen)
    publisher = factories.make_org("Syndicat sans SIRET")
    editor = factories.make_user(publisher, Role.EDITOR)
    other_aid = make_aid(publisher, editor, "Aide du syndicat", programme=PROGRAMME)
    neither.aid_id = other_aid.id
    neither.organisation_id = world["other"].id
    unseen.organisation_id = world["other"].id
    unseen.aid_id = make_aid(publisher, editor, "Aide hors programme", programme="Autre").id
    db.session.commit()

    login(world["instructor"])
    where = access.visible_dossiers(world["instructor"])
    found, left = scdl.rows(where)
    summary = scdl.summary(where)
    assert summary.exported == len(scdl.rows()[0]) == len(found) == 1
    assert [(e.dossier.id, e.reason) for e in summary.left] == \
        [(e.dossier.id, e.reason) for e in left] == [
            (no_beneficiary.id, "Commune de Nérac (bénéficiaire) n'a pas de SIRET"),
            (neither.id, "Syndicat sans SIRET (attribuant) n'a pas de SIRET")]
    response = client.get("/subventions/donnees-ouvertes")
    page, html = text(response), response.get_data(as_text=True)
    assert "1 subvention." in page and "Syndicat sans SIRET (attribuant)" in page
    assert [f'href="/subventions/{dossier.id}"' in html for dossier in (
        exported, no_beneficiary, neither, unseen)] == [False, True, True, False]
