"""What the people of the demo do in a week, done in Chromium as they would do it: signing in,
reading, clicking and typing. Each step leaves a screenshot in ``tests/artifacts/<journey>/``
(git-ignored), to look at when a journey fails or when the interface changes.

- A commune secretary signs in from outside the town hall's network with her second factor,
  reads her dashboard, replies in a forum, books the commune's meeting room, applies for a
  subsidy and joins a document to it;
- an editor of the council publishes a deliberation and a press release;
- a visitor who is not signed in finds a job offer and applies;
- a list moderator approves a post held for moderation;
- an instructor of the council grants the secretary's subsidy and records a payment.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from intranet.demo import DEMO_PASSWORD
from intranet.extensions import db
from intranet.lists.models import MailingList, MessageStatus, ListMessage, PostingPolicy
from intranet.mail.models import OutboxMessage
from intranet.search import services as search

from ..browser_fixtures import sign_in_as
from ..demo_crawl import load_demo

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class Journey:
    """A browser of one person's own, and the screenshots of their steps."""

    def __init__(self, browser, name: str):
        self.context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.folder = ARTIFACTS / name
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.steps = 0

    def step(self, what: str) -> None:
        self.steps += 1
        self.page.screenshot(path=str(self.folder / f"{self.steps:02d}-{what}.png"),
                             full_page=True)

    def flash(self) -> str:
        return " ".join(self.page.locator(".flash, [role=status], [role=alert]").all_inner_texts())

    def close(self):
        self.context.close()


@pytest.fixture
def journey(browser):
    made = []

    def start(name: str) -> Journey:
        made.append(Journey(browser, name))
        return made[-1]
    yield start
    for one in made:     # where each one ended: the page a failed step left
        one.step("fin")
        one.close()


@pytest.fixture
def demo(app, runner):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("les parcours ne dépendent pas de la base : joués une fois, sur SQLite")
    load_demo(runner)
    search.drain()          # what the worker does: the demo is found by search
    yield
    app.config["TRUSTED_NETWORKS"] = ["127.0.0.0/8", "::1/128"]


def _upload(page, label: str, name: str, content: bytes, mime: str = "application/pdf"):
    page.get_by_label(label).set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": content}])


