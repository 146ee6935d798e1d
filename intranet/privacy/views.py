"""Personal data: the public summary of the register, « Mes données » (the archive, the erasure
request) and the platform admin's list of erasure requests."""
import tempfile

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required

from .. import access
from ..core.feedback import attempt
from ..core.timeutil import today_paris
from ..extensions import db
from . import export, services
from .forms import ErasureForm, RefusalForm
from .models import ErasureRequest

bp = Blueprint("privacy", __name__)


@bp.get("/donnees-personnelles")
def notice():
    """The register's public summary: what is processed, why, for how long, who to ask."""
    return render_template("privacy/notice.html", days=services.retention_days())


def _mine(form: ErasureForm):
    return render_template("privacy/mine.html", form=form,
                           pending=services.pending_request(current_user),
                           history=services.requests_of(current_user))


@bp.get("/profil/mes-donnees")
@login_required
def mine():
    return _mine(ErasureForm())


@bp.get("/profil/mes-donnees/archive")
@login_required
def download():
    access.require(access.can_export_own_data(current_user))
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    export.write(current_user, out)
    out.seek(0)
    response = send_file(out, mimetype="application/zip", as_attachment=True,
                         download_name=f"mes-donnees-{today_paris().isoformat()}.zip")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/profil/mes-donnees/effacement")
@login_required
def request_erasure():
    access.require(access.can_request_erasure(current_user))
    if services.pending_request(current_user) is not None:
        flash("Vous avez déjà une demande d'effacement en attente.", "error")
        return redirect(url_for(".mine"))
    form = ErasureForm()
    if not form.validate_on_submit():
        return _mine(form)
    try:
        services.request_erasure(current_user, password=form.password.data or "",
                                 note=form.note.data or "")
    except services.PrivacyError as exc:
        form.password.errors = [str(exc)]
        return _mine(form)
    flash("Votre demande d'effacement est envoyée. Un administrateur de la plateforme la "
          "traitera ; vous recevrez sa réponse par courriel.", "success")
    return redirect(url_for(".mine"))


@bp.post("/profil/mes-donnees/effacement/annuler")
@login_required
def cancel_erasure():
    attempt(lambda: services.cancel_request(current_user), "Votre demande d'effacement est "
            "annulée : votre compte reste tel qu'il est.", services.PrivacyError)
    return redirect(url_for(".mine"))


# --- the platform admin ------------------------------------------------------------------------


def _admin_page(refusing: int | None = None, refusal: RefusalForm | None = None):
    return render_template("privacy/admin_requests.html", pending=services.pending_requests(),
                           decided=services.decided_requests(), refusing=refusing,
                           refusal=refusal)


@bp.get("/admin/effacements")
@access.platform_admin_required
def admin_requests():
    return _admin_page()


def _request_or_404(request_id: int) -> ErasureRequest:
    request = db.session.get(ErasureRequest, request_id)
    if request is None or not access.can_view_erasure_request(current_user, request):
        abort(404)
    access.require(access.can_decide_erasure(current_user, request))
    return request


@bp.post("/admin/effacements/<int:request_id>/confirmer")
@access.platform_admin_required
def confirm(request_id):
    request = _request_or_404(request_id)
    attempt(lambda: services.confirm_erasure(request, by=current_user),
            f"Compte n° {request.user_id} effacé : la personne en est informée par courriel.",
            services.PrivacyError)
    return redirect(url_for(".admin_requests"))


@bp.post("/admin/effacements/<int:request_id>/refuser")
@access.platform_admin_required
def refuse(request_id):
    request = _request_or_404(request_id)
    form = RefusalForm()
    if not form.validate_on_submit():
        return _admin_page(request.id, form)
    made = attempt(lambda: services.refuse_erasure(request, by=current_user,
                                                   reason=form.reason.data),
                   "Demande refusée : la personne en est informée par courriel.",
                   services.PrivacyError)
    return redirect(url_for(".admin_requests")) if made else _admin_page(request.id, form)
