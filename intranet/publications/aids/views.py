"""The directory of departmental aids (répertoire des aides) and its open-data export."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask_login import current_user

from ...core import csvexport
from ...core.pagination import paginate
from ... import access
from ...core import atom
from ...core.hooks import register_organisation_section
from ...core.sanitize import to_text
from ...core.urls import absolute_url
from ...core.types import Visibility
from ..forms import DocumentForm
from ..routes import add_documented_type_routes, feed_owner
from . import services
from .forms import AidForm
from .models import AID_STATE_FILTERS, AID_TYPES, BENEFICIARIES, THEMES, Aid, AidStatus

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


# --- writing -------------------------------------------------------------------------------------


add_documented_type_routes(
    bp, Aid, "/<int:aid_id>", "aid_id", published="Aide publiée.",
    withdrawn="Aide retirée : elle n'est plus visible hors de votre organisation.",
    new_rule="/nouvelle", form_class=AidForm, create=services.create_aid,
    update=services.update_aid, data=_data, item_name="aid",
    template="publications/aids/form.html", saved="Aide enregistrée.",
    created="Aide enregistrée comme brouillon : relisez-la puis publiez-la.")
