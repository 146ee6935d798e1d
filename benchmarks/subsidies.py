"""The instructors' pages of the subsidies at département scale: a programme's dashboard, the
instructors' list (first page and CSV) and a beneficiary's page, first with 30 dossiers, then
with 3,000 dossiers and 10,000 payments in the same programme.

    python -m benchmarks.subsidies                     # PostgreSQL at 127.0.0.1:5432
    python -m benchmarks.subsidies --database sqlite   # a SQLite file instead
    python -m benchmarks.subsidies --dossiers 3000 --payments 10000 --repeat 15

Dataset (a fresh, uniquely named PostgreSQL database, dropped at the end unless ``--keep``;
bulk inserted): the Département, 450 communes in 18 intercommunalities, five aids of one
programme, one instructor of it. Dossiers of every state spread over the communes, the EPCIs
and three years; the granted ones carry payments (advances, partial payments, balances), never
more than granted.

Measured through Flask's test client, in one process: the median wall-clock and CPU time of
each page over ``--repeat`` requests after one to warm up, and the number of SQL statements
one request runs. The reference is the trivial Flask page of ``shared/bench/trivial``, measured
the same way in the same run. Target (issue 15): at 3,000 dossiers, the same number of
statements as at 30 and at most 1.5 times the time. A dashboard's figures are computed once
and kept until a dossier, a payment, an aid or an intercommunality changes
(``subsidies/reporting.py``): « dashboard, recomputed » is the first request after such a
change, which reads every dossier and payment of the programme; the CSV holds every row. Both
grow with the data by design and are shown, not held to the target.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.agenda_feed import measure  # noqa: E402
from benchmarks.profile_pages import sign_in, count_statements, trivial_client  # noqa: E402
from benchmarks.in_process import add_database_arguments, fresh_application  # noqa: E402

EMAIL, PASSWORD = "instructrice@subventions.bench", "mot-de-passe-du-banc"
PROGRAMME = "Solidarité territoriale"
STATES = ("submitted", "incomplete", "under_review", "proposed", "granted", "granted",
          "granted", "closed", "closed", "lapsed", "refused")


def seed_world() -> tuple[list[int], list[int]]:
    """Organisations, aids and the instructor; (commune ids, aid ids)."""
    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from intranet.accounts.models import Membership, Organisation, OrgKind, User
    from intranet.core.types import Role, Visibility
    from intranet.extensions import db
    from intranet.publications.aids.models import Aid
    from intranet.publications.lifecycle import PublicationStatus
    from intranet.subsidies.models import SubsidyInstructor

    council = Organisation(slug="departement", name="Département", name_key="departement",
                           kind=OrgKind.DEPARTEMENT, description="", is_active=True)
    db.session.add(council)
    db.session.execute(insert(Organisation), [
        {"slug": f"epci-{n}", "name": f"Communauté de communes n° {n}",
         "name_key": f"communaute {n:02d}", "kind": OrgKind.EPCI, "description": "",
         "is_active": True} for n in range(18)])
    epcis = db.session.scalars(select(Organisation.id).where(
        Organisation.kind == OrgKind.EPCI).order_by(Organisation.id)).all()
    db.session.execute(insert(Organisation), [
        {"slug": f"commune-{n}", "name": f"Commune {n}", "name_key": f"commune {n:04d}",
         "kind": OrgKind.COMMUNE, "epci_id": epcis[n % 18], "description": "",
         "is_active": True} for n in range(450)])
    communes = db.session.scalars(select(Organisation.id).where(
        Organisation.kind == OrgKind.COMMUNE).order_by(Organisation.id)).all()
    person = User(email=EMAIL, first_name="Inès", last_name="Banc", active=True,
                  password_hash=generate_password_hash(PASSWORD))
    db.session.add(person)
    db.session.flush()
    db.session.add(Membership(user_id=person.id, organisation_id=council.id, role=Role.MEMBER))
    db.session.add(SubsidyInstructor(user_id=person.id, programme=PROGRAMME))
    aids = []
    for n in range(5):
        aid = Aid(title=f"Aide n° {n}", organisation_id=council.id, programme=PROGRAMME,
                  visibility=Visibility.PUBLIC, status=PublicationStatus.PUBLISHED,
                  ceiling_amount=Decimal("200000"), permanent=True, created_by_id=person.id)
        db.session.add(aid)
        aids.append(aid)
    db.session.flush()
    db.session.commit()
    return list(communes) + list(epcis), [aid.id for aid in aids]


def seed_dossiers(applicants: list[int], aids: list[int], count: int, payments: int,
                  rng: random.Random, start: int = 0) -> None:
    from sqlalchemy import insert, select

    from intranet.extensions import db
    from intranet.subsidies.models import SubsidyDossier, SubsidyPayment

    rows = []
    for n in range(start, start + count):
        state = STATES[n % len(STATES)]
        requested = Decimal(rng.randrange(100_00, 200_000_00)) / 100
        submitted = datetime(2024 + n % 3, 1 + n % 12, 1 + n % 28, 10)
        granted = (requested * Decimal("0.8")).quantize(Decimal("0.01")) \
            if state in ("granted", "closed", "lapsed") else None
        sitting = submitted.date() + timedelta(days=45) if state in (
            "proposed", "granted", "closed", "lapsed", "refused") else None
        rows.append({
            "aid_id": aids[n % len(aids)], "organisation_id": applicants[n % len(applicants)],
            "state": state, "title": f"Projet n° {n}", "description": "", "communes": "",
            "cost_excl_vat": requested * 3, "cost_incl_vat": requested * 3,
            "amount_requested": requested, "schedule": "", "contact": "",
            "sitting_on": sitting, "amount_granted": granted, "conditions": "",
            "works_deadline": sitting + timedelta(days=700) if granted else None,
            "refusal_reason": "", "submitted_at": submitted, "created_at": submitted})
    db.session.execute(insert(SubsidyDossier), rows)
    paid = db.session.execute(select(SubsidyDossier.id, SubsidyDossier.amount_granted,
                                     SubsidyDossier.sitting_on).where(
        SubsidyDossier.state.in_(["granted", "closed"]),
        SubsidyDossier.title.in_([row["title"] for row in rows]))).all()
    lines = []
    for n in range(payments):     # the payments dealt out in turn: never more than granted
        dossier_id, granted, sitting = paid[n % len(paid)]
        k = n // len(paid)
        lines.append({"dossier_id": dossier_id, "kind": "partial",
                      "amount": (Decimal(granted) / 12).quantize(Decimal("0.01")),
                      "paid_on": sitting + timedelta(days=30 * (k + 1))})
    db.session.execute(insert(SubsidyPayment), lines)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":    # what autovacuum does after a bulk load
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")


RECOMPUTED = "dashboard, recomputed"


def pages(first_commune: int) -> dict[str, str]:
    return {"dashboard": "/subventions/tableau-de-bord",
            RECOMPUTED: "/subventions/tableau-de-bord",
            "dashboard, one year": "/subventions/tableau-de-bord?annee=2025",
            "list, page 1": "/subventions/instruction",
            "list, one EPCI": "/subventions/instruction?epci=2",
            "list as CSV": "/subventions/instruction.csv",
            "beneficiary": f"/subventions/beneficiaire/{first_commune}"}


def run_pages(app, client, urls: dict[str, str], repeat: int) -> dict[str, tuple]:
    from intranet.extensions import db
    with app.app_context():
        counter = count_statements(db.engine)
    from intranet.subsidies import reporting
    figures = {}
    for name, url in urls.items():
        if name == RECOMPUTED:    # as on the first request after a dossier moved
            app.before_request_funcs.setdefault(None, []).append(reporting._KEPT.clear)
        wall, cpu, size = measure(client, url, repeat)
        before = counter[0]
        client.get(url)
        figures[name] = (wall, cpu, size, counter[0] - before)
        if name == RECOMPUTED:
            app.before_request_funcs[None].remove(reporting._KEPT.clear)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_database_arguments(parser, "subsidies")
    parser.add_argument("--dossiers", type=int, default=3000)
    parser.add_argument("--payments", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    rng = random.Random(47)
    with fresh_application(args, "subsidies-bench") as (app, work, url):
        with app.app_context():
            applicants, aids = seed_world()
            seed_dossiers(applicants, aids, 30, 100, rng)
        client = sign_in(app, EMAIL, PASSWORD)
        urls = pages(applicants[0])
        small = run_pages(app, client, urls, args.repeat)
        with app.app_context():
            started = time.perf_counter()
            seed_dossiers(applicants, aids, args.dossiers - 30, args.payments - 100, rng,
                          start=30)
            from sqlalchemy import func, select

            from intranet.extensions import db
            from intranet.subsidies.models import SubsidyDossier, SubsidyPayment
            dossiers = db.session.scalar(select(func.count(SubsidyDossier.id)))
            payments = db.session.scalar(select(func.count(SubsidyPayment.id)))
            print(f"seeded {dossiers:,} dossiers and {payments:,} payments in "
                  f"{time.perf_counter() - started:.1f} s on {url.split('://')[0]}")
        large = run_pages(app, client, urls, args.repeat)
        reference = measure(trivial_client(work), "/item/42", 10 * args.repeat)
        print(f"trivial page: {reference[1]:.2f} ms CPU")
        print(f"{'page':22} {'30 dossiers':>24} {f'{dossiers:,} dossiers':>24}  ratio  "
              f"statements")
        worst = 0.0
        for name in urls:
            (w1, c1, _, q1), (w2, c2, size, q2) = small[name], large[name]
            ratio = w2 / w1
            if name not in ("list as CSV", RECOMPUTED):   # every row, by design
                worst = max(worst, ratio)
            print(f"{name:22} {w1:8.1f} ms ({c1 / reference[1]:5.1f}x) {'':4} "
                  f"{w2:8.1f} ms ({c2 / reference[1]:5.1f}x) {'':4} {ratio:5.2f}  {q1} → {q2}"
                  f"  {size / 1024:.0f} KiB")
        same = all(small[n][3] == large[n][3] for n in urls)
        print(f"target: same statements ({'met' if same else 'NOT met'}), within 1.5x of the "
              f"time at 30 dossiers (worst {worst:.2f}x: {'met' if worst <= 1.5 else 'NOT met'})")


if __name__ == "__main__":
    main()
