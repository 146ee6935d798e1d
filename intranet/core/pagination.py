"""Pages of a list: Flask-SQLAlchemy's pagination, never past the last page, counted only
when the page does not tell the total by itself."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from ..extensions import db
from .inputs import PAGE_MAX, page_arg


def paginate(query, *, per_page: int, page: int | None = None, params: dict | None = None):
    """The page ``page`` of ``query`` (by default the one the query string asks for). A number
    beyond the last page shows the last page; a number that is not one shows the first.

    A page with fewer than ``per_page`` items, but at least one, is the last: the total is
    known without counting (one statement fewer for most lists of a space, which hold a page
    or less). Otherwise the rows are counted, as Flask-SQLAlchemy counts them. ``params``: the
    values of the query's bound parameters (a statement built once)."""
    page = page_arg() if page is None else max(1, min(page, PAGE_MAX))
    result = _page(query, page, per_page, params)
    if 0 < len(result.items) < per_page or (page == 1 and not result.items):
        result.total = (page - 1) * per_page + len(result.items)
        return result
    total = count(query, params)
    if page > 1 and not result.items:   # past the end: the last page
        result = _page(query, max(1, (total + per_page - 1) // per_page), per_page, params)
    result.total = total
    return result


def rows_page(query, page, per_page: int, params: dict | None = None) -> tuple[list, int, int]:
    """(rows, page, total): page ``page`` of ``query`` as ``session.execute`` gives its rows
    (for a query of several columns), by the same rules as ``paginate``; ``page`` as typed
    (a number beyond the last page gives the last one, anything else the first). ``params``:
    the values of the query's bound parameters (a statement built once)."""
    try:
        page = max(1, min(int(page), PAGE_MAX))
    except (TypeError, ValueError):
        page = 1
    rows = _rows(query, page, per_page, params)
    if 0 < len(rows) < per_page or (page == 1 and not rows):
        return rows, page, (page - 1) * per_page + len(rows)
    total = count(query, params)
    if page > 1 and not rows:   # past the end: the last page
        page = max(1, (total + per_page - 1) // per_page)
        rows = _rows(query, page, per_page, params)
    return rows, page, total


def _rows(query, page: int, per_page: int, params: dict | None = None) -> list:
    return db.session.execute(query.limit(per_page).offset((page - 1) * per_page),
                              params or {}).all()


class _BoundPagination(SelectPagination):
    """Flask-SQLAlchemy's page of a statement built once: the values of its bound parameters
    go with it."""

    def _query_items(self) -> list:
        statement = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(db.session.execute(statement, self._query_args["params"]).unique().scalars())


def _page(query, page: int, per_page: int, params: dict | None = None):
    if params:
        return _BoundPagination(select=query, params=params, page=page, per_page=per_page,
                                error_out=False, max_per_page=None, count=False)
    return db.paginate(query, page=page, per_page=per_page, error_out=False,
                       max_per_page=None, count=False)


LIST_COUNT = "list_count"   # the count's execution option (the tests' query gate reads it)


# the count of each statement built once (given with ``params``, even none), built once too
_COUNTS: WeakKeyDictionary = WeakKeyDictionary()


def count(query, params: dict | None = None) -> int:
    """How many rows ``query`` gives (its eager loads and order left out)."""
    counted = _COUNTS.get(query) if params is not None else None
    if counted is None:
        rows = query.options(lazyload("*")).order_by(None).subquery()
        counted = select(func.count()).select_from(rows)
        if params is not None:
            _COUNTS[query] = counted
    return db.session.execute(counted, params or {},
                              execution_options={LIST_COUNT: True}).scalar_one()


class Pager:
    """What the ``pager`` macro reads of a page (``page`` and ``pages``), as Flask-SQLAlchemy's
    pagination names it, for a page made another way."""
    page: int
    pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


@dataclass(frozen=True)
class KeptPage(Pager):
    """A page of a list as plain values, which a view may keep across requests
    (``generations.kept``): its ``items`` (the rows drawn, ``Markup``, or plain tuples), how
    many there are, its number, the number of pages and the total."""
    items: object
    count: int
    page: int
    pages: int
    total: int


def kept_page(query, make: Callable[[list], object], *, per_page: int) -> KeptPage:
    """The page of ``query`` the query string asks for (``paginate``), its rows turned into
    plain values by ``make``: drawn (``tables.table_rows`` with a view's columns, a
    template's rows by ``fragments.drawn``) or read into tuples."""
    found = paginate(query, per_page=per_page)
    return KeptPage(items=make(found.items), count=len(found.items), page=found.page,
                    pages=found.pages, total=found.total)


def plain_page(query, make: Callable[[list], object], *, per_page: int,
               params: dict | None = None) -> KeptPage:
    """``kept_page`` for a query of several columns (``rows_page``): rows rather than the
    session's objects, cheaper to read for a long list that shows a few columns of each.
    ``params``: the values of the query's bound parameters (a statement built once)."""
    rows, page, total = rows_page(query, page_arg(), per_page, params)
    return KeptPage(items=make(rows), count=len(rows), page=page,
                    pages=(total + per_page - 1) // per_page, total=total)

