"""The pages: applying from the aid's page, a refused form that keeps what was typed, the
checklist that says what is missing, and who sees which dossier (a denied read is a 404, a
denied write a 403)."""
from sqlalchemy import select

from intranet.extensions import db
from intranet.subsidies.models import DossierState, SubsidyDossier

from .. import factories
from ..helpers import count_queries, text
from .builders import council_and_communes, draft, submitted


def _form(world, **fields):
    data = {"organisation": str(world["town"].id), "title": "Salle des fêtes",
            "cost_excl_vat": "10 000", "cost_incl_vat": "12 000", "amount_requested": "3 000",
            "lines-0-kind": "aid", "lines-0-funder": "Département", "lines-0-amount": "3 000",
            "lines-1-kind": "own", "lines-1-amount": "7 000"}
    return data | fields


def test_a_secretary_applies_from_the_aid_page_and_a_refusal_keeps_what_she_typed(client, login):
    world = council_and_communes()
    login(world["editor"])
    aid_page = text(client.get(f"/aides/{world['aid'].id}"))
    assert "Demander cette aide" in aid_page
    url = f"/subventions/aide/{world['aid'].id}/demander"
    refused = client.post(url, data=_form(world, cost_excl_vat="12,345",
                                          **{"lines-1-amount": "1e3"}))
    page = text(refused)
    assert refused.status_code == 200 and "ambigu" in page and "« 12 345 »" in page
    assert 'value="12,345"' in refused.get_data(as_text=True)
    assert 'value="Salle des fêtes"' in refused.get_data(as_text=True)
    assert db.session.scalar(select(SubsidyDossier)) is None
    plan = client.post(url, data=_form(world, **{"lines-1-amount": "6 000"}))
    assert "totalise 9\u202f000,00\u00a0€ pour un coût de 10\u202f000,00\u00a0€" in text(plan)
    made = client.post(url, data=_form(world))
    dossier = db.session.scalar(select(SubsidyDossier))
    assert made.status_code == 302 and dossier.state == DossierState.DRAFT
    page = text(client.get(f"/subventions/{dossier.id}"))
    assert "Pièces manquantes : « Délibération du conseil municipal »" in page
    refused = client.post(f"/subventions/{dossier.id}/deposer", follow_redirects=True)
    assert "il manque « Délibération du conseil municipal »" in text(refused)
    assert "Salle des fêtes" in text(client.get("/subventions/"))


def test_another_commune_sees_nothing_and_a_plain_member_reads_but_does_not_write(client, login):
    world = council_and_communes()
    dossier = draft(world)
    login(world["other_admin"])
    assert client.get(f"/subventions/{dossier.id}").status_code == 404
    assert client.post(f"/subventions/{dossier.id}/deposer").status_code == 404
    assert dossier.title not in text(client.get("/subventions/"))
    assert client.get("/subventions/instruction").status_code == 404
    client.post("/deconnexion")
    login(world["member"])
    assert dossier.title in text(client.get(f"/subventions/{dossier.id}"))
    assert client.get(f"/subventions/{dossier.id}/modifier").status_code == 403
    assert client.post(f"/subventions/{dossier.id}/instruction").status_code == 403


def test_the_instructor_lists_filters_and_grants_from_the_dossier_page(client, login):
    world = council_and_communes()
    dossier = submitted(world)
    login(world["instructor"])
    listing = text(client.get("/subventions/instruction?etat=submitted&annee=2099"))
    assert dossier.title not in listing
    assert dossier.title in text(client.get(f"/subventions/instruction?etat=submitted&aide={world['aid'].id}"))
    client.post(f"/subventions/{dossier.id}/instruction")
    client.post(f"/subventions/{dossier.id}/commission", data={"sitting_on": "2027-03-15"})
    refused = client.post(f"/subventions/{dossier.id}/accorder",
                          data={"amount": "99 999", "works_deadline": "2028-12-31"})
    assert refused.status_code == 400 and 'value="99 999"' in refused.get_data(as_text=True)
    assert "ne peut pas dépasser le montant demandé" in text(refused)
    client.post(f"/subventions/{dossier.id}/accorder",
                data={"amount": "12 000", "works_deadline": "2028-12-31"})
    page = text(client.post(f"/subventions/{dossier.id}/versement",
                            data={"kind": "advance", "amount": "13 000", "paid_on": "2027-04-01"}))
    assert "plus que le montant accordé" in page
    db.session.refresh(dossier)
    assert dossier.state == DossierState.GRANTED and not dossier.payments


def test_the_platform_admin_assigns_instructors_but_reads_no_dossier(client, login):
    world = council_and_communes()
    dossier = draft(world)
    login(factories.make_user(platform_admin=True))
    assert client.get(f"/subventions/{dossier.id}").status_code == 404
    answer = client.post("/subventions/instructeurs",
                         data={"email": world["council_editor"].email, "programme": "Voirie"})
    assert answer.status_code == 302
    assert "Voirie" in text(client.get("/subventions/instructeurs"))


