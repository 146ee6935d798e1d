"""The instructors' figures: a programme's dashboard whose totals are the sums of its dossiers
(to the cent, with amounts that floating point gets wrong), the per-beneficiary page, the
list's filters, pages and CSV, and what is coming up."""
import csv
import io
import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from intranet.accounts.models import OrgKind
from intranet.core.timeutil import today_paris
from intranet.core.types import Role
from intranet.extensions import db
from intranet.subsidies import reporting
from intranet.subsidies.models import DossierState as S, SubsidyDossier, SubsidyPayment

from .. import factories
from ..helpers import count_queries, text
from .builders import council_and_communes

CENT = Decimal("0.01")


def _world_with_epcis():
    world = council_and_communes()
    north = factories.make_org("Communauté de communes du Nord", kind=OrgKind.EPCI)
    south = factories.make_org("Agglomération du Sud", kind=OrgKind.EPCI)
    world["town"].epci, world["other"].epci = north, south
    association = factories.make_org("Foyer rural", kind=OrgKind.OTHER)
    db.session.commit()
    world.update(north=north, south=south, association=association)
    return world


def _dossier(world, organisation, state, requested, *, granted=None, submitted=None,
             sitting=None, payments=(), title="Projet", aid=None):
    dossier = SubsidyDossier(
        aid=aid or world["aid"], organisation=organisation, state=state, title=title,
        cost_excl_vat=requested * 3, cost_incl_vat=requested * 3, amount_requested=requested,
        amount_granted=granted, submitted_at=submitted, sitting_on=sitting,
        works_deadline=sitting + timedelta(days=700) if sitting else None)
    for amount, day in payments:
        dossier.payments.append(SubsidyPayment(kind="partial", amount=amount, paid_on=day))
    db.session.add(dossier)
    return dossier


def _generated(world, count=40, seed=47):
    """Dossiers of every state for three applicants, with amounts in tenths and odd cents (the
    kind that floating-point addition gets wrong) and payments that never exceed the grant."""
    rng = random.Random(seed)
    applicants = [world["town"], world["other"], world["association"]]
    dossiers = []
    for n in range(count):
        state = rng.choice([S.SUBMITTED, S.UNDER_REVIEW, S.GRANTED, S.GRANTED, S.CLOSED,
                            S.LAPSED, S.REFUSED, S.DRAFT])
        requested = Decimal(rng.choice(["0.10", "0.20", "0.30", "1000.07", "12345.67",
                                        "0.70", "999.99"]))
        submitted = None if state == S.DRAFT else datetime(2026 + n % 2, 1 + n % 12, 10, 9)
        granted = sitting = None
        payments = []
        if state in reporting.GRANTED_STATES:
            granted = (requested * Decimal(rng.choice(["1", "0.5", "0.3"]))).quantize(CENT)
            sitting = submitted.date() + timedelta(days=40)
            if state != S.LAPSED:
                first = (granted * Decimal("0.3")).quantize(CENT)
                payments.append((first, sitting + timedelta(days=20)))
                if state == S.CLOSED:
                    payments.append((granted - first, sitting + timedelta(days=200)))
        dossiers.append(_dossier(world, applicants[n % 3], state, requested, granted=granted,
                                 submitted=submitted, sitting=sitting, payments=payments,
                                 title=f"Projet {n}"))
    db.session.commit()
    return dossiers


def _expected(dossiers, year=None):
    def in_year(day):
        return day is not None and (year is None or day.year == year)
    counted = [d for d in dossiers if d.state != S.DRAFT]
    return {
        "requested": sum((d.amount_requested for d in counted if in_year(d.submitted_at)),
                         Decimal("0")),
        "granted": sum((d.amount_granted for d in counted if d.state in reporting.GRANTED_STATES
                        and in_year(d.sitting_on)), Decimal("0")),
        "paid": sum((p.amount for d in counted for p in d.payments if in_year(p.paid_on)),
                    Decimal("0")),
        "remaining": sum((d.amount_granted - d.paid for d in counted
                          if d.state == S.GRANTED and in_year(d.sitting_on)), Decimal("0")),
    }


