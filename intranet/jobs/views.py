"""The job exchange: the public listing and its feed, an offer's page (with its schema.org
JobPosting), writing and publishing offers, applying, following applications, the centre de
gestion's view and statistics, saved searches."""
from __future__ import annotations

import json
from dataclasses import astuple
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from .. import access
from ..accounts import finder
from ..accounts.models import ORGANISATIONS, Organisation, OrgKind
from ..core import csvexport, fragments, generations, uploads
from ..core.inputs import page_arg
from ..core.atom import Entry, feed as atom_feed
from ..core.charts import stacked_bars
from ..core.feedback import attempt
from ..core.pagination import kept_page, paginate
from ..core.pending import Submission
from ..core.types import Visibility
from ..core.urls import absolute_url
from ..extensions import db
from ..publications.lifecycle import PublicationStatus
from ..publications.routes import (add_attachment_routes, add_lifecycle_routes, form_page,
                                   offer_publishers, upload_of)
from . import reference, services, stats
from .forms import AlertForm, ApplicationForm, OfferForm, StatusForm
from .models import (CONTRACT_BASES, ApplicationStatus, Employment, JobAlert, JobApplication,
                     JobOffer, Outcome)
from .services import Filters, JobError, OfferData

bp = Blueprint("jobs", __name__, url_prefix="/emplois")
PER_PAGE = 20


# --- the listing --------------------------------------------------------------------------------


@bp.get("/")
def index():
    filters = Filters.from_args(request.args)
    # the same page for everyone of the reader's audience: kept until an offer or an
    # organisation changes
    key = ("list", access.publication_audience(current_user), request.script_root,
           astuple(filters), page_arg())
    page = generations.kept((services.OFFERS, ORGANISATIONS), key, lambda: kept_page(
        services.listing(current_user, filters),
        lambda offers: fragments.drawn("jobs/_offers.html", offers=offers), per_page=PER_PAGE))
    return render_template(
        "jobs/index.html", page=page, filters=filters, filieres=reference.filieres(),
        categories=reference.CATEGORIES, publishers=services.publishers_with_offers(current_user),
        epcis=services.epcis(), query=services.alert_query(request.args),
        can_write=bool(access.publishing_organisations(current_user)),
        alert_form=AlertForm(query=services.alert_query(request.args)))


@bp.get("/flux.atom")
def feed():
    offers = db.session.scalars(services.listing(None, Filters()).limit(100)).all()
    entries = [Entry(id=absolute_url("jobs.show", offer_id=o.id), title=o.title,
                     link=absolute_url("jobs.show", offer_id=o.id),
                     updated=max(o.published_at or o.updated_at, o.updated_at),
                     summary=f"{o.organisation.name} — {o.cadre} — candidature avant le "
                             f"{o.closes_on:%d/%m/%Y}", author=o.organisation.name)
               for o in offers]
    page = absolute_url("jobs.index")
    return atom_feed(feed_id=page, title="Offres d'emploi des collectivités",
                     self_url=absolute_url("jobs.feed"), page_url=page, entries=entries)


# --- an offer -----------------------------------------------------------------------------------


def job_posting(offer: JobOffer) -> Markup | None:
    """The schema.org JobPosting of a public offer online, as JSON-LD (for job search
    engines); None for any other."""
    if offer.status != PublicationStatus.PUBLISHED or offer.visibility != Visibility.PUBLIC:
        return None
    place = offer.place or offer.organisation
    data = {
        "@context": "https://schema.org", "@type": "JobPosting",
        "title": offer.title,
        "description": offer.missions_html + (f"<p>{offer.profile}</p>" if offer.profile else ""),
        "identifier": {"@type": "PropertyValue", "name": offer.organisation.name,
                       "value": offer.reference},
        "datePosted": offer.published_at.date().isoformat(),
        "validThrough": f"{offer.closes_on.isoformat()}T23:59:59+01:00",
        "employmentType": ("FULL_TIME" if offer.full_time else "PART_TIME")
        if offer.employment == Employment.PERMANENT
        else ["FULL_TIME" if offer.full_time else "PART_TIME", "CONTRACTOR"],
        "hiringOrganization": {"@type": "Organization", "name": offer.organisation.name,
                               "sameAs": absolute_url("accounts.organisation",
                                                      slug=offer.organisation.slug)},
        "jobLocation": {"@type": "Place", "address": {
            "@type": "PostalAddress", "addressLocality": place.name,
            "postalCode": "", "addressRegion": "Lot-et-Garonne", "addressCountry": "FR",
            **({"streetAddress": place.address} if place.address else {})}},
        "url": absolute_url("jobs.show", offer_id=offer.id),
    }
    if offer.start_date:
        data["jobStartDate"] = offer.start_date.isoformat()
    if offer.salary_min or offer.salary_max:
        value = {"@type": "QuantitativeValue", "unitText": "MONTH"}
        if offer.salary_min:
            value["minValue"] = offer.salary_min
        if offer.salary_max:
            value["maxValue"] = offer.salary_max
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": "EUR", "value": value}
    if not data["jobLocation"]["address"]["postalCode"]:
        del data["jobLocation"]["address"]["postalCode"]
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text)