def test_the_cli_names_an_instructor(runner):
    world = council_and_communes()
    result = runner.invoke(args=["subsidies", "instructor", world["council_editor"].email,
                                 "Voirie"])
    assert result.exit_code == 0 and "Voirie" in result.output
    result = runner.invoke(args=["subsidies", "instructor", "personne@nulle-part.fr", "Voirie"])
    assert result.exit_code != 0 and "Aucun compte" in result.output


def test_the_instructors_list_pages_counts_and_says_what_is_coming_up_soonest_first(client, login):
    """More than a page of dossiers: the list is counted (its applicant and aid read from the
    joins it makes); what is coming up mixes sittings and works deadlines, soonest first."""
    from datetime import timedelta

    from intranet.core.timeutil import today_paris, utcnow

    world = council_and_communes()
    model = submitted(world)
    today = today_paris()
    fields = dict(aid_id=model.aid_id, organisation_id=model.organisation_id,
                  cost_excl_vat=model.cost_excl_vat, cost_incl_vat=model.cost_incl_vat,
                  amount_requested=model.amount_requested, submitted_at=utcnow())
    db.session.add_all(SubsidyDossier(title=f"Dossier {n:02}", state=DossierState.SUBMITTED,
                                      **fields) for n in range(50))
    db.session.add_all([
        SubsidyDossier(title="Séance lointaine", state=DossierState.PROPOSED,
                       sitting_on=today + timedelta(days=40), **fields),
        SubsidyDossier(title="Travaux bientôt finis", state=DossierState.GRANTED,
                       amount_granted=model.amount_requested,
                       works_deadline=today + timedelta(days=10), **fields),
        SubsidyDossier(title="Séance proche", state=DossierState.PROPOSED,
                       sitting_on=today + timedelta(days=20), **fields),
        SubsidyDossier(title="Travaux trop lointains", state=DossierState.GRANTED,
                       amount_granted=model.amount_requested,
                       works_deadline=today + timedelta(days=90), **fields)])
    db.session.commit()
    login(world["instructor"])
    page = text(client.get("/subventions/instruction"))
    assert "55 dossiers, page 1 sur 2" in page
    coming = page[page.index("Échéances à venir"):page.index("Liste des dossiers")]
    assert "Travaux trop lointains" not in coming
    assert coming.index("Travaux bientôt finis") < coming.index("Séance proche") \
        < coming.index("Séance lointaine")
    assert "55 dossiers, page 2 sur 2" in text(client.get("/subventions/instruction?page=2"))
    assert "55 dossiers, page 2 sur 2" in text(client.get("/subventions/instruction?page=9"))
    assert "51 dossiers, page 2 sur 2" in text(
        client.get("/subventions/instruction?etat=submitted&page=2"))
    proposed = text(client.get("/subventions/instruction?etat=proposed&page=3"))
    assert "2 dossiers" in proposed and "Séance proche" in proposed and "sur 1" not in proposed
    # counted in the page's statement: a full page costs what a short one does
    assert count_queries(client, "/subventions/instruction") == \
        count_queries(client, "/subventions/instruction?etat=proposed")


def test_the_dossier_page_shows_its_plan_payments_and_checklist_read_together(client, login):
    """The plan, the payments and the aid's checklist come from one statement
    (``services.page_parts``): amounts stay exact, in their order, with their kinds."""
    from intranet.core.timeutil import today_paris
    from intranet.subsidies import services
    from intranet.subsidies.models import PaymentKind

    from .test_dossiers import _granted

    world = council_and_communes()
    dossier = _granted(world, amount="10 000,10")
    services.add_requirement(world["aid"], "Plan de situation", by=world["council_editor"])
    for amount in ("1 000,05", "2 000,02"):
        services.record_payment(dossier, PaymentKind.PARTIAL, amount, today_paris(),
                                by=world["instructor"])
    login(world["instructor"])
    page = text(client.get(f"/subventions/{dossier.id}"))
    plan = page[page.index("Plan de financement"):page.index("Pièces du dossier")]
    assert [plan.index(funder) for funder in ("Département", "État (DETR)", "Fonds propres")] \
        == sorted(plan.index(funder) for funder in ("Département", "État (DETR)", "Fonds propres"))
    assert "15\u202f000,00\u00a0€" in plan and "50\u202f000,00\u00a0€" in plan
    assert "Pièces manquantes : « Plan de situation »" in page
    assert "Versé : 3\u202f000,07\u00a0€ sur 10\u202f000,10\u00a0€" in page
    assert page.count("Acompte") >= 2 and "Reste à verser : 7\u202f000,03\u00a0€" in page
