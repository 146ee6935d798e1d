"""The agenda's subscription feed at département scale: the time to answer the feed of a person
who may see 5,000 events, as a phone or Outlook asks for it, and the same for a month view.

    python -m benchmarks.agenda_feed                         # PostgreSQL at 127.0.0.1:5432
    python -m benchmarks.agenda_feed --visible 5000 --total 60000 --repeat 10
    python -m benchmarks.agenda_feed --database sqlite        # a SQLite file instead

Dataset (a fresh, uniquely named PostgreSQL database, dropped at the end unless ``--keep``;
bulk inserted, so search queue and notifications are left out): 450 organisations, each with
its private space; ``--total`` events spread over their spaces, of which ``--visible`` are in
the seven spaces of the person measured (five organisations, two working groups) and her own
calendar. A quarter of them repeat (weekly for 20 weeks, with one cancelled and one moved
occurrence); all fall within the year the feed covers.

Measured through Flask's test client, in one process: the wall-clock time and the CPU time of
the feed (``/agenda/flux/<token>.ics``) and of the person's month view, each requested once to
warm up and then ``--repeat`` times; the figures are medians. The reference is the trivial
Flask page of ``shared/bench/trivial``, measured the same way in the same run (CPU time).
Target (issue 13): the feed in under 300 ms.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.profile_pages import sign_in, trivial_client  # noqa: E402
from benchmarks.in_process import add_database_arguments, fresh_application  # noqa: E402

EMAIL, PASSWORD = "secretaire@agenda.bench", "mot-de-passe-du-banc"


def seed(visible: int, total: int) -> str:
    """Fill the database; return the person's feed token."""
    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from intranet.accounts.models import Membership, Organisation, OrgKind, User
    from intranet.agenda import recurrence, services
    from intranet.agenda.models import Event, EventChange
    from intranet.core.timeutil import utcnow
    from intranet.core.types import Role, Visibility
    from intranet.extensions import db
    from intranet.spaces.models import JoinPolicy, Space, SpaceKind, SpaceMember

    rng = random.Random(47)
    now = utcnow()
    db.session.execute(insert(Organisation), [
        {"slug": f"commune-{n}", "name": f"Commune {n}", "name_key": f"commune {n:04d}",
         "kind": OrgKind.COMMUNE, "description": "", "is_active": True} for n in range(450)])
    orgs = db.session.scalars(select(Organisation.id).order_by(Organisation.id)).all()
    db.session.execute(insert(Space), [
        {"slug": f"commune-{n}", "name": f"Commune {n}", "kind": SpaceKind.ORGANISATION,
         "visibility": Visibility.MEMBERS, "join_policy": JoinPolicy.CLOSED, "organisation_id": org,
         "description": "", "archived": False, "pages_need_approval": False, "created_at": now}
        for n, org in enumerate(orgs)])
    db.session.execute(insert(Space), [
        {"slug": f"groupe-{n}", "name": f"Groupe {n}", "kind": SpaceKind.GROUP,
         "visibility": Visibility.MEMBERS, "join_policy": JoinPolicy.CLOSED, "description": "",
         "archived": False, "pages_need_approval": False, "created_at": now} for n in range(40)])
    spaces = db.session.scalars(select(Space.id).order_by(Space.id)).all()
    person = User(email=EMAIL, first_name="Martine", last_name="Banc", active=True,
                  password_hash=generate_password_hash(PASSWORD))
    db.session.add(person)
    db.session.flush()
    mine_orgs = orgs[:5]
    db.session.execute(insert(Membership), [
        {"user_id": person.id, "organisation_id": org, "role": Role.EDITOR} for org in mine_orgs])
    groups = spaces[450:452]
    db.session.execute(insert(SpaceMember), [
        {"space_id": space, "user_id": person.id, "role": Role.MEMBER, "status": "active",
         "created_at": now} for space in groups])
    mine_spaces = spaces[:5] + groups
    others = [space for space in spaces if space not in mine_spaces]
    start = recurrence.to_local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = []
    for n in range(total):
        space = None if n % 50 == 0 else (mine_spaces[n % len(mine_spaces)] if n < visible
                                          else others[n % len(others)])
        begins = start + timedelta(days=rng.randrange(-30, 330), hours=rng.choice((9, 10, 14, 18)))
        repeats = n % 4 == 0
        rule = "FREQ=WEEKLY;COUNT=20" if repeats else None
        last = begins + timedelta(weeks=19) if repeats else begins
        rows.append({
            "space_id": space, "owner_id": person.id if n < visible else None,
            "title": f"Réunion n° {n} — {'commission' if n % 3 else 'conseil'}",
            "location": "Mairie", "description_html": "<p>Ordre du jour : budget, voirie.</p>",
            "description_source": "", "description_format": "html",
            "description_text": "Ordre du jour : budget, voirie.", "all_day": n % 10 == 0,
            "starts_on": begins, "ends_on": begins + timedelta(hours=1), "rrule": rule,
            "first_utc": recurrence.to_utc(begins),
            "last_utc": recurrence.to_utc(last + timedelta(hours=1)),
            "visibility": None, "uid": f"bench-{n}@territoires", "sequence": 0,
            "updated_at": now, "created_at": now})
    owners = db.session.scalars(select(User.id)).all()
    if len(owners) == 1:   # the others' events need an owner of their own
        other = User(email="autre@agenda.bench", first_name="Autre", last_name="Banc", active=True)
        db.session.add(other)
        db.session.flush()
        owners.append(other.id)
    for row in rows:
        row["owner_id"] = row["owner_id"] or owners[-1]
    for chunk in range(0, len(rows), 5000):
        db.session.execute(insert(Event), rows[chunk:chunk + 5000])
    repeating = db.session.execute(select(Event.id, Event.starts_on).where(
        Event.rrule.is_not(None), Event.owner_id == person.id)).all()
    db.session.execute(insert(EventChange), [
        change for event_id, begins in repeating for change in (
            {"event_id": event_id, "occurrence": begins + timedelta(weeks=2), "cancelled": True},
            {"event_id": event_id, "occurrence": begins + timedelta(weeks=3), "cancelled": False,
             "starts_on": begins + timedelta(weeks=3, hours=2),
             "ends_on": begins + timedelta(weeks=3, hours=3)})])
    db.session.commit()
    feed = services.create_feed(person, label="Banc")
    return feed.token