def test_the_dashboard_totals_are_the_sums_of_the_dossiers_to_the_cent(app):
    world = _world_with_epcis()
    dossiers = _generated(world)
    # Ten requests of 0,10 € in one month: added as floats, they make 0.9999999999999999.
    tenths = [_dossier(world, world["association"], S.SUBMITTED, Decimal("0.10"),
                       submitted=datetime(2027, 12, 20), title=f"Dixième {n}") for n in range(10)]
    db.session.commit()
    dossiers += tenths
    assert sum(float(d.amount_requested) for d in tenths) != 1.0
    for year in (None, 2026, 2027):
        board = reporting.dashboard(world["instructor"], world["aid"].programme, year)
        expected = _expected(dossiers, year)
        assert board.totals == expected
        for key in ("requested", "granted", "paid", "remaining"):
            assert sum((v.get(key, 0) for v in board.by_epci.values()), Decimal(0)) == expected[key]
        for key in ("requested", "granted", "paid"):
            assert sum((v.get(key, 0) for v in board.by_month.values()), Decimal(0)) == expected[key]
    board = reporting.dashboard(world["instructor"], world["aid"].programme)
    december = sum((d.amount_requested for d in dossiers if d.state != S.DRAFT
                    and (d.submitted_at.year, d.submitted_at.month) == (2027, 12)), Decimal(0))
    assert board.by_month["décembre 2027"]["requested"] == december
    assert set(board.by_epci) == {"Communauté de communes du Nord", "Agglomération du Sud",
                                  reporting.OUTSIDE}
    north = _expected([d for d in dossiers if d.organisation == world["town"]])
    assert {k: board.by_epci["Communauté de communes du Nord"].get(k, 0)
            for k in reporting.SERIES} == north
    # Nobody else gets the figures, not even an applicant for its own dossiers.
    assert reporting.dashboard(world["admin"], world["aid"].programme).totals == \
        dict.fromkeys(reporting.SERIES, Decimal("0.00"))


def test_the_dashboard_page_draws_charts_with_the_same_figures_in_tables(client, login):
    world = _world_with_epcis()
    dossiers = _generated(world, count=12)
    login(world["instructor"])
    page = client.get("/subventions/tableau-de-bord?annee=2026")
    body = text(page)
    assert page.status_code == 200
    assert 'aria-describedby="graphique-epci-table"' in body and 'id="graphique-epci-table"' in body
    assert 'aria-describedby="graphique-mois-table"' in body and "janvier 2026" in body
    total = _expected(dossiers, 2026)["requested"]
    from intranet.core.money import euros
    assert euros(total) in body
    exported = client.get("/subventions/tableau-de-bord.csv?annee=2026")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[-1][0] == "total" and Decimal(rows[-1][2]) == total
    assert client.get("/subventions/tableau-de-bord?programme=Autre").status_code == 404
    client.post("/deconnexion")
    login(world["admin"])
    assert client.get("/subventions/tableau-de-bord").status_code == 404
    assert client.get("/subventions/tableau-de-bord.csv").status_code == 404


def test_a_beneficiary_page_shows_asked_got_paid_to_those_who_may_see_it(client, login):
    world = _world_with_epcis()
    _dossier(world, world["town"], S.GRANTED, Decimal("10000"), granted=Decimal("8000"),
             submitted=datetime(2026, 3, 1), sitting=date(2026, 4, 2),
             payments=[(Decimal("2400.10"), date(2026, 5, 1))], title="Voirie de Layrac")
    _dossier(world, world["town"], S.DRAFT, Decimal("500"), title="Brouillon de Layrac")
    _dossier(world, world["other"], S.SUBMITTED, Decimal("700"), submitted=datetime(2026, 3, 1),
             title="Projet de Nérac")
    db.session.commit()
    login(world["instructor"])
    page = text(client.get(f"/subventions/beneficiaire/{world['town'].id}"))
    assert "Voirie de Layrac" in page and "Brouillon de Layrac" not in page
    assert "Projet de Nérac" not in page
    assert "8\u202f000,00\u00a0€" in page and "2\u202f400,10\u00a0€" in page
    epci = text(client.get(f"/subventions/beneficiaire/{world['north'].id}"))
    assert "Commune de Layrac" in epci and "Commune de Nérac" not in epci
    client.post("/deconnexion")
    login(world["other_admin"])
    assert client.get(f"/subventions/beneficiaire/{world['town'].id}").status_code == 404
    assert "Projet de Nérac" in text(client.get(f"/subventions/beneficiaire/{world['other'].id}"))


