"""The list of the deliberations examined at a sitting: built from the sitting's published acts,
put online within a week, shown on the organisation's page; editors see the deadline."""
from datetime import timedelta

from sqlalchemy import select

from intranet.core.types import Role, Visibility
from intranet.core.frdates import format_date
from intranet.extensions import db
from intranet.publications.deliberations import services
from intranet.publications.deliberations.models import Sitting, today_paris

from ... import factories
from ...helpers import sends_to_sign_in, text
from .builders import make_act


def _section(response) -> str:
    page = text(response)
    return page.split("Délibérations et actes</h2>", 1)[1].split("</section>", 1)[0] \
        if "Délibérations et actes</h2>" in page else ""


def test_editors_see_the_deadline_and_late_lists_on_the_organisation_page(client, login):
    org = factories.make_org("Boé")
    editor = factories.make_user(org, Role.EDITOR)
    member = factories.make_user(org, Role.MEMBER)
    recent_day = today_paris() - timedelta(days=2)
    old_day = today_paris() - timedelta(days=12)
    make_act(org, editor, number="R1", subject="Séance récente", sitting_date=recent_day,
             publish=True)
    make_act(org, editor, number="O1", subject="Séance ancienne", sitting_date=old_day)

    login(editor)
    section = _section(client.get(f"/organisations/{org.slug}"))
    assert f"à publier avant le {format_date(recent_day + timedelta(days=7))}" in section
    assert f"à publier avant le {format_date(old_day + timedelta(days=7))} En retard" in \
        " ".join(section.replace("<strong class=\"badge\">", "").replace("</strong>", "").split())
    pending = text(client.get("/deliberations/a-publier"))
    assert "En retard" in pending and "Séance ancienne" in pending
    client.post("/deconnexion")

    # Neither plain members nor visitors are shown the editors' deadlines.
    login(member)
    assert "à publier avant le" not in text(client.get(f"/organisations/{org.slug}"))
    assert client.get("/deliberations/a-publier").status_code == 403
    client.post("/deconnexion")
    assert "à publier avant le" not in text(client.get(f"/organisations/{org.slug}"))


def test_published_sitting_list_appears_on_the_organisation_page(client, login):
    org = factories.make_org("Le Passage")
    editor = factories.make_user(org, Role.EDITOR)
    day = today_paris() - timedelta(days=3)
    first = make_act(org, editor, number="2025_001", subject="Tarifs de la cantine",
                     sitting_date=day, publish=True)
    make_act(org, editor, number="2025_002", subject="Brouillon de la séance", sitting_date=day)
    make_act(org, editor, number="2025_003", subject="Convention réservée", sitting_date=day,
             publish=True, visibility=Visibility.NETWORK)
    # Before the list is online, the sitting page is for the organisation's members only.
    assert sends_to_sign_in(client.get(f"/deliberations/seances/{first.sitting_id}"))

    login(editor)
    sitting_page = text(client.get(f"/deliberations/seances/{first.sitting_id}"))
    assert "1 acte de cette séance est encore en brouillon" in sitting_page
    response = client.post(f"/deliberations/seances/{first.sitting_id}/publier-la-liste",
                           follow_redirects=True)
    assert "La liste des délibérations de la séance est en ligne." in text(response)
    client.post("/deconnexion")

    section = _section(client.get(f"/organisations/{org.slug}"))
    assert f"Liste des délibérations — Conseil municipal du {format_date(day)}" in section
    assert "Tarifs de la cantine" in section
    assert "Brouillon de la séance" not in section
    assert "Convention réservée" not in section  # network-only: signed-in people only
    public_list = text(client.get(f"/deliberations/seances/{first.sitting_id}"))
    assert "Tarifs de la cantine" in public_list and "Brouillon de la séance" not in public_list
    assert "Liste mise en ligne le" in public_list

    login(factories.make_user(factories.make_org("Agen"), Role.MEMBER))
    assert "Convention réservée" in _section(client.get(f"/organisations/{org.slug}"))


def test_a_list_is_made_of_published_acts_and_is_published_once(client, login):
    org = factories.make_org("Pujols")
    editor = factories.make_user(org, Role.EDITOR)
    draft = make_act(org, editor, number="D1", subject="Seulement un brouillon")
    login(editor)
    response = client.post(f"/deliberations/seances/{draft.sitting_id}/publier-la-liste",
                           follow_redirects=True)
    assert "Publiez d'abord les actes de cette séance" in text(response)
    assert db.session.get(Sitting, draft.sitting_id).list_published_at is None

    services.publish(draft, by=editor)
    client.post(f"/deliberations/seances/{draft.sitting_id}/publier-la-liste")
    again = client.post(f"/deliberations/seances/{draft.sitting_id}/publier-la-liste",
                        follow_redirects=True)
    assert "déjà en ligne" in text(again)


def test_only_the_publishers_editors_publish_a_sitting_list(client, login):
    org = factories.make_org("Sérignac-sur-Garonne")
    editor = factories.make_user(org, Role.EDITOR)
    act = make_act(org, editor, number="X1", subject="Acte", publish=True)
    login(factories.make_user(org, Role.MEMBER))
    assert client.post(f"/deliberations/seances/{act.sitting_id}/publier-la-liste") \
        .status_code == 403
    assert db.session.get(Sitting, act.sitting_id).list_published_at is None


def test_acts_of_the_same_sitting_share_it(data_app):
    org = factories.make_org("Layrac")
    editor = factories.make_user(org, Role.EDITOR)
    day = today_paris() - timedelta(days=1)
    first = make_act(org, editor, number="A1", sitting_date=day)
    second = make_act(org, editor, number="A2", sitting_date=day)
    bureau = make_act(org, editor, number="A3", sitting_date=day,
                      assembly=services.Assembly.BUREAU)
    assert first.sitting_id == second.sitting_id != bureau.sitting_id
    assert len(db.session.scalars(select(Sitting)).all()) == 2
    sitting = db.session.get(Sitting, first.sitting_id)
    assert sitting.list_deadline == day + timedelta(days=7)
    assert not sitting.list_is_late
