"""The results page (/recherche): one box in the header, filters (where, who, when), facets,
highlights, pagination; and the saved searches whose new results are mailed."""
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import access
from ..core.feedback import attempt
from ..core.inputs import page_arg
from ..extensions import csrf, db
from . import filters, saved as saved_searches, services
from .backends import QueryError
from .documents import TYPE_LABELS
from .forms import CHOOSE, SaveSearchForm, SavedSearchForm
from .models import SavedSearch

bp = Blueprint("search", __name__)
PER_PAGE = 20
_GONE = ("Ce lien ne correspond à aucune recherche enregistrée : vous êtes peut-être déjà "
         "désabonné.")


@bp.get("/recherche")
def results():
    parsed = filters.parse(current_user, request.args, page=page_arg(), per_page=PER_PAGE)
    search = parsed.request
    text = search.text
    found, error = None, None
    shortened = len(text) > 300
    if text.strip():
        try:
            found = services.query(current_user, search)
        except QueryError as exc:
            error = str(exc)
    save_form = None
    if found is not None and access.can_save_search(current_user):
        save_form = SaveSearchForm(query=filters.saved_query(parsed.kept, search.author_id))
    return render_template("search/results.html", search=search, found=found, error=error,
                           shortened=shortened, labels=TYPE_LABELS, per_page=PER_PAGE,
                           type_label=services.type_label, shown=parsed.shown,
                           problems=parsed.errors, authors=parsed.authors, kept=parsed.kept,
                           save_form=save_form)


# --- saved searches ----------------------------------------------------------------------------


def _mine(saved_id: int) -> SavedSearch:
    saved = db.session.get(SavedSearch, saved_id)
    if saved is None or not access.owns_saved_search(current_user, saved):
        abort(404)
    return saved


def _first_error(form) -> str:
    return next((errors[0] for errors in form.errors.values() if errors), CHOOSE)


@bp.post("/recherche/enregistrer")
@login_required
def save():
    form = SaveSearchForm()
    # back to the same results (the search re-encoded: only what the page itself reads)
    back = url_for(".results") + "?" + urlencode(
        list(filters.stored((form.query.data or "")[:2000]).items(multi=True)))
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return redirect(back)
    if attempt(lambda: saved_searches.save(current_user, form.query.data or "",
                                           form.frequency.data, form.label.data or ""),
               "Recherche enregistrée : ses nouveaux résultats vous seront envoyés par "
               "courriel.", saved_searches.SavedSearchError):
        return redirect(url_for(".saved"))
    return redirect(back)


def _saved_page(refused: SavedSearchForm | None = None, refused_id: int | None = None):
    mine = saved_searches.saved_of(current_user)
    forms = {s.id: SavedSearchForm(formdata=None, data={
        "label": s.label, "frequency": s.frequency.value}) for s in mine}
    if refused is not None:
        forms[refused_id] = refused        # what was typed, with its error
    return render_template("search/saved.html", mine=mine, forms=forms)


@bp.get("/recherche/enregistrees")
@login_required
def saved():
    return _saved_page()


@bp.post("/recherche/enregistrees/<int:saved_id>")
@login_required
def change_saved(saved_id: int):
    saved = _mine(saved_id)
    form = SavedSearchForm()
    if not form.validate_on_submit():
        return _saved_page(form, saved.id)
    attempt(lambda: saved_searches.change(saved, label=form.label.data or "",
                                          frequency=form.frequency.data),
            "Recherche enregistrée modifiée.", saved_searches.SavedSearchError)
    return redirect(url_for(".saved"))


@bp.post("/recherche/enregistrees/<int:saved_id>/supprimer")
@login_required
def delete_saved(saved_id: int):
    saved_searches.remove(_mine(saved_id))
    flash("Recherche supprimée : vous ne recevrez plus ses résultats.", "success")
    return redirect(url_for(".saved"))


def _of_link(token: str) -> SavedSearch | None:
    saved = saved_searches.for_token(token)
    return saved if saved is not None and access.can_unsubscribe_saved_search(
        current_user, saved, token=token) else None


@bp.get("/recherche/desabonnement/<token>")
def unsubscribe(token):
    """The link of every mail of a saved search: what it is, and a button."""
    saved = _of_link(token)
    if saved is None:
        return render_template("search/unsubscribe.html", error=_GONE), 404
    return render_template("search/unsubscribe.html", saved=saved, token=token)


@bp.post("/recherche/desabonnement/<token>")
@csrf.exempt
def unsubscribe_now(token):
    """The page's button, and RFC 8058 one-click unsubscription from a mail client (a POST
    without session or CSRF token): the token names one saved search, and only that one."""
    saved = _of_link(token)
    if saved is None:
        return render_template("search/unsubscribe.html", error=_GONE), 404
    label = saved.label
    saved_searches.remove(saved)
    return render_template("search/unsubscribe.html", done=label)