# What an offer's page shows with it: its publisher, its place and its documents.
_SHOWN_WITH = (joinedload(JobOffer.organisation), joinedload(JobOffer.place),
               joinedload(JobOffer.documents))


@bp.get("/<int:offer_id>")
def show(offer_id: int):
    offer = access.get_or_404(JobOffer, offer_id, options=_SHOWN_WITH)
    return render_template(
        "jobs/show.html", offer=offer, json_ld=job_posting(offer),
        missing=services.missing(offer) if offer.status == PublicationStatus.DRAFT else [],
        contract_bases=CONTRACT_BASES, can_apply=access.can_apply(current_user, offer),
        following=services.follows(current_user, offer))


# --- writing ------------------------------------------------------------------------------------


def _communes() -> dict[str, str]:
    return {"": "—", **{str(org_id): name
                        for org_id, name in finder.active_of_kind(OrgKind.COMMUNE)}}


def _prepared(form: OfferForm) -> OfferForm:
    form.fill_reference()
    form.place.choices = _communes()
    return form


def _data(form: OfferForm) -> OfferData:
    place = db.session.get(Organisation, int(form.place.data)) \
        if (form.place.data or "").isdigit() and len(form.place.data) < 10 else None
    hours = form.hours_per_week.data
    return OfferData(
        title=form.title.data or "", service=form.service.data or "",
        missions=form.missions.data or "", missions_format=form.missions_format.data,
        profile=form.profile.data or "", specific_conditions=form.specific_conditions.data or "",
        filiere=form.filiere.data or "", cadre=form.cadre.data or "",
        grades=list(form.grades.data or []), origin=form.origin.data or "",
        employment=form.employment.data or "", contract_basis=form.contract_basis.data or "",
        full_time=form.full_time.data != "0",
        hours_per_week=float(hours) if isinstance(hours, Decimal) else None, place=place,
        vacancy_date=form.vacancy_date.data, start_date=form.start_date.data,
        closes_on=form.closes_on.data, salary=form.salary.data or "",
        salary_min=form.salary_min.data, salary_max=form.salary_max.data,
        how_to_apply=form.how_to_apply.data or "", contact_name=form.contact_name.data or "",
        contact_email=form.contact_email.data or "",
        visibility=Visibility(form.visibility.data)
        if form.visibility.data in ("public", "network") else Visibility.PUBLIC)


def _choosing_cadre(form: OfferForm, offer: JobOffer | None):
    """« Afficher les grades de ce cadre » (without JavaScript): the same form comes back with
    the chosen cadre's grades, nothing saved."""
    files = Submission(form, {"document": services.publishing.attachment_types(JobOffer)})
    return render_template("jobs/form.html", form=form, offer=offer, pending_files=files.kept())


@bp.route("/nouvelle", methods=["GET", "POST"])
@login_required
def new():
    form = _prepared(OfferForm())
    publishers = offer_publishers(form)
    if request.method == "POST" and "choisir_cadre" in request.form:
        return _choosing_cadre(form, None)
    return form_page(
        form, lambda files: services.create_offer(publishers[form.organisation.data],
                                                  _data(form), by=current_user, files=files),
        model=JobOffer, template="jobs/form.html", file_field="document", error_field="title",
        done="Offre enregistrée comme brouillon : relisez-la, puis publiez-la.", offer=None,
        show=lambda offer: url_for(".show", offer_id=offer.id))


