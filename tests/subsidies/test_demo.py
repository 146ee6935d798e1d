"""The demo's dossiers: Agen's granted and partly paid, Agmé's incomplete; the Département's
editor instructs them, each commune sees its own only."""
from sqlalchemy import select

from intranet.extensions import db
from intranet.subsidies.models import DossierState, SubsidyDossier

from ..helpers import pass_second_factor, text


def test_the_demo_has_a_granted_and_an_incomplete_dossier_each_seen_by_its_own(runner, client):
    assert runner.invoke(args=["seed-demo", "--quiet"]).exit_code == 0
    dossiers = {d.organisation.name: d for d in db.session.scalars(select(SubsidyDossier))}
    agen = next(d for name, d in dossiers.items() if name.endswith("Agen") and "Agglo" not in name)
    agme = next(d for name, d in dossiers.items() if "Agmé" in name)
    assert agen.state == DossierState.GRANTED and 0 < agen.paid < agen.amount_granted
    assert agme.state == DossierState.INCOMPLETE

    def sign_in(email):
        client.post("/deconnexion")
        pass_second_factor(client, client.post("/connexion", data={
            "email": email, "password": "territoires47-demo"}), email)   # admins: their app

    sign_in("redacteur@cd47.fr")
    listing = text(client.get("/subventions/instruction"))
    assert agen.title in listing and agme.title in listing
    page = text(client.get(f"/subventions/{agen.id}"))
    assert "Enregistrer le versement" in page and "Reste à verser" in page
    sign_in("secretaire@agme-agnac.fr")
    page = text(client.get(f"/subventions/{agme.id}"))
    assert "Le devis n'est pas signé" in page and "Déposer le dossier" in page
    assert client.get(f"/subventions/{agen.id}").status_code == 404
    assert client.get(f"/subventions/{agme.id}/modifier").status_code == 200
    aid_page = text(client.get(f"/aides/{agme.aid_id}"))
    assert "Demander cette aide" in aid_page and "Subventions" in text(client.get("/"))
