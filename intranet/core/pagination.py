"""Pages of a list: Flask-SQLAlchemy's pagination, never past the last page, counted only
when the page does not tell the total by itself."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from ..extensions import db
from .inputs import PAGE_MAX, page_arg


def paginate(query, *, per_page: int, page: int | None = None):
    """The page ``page`` of ``query`` (by default the one the query string asks for). A number
    beyond the last page shows the last page; a number that is not one shows the first.

    A page with fewer than ``per_page`` items, but at least one, is the last: the total is
    known without counting (one statement fewer for most lists of a space, which hold a page
    or less). Otherwise the rows are counted, as Flask-SQLAlchemy counts them."""
    page = page_arg() if page is None else max(1, min(page, PAGE_MAX))
    result = _page(query, page, per_page)
    if 0 < len(result.items) < per_page or (page == 1 and not result.items):
        result.total = (page - 1) * per_page + len(result.items)
        return result
    total = count(query)
    if page > 1 and not result.items:   # past the end: the last page
        result = _page(query, max(1, (total + per_page - 1) // per_page), per_page)
    result.total = total
    return result


def _page(query, page: int, per_page: int):
    return db.paginate(query, page=page, per_page=per_page, error_out=False,
                       max_per_page=None, count=False)


LIST_COUNT = "list_count"   # the count's execution option (the tests' query gate reads it)


def count(query) -> int:
    """How many rows ``query`` gives (its eager loads and order left out)."""
    rows = query.options(lazyload("*")).order_by(None).subquery()
    return db.session.execute(select(func.count()).select_from(rows),
                              execution_options={LIST_COUNT: True}).scalar_one()
