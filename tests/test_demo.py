"""`flask seed-demo`: what a new user finds after `make run`."""
from sqlalchemy import func, select

from intranet.accounts.models import Organisation, OrgKind, User
from intranet.documents.models import Page
from intranet.extensions import db
from intranet.search import services as search
from intranet.search.backends import SearchRequest
from intranet.spaces import services as spaces

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

    signed_in = client.post("/connexion", data={"email": "secretaire@agme-agnac.fr",
                                                "password": "territoires47-demo"})
    assert signed_in.headers["Location"] == "/connexion/second-facteur"   # an admin: a code
    from intranet.demo import DEMO_TOTP_SECRET
    import pyotp
    client.post("/connexion/second-facteur", data={"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()})
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
    from intranet.demo import DEMO_TOTP_SECRET
    assert DEMO_TOTP_SECRET in welcome.output and "flask accounts totp-code" in welcome.output
    code = runner.invoke(args=["accounts", "totp-code", "secretaire@agme-agnac.fr"])
    assert code.exit_code == 0 and len(code.output.strip()) == 6
    assert "s'affichent dans ce terminal" in welcome.output      # no MAIL_SERVER in tests
    for path in ("/agenda/", "/annuaire", "/emplois/", "/annonces/", "/subventions/"):
        assert f"http://127.0.0.1:{port}{path}" in welcome.output
    assert any("secretaire@agme-agnac.fr" in line for line in lines[-5:])
    assert lines[-2] == "Ctrl+C pour arrêter."


def test_welcome_says_when_the_server_does_not_answer(runner):
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    welcome = runner.invoke(args=["demo-welcome", "--port", str(port), "--wait", "0.5"])
    assert "ne répond pas encore" in welcome.output and "prêt" not in welcome.output


# Each service page of a demo account, and the routes of which it must link to at least one
# item (None: checked otherwise, below). {open}: the open space, {space} and {org}: the private
# space and the slug of the account's first organisation.
CONTENT = {"forums.topic", "forums.post", "lists.thread", "messaging.show", "documents.document",
           "deliberations.show", "aids.show", "procurement.show", "press.show"}
SERVICE_PAGES = {
    "dashboard": ("/", CONTENT),
    "forums of the open space": ("/espaces/{open}/forums", {"forums.topic"}),
    "forums of its organisation": ("/espaces/{space}/forums", {"forums.topic"}),
    "lists": ("/listes", {"lists.show"}),
    "messages": ("/messages/", {"messaging.show"}),
    "notifications": ("/notifications/", None),
    "deliberations": ("/deliberations/", {"deliberations.show"}),
    "aids": ("/aides/", {"aids.show"}),
    "procurement notices": ("/marches/", {"procurement.show"}),
    "press releases": ("/communiques/", {"press.show"}),
    "classified ads": ("/annonces/", {"ads.show"}),
    "agenda": ("/agenda/?vue=liste", {"agenda.event"}),
    "directory": ("/annuaire", {"accounts.person"}),
    "job exchange": ("/emplois/", {"jobs.show"}),
    "org chart": ("/organisations/{org}/organigramme", {"accounts.person"}),
    "documents": ("/espaces/{space}/documents", {"documents.folder", "documents.document"}),
    "search": ("/recherche?q=voirie", CONTENT),
}


# Subsidy dossiers are a service of those who apply (communes, EPCIs) and of the council's
# instructors: each of them finds dossiers there.
SUBSIDY_PAGES = {
    "mairie@agen.fr": "/subventions/", "agent@agen.fr": "/subventions/",
    "secretaire@agme-agnac.fr": "/subventions/", "dgs@agglo-agen.fr": "/subventions/",
    "redacteur@cd47.fr": "/subventions/instruction", "agent@cd47.fr": "/subventions/instruction",
}
# The instructors' dashboards (their figures, and a link to the programme's dossiers).
DASHBOARDS = ("redacteur@cd47.fr", "agent@cd47.fr")

# « Mes alertes » (aids directory): the commune's director follows the Département's aids.
AID_ALERT_PAGES = {"mairie@agen.fr": ("/aides/alertes", {"aids.index"})}
# « Mes recherches enregistrées » (search): two demo people keep a search, each links to it.
SAVED_SEARCH_PAGES = {"mairie@agen.fr": ("/recherche/enregistrees", {"search.results"}),
                      "secretaire@agme-agnac.fr": ("/recherche/enregistrees",
                                                   {"search.results"})}


def test_every_demo_account_finds_content_in_each_of_its_services(runner, app):
    """No service page of a demo account shows its empty state (« Aucun… », « Rien de nouveau »,
    « …pas encore été renseigné », « Ce dossier est vide » are all <… class="empty">), and each
    links to some of its items."""
    from intranet.demo import PEOPLE

    from .demo_crawl import endpoint_of, links, sign_in

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    search.backend().clear()
    search.drain()
    open_slug = spaces.ensure_open_space().slug
    for email, *_ in PEOPLE:
        user = db.session.scalar(select(User).where(User.email == email))
        org = user.memberships[0].organisation
        slugs = {"open": open_slug, "org": org.slug,
                 "space": spaces.ensure_organisation_space(org).slug}
        client = app.test_client()
        sign_in(client, email)
        pages = dict(SERVICE_PAGES)
        if email in SUBSIDY_PAGES:
            pages["subsidies"] = (SUBSIDY_PAGES[email], {"subsidies.show"})
        if email in AID_ALERT_PAGES:
            pages["aid alerts"] = AID_ALERT_PAGES[email]
        if email in SAVED_SEARCH_PAGES:
            pages["saved searches"] = SAVED_SEARCH_PAGES[email]
        if email in DASHBOARDS:
            pages["dashboard"] = ("/subventions/tableau-de-bord", {"subsidies.instructed"})
        for name, (pattern, expected) in pages.items():
            url = pattern.format(**slugs)
            response = client.get(url)
            assert response.status_code == 200, (email, url, response.status_code)
            html = response.get_data(as_text=True)
            assert 'class="empty"' not in html, f"{email}: {name} ({url}) is empty"
            if expected is None:        # notifications: each one a form that opens its page
                assert 'name="next"' in html, f"{email}: no notification"
                continue
            found = {endpoint_of(app, link) for link in links(html, url)}
            assert found & expected, f"{email}: {name} ({url}) links to no item"


def test_demo_identifiers_nomenclature_and_sitting_lists(runner):
    from intranet.core import identifiers
    from intranet.demo import FOUNDERS
    from intranet.publications.deliberations.models import DeliberationSettings, Sitting
    from intranet.publications.procurement.models import Nomenclature

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    for name, *_ in FOUNDERS:
        org = db.session.scalar(select(Organisation).where(Organisation.name == name))
        assert identifiers.siren_is_valid(org.siren), name
    agen = db.session.scalar(select(Organisation).where(Organisation.insee_code == "47001"))
    assert agen.siren == "214700015"               # from communes-47.csv
    sirets = {s.organisation.name: s.siret for s in db.session.scalars(
        select(DeliberationSettings))}
    assert set(sirets) == {"Conseil départemental de Lot-et-Garonne", "Agen"}
    assert all(identifiers.siret_is_valid(siret) for siret in sirets.values())
    cpv = db.session.scalar(select(Nomenclature))
    assert cpv.name == "CPV 2008" and cpv.code_count > 9000
    assert db.session.scalar(select(func.count()).select_from(Sitting).where(
        Sitting.list_published_at.is_not(None))) == 4
    # Agen's earlier sitting has its minutes online, approved at the latest one.
    from intranet.publications.deliberations.models import SittingMinutes
    minutes = db.session.scalars(select(SittingMinutes)).all()
    assert sorted(m.status.value for m in minutes) == ["draft", "published"]
    assert all(m.sitting.agenda_items for m in minutes)