def test_the_list_filters_by_epci_and_applicant_pages_and_exports_every_row(client, login):
    world = _world_with_epcis()
    for n in range(53):
        _dossier(world, world["town"], S.SUBMITTED, Decimal("100.10"),
                 submitted=datetime(2026, 2, 1) + timedelta(hours=n), title=f"Layrac {n:02d}")
    _dossier(world, world["other"], S.SUBMITTED, Decimal("5"), submitted=datetime(2026, 1, 1),
             title="Nérac seul")
    db.session.commit()
    login(world["instructor"])
    first = text(client.get("/subventions/instruction"))
    assert "54 dossiers, page 1 sur 2" in first and "Page suivante" in first
    second = text(client.get("/subventions/instruction?page=2"))
    assert "Nérac seul" in second and "Layrac 52" not in second
    south = text(client.get(f"/subventions/instruction?epci={world['south'].id}"))
    assert "Nérac seul" in south and "Layrac 00" not in south and "1 dossier" in south
    town = text(client.get("/subventions/instruction?demandeur=layrac"))
    assert "53 dossiers" in town and "Nérac seul" not in town
    assert "53 dossiers" in text(client.get("/subventions/instruction?demandeur=47145"))
    assert "Aucun dossier" in text(client.get("/subventions/instruction?demandeur=%25"))
    exported = client.get(f"/subventions/instruction.csv?epci={world['north'].id}")
    assert exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff")),
                               delimiter=";"))
    assert len(rows) == 53 and {r["intercommunalité"] for r in rows} == {
        "Communauté de communes du Nord"}
    assert rows[0]["montant demandé"] == "100,10" and rows[0]["état"] == "Déposé"
    client.post("/deconnexion")
    login(world["admin"])
    assert client.get("/subventions/instruction.csv").status_code == 404


def test_coming_sittings_and_works_deadlines_are_listed_soonest_first(client, login):
    world = _world_with_epcis()
    today = today_paris()
    _dossier(world, world["town"], S.PROPOSED, Decimal("100"), submitted=datetime(2026, 1, 1),
             sitting=today + timedelta(days=9), title="Proposé bientôt")
    late = _dossier(world, world["other"], S.GRANTED, Decimal("100"), granted=Decimal("100"),
                    submitted=datetime(2026, 1, 1), sitting=today - timedelta(days=300),
                    title="Travaux à finir")
    late.works_deadline = today + timedelta(days=3)
    _dossier(world, world["other"], S.GRANTED, Decimal("100"), granted=Decimal("100"),
             submitted=datetime(2026, 1, 1), sitting=today - timedelta(days=10),
             title="Travaux lointains")
    db.session.commit()
    login(world["instructor"])
    page = text(client.get("/subventions/instruction"))
    upcoming = page[page.index("Échéances à venir"):page.index("Liste des dossiers")]
    assert upcoming.index("Travaux à finir") < upcoming.index("Proposé bientôt")
    assert "Travaux lointains" not in upcoming


def test_a_member_of_another_organisation_counts_nothing_of_a_dossier(app):
    world = _world_with_epcis()
    _generated(world, count=9)
    outsider = factories.make_user(factories.make_org("Commune tierce"), Role.ADMIN)
    board = reporting.dashboard(outsider, world["aid"].programme)
    assert board.totals == dict.fromkeys(reporting.SERIES, Decimal("0.00"))
    assert reporting.beneficiary(outsider, world["town"]) == []


def test_the_dashboard_and_the_list_run_as_many_queries_for_9_dossiers_as_for_45(client, login):
    world = _world_with_epcis()
    _generated(world, count=9)
    login(world["instructor"])
    pages = ("/subventions/tableau-de-bord", "/subventions/instruction",
             f"/subventions/beneficiaire/{world['town'].id}", "/subventions/instruction.csv")
    few = [count_queries(client, url) for url in pages]
    _generated(world, count=36, seed=3)
    assert [count_queries(client, url) for url in pages] == few


def test_the_kept_figures_follow_a_payment_a_moved_aid_and_a_commune_changing_epci(app):
    from intranet.subsidies import services
    from intranet.subsidies.models import PaymentKind
    world = _world_with_epcis()
    dossier = _dossier(world, world["town"], S.GRANTED, Decimal("1000"), granted=Decimal("900"),
                       submitted=datetime(2026, 2, 1), sitting=date(2026, 3, 1))
    db.session.commit()
    programme = world["aid"].programme

    def board():
        return reporting.dashboard(world["instructor"], programme)
    assert board().totals["remaining"] == Decimal("900.00")
    services.record_payment(dossier, PaymentKind.ADVANCE, "300,10", date(2026, 4, 1),
                            by=world["instructor"])
    assert board().totals["paid"] == Decimal("300.10")
    assert board().totals["remaining"] == Decimal("599.90")
    world["town"].epci = world["south"]
    db.session.commit()
    assert set(board().by_epci) == {"Agglomération du Sud"}
    world["south"].name = "Agglomération du Sud-Ouest"
    db.session.commit()
    assert set(board().by_epci) == {"Agglomération du Sud-Ouest"}
    world["aid"].programme = "Autre programme"
    db.session.commit()
    assert board().totals["requested"] == Decimal("0.00")
