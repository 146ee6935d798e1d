"""Vacancy notices as the law and their readers want them: every mandatory item before
publishing, the grades of the chosen cadre only, a month online, closing on the closing date,
and the schema.org JobPosting job search engines read."""
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from intranet.core.timeutil import today_paris, utcnow
from intranet.extensions import db
from intranet.jobs import services
from intranet.jobs.models import JobOffer, Outcome
from intranet.jobs.services import JobError
from intranet.mail.models import OutboxMessage
from intranet.publications.lifecycle import PublicationStatus
from intranet.search import services as search
from intranet.search.backends import SearchRequest

from ..helpers import text
from .builders import employers, offer_data, published_offer


def test_a_grade_outside_the_chosen_cadre_is_refused_by_the_server(client, login):
    world = employers()
    with pytest.raises(JobError, match="n'est pas un grade du cadre d'emplois"):
        services.create_offer(world["town"], offer_data(world, grades=["attaché"]),
                              by=world["editor"])
    login(world["editor"])
    response = client.post("/emplois/nouvelle", data={
        "organisation": str(world["town"].id), "title": "Agent d'accueil",
        "filiere": "administrative", "cadre": "Adjoints administratifs territoriaux",
        "grades": ["ingénieur"], "full_time": "1", "visibility": "public"})
    assert response.status_code == 200
    assert "« ingénieur » n'est pas un grade du cadre d'emplois" in text(response)
    assert db.session.scalar(select(JobOffer.id)) is None
    # Choosing the cadre without JavaScript offers its grades, and only them.
    shown = text(client.post("/emplois/nouvelle", data={
        "organisation": str(world["town"].id), "title": "Agent d'accueil",
        "cadre": "Adjoints administratifs territoriaux", "choisir_cadre": "1"}))
    assert 'value="adjoint administratif principal de 1re classe"' in shown
    assert 'value="attaché"' not in shown


def test_an_offer_lacking_a_mandatory_item_cannot_be_published_and_says_which(client, login):
    world = employers()
    offer = services.create_offer(world["town"], offer_data(world, service="", closes_on=None),
                                  by=world["editor"])
    login(world["editor"])
    page = text(client.get(f"/emplois/{offer.id}"))
    assert "il manque :</strong> le service, la date limite de candidature" in page
    answer = client.post(f"/emplois/{offer.id}/publier", follow_redirects=True)
    assert "il manque le service, la date limite de candidature" in text(answer)
    assert offer.status == PublicationStatus.DRAFT


def test_an_offer_stays_online_a_month(client, login):
    world = employers()
    too_soon = services.create_offer(world["town"], offer_data(
        world, closes_on=today_paris() + timedelta(days=20)), by=world["editor"])
    with pytest.raises(JobError, match="au moins un mois"):
        services.publish(too_soon, by=world["editor"])
    offer = published_offer(world)
    with pytest.raises(JobError, match="pourra être retirée à partir du"):
        services.end(offer, Outcome.FILLED, by=world["editor"])
    assert offer.status == PublicationStatus.PUBLISHED and offer.outcome is None
    # A month later it may be marked filled.
    offer.published_at = utcnow() - timedelta(days=32)
    db.session.commit()
    services.end(offer, Outcome.FILLED, by=world["editor"])
    assert offer.status == PublicationStatus.WITHDRAWN and offer.state_label == "Pourvue"


def test_the_worker_closes_offers_on_their_closing_date_and_they_leave_lists_feeds_and_search(
        client, search_backend):
    world = employers()
    offer = published_offer(world, title="Jardinier hydrocureur")
    search.drain()
    assert "Jardinier hydrocureur" in text(client.get("/emplois/"))
    assert search.query(world["member"], SearchRequest(text="hydrocureur")).total == 1
    offer.published_at = utcnow() - timedelta(days=40)
    offer.closes_on = today_paris() - timedelta(days=1)
    db.session.commit()
    assert services.close_due() == 1
    search.drain()
    assert offer.status == PublicationStatus.WITHDRAWN and offer.outcome == Outcome.CLOSED
    assert "Jardinier hydrocureur" not in text(client.get("/emplois/"))
    assert "Jardinier hydrocureur" not in text(client.get("/emplois/flux.atom"))
    assert search.query(world["member"], SearchRequest(text="hydrocureur")).total == 0
    assert client.get(f"/emplois/{offer.id}/candidater", follow_redirects=True).status_code == 200


