"""The results page (/recherche): one box in the header, facets, highlights, pagination."""
from flask import Blueprint, render_template, request
from flask_login import current_user

from ..core.inputs import int_arg, page_arg
from . import services
from .backends import QueryError, SearchRequest
from .documents import TYPE_LABELS

bp = Blueprint("search", __name__)
PER_PAGE = 20


@bp.get("/recherche")
def results():
    text = request.args.get("q", "")
    types = [t for t in request.args.getlist("type") if t in TYPE_LABELS]
    search = SearchRequest(text=text, types=types, organisation_id=int_arg("organisation"),
                           year=int_arg("annee"), sort="date" if request.args.get("tri") == "date"
                           else "relevance", page=page_arg(), per_page=PER_PAGE)
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
