"""The public list: filters, pagination, and a number of queries that does not grow with it."""
from datetime import date, timedelta

from sqlalchemy import event

from intranet.core.types import Role
from intranet.extensions import db
from intranet.publications.deliberations.models import Assembly, Deliberation, today_paris

from ... import factories
from ...helpers import text
from .builders import make_act


def test_list_filters_by_year_assembly_theme_and_organisation(client):
    agen, boe = factories.make_org("Agen"), factories.make_org("Boé")
    agen_editor, boe_editor = (factories.make_user(agen, Role.EDITOR),
                               factories.make_user(boe, Role.EDITOR))
    this_year = today_paris() - timedelta(days=1)
    last_year = date(this_year.year - 1, 6, 15)
    make_act(agen, agen_editor, number="A1", subject="Voirie communale", matiere_code="8.3",
             sitting_date=this_year, publish=True)
    make_act(agen, agen_editor, number="A2", subject="Subvention au club de rugby",
             matiere_code="7.5", sitting_date=last_year, publish=True)
    make_act(boe, boe_editor, number="B1", subject="Bureau de l'école", matiere_code="8.1",
             assembly=Assembly.BUREAU, sitting_date=this_year, publish=True)

    def listed(query: str) -> set[str]:
        page = text(client.get(f"/deliberations/?{query}"))
        return {s for s in ("Voirie communale", "Subvention au club", "Bureau de l'école")
                if s in page}

    assert listed("") == {"Voirie communale", "Subvention au club", "Bureau de l'école"}
    assert listed(f"year={last_year.year}") == {"Subvention au club"}
    assert listed("assembly=bureau") == {"Bureau de l'école"}
    assert listed("theme=8") == {"Voirie communale", "Bureau de l'école"}
    assert listed("theme=8.3") == {"Voirie communale"}
    assert listed(f"organisation={agen.slug}") == {"Voirie communale", "Subvention au club"}
    assert listed(f"organisation={agen.slug}&theme=7") == {"Subvention au club"}
    assert listed("q=RUGBY") == {"Subvention au club"}
    assert listed("q=100%25") == set()  # a « % » typed is searched for, not a wildcard
    assert listed("year=abc&assembly=nimporte&theme=99") == listed("")
    page = text(client.get("/deliberations/"))
    assert "<option value=\"%d\">" % last_year.year in page.replace(" selected", "")


def test_list_is_paginated(client):
    org = factories.make_org("Villeneuve-sur-Lot")
    editor = factories.make_user(org, Role.EDITOR)
    for n in range(33):
        make_act(org, editor, number=f"P{n:02d}", subject=f"Acte numéro {n:02d}", publish=True)
    first = text(client.get("/deliberations/"))
    assert "33 actes trouvés" in first and "Page 1 sur 2" in first
    second = text(client.get("/deliberations/?page=2"))
    assert "Page 2 sur 2" in second and second.count("Acte numéro") == 3


def _queries_for(app, client, url: str) -> int:
    with app.app_context():
        engine = db.engine
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_public_list_does_not_query_once_per_act(app, client):
    orgs = [factories.make_org(f"Commune {n}") for n in range(6)]
    editors = [factories.make_user(org, Role.EDITOR) for org in orgs]
    for n in range(2):
        make_act(orgs[n], editors[n], number=f"Q{n}", publish=True)
    few = _queries_for(app, client, "/deliberations/")
    for n in range(2, 6):
        for k in range(3):
            make_act(orgs[n], editors[n], number=f"Q{n}_{k}", publish=True)
    many = _queries_for(app, client, "/deliberations/")
    assert many == few


def test_acts_are_indexed_by_organisation_and_sitting_date(data_app):
    indexed = {tuple(c.name for c in index.columns) for index in Deliberation.__table__.indexes}
    assert ("organisation_id", "sitting_date") in indexed
