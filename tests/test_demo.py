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
    assert "administrateur d'Agmé, administrateur d'Agnac, rédacteur d'Aiguillon" in again.output

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


def test_make_run_prints_the_address_and_the_accounts_last(runner):
    """`make run` seeds quietly, then `demo-welcome` waits for the server and prints the
    address, where the mails go and the accounts: the last lines a newcomer sees."""
    import socket
    quiet = runner.invoke(args=["seed-demo", "--quiet"])
    assert quiet.exit_code == 0 and "mairie@agen.fr" not in quiet.output
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        welcome = runner.invoke(args=["demo-welcome", "--port", str(port), "--wait", "5"])
    assert welcome.exit_code == 0, welcome.output
    lines = welcome.output.strip().splitlines()
    assert f"Territoires est prêt : http://127.0.0.1:{port}" in welcome.output
    assert "s'affichent dans ce terminal" in welcome.output      # no MAIL_SERVER in tests
    assert any("secretaire@agme-agnac.fr" in line for line in lines[-5:])
    assert lines[-2] == "Ctrl+C pour arrêter."


def test_welcome_says_when_the_server_does_not_answer(runner):
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    welcome = runner.invoke(args=["demo-welcome", "--port", str(port), "--wait", "0.5"])
    assert "ne répond pas encore" in welcome.output and "prêt" not in welcome.output