def test_a_secretary_working_from_home_for_her_communes(app, demo, live_server, journey):
    # The live server's address is not the town hall's network any more: the extranet.
    app.config["TRUSTED_NETWORKS"] = ["10.47.0.0/16"]
    martine = journey("secretaire")
    page = martine.page
    page.goto(f"{live_server}/connexion")
    assert "extérieur" in page.get_by_role("main").inner_text()
    martine.step("connexion-depuis-l-exterieur")
    sign_in_as(page, live_server, "secretaire@agme-agnac.fr", DEMO_PASSWORD)
    assert "Bonjour Martine" in page.get_by_role("main").inner_text()
    martine.step("tableau-de-bord")

    # A reply in the open space's forum.
    page.goto(f"{live_server}/espaces/espace-ouvert/forums/sujets/4")
    page.get_by_role("textbox", name="Votre message").click()
    page.keyboard.type("À Agmé, nous passons au broyage des déchets verts en mars.")
    martine.step("reponse-redigee")
    page.get_by_role("button", name="Publier la réponse").click()
    expect_text(page, "nous passons au broyage des déchets verts en mars")
    martine.step("reponse-publiee")

    # The commune's meeting room booked with a meeting.
    day = date.today() + timedelta(days=9)
    page.goto(f"{live_server}/agenda/nouveau?date={day.isoformat()}")
    page.get_by_label("Titre").fill("Commission des travaux")
    page.get_by_label("Heure de début").fill("14:00")
    page.get_by_label("Heure de fin").fill("16:00")
    page.get_by_label("Salle des associations").check()
    martine.step("reunion-et-salle")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r"/agenda/evenements/\d+"))
    main = page.get_by_role("main").inner_text()
    assert "Commission des travaux" in main and "Salle des associations" in main
    martine.step("salle-reservee")

    # A subsidy asked for, a document joined, the dossier sent.
    page.goto(f"{live_server}/aides/1")
    page.get_by_role("link", name=re.compile("Demander")).first.click()
    page.get_by_label("Organisation qui demande l'aide").select_option(label="Agmé")
    page.get_by_label("Intitulé du projet").fill("Réfection du chemin du Lavoir")
    page.get_by_label("Description du projet").fill("Reprise de la chaussée sur 400 mètres.")
    page.get_by_label("Coût total hors taxes (HT)").fill("20 000")
    page.get_by_label("Coût total toutes taxes comprises (TTC)").fill("24 000")
    page.get_by_label("Montant demandé").fill("6 000")
    page.get_by_label("Montant, ligne 1").fill("6 000")
    page.get_by_label("Montant, ligne 2").fill("14 000")
    martine.step("demande-remplie")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r"/subventions/\d+$"))
    dossier_url = page.url
    for requirement in page.get_by_label("Pièce").locator("option").all_inner_texts():
        if requirement == "Autre pièce":
            continue
        page.get_by_label("Pièce").select_option(label=requirement)
        _upload(page, "Fichier (PDF, texte ou tableur)", f"{requirement[:40]}.pdf", PDF)
        page.get_by_role("button", name="Joindre").click()
        page.wait_for_url(dossier_url + "*")
    martine.step("pieces-jointes")
    page.get_by_role("button", name="Déposer le dossier").first.click()
    expect_text(page, "Déposé")
    martine.step("dossier-depose")
    app.config["TRUSTED_NETWORKS"] = ["127.0.0.0/8", "::1/128"]

    # The council's instructor proposes it, grants it and records the first payment.
    julien = journey("instructeur")
    page = julien.page
    sign_in_as(page, live_server, "agent@cd47.fr", DEMO_PASSWORD)
    page.goto(dossier_url)
    julien.step("dossier-recu")
    page.get_by_role("button", name="Commencer l'instruction").click()
    page.get_by_label("Date de la commission permanente").fill(
        (date.today() + timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Proposer à la commission permanente").click()
    expect_text(page, "proposé à la commission permanente")
    julien.step("propose")
    page.get_by_label("Montant accordé").fill("6 000")
    page.get_by_label("Travaux à réaliser avant le").fill(
        (date.today() + timedelta(days=700)).isoformat())
    julien.step("accord")
    page.get_by_role("button", name="Accorder la subvention").click()
    expect_text(page, "Subvention accordée")
    page.get_by_label("Versement", exact=True).select_option(index=0)
    page.get_by_label("Montant versé").fill("3 000")
    page.get_by_label("Date du versement").fill(date.today().isoformat())
    page.get_by_role("button", name="Enregistrer le versement").click()
    expect_text(page, "Versement enregistré")
    assert "Avance de 3\u202f000,00" in page.get_by_role("main").inner_text()
    julien.step("versement")
    with app.app_context():
        told = db.session.scalars(select(OutboxMessage.subject).where(
            OutboxMessage.recipient == "secretaire@agme-agnac.fr")).all()
    assert any("accord" in subject.lower() for subject in told), told


def test_an_editor_of_the_council_publishes_an_act_and_a_press_release(demo, live_server,
                                                                        journey):
    sophie = journey("redactrice")
    page = sophie.page
    sign_in_as(page, live_server, "redacteur@cd47.fr", DEMO_PASSWORD)
    page.goto(f"{live_server}/deliberations/nouvel-acte")
    page.get_by_label("Numéro de l'acte").fill("CP_2026_118")
    page.get_by_label("Date de la séance (ou de la décision)").fill(
        (date.today() - timedelta(days=3)).isoformat())
    page.get_by_label("Objet").fill("Aide aux communes pour la voirie : programme 2027")
    page.get_by_label("Classification (matière ACTES)").select_option(index=1)
    _upload(page, "L'acte, en PDF", "CP_2026_118.pdf", PDF)
    sophie.step("acte-redige")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r"/deliberations/\d+$"))
    page.get_by_role("button", name="Publier").first.click()
    expect_text(page, "publié")
    sophie.step("acte-publie")
    act_url = page.url

    page.goto(f"{live_server}/communiques/nouveau")
    page.get_by_label("Titre").fill("Le Département soutient la voirie des petites communes")
    page.get_by_role("textbox", name="Texte du communiqué").click()
    page.keyboard.type("La commission permanente a adopté le programme de voirie 2027.")
    sophie.step("communique-redige")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url(re.compile(r"/communiques/\d+$"))
    page.get_by_role("button", name="Publier").first.click()
    expect_text(page, "publié")
    sophie.step("communique-publie")

    # What she published, read by someone who is not signed in.
    visitor = journey("redactrice-vue-publique").page
    visitor.goto(act_url)
    assert "programme 2027" in visitor.get_by_role("main").inner_text()
    visitor.goto(f"{live_server}/communiques/")
    assert "voirie des petites communes" in visitor.get_by_role("main").inner_text()


def test_a_visitor_finds_a_job_offer_and_applies(app, demo, live_server, journey):
    visitor = journey("candidat")
    page = visitor.page
    page.goto(f"{live_server}/emplois/")
    page.get_by_label("Mots (intitulé, cadre d'emplois, service)").fill("secrétaire")
    page.get_by_role("button", name="Filtrer").click()
    visitor.step("recherche")
    page.get_by_role("link", name=re.compile("Secrétaire de mairie")).first.click()
    visitor.step("offre")
    page.get_by_role("link", name=re.compile("Candidater|Postuler")).first.click()
    page.get_by_label("Vos prénom et nom").fill("Élodie Garrigues")
    page.get_by_label("Votre adresse électronique").fill("elodie.garrigues@example.org")
    _upload(page, "Votre CV (PDF)", "CV Élodie Garrigues.pdf", PDF)
    page.get_by_label("Message au recruteur (facultatif)").fill(
        "Secrétaire de mairie depuis six ans, je souhaite me rapprocher d'Agen.")
    visitor.step("candidature-remplie")
    page.get_by_role("button", name="Envoyer ma candidature").click()
    expect_text(page, "confirmez votre adresse")
    visitor.step("adresse-a-confirmer")
    # The link of the mail she receives, opened in the same browser.
    with app.app_context():
        mailed = db.session.scalars(select(OutboxMessage.body_text).where(
            OutboxMessage.recipient == "elodie.garrigues@example.org")).all()
    assert len(mailed) == 1, mailed
    link = re.search(re.escape(app.config["PUBLIC_BASE_URL"]) + r"(/\S+)", mailed[0]).group(1)
    page.goto(live_server + link)
    expect_text(page, "a été transmise à Agen")
    visitor.step("candidature-transmise")


