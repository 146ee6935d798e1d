"""Publishing an act: the council's editor puts it online, anyone finds and downloads it; drafts
and network-only acts stay where they belong; withdrawal waits two months."""
import io
from datetime import date, timedelta

from sqlalchemy import func, select

from intranet.accounts import services as accounts
from intranet.accounts.models import OrgKind
from intranet.core.types import Role, Visibility
from intranet.core.audit import AuditEvent
from intranet.core.frdates import format_date
from intranet.core.models import StoredFile
from intranet.publications.lifecycle import PublicationStatus
from intranet.extensions import db
from intranet.publications.deliberations import services
from intranet.publications.deliberations.models import (Deliberation, Sitting, add_months,
                                                        today_paris)
from intranet.spaces.models import Activity

from ... import factories
from ...helpers import sends_to_sign_in, text
from .builders import PDF, age, form, make_act, valid_siret


def _feed_token(user) -> str:
    if not user.feed_token:
        accounts.renew_feed_token(user)
    return user.feed_token


def _council():
    council = factories.make_org("Département de Lot-et-Garonne", kind=OrgKind.DEPARTEMENT)
    return council, factories.make_user(council, Role.EDITOR, first_name="Paul",
                                        last_name="Rédacteur")


def test_council_editor_publishes_a_deliberation_that_anyone_finds_and_downloads(client, login):
    council, editor = _council()
    login(editor)
    response = client.post("/deliberations/nouvel-acte", data=form(),
                           content_type="multipart/form-data")
    assert response.status_code == 302, text(response)
    act = db.session.scalar(select(Deliberation))
    assert act.status == PublicationStatus.DRAFT and act.organisation_id == council.id
    response = client.post(f"/deliberations/{act.id}/publier", follow_redirects=True)
    assert "Acte publié" in text(response)
    client.post("/deconnexion")

    found = text(client.get(f"/deliberations/?year={act.sitting_date.year}"
                            "&assembly=conseil_departemental"
                            f"&theme=8&organisation={council.slug}"))
    assert "Aide aux bibliothèques rurales" in found
    assert "1 acte trouvé" in found
    elsewhere = text(client.get("/deliberations/?assembly=conseil_municipal"))
    assert "Aide aux bibliothèques rurales" not in elsewhere
    other_theme = text(client.get("/deliberations/?theme=7"))
    assert "Aide aux bibliothèques rurales" not in other_theme
    by_word = text(client.get("/deliberations/?q=biblioth"))
    assert "Aide aux bibliothèques rurales" in by_word

    page = text(client.get(f"/deliberations/{act.id}"))
    assert "Mis en ligne le" in page
    assert "Signé par Sophie Borderie, Présidente du conseil départemental" in page
    assert "35" in page and "Membres présents" in page

    pdf = client.get(f"/deliberations/{act.id}/acte.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    assert "2025_014.pdf" in pdf.headers["Content-Disposition"]
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"
    assert pdf.data == PDF


def test_publishing_records_the_act_in_the_open_space_and_the_audit_log(client):
    council, editor = _council()
    public = make_act(council, editor, number="P1", subject="Acte public annoncé", publish=True)
    make_act(council, editor, number="N1", subject="Acte réseau annoncé", publish=True,
             visibility=Visibility.NETWORK)
    lines = {a.summary: a for a in db.session.scalars(select(Activity))}
    public_line = next(a for s, a in lines.items() if "Acte public annoncé" in s)
    network_line = next(a for s, a in lines.items() if "Acte réseau annoncé" in s)
    assert public_line.space.kind.value == "open"
    assert public_line.visibility == Visibility.PUBLIC
    assert network_line.visibility == Visibility.NETWORK
    assert public_line.url.endswith(f"/deliberations/{public.id}")
    landing = text(client.get("/"))
    assert "Acte public annoncé" in landing and "Acte réseau annoncé" not in landing
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "deliberation.published")) == 2


