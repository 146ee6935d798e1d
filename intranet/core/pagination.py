"""Pages of a list: Flask-SQLAlchemy's pagination, never past the last page."""
from __future__ import annotations

from ..extensions import db
from .inputs import PAGE_MAX, page_arg


def paginate(query, *, per_page: int, page: int | None = None):
    """The page ``page`` of ``query`` (by default the one the query string asks for). A number
    beyond the last page shows the last page; a number that is not one shows the first."""
    page = page_arg() if page is None else max(1, min(page, PAGE_MAX))
    result = db.paginate(query, page=page, per_page=per_page, error_out=False, max_per_page=None)
    if page > 1 and page > result.pages:
        result = db.paginate(query, page=max(result.pages, 1), per_page=per_page,
                             error_out=False, max_per_page=None)
    return result
