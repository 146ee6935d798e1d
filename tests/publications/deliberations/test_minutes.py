"""A sitting's page: its agenda, its deliberations and its minutes (procès-verbal), approved at
the next sitting and put online within a week of that approval; the deadline and lateness are
shown as for the list of deliberations."""
import io
from datetime import timedelta

from sqlalchemy import func, select

from intranet.core.audit import AuditEvent
from intranet.core.frdates import format_date
from intranet.core.types import Role
from intranet.extensions import db
from intranet.publications.deliberations import services
from intranet.publications.deliberations.models import SittingMinutes, today_paris

from ... import factories
from ...helpers import sends_to_sign_in, text
from .builders import PDF, make_act


def _world(days_ago: int = 30):
    org = factories.make_org("Bon-Encontre")
    editor = factories.make_user(org, Role.EDITOR)
    act = make_act(org, editor, number="2026_040", subject="Travaux de voirie",
                   sitting_date=today_paris() - timedelta(days=days_ago), publish=True)
    return org, editor, act


def _flat(response) -> str:
    return " ".join(text(response).replace('<strong class="badge">', "")
                    .replace("</strong>", "").split())


def test_editor_records_minutes_sees_the_deadline_and_lateness_then_publishes(client, login):
    org, editor, act = _world()
    services.publish_sitting_list(act.sitting, by=editor)
    approved = today_paris() - timedelta(days=10)
    login(editor)
    page = f"/deliberations/seances/{act.sitting_id}"
    assert "Ajouter le procès-verbal" in text(client.get(page))
    response = client.post(f"{page}/proces-verbal", data={
        "pdf": (io.BytesIO(PDF), "pv.pdf"), "approved_on": approved.isoformat(),
        "visibility": "public"}, follow_redirects=True)
    shown = _flat(response)
    assert "Procès-verbal enregistré" in shown
    assert f"Approuvé lors de la séance du {format_date(approved)}" in shown
    assert f"À publier avant le {format_date(approved + timedelta(days=7))} En retard" in shown
    assert "En retard" in _flat(client.get("/deliberations/a-publier"))
    client.post("/deconnexion")
    # Not published yet: visitors see the sitting, but no minutes.
    visitor = text(client.get(page))
    assert "Procès-verbal pas encore en ligne" in visitor and "pv" not in visitor.split(
        "Procès-verbal</h2>", 1)[1].split("</p>", 1)[0]

    login(editor)
    minutes = db.session.scalar(select(SittingMinutes))
    response = client.post(f"/deliberations/proces-verbaux/{minutes.id}/publier",
                           follow_redirects=True)
    assert "Procès-verbal publié" in text(response)
    client.post("/deconnexion")
    public = _flat(client.get(page))
    assert "Procès-verbal de la séance (PDF)" in public
    assert f"Approuvé lors de la séance du {format_date(approved)}" in public
    assert "Mis en ligne le" in public and "En retard" not in public  # lateness: editors only
    pdf = client.get(f"/deliberations/proces-verbaux/{minutes.id}/proces-verbal.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "minutes.published")) == 1


def test_minutes_approved_recently_are_due_without_being_late(client, login):
    org, editor, act = _world()
    approved = today_paris() - timedelta(days=2)
    services.save_minutes(act.sitting, by=editor, approved_on=approved,
                          pdf=services.Upload(PDF, "pv.pdf"))
    login(editor)
    shown = _flat(client.get(f"/deliberations/seances/{act.sitting_id}"))
    minutes_part = shown.split('Procès-verbal</h2>', 1)[1]
    assert f"À publier avant le {format_date(approved + timedelta(days=7))}" in minutes_part
    assert "En retard" not in minutes_part


def test_minutes_are_refused_before_approval_and_before_the_sitting_list(client, login):
    org, editor, act = _world()
    login(editor)
    page = f"/deliberations/seances/{act.sitting_id}"
    # An approval date on or before the sitting itself is refused, the file kept.
    response = client.post(f"{page}/proces-verbal", data={
        "pdf": (io.BytesIO(PDF), "pv-seance.pdf"), "approved_on": act.sitting_date.isoformat(),
        "visibility": "public"})
    assert "indiquez une date après le" in text(response)
    assert "pv-seance.pdf" in text(response)
    assert db.session.scalar(select(func.count()).select_from(SittingMinutes)) == 0
    # Recorded without approval: it cannot be published yet.
    client.post(f"{page}/proces-verbal", data={"pdf": (io.BytesIO(PDF), "pv.pdf"),
                                               "visibility": "public"})
    minutes = db.session.scalar(select(SittingMinutes))
    assert "Pas encore approuvé" in text(client.get(page))
    response = client.post(f"/deliberations/proces-verbaux/{minutes.id}/publier",
                           follow_redirects=True)
    assert "Le procès-verbal est publié une fois approuvé" in text(response)
    # Approved, but the sitting's list is not online.
    services.save_minutes(act.sitting, by=editor, approved_on=today_paris() - timedelta(days=1))
    response = client.post(f"/deliberations/proces-verbaux/{minutes.id}/publier",
                           follow_redirects=True)
    assert "Publiez d'abord la liste des délibérations" in text(response)
    db.session.expire_all()
    assert not db.session.get(SittingMinutes, minutes.id).is_published


def test_draft_minutes_are_for_the_organisation_only(client, login):
    org, editor, act = _world()
    services.publish_sitting_list(act.sitting, by=editor)
    minutes = services.save_minutes(act.sitting, by=editor,
                                    approved_on=today_paris() - timedelta(days=1),
                                    pdf=services.Upload(PDF, "pv.pdf"))
    pdf = f"/deliberations/proces-verbaux/{minutes.id}/proces-verbal.pdf"
    assert sends_to_sign_in(client.get(pdf))
    login(factories.make_user(factories.make_org("Layrac"), Role.ADMIN))
    assert client.get(pdf).status_code == 404
    assert client.post(f"/deliberations/seances/{act.sitting_id}/proces-verbal",
                       data={"visibility": "public"}).status_code == 403
    assert client.post(f"/deliberations/proces-verbaux/{minutes.id}/publier").status_code == 404


def test_sitting_page_shows_its_agenda(client, login):
    org, editor, act = _world(days_ago=3)
    services.publish_sitting_list(act.sitting, by=editor)
    login(editor)
    response = client.post(f"/deliberations/seances/{act.sitting_id}/ordre-du-jour",
                           data={"agenda": "Approbation du procès-verbal\n\n  Travaux de voirie  \n"},
                           follow_redirects=True)
    assert "Ordre du jour enregistré." in text(response)
    client.post("/deconnexion")
    page = text(client.get(f"/deliberations/seances/{act.sitting_id}"))
    assert "<li>Approbation du procès-verbal</li><li>Travaux de voirie</li>" in page
    assert "Travaux de voirie</a>" in page   # the act of the sitting, linked
    assert "Modifier l'ordre du jour" not in page


def test_the_minutes_deadline_is_in_the_agenda_of_those_who_publish():
    from datetime import datetime

    from intranet.agenda.calendar import personal_agenda
    org, editor, act = _world()
    member = factories.make_user(org, Role.MEMBER)
    approved = today_paris() - timedelta(days=2)
    services.save_minutes(act.sitting, by=editor, approved_on=approved,
                          pdf=services.Upload(PDF, "pv.pdf"))
    day = datetime.combine(approved + timedelta(days=7), datetime.min.time())

    def deadlines(person):
        shown = personal_agenda(person, day, day + timedelta(days=1))
        return [item.title for item in shown.items if item.kind == "deadline"]
    assert deadlines(editor) == [f"Mettre en ligne le procès-verbal : {act.sitting.title}"]
    assert deadlines(member) == []