def test_a_moderator_approves_a_held_post(app, demo, live_server, journey):
    from intranet.lists import services as lists
    from intranet.accounts.models import User
    with app.app_context():
        mlist = db.session.scalar(select(MailingList).where(MailingList.name == "secretaires-agglo"))
        mlist.posting_policy = PostingPolicy.MODERATED
        db.session.commit()
        author = db.session.scalar(select(User).where(User.email == "agent@agen.fr"))
        lists.post_from_web(mlist, author, subject="Permanence du samedi",
                            body="Qui assure la permanence de l'état civil samedi ?")
        held = db.session.scalar(select(ListMessage).where(
            ListMessage.subject.like("%Permanence du samedi%")))
        assert held.status == MessageStatus.HELD
        address = f"{live_server}/espaces/{mlist.space.slug}/listes/{mlist.name}/moderation"
    olivier = journey("moderateur")
    page = olivier.page
    sign_in_as(page, live_server, "dgs@agglo-agen.fr", DEMO_PASSWORD)
    page.goto(address)
    assert "Permanence du samedi" in page.get_by_role("main").inner_text()
    olivier.step("file-de-moderation")
    held_card = page.get_by_role("article", name=re.compile("Permanence du samedi"))
    held_card.get_by_role("button", name=re.compile("Approuver")).click()
    expect_text(page, "Message approuvé")
    olivier.step("message-accepte")
    with app.app_context():
        db.session.expire_all()
        assert db.session.get(ListMessage, held.id).status == MessageStatus.PUBLISHED


def expect_text(page, text: str) -> None:
    """Waits until the page's main part says ``text`` (case ignored)."""
    page.get_by_role("main").get_by_text(re.compile(re.escape(text), re.I)).first.wait_for()


# --- the same gestures with the keyboard alone --------------------------------------------------


def tab_to(page, selector: str, limit: int = 120) -> None:
    """Presses Tab until the element ``selector`` designates has the focus, as a person who
    does not use a mouse goes through the page (fails if it never does)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement === document.querySelector(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reaches {selector} on {page.url}")


def test_signing_in_searching_posting_and_booking_with_the_keyboard_alone(demo, live_server,
                                                                          journey):
    person = journey("clavier")
    page = person.page
    page.goto(f"{live_server}/connexion")
    tab_to(page, "#email")
    page.keyboard.type("mairie@agen.fr")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/connexion" not in url or "second-facteur" in url)
    if "second-facteur" in page.url:        # an admin: the code of her app, typed
        from intranet.accounts.models import User
        from ..helpers import second_factor_code
        code = second_factor_code(db.session.scalar(
            select(User.id).where(User.email == "mairie@agen.fr")))
        tab_to(page, "input[name=code]")
        page.keyboard.type(code)
        page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/")
    person.step("connectee-au-clavier")

    # Search from the header, then open the first result.
    tab_to(page, "header input[type=search], header input[name=q]")
    page.keyboard.type("cantine")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/recherche\?"))
    person.step("recherche-au-clavier")
    tab_to(page, "main ol.search-hits a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/recherche" not in page.url

    # A reply in a forum: the editor takes the text, the button sends it.
    page.goto(f"{live_server}/espaces/espace-ouvert/forums/sujets/4")
    tab_to(page, "[contenteditable=true]")
    page.keyboard.type("Réponse écrite sans souris.")
    tab_to(page, "form[action$='/repondre'] button[type=submit]")
    page.keyboard.press("Enter")
    expect_text(page, "Réponse écrite sans souris.")
    person.step("reponse-au-clavier")

    # A meeting with a room: fields filled, the room ticked with the space bar.
    day = date.today() + timedelta(days=12)
    page.goto(f"{live_server}/agenda/nouveau?date={day.isoformat()}")
    tab_to(page, "#title")
    page.keyboard.type("Réunion des chefs de service")
    tab_to(page, "#start_time")
    page.keyboard.type("0930")
    tab_to(page, "#end_time")
    page.keyboard.type("1100")
    room = page.get_by_label("Salle de réunion du 2e étage")
    tab_to(page, f"#{room.get_attribute('id')}")
    page.keyboard.press("Space")
    assert room.is_checked()
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/agenda/evenements/\d+"))
    main = page.get_by_role("main").inner_text()
    assert "Réunion des chefs de service" in main and "Salle de réunion du 2e étage" in main
    person.step("reservation-au-clavier")
