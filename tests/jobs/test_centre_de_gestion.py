"""The centre de gestion's view: its figures equal counts made on the data, its charts have
text alternatives, its CSV opens in a spreadsheet; followed offers and saved searches."""
import re
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select

from intranet.core.timeutil import today_paris, utcnow
from intranet.extensions import db
from intranet.jobs import services, stats
from intranet.jobs.models import JobOffer, Outcome
from intranet.mail.models import OutboxMessage
from intranet.publications.lifecycle import PublicationStatus

from ..helpers import text
from .builders import employers, published_offer


def _dated(offer, published, ended=None, outcome=None):
    offer.published_at = published
    if ended:
        offer.status, offer.ended_at, offer.outcome = PublicationStatus.WITHDRAWN, ended, outcome
    return offer


def test_the_statistics_equal_counts_made_on_the_data(client, login, new_client):
    world = employers()
    technical = dict(filiere="technique", cadre="Ingénieurs territoriaux", grades=["ingénieur"])
    _dated(published_offer(world), datetime(2026, 2, 10, 9), datetime(2026, 3, 30, 9), Outcome.FILLED)
    _dated(published_offer(world), datetime(2026, 5, 3, 9), datetime(2026, 6, 2, 9), Outcome.FILLED)
    _dated(published_offer(world, **technical), datetime(2026, 5, 20, 9))
    late = _dated(published_offer(world, **technical), datetime(2026, 8, 1, 9))
    late.closes_on = today_paris() - timedelta(days=3)
    services.create_offer(world["town"], services.OfferData(title="Brouillon"), by=world["editor"])
    db.session.commit()

    figures = stats.figures()
    offers = db.session.scalars(select(JobOffer).where(
        JobOffer.status != PublicationStatus.DRAFT)).all()
    expected = Counter((o.filiere, stats.quarter(o.published_at.date())) for o in offers)
    assert {(f, q): n for f, counts in figures.by_filiere.items()
            for q, n in counts.items()} == dict(expected)
    assert figures.by_filiere["technique"]["2026 T2"] == 1
    assert figures.by_categorie["A"] == Counter({"2026 T2": 1, "2026 T3": 1})
    assert sorted(figures.days_to_fill) == [30, 48] and figures.median_days_to_fill == 39
    assert [o.id for o in figures.open_past_closing] == [late.id]

    reader = new_client(world["cdg_editor"])
    page = reader.get("/emplois/centre-de-gestion")
    assert page.status_code == 200
    html = text(page)
    for ident in ("graphique-filiere", "graphique-categorie"):
        svg = re.search(rf'<svg[^>]*aria-labelledby="{ident}-titre"[^>]*>', html).group(0)
        assert 'role="img"' in svg and f'aria-describedby="{ident}-table"' in svg
        assert f'id="{ident}-table"' in html
    assert "39 jours" in html
    csv = reader.get("/emplois/centre-de-gestion/statistiques.csv")
    body = csv.data.decode("utf-8")
    assert body.startswith("\ufeffindicateur;valeur;2026 T1;2026 T2;2026 T3;total")
    assert "filière;technique;0;1;1;2" in body
    # Nobody else sees them.
    for who in ("admin", "editor", "cdg_member", "other_admin"):
        assert new_client(world[who]).get("/emplois/centre-de-gestion").status_code == 404


def test_a_followed_offer_is_a_deadline_of_the_agenda(client, login):
    from intranet.agenda.calendar import personal_agenda
    world = employers()
    offer = published_offer(world)
    login(world["member"])
    client.post(f"/emplois/{offer.id}/suivre", data={"suivre": "1"})
    day = datetime.combine(offer.closes_on, datetime.min.time())
    shown = personal_agenda(world["member"], day, day + timedelta(days=1))
    assert [i.title for i in shown.items if i.kind == "deadline"] == [
        "Date limite de candidature : Secrétaire de mairie"]
    client.post(f"/emplois/{offer.id}/suivre", data={"suivre": "0"})
    shown = personal_agenda(world["member"], day, day + timedelta(days=1))
    assert not [i for i in shown.items if i.kind == "deadline"]


def test_a_saved_search_mails_the_new_matching_offers_once_a_day(client, login):
    world = employers()
    login(world["member"])
    client.post("/emplois/mes-recherches", data={"label": "Technique", "query": "filiere=technique"})
    alert = services.alerts_of(world["member"])[0]
    alert.last_sent_at = utcnow() - timedelta(days=1)
    db.session.commit()
    published_offer(world, title="Agent de voirie", filiere="technique",
                    cadre="Adjoints techniques territoriaux", grades=["adjoint technique"])
    published_offer(world, title="Secrétaire de mairie")
    assert services.send_alerts() == 1
    assert services.send_alerts() == 0      # once a day
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == world["member"].email))
    assert "Agent de voirie" in mail.body_text and "Secrétaire de mairie" not in mail.body_text