def test_drafts_are_invisible_outside_the_publisher_and_never_listed_exported_or_in_feeds(
        client, login):
    org = factories.make_org("Nérac", population=7000)
    editor = factories.make_user(org, Role.EDITOR)
    colleague = factories.make_user(org, Role.MEMBER)
    outsider = factories.make_user(factories.make_org("Layrac"), Role.ADMIN)
    services.save_settings(org, by=factories.make_user(org, Role.ADMIN),
                           siret=valid_siret(),
                           publication_mode=services.PublicationMode.ELECTRONIC,
                           mode_chosen_on=None, mode_deliberation_number=None)
    draft = make_act(org, editor, number="D1", subject="Brouillon confidentiel", annexes=1)
    make_act(org, editor, number="P1", subject="Acte publié visible", publish=True)
    urls = [f"/deliberations/{draft.id}", f"/deliberations/{draft.id}/acte.pdf",
            f"/deliberations/{draft.id}/annexes/{draft.annexes[0].id}",
            f"/deliberations/seances/{draft.sitting_id}"]

    for url in urls:
        assert sends_to_sign_in(client.get(url)), url
    login(outsider)
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.post("/deconnexion")

    login(colleague)
    assert "Brouillon confidentiel" in text(client.get(f"/deliberations/{draft.id}"))
    assert client.get(f"/deliberations/{draft.id}/acte.pdf").status_code == 200
    # Even the publisher's own people never see a draft in the list, the export or a feed.
    listing = text(client.get(f"/deliberations/?organisation={org.slug}"))
    assert "Acte publié visible" in listing and "Brouillon confidentiel" not in listing
    export = client.get("/deliberations/export-scdl.csv").get_data(as_text=True)
    assert "Acte publié visible" in export and "Brouillon confidentiel" not in export
    feed = client.get("/deliberations/flux.atom").get_data(as_text=True)
    assert "Acte publié visible" in feed and "Brouillon confidentiel" not in feed
    token = _feed_token(colleague)
    private = client.get(f"/deliberations/flux/{token}.atom").get_data(as_text=True)
    assert "Acte publié visible" in private and "Brouillon confidentiel" not in private


def test_network_only_act_is_for_signed_in_people_and_in_the_private_feed(client, login):
    org = factories.make_org("Agen")
    editor = factories.make_user(org, Role.EDITOR)
    reader = factories.make_user(factories.make_org("Boé"), Role.MEMBER)
    act = make_act(org, editor, number="R1", subject="Convention réservée au réseau",
                   publish=True, visibility=Visibility.NETWORK)

    assert sends_to_sign_in(client.get(f"/deliberations/{act.id}"))
    assert sends_to_sign_in(client.get(f"/deliberations/{act.id}/acte.pdf"))
    assert "Convention réservée" not in text(client.get("/deliberations/"))
    assert "Convention réservée" not in client.get("/deliberations/flux.atom").get_data(as_text=True)

    token = _feed_token(reader)
    private = client.get(f"/deliberations/flux/{token}.atom")
    assert private.status_code == 200
    assert private.headers["Content-Type"].startswith("application/atom+xml")
    assert "Convention réservée au réseau" in private.get_data(as_text=True)
    assert client.get("/deliberations/flux/jeton-faux.atom").status_code == 404

    login(reader)
    assert "Convention réservée au réseau" in text(client.get("/deliberations/"))
    assert client.get(f"/deliberations/{act.id}/acte.pdf").status_code == 200
    # Open data is public data only.
    assert "Convention réservée" not in client.get("/deliberations/export-scdl.csv").get_data(
        as_text=True)


def test_per_organisation_feed_lists_only_that_organisation(client):
    agen, nerac = factories.make_org("Agen"), factories.make_org("Nérac")
    make_act(agen, factories.make_user(agen, Role.EDITOR), number="A1", subject="Acte d'Agen",
             publish=True)
    make_act(nerac, factories.make_user(nerac, Role.EDITOR), number="N1",
             subject="Acte de Nérac", publish=True)
    feed = client.get(f"/deliberations/flux.atom?organisation={agen.slug}").get_data(as_text=True)
    assert "Acte d'Agen" in feed and "Acte de Nérac" not in feed
    assert client.get("/deliberations/flux.atom?organisation=inconnue").status_code == 404


