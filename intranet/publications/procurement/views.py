"""The procurement nomenclature (purchasing families, CPV) and procurement notices."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload

from ...core.pagination import paginate
from ... import access
from ...core import atom
from ...core.csvimport import import_sent
from ...core.frdates import format_datetime
from ...core.sanitize import to_text
from ...core.timeutil import PARIS, to_paris
from ...core.urls import absolute_url
from ...extensions import db
from ...core.types import Visibility
from ..forms import DocumentForm
from ..routes import add_documented_type_routes
from . import services
from .forms import NomenclatureImportForm, NoticeForm
from .models import Nomenclature, NomenclatureCode, Procedure, ProcurementNotice

bp = Blueprint("procurement", __name__, url_prefix="/marches")


def _data(form: NoticeForm) -> services.NoticeData:
    local = datetime.combine(form.deadline_date.data, form.deadline_time.data, tzinfo=PARIS)
    return services.NoticeData(
        title=form.title.data or "", reference=form.reference.data or "",
        procedure=Procedure(form.procedure.data),
        deadline=local.astimezone(UTC).replace(tzinfo=None),
        description=form.description.data or "", description_format=form.description_format.data,
        codes=form.codes.data or "", visibility=Visibility(form.visibility.data))


# --- notices: reading ----------------------------------------------------------------------------


@bp.get("/")
def index():
    past = request.args.get("periode") == "passes"
    q = request.args.get("q", "").strip()[:100]
    statement, params = services.notices_query(current_user, past=past, q=q)
    page = paginate(statement, per_page=30, params=params)
    return render_template("publications/procurement/index.html", page=page, past=past, q=q,
                           can_write=bool(access.publishing_organisations(current_user)))


# What a notice's page shows with it: its publisher, its documents, and its codes with their
# nomenclature (read apart: joined with the documents, each code would come once per document).
_SHOWN_WITH = (joinedload(ProcurementNotice.organisation), joinedload(ProcurementNotice.documents),
               selectinload(ProcurementNotice.codes).joinedload(NomenclatureCode.nomenclature))


@bp.get("/avis/<int:notice_id>")
def show(notice_id):
    notice = access.get_or_404(ProcurementNotice, notice_id, options=_SHOWN_WITH)
    return render_template("publications/procurement/show.html", notice=notice,
                           document_form=DocumentForm())


@bp.get("/flux.atom")
def feed():
    notices = services.published_for(None)
    entries = [atom.Entry(id=absolute_url("procurement.show", notice_id=n.id), title=n.title,
                          link=absolute_url("procurement.show", notice_id=n.id),
                          updated=n.updated_at or n.published_at,
                          summary=(f"{n.procedure.label} — offres jusqu'au "
                                   f"{format_datetime(n.deadline)}. "
                                   + to_text(n.description))[:500],
                          author=n.organisation.name)
               for n in notices]
    return atom.feed(feed_id=absolute_url("procurement.index") + "#flux",
                     title="Avis de marchés publics", self_url=absolute_url("procurement.feed"),
                     page_url=absolute_url("procurement.index"), entries=entries)


# --- notices: writing ----------------------------------------------------------------------------


def _fill(form, notice: ProcurementNotice) -> None:
    local = to_paris(notice.deadline)
    form.deadline_date.data, form.deadline_time.data = local.date(), local.time()
    form.codes.data = "\n".join(c.code for c in notice.codes)


add_documented_type_routes(
    bp, ProcurementNotice, "/avis/<int:notice_id>", "notice_id", published="Avis publié.",
    withdrawn="Avis retiré : il n'est plus visible hors de votre organisation.",
    new_rule="/avis/nouveau", form_class=NoticeForm, create=services.create_notice,
    update=services.update_notice, data=_data, fill=_fill, item_name="notice",
    template="publications/procurement/form.html", saved="Avis enregistré.",
    error_field="codes", created="Avis enregistré comme brouillon : relisez-le puis publiez-le.",
    edit_options=(joinedload(ProcurementNotice.codes),))


# --- nomenclatures -------------------------------------------------------------------------------


@bp.get("/nomenclatures")
def nomenclatures():
    return render_template("publications/procurement/nomenclatures.html",
                           nomenclatures=services.nomenclatures())


@bp.route("/nomenclatures/import", methods=["GET", "POST"])
@login_required
def import_nomenclature():
    access.require(access.can_manage_nomenclatures(current_user))
    form = NomenclatureImportForm()
    sent = import_sent(form, lambda data: services.import_nomenclature(form.name.data, data,
                                                                       by=current_user),
                       {services.NomenclatureError: form.name})
    if sent.done:
        result = sent.result
        flash(f"Import terminé : {result['total']} codes ({result['added']} ajoutés, "
              f"{result['changed']} modifiés, {result['removed']} supprimés).", "success")
        return redirect(url_for(".nomenclature", slug=result["nomenclature"].slug))
    return render_template("publications/procurement/import.html", form=form,
                           problems=sent.problems, nomenclatures=services.nomenclatures())


@bp.get("/nomenclatures/<slug>")
def nomenclature(slug):
    nomenclature = db.session.scalar(db.select(Nomenclature).filter_by(slug=slug))
    if nomenclature is None:
        abort(404)
    q = request.args.get("q", "").strip()[:100]
    results = None
    if q:
        results = paginate(services.search_query(nomenclature, q), per_page=100)
    return render_template("publications/procurement/nomenclature.html",
                           nomenclature=nomenclature, q=q, results=results,
                           children=[] if q else services.children(nomenclature, None))


@bp.get("/nomenclatures/<slug>/<code>")
def code(slug, code):
    found = services.code_page(slug, code)
    if found is None:
        abort(404)
    return render_template("publications/procurement/code.html",
                           nomenclature=found.nomenclature, node=found.node,
                           ancestors=found.ancestors, children=found.children,
                           notices=services.notices_for_code(current_user, found.node))
