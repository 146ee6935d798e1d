"""`flask seed-demo`: what a new user finds after `make run`."""
from sqlalchemy import func, select

from intranet.accounts.models import Organisation, OrgKind, User
from intranet.documents.models import Page
from intranet.extensions import db
from intranet.search import services as search
from intranet.search.backends import SearchRequest

from .helpers import text


def test_demo_data_has_the_departement_and_a_login_that_reaches_its_spaces(runner, client):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "mairie@agen.fr" in result.output and "territoires47-demo" in result.output
    count = lambda *where: db.session.scalar(  # noqa: E731
        select(func.count()).select_from(Organisation).where(*where))
    assert count(Organisation.kind == OrgKind.COMMUNE) == 319
    assert count(Organisation.kind == OrgKind.EPCI) == 12
    assert db.session.scalar(select(func.count()).select_from(User)) == 12
    assert db.session.scalar(select(func.count()).select_from(Page)) >= 3
    again = runner.invoke(args=["seed-demo"])
    assert "déjà présentes" in again.output and "mairie@agen.fr" in again.output

    client.post("/connexion", data={"email": "secretaire@agme-agnac.fr",
                                    "password": "territoires47-demo"})
    dashboard = text(client.get("/"))
    assert "Bonjour Martine" in dashboard
    assert "Agmé" in dashboard and "Agnac" in dashboard
    assert "Réseau des administrateurs communaux" in dashboard   # by rule: admin of communes
    assert "Secrétaires de mairie" not in dashboard              # Agen's EPCI group: not hers
    search.backend().clear()
    search.drain()
    martine = db.session.scalar(select(User).where(User.email == "secretaire@agme-agnac.fr"))
    assert search.query(martine, SearchRequest(text="voirie")).total >= 1   # the demo aid