@bp.route("/<int:offer_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(offer_id: int):
    offer = access.get_or_404(JobOffer, offer_id, need="edit")
    form = OfferForm()
    del form.organisation
    if request.method == "GET":
        for name in ("title", "service", "profile", "specific_conditions", "filiere", "cadre",
                     "contract_basis", "salary", "salary_min", "salary_max", "how_to_apply",
                     "contact_name", "contact_email", "vacancy_date", "start_date", "closes_on"):
            getattr(form, name).data = getattr(offer, name)
        form.missions.data, form.missions_format.data = offer.missions_source, offer.missions_format
        form.grades.data = offer.grade_list
        form.origin.data = offer.origin.value if offer.origin else None
        form.employment.data = offer.employment.value if offer.employment else None
        form.full_time.data = "1" if offer.full_time else "0"
        form.hours_per_week.data = offer.hours_per_week
        form.place.data = str(offer.place_id or "")
        form.visibility.data = offer.visibility.value
    _prepared(form)
    if request.method == "POST" and "choisir_cadre" in request.form:
        return _choosing_cadre(form, offer)
    return form_page(
        form, lambda files: services.update_offer(offer, _data(form), by=current_user,
                                                  files=files),
        model=JobOffer, template="jobs/form.html", file_field="document", error_field="title",
        done="Offre enregistrée.", offer=offer,
        show=lambda _saved: url_for(".show", offer_id=offer.id))


add_lifecycle_routes(
    bp, JobOffer, "/<int:offer_id>", "offer_id",
    published="Offre publiée : elle reste en ligne jusqu'à sa date limite de candidature.",
    withdrawn="Offre clôturée : elle n'est plus en ligne.")
add_attachment_routes(
    bp, JobOffer, "/<int:offer_id>", "offer_id", item_rule="documents", item_arg="document_id",
    endpoint="document", inline=None, removed="Document retiré.", back=".edit")


@bp.post("/<int:offer_id>/pourvue")
@login_required
def filled(offer_id: int):
    offer = access.get_or_404(JobOffer, offer_id, need="edit")
    attempt(lambda: services.end(offer, Outcome.FILLED, by=current_user),
            "Offre marquée comme pourvue : elle n'est plus en ligne.", JobError)
    return redirect(url_for(".show", offer_id=offer.id))


@bp.post("/<int:offer_id>/republier")
@login_required
def republish(offer_id: int):
    offer = access.get_or_404(JobOffer, offer_id, need="edit")
    try:
        copy = services.republish(offer, by=current_user)
    except JobError as error:
        flash(str(error), "error")
        return redirect(url_for(".show", offer_id=offer.id))
    flash("Nouvelle offre créée à partir de l'ancienne : choisissez ses dates, puis publiez-la.",
          "success")
    return redirect(url_for(".edit", offer_id=copy.id))


@bp.post("/<int:offer_id>/supprimer")
@login_required
def delete(offer_id: int):
    offer = access.get_or_404(JobOffer, offer_id, need="edit")
    if attempt(lambda: services.delete_draft(offer, by=current_user), "Brouillon supprimé.",
               JobError):
        return redirect(url_for(".index"))
    return redirect(url_for(".show", offer_id=offer.id))


@bp.post("/<int:offer_id>/suivre")
@login_required
def follow(offer_id: int):
    offer = access.get_or_404(JobOffer, offer_id)
    following = request.form.get("suivre") == "1"
    services.follow(offer, current_user, following)
    flash("Vous suivez cette offre : sa date limite est dans votre agenda." if following
          else "Vous ne suivez plus cette offre.", "success")
    return redirect(url_for(".show", offer_id=offer.id))


# --- applications -------------------------------------------------------------------------------


@bp.route("/<int:offer_id>/candidater", methods=["GET", "POST"])
def apply(offer_id: int):
    offer = access.get_or_404(JobOffer, offer_id)
    if not access.can_apply(current_user, offer):
        flash("Cette offre ne reçoit plus de candidatures.", "error")
        return redirect(url_for(".show", offer_id=offer.id))
    form = ApplicationForm()
    signed_in = current_user.is_authenticated
    if request.method == "GET" and signed_in:
        form.name.data = current_user.full_name
    if form.validate_on_submit():
        try:
            services.apply(offer, name=form.name.data, email=form.email.data or "",
                           phone=form.phone.data or "", message=form.message.data or "",
                           cv=upload_of(form.cv), letter=upload_of(form.letter),
                           user=current_user if signed_in else None)
        except uploads.UploadError as error:
            (form.letter if "lettre" in str(error).lower() else form.cv).errors.append(str(error))
        except JobError as error:
            field = form.email if "adresse" in str(error) else (
                form.cv if "CV" in str(error) else form.name)
            field.errors.append(str(error))
        else:
            return render_template("jobs/applied.html", offer=offer, confirm=not signed_in)
    return render_template("jobs/apply.html", offer=offer, form=form, signed_in=signed_in)


@bp.get("/candidature/<token>")
def confirm(token: str):
    try:
        application = services.confirm(token[:500])
    except JobError as error:
        return render_template("jobs/confirmed.html", error=str(error), offer=None), 400
    return render_template("jobs/confirmed.html", error=None, offer=application.offer)


def _readable_offer(offer_id: int) -> JobOffer:
    offer = access.get_or_404(JobOffer, offer_id)
    if not access.can_read_applications(current_user, offer):
        abort(404)
    return offer


@bp.get("/<int:offer_id>/candidatures")
@login_required
def applications(offer_id: int):
    offer = _readable_offer(offer_id)
    return render_template("jobs/applications.html", offer=offer,
                           applications=services.applications_of(offer), form=StatusForm())


def _application(application_id: int) -> JobApplication:
    application = db.session.get(JobApplication, application_id)
    if application is None or application.status == ApplicationStatus.UNCONFIRMED \
            or not access.can_read_applications(current_user, application.offer):
        abort(404)
    return application


@bp.post("/candidatures/<int:application_id>/etape")
@login_required
def set_status(application_id: int):
    application = _application(application_id)
    form = StatusForm()
    if form.validate_on_submit():
        attempt(lambda: services.set_status(application, ApplicationStatus(form.status.data),
                                            by=current_user),
                "Étape enregistrée : le candidat en est informé par courriel.", JobError)
    return redirect(url_for(".applications", offer_id=application.offer_id))


@bp.get("/candidatures/<int:application_id>/<which>")
@login_required
def application_file(application_id: int, which: str):
    """The CV (« cv ») or the letter (« lettre ») of an application."""
    application = _application(application_id)
    stored = {"cv": application.cv, "lettre": application.letter}.get(which)
    if stored is None:
        abort(404)
    return uploads.send(stored, inline=False)


# --- the centre de gestion -----------------------------------------------------------------------


@bp.get("/centre-de-gestion")
@login_required
def overview():
    if not access.is_centre_de_gestion(current_user):
        abort(404)
    figures = stats.figures()
    charts = {
        "filiere": stacked_bars(figures.by_filiere, figures.quarters,
                                title="Offres publiées par filière et par trimestre",
                                ident="graphique-filiere"),
        "categorie": stacked_bars(figures.by_categorie, figures.quarters,
                                  title="Offres publiées par catégorie et par trimestre",
                                  ident="graphique-categorie")}
    page = paginate(services.all_offers(), per_page=50)
    return render_template("jobs/overview.html", figures=figures, charts=charts, page=page)


@bp.get("/centre-de-gestion/statistiques.csv")
@login_required
def statistics_csv():
    if not access.is_centre_de_gestion(current_user):
        abort(404)
    columns, rows = stats.csv_table(stats.figures())
    return csvexport.response(csvexport.render(columns, rows, delimiter=";", bom=True),
                              "statistiques-emploi.csv")


# --- saved searches ------------------------------------------------------------------------------


@bp.get("/mes-recherches")
@login_required
def alerts():
    return render_template("jobs/alerts.html", alerts=services.alerts_of(current_user))


@bp.post("/mes-recherches")
@login_required
def save_alert():
    form = AlertForm()
    if form.validate_on_submit():
        attempt(lambda: services.save_alert(current_user, form.query.data or "",
                                            form.label.data or ""),
                "Recherche enregistrée : les nouvelles offres vous seront envoyées chaque jour.",
                JobError)
    return redirect(url_for(".alerts"))


@bp.post("/mes-recherches/<int:alert_id>/supprimer")
@login_required
def delete_alert(alert_id: int):
    alert = access.part_or_404(JobAlert, alert_id, user_id=current_user.id)
    services.delete_alert(alert)
    flash("Recherche supprimée.", "success")
    return redirect(url_for(".alerts"))