def measure(client, path: str, repeat: int) -> tuple[float, float, int]:
    """(median wall ms, median CPU ms, bytes) of ``repeat`` requests of ``path``."""
    answer = client.get(path)
    if answer.status_code != 200:
        raise RuntimeError(f"{path}: {answer.status_code}")
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        answer = client.get(path)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return 1000 * statistics.median(walls), 1000 * statistics.median(cpus), len(answer.data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_database_arguments(parser, "agenda_feed")
    parser.add_argument("--visible", type=int, default=5000)
    parser.add_argument("--total", type=int, default=60000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    with fresh_application(args, "agenda-feed") as (app, work, url):
        with app.app_context():
            started = time.perf_counter()
            token = seed(args.visible, args.total)
            print(f"seeded {args.total:,} events ({args.visible:,} visible to the person) "
                  f"in {time.perf_counter() - started:.1f} s on {url.split('://')[0]}")
        feed = measure(app.test_client(), f"/agenda/flux/{token}.ics", args.repeat)
        signed = sign_in(app, EMAIL, PASSWORD)
        month = measure(signed, "/agenda/?vue=mois", args.repeat)
        listing = measure(signed, "/agenda/?vue=liste", args.repeat)
        reference = measure(trivial_client(work), "/item/42", 10 * args.repeat)
        print(f"trivial page: {reference[1]:.2f} ms CPU")
        for name, (wall, cpu, size) in (("feed (.ics)", feed), ("month view", month),
                                        ("list view (62 days)", listing)):
            print(f"{name:22} {wall:8.1f} ms wall  {cpu:8.1f} ms CPU  "
                  f"{cpu / reference[1]:7.1f}x trivial  {size / 1024:8.0f} KiB")
        print(f"target: feed under 300 ms — {'met' if feed[0] < 300 else 'NOT met'}")


if __name__ == "__main__":
    main()
