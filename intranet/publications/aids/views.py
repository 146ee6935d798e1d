"""The directory of departmental aids (répertoire des aides) and its open-data export."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...core import csvexport
from ...core.pagination import paginate
from ... import access
from ...accounts.services import user_for_feed
from ...core import atom, uploads
from ...core.hooks import register_organisation_section
from ...core.sanitize import to_text
from ...core.urls import absolute_url
from ...extensions import db
from ...core.types import Visibility
from . import services
from .forms import AidForm, DocumentForm
from .models import (AID_STATE_FILTERS, AID_TYPES, BENEFICIARIES, THEMES, Aid, AidDocument,
                     AidStatus)

bp = Blueprint("aids", __name__, url_prefix="/aides")

atom.register_private_feed("Aides", "aids.private_feed")
register_organisation_section("publications/aids/_organisation.html")


@bp.app_template_global()
def organisation_aids(org):
    """Published aids of ``org`` the current user may see (organisation page)."""
    return services.organisation_aids(current_user, org)


@bp.app_template_filter("euros")
def euros(value) -> str:
    return services.format_number(value)


def _upload(field) -> tuple[bytes, str] | None:
    data = field.data
    if data is None or not getattr(data, "filename", ""):
        return None
    return data.read(), data.filename


def _data(form: AidForm) -> services.AidData:
    return services.AidData(
        title=form.title.data or "", summary=form.summary.data or "",
        description=form.description.data or "", description_format=form.description_format.data,
        beneficiaries=form.beneficiaries.data or [], themes=form.themes.data or [],
        aid_types=form.aid_types.data or [], eligibility=form.eligibility.data or "",
        eligible_expenses=form.eligible_expenses.data or "",
        rate_percent=form.rate_percent.data, ceiling_amount=form.ceiling_amount.data,
        fixed_amount=form.fixed_amount.data, permanent=form.permanent.data,
        opens_on=form.opens_on.data, closes_on=form.closes_on.data,
        programme=form.programme.data or "", service=form.service.data or "",
        contact_name=form.contact_name.data or "", contact_email=form.contact_email.data or "",
        contact_phone=form.contact_phone.data or "", visibility=Visibility(form.visibility.data))


# --- reading -------------------------------------------------------------------------------------


@bp.get("/")
def index():
    filters = services.AidFilters.from_args(request.args)
    page = paginate(services.list_query(current_user, filters), per_page=30)
    return render_template("publications/aids/index.html", page=page, filters=filters,
                           beneficiaries=BENEFICIARIES, themes=THEMES,
                           states=AID_STATE_FILTERS, AidStatus=AidStatus,
                           can_write=bool(services.editable_organisations(current_user)))


@bp.get("/<int:aid_id>")
def show(aid_id):
    aid = access.get_or_404(Aid, aid_id)
    return render_template("publications/aids/show.html", aid=aid, aid_types=AID_TYPES,
                           document_form=DocumentForm())


@bp.get("/<int:aid_id>/documents/<int:document_id>")
def document(aid_id, document_id):
    aid = access.get_or_404(Aid, aid_id)
    doc = db.session.get(AidDocument, document_id)
    if doc is None or doc.aid_id != aid.id:
        abort(404)
    return uploads.send(doc.file, inline=request.args.get("voir") == "1")


@bp.get("/export.csv")
def export():
    """Open data: published public aids in the dispositif-aide schema."""
    return csvexport.response(services.export_csv(), "dispositifs-aide.csv")


def _feed(aids, *, title: str, self_url: str) -> Response:
    entries = [atom.Entry(id=f"urn:uuid:{aid.public_id}", title=aid.title,
                          link=absolute_url("aids.show", aid_id=aid.id),
                          updated=aid.updated_at or aid.published_at,
                          summary=aid.summary or to_text(aid.description)[:500],
                          author=aid.organisation.name)
               for aid in aids]
    return atom.feed(feed_id=absolute_url("aids.index") + "#flux", title=title,
                     self_url=self_url, page_url=absolute_url("aids.index"), entries=entries)


@bp.get("/flux.atom")
def feed():
    return _feed(services.published_for(None), title="Répertoire des aides",
                 self_url=absolute_url("aids.feed"))


@bp.get("/flux/<token>.atom")
def private_feed(token):
    user = user_for_feed(token)
    if user is None:
        abort(404)
    return _feed(services.published_for(user), title="Répertoire des aides (réseau)",
                 self_url=absolute_url("aids.private_feed", token=token))


# --- writing -------------------------------------------------------------------------------------


@bp.route("/nouvelle", methods=["GET", "POST"])
@login_required
def new():
    organisations = services.editable_organisations(current_user)
    access.require(bool(organisations))
    form = AidForm()
    form.organisation.choices = {str(o.id): o.name for o in organisations}
    if form.validate_on_submit():
        org = next(o for o in organisations if str(o.id) == form.organisation.data)
        try:
            aid = services.create_aid(org, _data(form), by=current_user,
                                      upload=_upload(form.document))
        except uploads.UploadError as exc:
            form.document.errors.append(str(exc))
        except services.AidError as exc:
            flash(str(exc), "error")
        else:
            flash("Aide enregistrée comme brouillon : relisez-la puis publiez-la.", "success")
            return redirect(url_for(".show", aid_id=aid.id))
    return render_template("publications/aids/form.html", form=form, aid=None)


@bp.route("/<int:aid_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(aid_id):
    aid = access.get_or_404(Aid, aid_id, need="edit")
    form = AidForm(obj=aid)
    del form.organisation
    if request.method == "GET":
        form.description.data = aid.description
        form.description_format.data = "html"
        form.beneficiaries.data = aid.beneficiaries
        form.themes.data = aid.themes
        form.aid_types.data = aid.aid_types
        form.visibility.data = aid.visibility.value
    if form.validate_on_submit():
        try:
            services.update_aid(aid, _data(form), by=current_user, upload=_upload(form.document))
        except uploads.UploadError as exc:
            form.document.errors.append(str(exc))
        except services.AidError as exc:
            flash(str(exc), "error")
        else:
            flash("Aide enregistrée.", "success")
            return redirect(url_for(".show", aid_id=aid.id))
    return render_template("publications/aids/form.html", form=form, aid=aid)


@bp.post("/<int:aid_id>/publier")
@login_required
def publish(aid_id):
    aid = access.get_or_404(Aid, aid_id, need="edit")
    services.publish(aid, by=current_user)
    flash("Aide publiée.", "success")
    return redirect(url_for(".show", aid_id=aid.id))


@bp.post("/<int:aid_id>/retirer")
@login_required
def withdraw(aid_id):
    aid = access.get_or_404(Aid, aid_id, need="edit")
    services.withdraw(aid, by=current_user)
    flash("Aide retirée : elle n'est plus visible hors de votre organisation.", "success")
    return redirect(url_for(".show", aid_id=aid.id))


@bp.post("/<int:aid_id>/documents")
@login_required
def add_document(aid_id):
    aid = access.get_or_404(Aid, aid_id, need="edit")
    form = DocumentForm()
    upload = _upload(form.file) if form.validate_on_submit() else None
    if upload is None:
        flash("Choisissez d'abord un fichier.", "error")
    else:
        try:
            services.add_document(aid, *upload, by=current_user, title=form.title.data or "")
        except uploads.UploadError as exc:
            flash(str(exc), "error")
        else:
            flash("Document ajouté.", "success")
    return redirect(url_for(".show", aid_id=aid_id) + "#documents")


@bp.post("/<int:aid_id>/documents/<int:document_id>/supprimer")
@login_required
def remove_document(aid_id, document_id):
    aid = access.get_or_404(Aid, aid_id, need="edit")
    doc = db.session.get(AidDocument, document_id)
    if doc is None or doc.aid_id != aid.id:
        abort(404)
    services.remove_document(doc)
    flash("Document retiré.", "success")
    return redirect(url_for(".show", aid_id=aid_id) + "#documents")
