"""The directory of departmental aids (répertoire des aides) and its open-data export."""
from __future__ import annotations

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from ...core import csvexport, querystrings
from ...core.pagination import paginate
from ... import access
from ...core import atom
from ...core.hooks import register_organisation_section
from ...core.sanitize import to_text
from ...core.urls import absolute_url
from ...core.types import Visibility
from ...extensions import csrf
from ..forms import DocumentForm
from ..routes import add_documented_type_routes, feed_owner
from . import alerts, services
from .forms import AidForm, AlertForm, ConfirmAlertForm, FrequencyForm
from .models import (AID_STATE_FILTERS, AID_TYPES, BENEFICIARIES, THEMES, Aid, AidAlert,
                     AidStatus, AlertFrequency)

bp = Blueprint("aids", __name__, url_prefix="/aides")

atom.register_private_feed("Aides", "aids.private_feed")
register_organisation_section("publications/aids/_organisation.html")


@bp.app_template_global()
def organisation_aids(org):
    """Published aids of ``org`` the current user may see (organisation page)."""
    return services.organisation_aids(current_user, org)


@bp.app_template_filter("number_fr")
def number_fr(value) -> str:
    """A rate or an amount as the aids' page shows it (« 20 000 », « 30 »); amounts of money
    with their cents and sign are ``core.money.euros``."""
    return services.format_number(value)


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
                           widenings=_widenings(filters) if not page.total else [],
                           publishers=services.publishers(current_user),
                           alert_args=alerts.alert_filters(request.args).args(),
                           can_write=bool(access.publishing_organisations(current_user)))


def _widenings(filters: services.AidFilters) -> list[dict]:
    """For an empty result: each active filter, the address of the same search without it,
    and how many aids that search finds."""
    widenings = []
    for name, label in filters.active():
        wider = filters.without(name)
        widenings.append({"label": label, "url": url_for(".index", **wider.args()),
                          "count": services.count(current_user, wider)})
    return widenings


@bp.get("/<int:aid_id>")
def show(aid_id):
    aid = access.get_or_404(Aid, aid_id)
    return render_template("publications/aids/show.html", aid=aid, aid_types=AID_TYPES,
                           document_form=DocumentForm())


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
    user = feed_owner(token)
    return _feed(services.published_for(user), title="Répertoire des aides (réseau)",
                 self_url=absolute_url("aids.private_feed", token=token))


# --- alerts: the list's search mailed daily or weekly ---------------------------------------------


@bp.route("/alertes/nouvelle", methods=["GET", "POST"])
def new_alert():
    """Save the list's search (its filters in the address, then in the form) as an alert."""
    signed_in = access.is_signed_in(current_user)
    if request.method == "POST":
        form = AlertForm()
        query = alerts.alert_query(querystrings.parse(form.query.data or ""))
    else:
        query = alerts.alert_query(request.args)
        form = AlertForm(query=query)
    filters = alerts.query_filters(query)
    if form.validate_on_submit():
        try:
            alerts.subscribe(query, AlertFrequency(form.frequency.data),
                             user=current_user if signed_in else None,
                             email=form.email.data or "")
        except alerts.AlertError as error:
            if error.field == "email" and not signed_in:
                form.email.errors.append(str(error))
            else:
                flash(str(error), "error")
        else:
            if signed_in:
                flash("Alerte enregistrée : les nouvelles aides de cette recherche vous seront "
                      "envoyées par courriel.", "success")
                return redirect(url_for(".alerts"))
            return render_template("publications/aids/alert_requested.html",
                                   email=(form.email.data or "").strip().lower())
    return render_template("publications/aids/alert_new.html", form=form, filters=filters,
                           label=alerts.describe(filters), signed_in=signed_in, query=query)


@bp.get("/alertes", endpoint="alerts")
@login_required
def my_alerts():
    """« Mes alertes »: the signed-in person's alerts, their frequency, deleting them."""
    return render_template("publications/aids/alerts.html",
                           alerts=alerts.alerts_of(current_user), form=FrequencyForm())