def test_the_publisher_is_reminded_a_week_before_once():
    world = employers()
    offer = published_offer(world)
    offer.closes_on = today_paris() + timedelta(days=6)
    db.session.commit()
    assert services.remind_publishers() == 1 and services.remind_publishers() == 0
    recipients = set(db.session.scalars(select(OutboxMessage.recipient).where(
        OutboxMessage.subject.like("Offre « Secrétaire de mairie » : clôture%"))))
    assert recipients == {world["admin"].email, world["editor"].email}


def test_republishing_makes_a_new_draft_with_the_same_content(client, login):
    world = employers()
    offer = published_offer(world)
    login(world["editor"])
    response = client.post(f"/emplois/{offer.id}/republier")
    copy = db.session.scalar(select(JobOffer).where(JobOffer.id != offer.id))
    assert response.headers["Location"].endswith(f"/emplois/{copy.id}/modifier")
    assert copy.status == PublicationStatus.DRAFT and copy.republished_from_id == offer.id
    assert copy.grade_list == offer.grade_list and copy.reference != offer.reference


def test_a_public_offer_carries_its_job_posting(client):
    world = employers()
    offer = published_offer(world)
    page = text(client.get(f"/emplois/{offer.id}"))
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    posting = json.loads(found.group(1))
    assert posting["@type"] == "JobPosting" and posting["title"] == "Secrétaire de mairie"
    assert "Préparer les conseils municipaux" in posting["description"]
    assert posting["datePosted"] == offer.published_at.date().isoformat()
    assert posting["validThrough"].startswith(offer.closes_on.isoformat())
    assert posting["employmentType"] == "FULL_TIME"
    assert posting["hiringOrganization"]["name"] == "Commune de Layrac"
    assert posting["jobLocation"]["address"]["addressLocality"] == "Commune de Layrac"
    assert posting["jobLocation"]["address"]["addressCountry"] == "FR"
    assert posting["baseSalary"]["value"] == {"@type": "QuantitativeValue", "unitText": "MONTH",
                                              "minValue": 1900, "maxValue": 2300}
    # A network offer, or a draft, tells search engines nothing.
    network = published_offer(world, visibility=services.Visibility.NETWORK)
    assert "ld+json" not in text(client.get(f"/emplois/{network.id}"))


def test_the_listing_filters(client):
    world = employers()
    published_offer(world, title="Secrétaire de mairie")
    published_offer(world, title="Agent de voirie", filiere="technique",
                    cadre="Adjoints techniques territoriaux", grades=["adjoint technique"],
                    full_time=False, hours_per_week=17.5, employment="contract",
                    contract_basis="L332-8-5")
    titles = lambda query: {t for t in ("Secrétaire de mairie", "Agent de voirie")  # noqa: E731
                            if t in text(client.get(f"/emplois/?{query}"))}
    assert titles("filiere=technique") == {"Agent de voirie"}
    assert titles("temps=complet") == {"Secrétaire de mairie"}
    assert titles("statut=contrat") == {"Agent de voirie"}
    assert titles("categorie=C") == {"Secrétaire de mairie", "Agent de voirie"}
    assert titles("categorie=A") == set()
    assert titles("q=voirie") == {"Agent de voirie"}


def test_what_the_publisher_typed_reads_as_paragraphs_and_lists_not_as_tags(client):
    world = employers()
    offer = published_offer(world, profile="Connaissance des collectivités.\n\n- rigueur\n- discrétion",
                            how_to_apply="Lettre et CV à **M. le Maire**.")
    page = client.get(f"/emplois/{offer.id}").get_data(as_text=True)
    assert "<li>rigueur</li>" in page and "<strong>M. le Maire</strong>" in page
    assert "&lt;p&gt;" not in page and "&lt;li&gt;" not in page


def test_an_offer_page_reads_the_offer_its_publisher_place_and_documents_together(new_client):
    """What an offer's page shows of it comes in one statement (``views._SHOWN_WITH``); then
    whether the reader follows it: however many documents it has."""
    from ..helpers import count_queries
    world = employers()
    offer = published_offer(world, place=world["other"])
    counted = count_queries(new_client(world["member"]), f"/emplois/{offer.id}")
    assert counted <= 6, counted   # 4 before the page's own (tests/test_query_counts.FLOOR)
