"""The results page (/recherche): one box in the header, facets, highlights, pagination."""
import re

from flask import Blueprint, render_template, request
from flask_login import current_user

from . import services
from .backends import QueryError, SearchRequest
from .documents import TYPE_LABELS

bp = Blueprint("search", __name__)
PER_PAGE = 20


def _int(name: str) -> int | None:
    """A number from the query string, or None (``isdigit`` alone lets « ² » through, which
    ``int`` refuses)."""
    value = request.args.get(name, "")
    return int(value) if re.fullmatch(r"[0-9]{1,9}", value) else None


@bp.get("/recherche")
def results():
    text = request.args.get("q", "")
    types = [t for t in request.args.getlist("type") if t in TYPE_LABELS]
    search = SearchRequest(text=text, types=types, organisation_id=_int("organisation"),
                           year=_int("annee"), sort="date" if request.args.get("tri") == "date"
                           else "relevance", page=max(_int("page") or 1, 1), per_page=PER_PAGE)
    found, error = None, None
    shortened = len(text) > 300
    if text.strip():
        try:
            found = services.query(current_user, search)
        except QueryError as exc:
            error = str(exc)
    return render_template("search/results.html", search=search, found=found, error=error,
                           shortened=shortened, labels=TYPE_LABELS, per_page=PER_PAGE,
                           type_label=services.type_label)