def _my_alert(alert_id: int) -> AidAlert:
    alert = access.part_or_404(AidAlert, alert_id)
    if not access.owns_aid_alert(current_user, alert):
        abort(404)
    return alert


def _set_frequency(alert: AidAlert) -> None:
    """The frequency chosen in the form (from the person's alerts, or from a mail's link)."""
    form = FrequencyForm()
    if form.validate_on_submit():
        alerts.set_frequency(alert, AlertFrequency(form.frequency.data))
        flash("Fréquence enregistrée.", "success")
    else:
        flash("Choisissez « Chaque jour » ou « Chaque semaine ».", "error")


@bp.post("/alertes/<int:alert_id>/frequence")
@login_required
def alert_frequency(alert_id: int):
    alert = _my_alert(alert_id)
    _set_frequency(alert)
    return redirect(url_for(".alerts"))


@bp.post("/alertes/<int:alert_id>/supprimer")
@login_required
def delete_alert(alert_id: int):
    alerts.unsubscribe(_my_alert(alert_id))
    flash("Alerte supprimée : vous ne recevrez plus ces courriels.", "success")
    return redirect(url_for(".alerts"))


@bp.route("/alertes/confirmer/<token>", methods=["GET", "POST"])
def confirm_alert(token):
    """GET shows a button (mail scanners follow links); the POST confirms."""
    try:
        alert = alerts.pending_alert(token)
    except alerts.AlertError as error:
        return render_template("publications/aids/alert_link.html", error=str(error)), 404
    form = ConfirmAlertForm()
    if form.validate_on_submit():
        alerts.confirm(token)
        return render_template("publications/aids/alert_confirmed.html", alert=alert)
    return render_template("publications/aids/alert_confirm.html", alert=alert, form=form,
                           confirmed=alert.confirmed_at is not None)


def _alert_of_link(token: str) -> AidAlert | None:
    alert = alerts.alert_for_token(token)
    return alert if alert is not None and access.can_manage_aid_alert(
        current_user, alert, token=token) else None


_GONE = ("Ce lien de désabonnement ne correspond à aucune alerte : elle a peut-être déjà été "
         "supprimée. Vous ne recevrez plus ses courriels.")


@bp.get("/alertes/desabonnement/<token>")
def unsubscribe_alert(token):
    """The link of every alert mail: the alert, a button to unsubscribe, its frequency."""
    alert = _alert_of_link(token)
    if alert is None:
        return render_template("publications/aids/alert_link.html", error=_GONE), 404
    return render_template("publications/aids/alert_unsubscribe.html", alert=alert, token=token,
                           form=FrequencyForm(frequency=alert.frequency.value))


@bp.post("/alertes/desabonnement/<token>")
@csrf.exempt
def unsubscribe_alert_now(token):
    """The page's button, and RFC 8058 one-click unsubscription from a mail client (a POST
    without session or CSRF token): the token names one alert, and only that one goes."""
    alert = _alert_of_link(token)
    if alert is None:
        return render_template("publications/aids/alert_link.html", error=_GONE), 404
    email, label = alert.email, alert.label
    alerts.unsubscribe(alert)
    return render_template("publications/aids/alert_unsubscribed.html", email=email,
                           label=label)


@bp.post("/alertes/desabonnement/<token>/frequence")
def alert_frequency_by_link(token):
    alert = _alert_of_link(token)
    if alert is None:
        return render_template("publications/aids/alert_link.html", error=_GONE), 404
    _set_frequency(alert)
    return redirect(url_for(".unsubscribe_alert", token=token))


# --- writing -------------------------------------------------------------------------------------


add_documented_type_routes(
    bp, Aid, "/<int:aid_id>", "aid_id", published="Aide publiée.",
    withdrawn="Aide retirée : elle n'est plus visible hors de votre organisation.",
    new_rule="/nouvelle", form_class=AidForm, create=services.create_aid,
    update=services.update_aid, data=_data, item_name="aid",
    template="publications/aids/form.html", saved="Aide enregistrée.",
    created="Aide enregistrée comme brouillon : relisez-la puis publiez-la.",
    edit_options=(joinedload(Aid.tags),))
