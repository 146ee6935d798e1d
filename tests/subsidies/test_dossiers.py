"""A dossier's life: written with a financing plan that adds up, submitted once complete, sent
back incomplete, instructed, proposed to the commission permanente, granted and paid in
instalments (never more than granted), closed by its balance — or lapsed. Every step is in its
history and mailed to the applicant."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from intranet.core.timeutil import today_paris
from intranet.extensions import db
from intranet.mail.models import OutboxMessage
from intranet.notifications.models import Notification
from intranet.subsidies import services
from intranet.subsidies.models import DossierState, PaymentKind
from intranet.subsidies.services import PlanLine, SubsidyError

from .builders import PDF, council_and_communes, draft, submitted

S = DossierState


def _mails_to(person) -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.subject).where(
        OutboxMessage.recipient == person.email)))


def test_a_dossier_lives_from_draft_to_closed_with_its_whole_history():
    world = council_and_communes()
    instructor, editor = world["instructor"], world["editor"]
    dossier = draft(world)
    assert dossier.state == S.DRAFT and dossier.plan_total == Decimal("50000.00")
    with pytest.raises(SubsidyError, match="il manque « Délibération du conseil municipal »"):
        services.submit(dossier, by=editor)
    requirement = services.requirements_of(world["aid"])[0]
    services.add_document(dossier, (PDF, "deliberation.pdf"), requirement=requirement, by=editor)
    services.submit(dossier, by=editor)
    assert dossier.state == S.SUBMITTED
    assert db.session.scalar(select(Notification.title).where(
        Notification.user_id == instructor.id)).startswith("Dossier déposé")

    services.mark_incomplete(dossier, "Le devis signé manque.", by=instructor)
    assert dossier.state == S.INCOMPLETE
    services.update_dossier(dossier, services.DossierData(**{
        **vars(_data_of(dossier)), "cost_excl_vat": "52 000", "cost_incl_vat": "62 400",
        "lines": [PlanLine("aid", "Département", "15 000"), PlanLine("public", "DETR", "5 000"),
                  PlanLine("own", "", "32 000")]}), by=editor)
    services.submit(dossier, by=editor)
    services.start_review(dossier, by=instructor)
    services.propose(dossier, date(2027, 3, 15), by=instructor)
    with pytest.raises(SubsidyError, match="ne peut pas dépasser le montant demandé"):
        services.grant(dossier, "15 000,01", works_deadline=date(2028, 12, 31), by=instructor)
    services.grant(dossier, "12 000", conditions="Panneau de chantier.",
                   works_deadline=date(2028, 12, 31), by=instructor)
    services.record_payment(dossier, PaymentKind.ADVANCE, "3 000", date(2027, 4, 1), by=instructor)
    services.record_payment(dossier, PaymentKind.PARTIAL, "4 000", date(2027, 9, 1),
                            by=instructor)
    services.record_payment(dossier, PaymentKind.BALANCE, "5 000", date(2028, 2, 1),
                            by=instructor)
    assert dossier.state == S.CLOSED and dossier.paid == Decimal("12000.00")

    transitions = [(e.from_state, e.to_state) for e in dossier.events
                   if e.from_state != e.to_state]
    assert transitions == [("", "draft"), ("draft", "submitted"), ("submitted", "incomplete"),
                           ("incomplete", "submitted"), ("submitted", "under_review"),
                           ("under_review", "proposed"), ("proposed", "granted"),
                           ("granted", "closed")]
    assert any("Coût HT : 50\u202f000,00\u00a0€ → 52\u202f000,00\u00a0€" in e.changes
               for e in dossier.events)
    incomplete = next(e for e in dossier.events if e.to_state == "incomplete")
    assert incomplete.user_id == instructor.id and incomplete.comment == "Le devis signé manque."
    subjects = _mails_to(editor)
    assert any("incomplet" in s for s in subjects) and any("accordé" in s for s in subjects)
    assert any("soldé" in s for s in subjects)
    assert not _mails_to(world["member"])   # the applicant's editors and admins are mailed


def _data_of(dossier):
    return services.DossierData(
        title=dossier.title, description=dossier.description, communes=dossier.communes,
        cost_excl_vat=str(dossier.cost_excl_vat), cost_incl_vat=str(dossier.cost_incl_vat),
        amount_requested=str(dossier.amount_requested), schedule=dossier.schedule,
        contact=dossier.contact)


def _granted(world, amount="10 000", deadline=None):
    dossier = submitted(world)
    instructor = world["instructor"]
    services.start_review(dossier, by=instructor)
    services.propose(dossier, today_paris(), by=instructor)
    services.grant(dossier, amount, works_deadline=deadline or date(2030, 1, 1), by=instructor)
    return dossier


def test_an_instalment_past_the_granted_amount_is_refused_in_french():
    world = council_and_communes()
    dossier = _granted(world)
    services.record_payment(dossier, PaymentKind.ADVANCE, "6 000", today_paris(),
                            by=world["instructor"])
    with pytest.raises(SubsidyError) as refused:
        services.record_payment(dossier, PaymentKind.PARTIAL, "4 000,01", today_paris(),
                                by=world["instructor"])
    assert "plus que le montant accordé" in str(refused.value)
    assert "il reste 4\u202f000,00\u00a0€ à verser" in str(refused.value)
    db.session.refresh(dossier)
    assert len(dossier.payments) == 1 and dossier.state == S.GRANTED


def test_a_grant_is_reminded_a_month_before_its_deadline_once_then_lapses():
    world = council_and_communes()
    today = today_paris()
    dossier = _granted(world, deadline=today + timedelta(days=20))
    assert services.lapse_due(today) == (1, 0)
    assert services.lapse_due(today) == (0, 0)          # once
    assert any("Sans demande de solde" in body for body in db.session.scalars(
        select(OutboxMessage.body_text).where(OutboxMessage.recipient == world["editor"].email)))
    assert services.lapse_due(today + timedelta(days=21)) == (0, 1)
    assert dossier.state == S.LAPSED and dossier.events[-1].user_id is None
    closed = _granted(world, deadline=today - timedelta(days=1))
    services.record_payment(closed, PaymentKind.BALANCE, "10 000", today, by=world["instructor"])
    assert services.lapse_due(today) == (0, 0)          # a balance closes: never lapses


@pytest.mark.parametrize("fields, says", [
    ({"lines": [PlanLine("aid", "", "15 000"), PlanLine("own", "", "30 000")]},
     "le plan de financement totalise 45\u202f000,00\u00a0€ pour un coût de "
     "50\u202f000,00\u00a0€"),
    ({"amount_requested": "25 000", "lines": [PlanLine("aid", "", "25 000"),
                                               PlanLine("own", "", "25 000")]},
     "dépasse le plafond de l'aide"),
    ({"lines": [PlanLine("aid", "", "15 000"), PlanLine("public", "Région", "10 000"),
                PlanLine("own", "", "25 000")]},
     "aides publiques totalisent 25\u202f000,00\u00a0€"),
    ({"cost_excl_vat": "12,345"}, "ambigu"),
    ({"amount_requested": "-3"}, "négatif"),
])
def test_a_plan_that_does_not_add_up_or_passes_the_ceiling_is_refused(fields, says):
    world = council_and_communes()
    with pytest.raises(SubsidyError) as refused:
        draft(world, **fields)
    assert says in str(refused.value).replace("Le plan", "le plan")


def test_only_the_programme_s_instructors_instruct_and_only_editors_write():
    world = council_and_communes()
    dossier = submitted(world)
    for outsider in (world["council_editor"], world["admin"], world["other_admin"]):
        with pytest.raises(SubsidyError):
            services.start_review(dossier, by=outsider)
    with pytest.raises(SubsidyError, match="Vous ne pouvez pas déposer"):
        services.create_dossier(world["aid"], world["town"], services.DossierData(),
                                by=world["member"])


def test_a_granted_dossier_s_works_deadline_is_in_the_agendas_of_those_who_see_it():
    from datetime import datetime

    from intranet.agenda.calendar import personal_agenda
    world = council_and_communes()
    deadline = today_paris() + timedelta(days=40)
    _granted(world, deadline=deadline)
    day = datetime.combine(deadline, datetime.min.time())

    def deadlines(person):
        shown = personal_agenda(person, day, day + timedelta(days=1))
        return [item.title for item in shown.items if item.kind == "deadline"]
    expected = ["Fin des travaux subventionnés : Réfection du chemin de Lamothe"]
    assert deadlines(world["member"]) == expected and deadlines(world["instructor"]) == expected
    assert deadlines(world["other_admin"]) == []