def test_withdrawing_before_two_months_is_refused_with_the_date_it_becomes_possible(client,
                                                                                   login):
    org = factories.make_org("Marmande")
    editor = factories.make_user(org, Role.EDITOR)
    act = make_act(org, editor, number="W1", subject="Arrêté de voirie", publish=True)
    age(act, 10)
    possible_from = act.online_until_at_least
    login(editor)

    response = client.post(f"/deliberations/{act.id}/retirer", follow_redirects=True)
    page = text(response)
    assert "doit rester en ligne au moins 2 mois" in page
    assert f"pourra être retiré à partir du {format_date(possible_from)}" in page
    assert db.session.get(Deliberation, act.id).status == PublicationStatus.PUBLISHED

    age(act, 70)
    response = client.post(f"/deliberations/{act.id}/retirer", follow_redirects=True)
    assert "Acte retiré" in text(response)
    assert db.session.get(Deliberation, act.id).status == PublicationStatus.WITHDRAWN
    # Its announcement leaves the dashboards with it.
    assert not db.session.scalars(
        select(Activity).where(Activity.verb == "deliberation.published")).all()
    client.post("/deconnexion")
    assert sends_to_sign_in(client.get(f"/deliberations/{act.id}"))


def test_two_months_count_in_calendar_months(data_app):
    assert add_months(date(2025, 1, 15), 2) == date(2025, 3, 15)
    assert add_months(date(2024, 12, 31), 2) == date(2025, 2, 28)
    assert add_months(date(2023, 12, 31), 2) == date(2024, 2, 29)
    assert add_months(date(2025, 11, 30), 2) == date(2026, 1, 30)


def test_a_published_act_keeps_its_pdf_and_other_editors_cannot_touch_it(client, login):
    org = factories.make_org("Tonneins")
    editor = factories.make_user(org, Role.EDITOR)
    act = make_act(org, editor, number="K1", subject="Budget primitif", publish=True)
    login(editor)
    response = client.post(f"/deliberations/{act.id}/modifier",
                           data=form(number="K1", subject="Budget primitif 2025",
                                     act_pdf=(io.BytesIO(PDF), "autre.pdf")),
                           content_type="multipart/form-data")
    assert "L'acte publié ne peut pas être remplacé" in text(response)
    assert db.session.get(Deliberation, act.id).subject == "Budget primitif"
    client.post("/deconnexion")

    other = factories.make_user(factories.make_org("Clairac"), Role.ADMIN)
    login(other)
    assert client.post(f"/deliberations/{act.id}/retirer").status_code == 403
    assert client.get(f"/deliberations/{act.id}/modifier").status_code == 403
    client.post("/deconnexion")
    login(factories.make_user(org, Role.MEMBER))  # a plain member writes no act
    assert client.get("/deliberations/nouvel-acte").status_code == 403
    assert client.post(f"/deliberations/{act.id}/retirer").status_code == 403


def test_a_draft_without_its_pdf_cannot_be_published(client, login):
    org = factories.make_org("Casteljaloux")
    editor = factories.make_user(org, Role.EDITOR)
    act = make_act(org, editor, number="NOPDF", subject="Sans PDF", pdf=False)
    login(editor)
    response = client.post(f"/deliberations/{act.id}/publier", follow_redirects=True)
    assert "Ajoutez l'acte en PDF avant de le publier" in text(response)
    assert db.session.get(Deliberation, act.id).status == PublicationStatus.DRAFT


def test_editor_deletes_a_draft_and_its_files(client, login):
    org = factories.make_org("Villeneuve-sur-Lot")
    editor = factories.make_user(org, Role.EDITOR)
    act = make_act(org, editor, number="DEL1", subject="À supprimer", annexes=2)
    login(editor)
    assert client.post(f"/deliberations/{act.id}/supprimer").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Deliberation)) == 0
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0
    assert db.session.scalar(select(func.count()).select_from(Sitting)) == 0


def test_editor_changes_the_sitting_of_a_draft(client, login):
    org = factories.make_org("Fumel")
    editor = factories.make_user(org, Role.EDITOR)
    act = make_act(org, editor, number="S1", subject="Changement de séance")
    old_sitting = act.sitting_id
    login(editor)
    new_day = today_paris() - timedelta(days=20)
    response = client.post(f"/deliberations/{act.id}/modifier",
                           data=form(number="S1", subject="Changement de séance",
                                     assembly="conseil_municipal",
                                     sitting_date=new_day.isoformat(), act_pdf=None),
                           content_type="multipart/form-data")
    assert response.status_code == 302, text(response)
    act = db.session.get(Deliberation, act.id)
    assert act.sitting.sitting_date == new_day and act.sitting_date == new_day
    assert db.session.get(Sitting, old_sitting) is None
    assert act.act_file is not None  # the PDF stays when no new one is sent
