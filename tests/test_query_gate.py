"""The query-count gate: every page of the demo, as an anonymous visitor and as each demo
account (the walk of tests/demo_crawl.py), runs at most ``BOUND`` SQL statements, and none runs
more once the data has grown (an N+1: a statement per row shown).

The data grows by copying, three times, every row of each table that no unique constraint
guards (pages, documents, forum topics, messages, conversations, notifications, activity, ads,
job offers, dossiers, their files and lines…: the copies hang from the same spaces, people and
parents, so every list shows four times as many rows), and by giving each organisation three
more members, invited to every event that has guests. The same addresses are then asked again,
as the same people. A list that fills its page once grown counts its rows (one statement,
``core/pagination.count``, whatever the number of rows); that count is left out of the
comparison. Counted on SQLite only: the statements an application runs do not depend on the
database."""
from __future__ import annotations

import pytest
from sqlalchemy import Integer, UniqueConstraint, insert, select

from intranet.accounts.models import Membership, Organisation, User
from intranet.agenda.models import Attendee
from intranet.core.types import Role
from intranet.extensions import db

from .demo_crawl import ACCOUNTS, crawl, load_demo

BOUND = 15
# Pages allowed more, and why.
LARGER = {
    # One place per organisation: its space's news, its people, then one section per service
    # (directory officials, aids, acts — published lists, sittings to publish, the publication
    # mode —, org chart, press releases), each read by its own service.
    "accounts.organisation": 18,
}
# Rows that are not content: people and their places (grown apart), sessions, the search
# index and queue, mail waiting to be sent, the audit log.
NOT_CONTENT = {"user_account", "organisation", "membership", "space", "space_member",
               "user_session", "search_queue", "search_entry", "search_entry_reader",
               "search_spelling", "search_word", "outbox_message", "audit_event",
               "pending_upload"}


def _copyable():
    for table in db.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        if table.name in NOT_CONTENT or len(key) != 1 or key[0].name != "id" \
                or not isinstance(key[0].type, Integer):
            continue
        if any(column.unique for column in table.columns) or any(
                isinstance(c, UniqueConstraint) for c in table.constraints) or any(
                index.unique for index in table.indexes):
            continue
        yield table


def _grow(times: int = 3) -> list[str]:
    grown = []
    for table in _copyable():
        columns = [column for column in table.columns if column.name != "id"]
        for _ in range(times):
            db.session.execute(insert(table).from_select([c.name for c in columns],
                                                         select(*columns)))
        grown.append(table.name)
    newcomers = []
    for org_id in db.session.scalars(select(Organisation.id)).all():
        for n in range(3):
            person = User(email=f"renfort{n}.{org_id}@croissance.test", first_name="Renfort",
                          last_name=f"N{n} O{org_id}", password_hash=None)
            db.session.add(person)
            db.session.flush()
            db.session.add(Membership(user_id=person.id, organisation_id=org_id,
                                      role=Role.MEMBER))
            newcomers.append(person.id)
    # … and each event that has guests three more (an event without guests that gets some
    # shows new sections: that is not a cost per row)
    for event_id in db.session.scalars(select(Attendee.event_id).distinct()).all():
        for user_id in newcomers[:3]:
            db.session.add(Attendee(event_id=event_id, user_id=user_id))
    db.session.commit()
    return grown


def test_no_page_of_the_demo_runs_more_than_its_bound_nor_more_on_more_data(app, runner):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("le nombre de requêtes ne dépend pas de la base : compté une fois, sur SQLite")
    load_demo(runner)
    walks = {who: crawl(app, who, per_endpoint=1, limit=250) for who in ACCOUNTS}
    assert sum(len(visits) for visits in walks.values()) > 900, "the walk met too few pages"
    over = sorted({(visit.statements, visit.endpoint, visit.url, who or "anonyme")
                   for who, visits in walks.items() for visit in visits
                   if visit.statements > LARGER.get(visit.endpoint, BOUND)}, reverse=True)
    assert not over, f"{len(over)} pages au-delà de {BOUND} requêtes :\n" + \
        "\n".join(f"{n} {endpoint} {url} ({who})" for n, endpoint, url, who in over[:30])

    grown = _grow()
    assert {"page", "forum_topic", "conversation_message", "notification", "activity",
            "document", "job_offer", "ad", "subsidy_dossier"} <= set(grown)
    worse = []
    for who, visits in walks.items():
        again = {visit.url: visit for visit in crawl(app, who, per_endpoint=10**6, limit=10**6,
                                                    only=[visit.url for visit in visits])}
        for visit in visits:
            after = again.get(visit.url)
            if after is None or after.status != visit.status:
                worse.append(f"{visit.url} ({who or 'anonyme'}): {visit.status} → "
                             f"{after.status if after else 'plus de page'}")
            elif after.statements - after.list_counts > visit.statements - visit.list_counts:
                worse.append(f"{visit.url} ({who or 'anonyme'}): {visit.statements} → "
                             f"{after.statements} requêtes")
    assert not worse, "pages qui coûtent plus avec plus de données :\n" + "\n".join(worse[:30])
