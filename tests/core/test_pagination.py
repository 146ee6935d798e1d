"""Pages of a list (core/pagination.py): the right rows and totals, counted only when the
page cannot tell the total by itself."""
from __future__ import annotations

import pytest
from sqlalchemy import bindparam, event, literal, select
from sqlalchemy.orm import joinedload

from intranet.accounts.models import Organisation
from intranet.core.pagination import paginate, rows_page
from intranet.extensions import db

from .. import factories


@pytest.fixture
def statements(data_app):
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)
    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def _organisations(n: int):
    for index in range(n):
        factories.make_org(f"Commune {index:03d}")
    db.session.commit()
    return (select(Organisation).options(joinedload(Organisation.epci))
            .order_by(Organisation.name_key))


@pytest.mark.parametrize("rows, per_page, page, shown, total, pages, counted", [
    (0, 10, 1, 0, 0, 0, False),      # an empty list
    (3, 10, 1, 3, 3, 1, False),      # a short list: the page is the whole list
    (10, 10, 1, 10, 10, 1, True),    # a full page: there may be more
    (25, 10, 1, 10, 25, 3, True),
    (25, 10, 3, 5, 25, 3, False),    # the last page tells the total
    (20, 10, 2, 10, 20, 2, True),
    (25, 10, 9, 5, 25, 3, True),     # past the end: the last page
    (0, 10, 4, 0, 0, 0, True),       # past the end of an empty list: the first page
])
@pytest.mark.parametrize("bound", [False, True], ids=["built-now", "built-once"])
def test_pages_and_totals(statements, rows, per_page, page, shown, total, pages, counted, bound):
    """With ``bound``, a statement built once: its parameters' values go with each execution
    (the page's rows and the count)."""
    query, params = _organisations(rows), None
    if bound:
        query = query.where(Organisation.name.like(bindparam("prefix")))
        params = {"prefix": "Commune %"}
    statements.clear()
    result = paginate(query, per_page=per_page, page=page, params=params)
    assert len(result.items) == shown and result.total == total and result.pages == pages
    assert result.page == max(1, min(page, pages or 1))
    assert [o.name for o in result.items] == \
        [f"Commune {n:03d}" for n in range(rows)][(result.page - 1) * per_page:][:per_page]
    assert any("count(" in s.lower() for s in statements) is counted


@pytest.mark.parametrize("rows, per_page, page, shown, total, counted", [
    (0, 10, 1, 0, 0, False), (3, 10, "1", 3, 3, False), (10, 10, 1, 10, 10, True),
    (25, 10, 3, 5, 25, False), (25, 10, 9, 5, 25, True), (25, 10, "deux", 10, 25, True),
    (0, 10, 4, 0, 0, True), (25, 10, -2, 10, 25, True),
])
def test_rows_pages_by_the_same_rules(statements, rows, per_page, page, shown, total, counted):
    """``rows_page``: the same rules for a query of several columns (a topic and its reading)."""
    query = _organisations(rows).add_columns(literal("lu"))
    statements.clear()
    found, number, counted_total = rows_page(query, page, per_page)
    assert len(found) == shown and counted_total == total
    assert all(len(row) == 2 and row[1] == "lu" for row in found)
    assert [row[0].name for row in found] == \
        [f"Commune {n:03d}" for n in range(rows)][(number - 1) * per_page:][:per_page]
    assert any("count(" in s.lower() for s in statements) is counted
