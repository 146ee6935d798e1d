"""Subsidy dossiers (/subventions): my organisations' dossiers, applying for an aid, a
dossier's page with the actions the person may take, the instructors' list, an aid's required
documents and the instructors' assignment."""
from __future__ import annotations


from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from .. import access
from ..core import csvexport, sanitize, uploads
from ..core.charts import grouped_bars
from ..core.feedback import attempt_in_form
from ..core.money import euros
from ..core.timeutil import today_paris
from ..accounts.models import Organisation, OrgKind
from ..extensions import db
from ..publications.aids.models import Aid
from ..publications.routes import upload_of
from . import reporting, scdl, services
from .forms import (DocumentForm, DossierForm, GrantForm, IncompleteForm, InstructorForm,
                    PaymentForm, ProposeForm, RefuseForm, RequirementForm)
from .models import (DossierDocument, DossierState, PaymentKind, SubsidyDossier,
                     SubsidyInstructor, SubsidyRequirement)
from .services import DossierData, PlanLine, SubsidyError

bp = Blueprint("subsidies", __name__, url_prefix="/subventions")


def _me():
    """The person signed in, once out of ``current_user``'s proxy (which looks them up again at
    every attribute the access functions read)."""
    return current_user._get_current_object()


@bp.get("/")
@login_required
def index():
    return render_template("subsidies/index.html",
                           dossiers=services.of_organisations(_me()))


# --- writing a dossier --------------------------------------------------------------------------


def _data(form: DossierForm) -> DossierData:
    return DossierData(
        title=form.title.data or "", description=form.description.data or "",
        communes=form.communes.data or "", cost_excl_vat=form.cost_excl_vat.data or "",
        cost_incl_vat=form.cost_incl_vat.data or "",
        amount_requested=form.amount_requested.data or "", schedule=form.schedule.data or "",
        contact=form.contact.data or "",
        lines=[PlanLine(kind=entry.kind.data or "", funder=entry.funder.data or "",
                        amount=entry.amount.data or "") for entry in form.lines])


@bp.route("/aide/<int:aid_id>/demander", methods=["GET", "POST"])
@login_required
def new(aid_id: int):
    aid = access.get_or_404(Aid, aid_id)
    access.require(access.can_apply_for_aid(current_user, aid))
    organisations = {str(org.id): org for org in access.applying_organisations(current_user)}
    form = DossierForm()
    form.organisation.choices = {key: org.name for key, org in organisations.items()}
    if request.method == "GET":
        form.lines[0].kind.data = "aid"
        form.lines[0].funder.data = aid.organisation.name
        form.lines[1].kind.data = "own"
    if form.validate_on_submit():
        organisation = organisations.get(form.organisation.data)
        if organisation is None:
            form.organisation.errors.append("Choisissez l'organisation qui demande l'aide.")
        else:
            made, dossier = attempt_in_form(
                form.title, lambda: services.create_dossier(aid, organisation, _data(form),
                                                            by=current_user),
                "Dossier enregistré comme brouillon : joignez les pièces, puis déposez-le.",
                SubsidyError)
            if made:
                return redirect(url_for(".show", dossier_id=dossier.id))
    return render_template("subsidies/form.html", form=form, aid=aid, dossier=None)


# What the form shows of a dossier besides its columns: its aid, its financing plan's lines.
_FORM_SHOWS = (joinedload(SubsidyDossier.aid), joinedload(SubsidyDossier.lines))


@bp.route("/<int:dossier_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(dossier_id: int):
    dossier = access.get_or_404(SubsidyDossier, dossier_id, need="edit", options=_FORM_SHOWS)
    form = DossierForm()
    del form.organisation
    if request.method == "GET":
        for name in ("title", "description", "communes", "schedule", "contact"):
            getattr(form, name).data = getattr(dossier, name)
        for name in ("cost_excl_vat", "cost_incl_vat", "amount_requested"):
            getattr(form, name).data = str(getattr(dossier, name)).replace(".", ",")
        for entry, line in zip(form.lines, dossier.lines):
            entry.kind.data, entry.funder.data = line.kind.value, line.funder
            entry.amount.data = str(line.amount).replace(".", ",")
    if form.validate_on_submit():
        made, _ = attempt_in_form(
            form.title, lambda: services.update_dossier(dossier, _data(form), by=current_user),
            "Dossier enregistré.", SubsidyError)
        if made:
            return redirect(url_for(".show", dossier_id=dossier.id))
    return render_template("subsidies/form.html", form=form, aid=dossier.aid, dossier=dossier)


# --- a dossier ----------------------------------------------------------------------------------


# The instructors' forms of the dossier's page, by the states in which the page shows them.
STEP_FORMS = {
    "incomplete_form": (IncompleteForm, (DossierState.SUBMITTED, DossierState.UNDER_REVIEW)),
    "propose_form": (ProposeForm, (DossierState.UNDER_REVIEW,)),
    "grant_form": (GrantForm, (DossierState.PROPOSED,)),
    "refuse_form": (RefuseForm, (DossierState.UNDER_REVIEW, DossierState.PROPOSED)),
    "payment_form": (PaymentForm, (DossierState.GRANTED,)),
}


def _page(dossier: SubsidyDossier, status: int = 200, **forms):
    """The dossier's page, with only the forms it shows: the documents' when the person writes
    the dossier and it may still change, each instructor's step in the states that allow it."""
    me = _me()
    writable = access.can_write_dossier(me, dossier) and \
        dossier.state in (DossierState.DRAFT, DossierState.INCOMPLETE)
    instructing = access.can_instruct(me, dossier)
    parts = services.page_parts(dossier)
    requirements = parts.requirements
    if writable:
        document_form = forms.get("document_form") or DocumentForm()
        document_form.requirement.choices = {
            "": "Autre pièce", **{str(r.id): r.label for r in requirements}}
        forms["document_form"] = document_form
    if instructing:
        for name, (form_class, states) in STEP_FORMS.items():
            if dossier.state in states:
                forms.setdefault(name, form_class(formdata=None))
    return render_template(
        "subsidies/show.html", dossier=dossier, writable=writable, instructing=instructing,
        parts=parts, requirements=requirements,
        missing=services.missing_documents(dossier, requirements),
        description=sanitize.text_markup(dossier.description) if dossier.description else "",
        S=DossierState, **forms), status


@bp.get("/<int:dossier_id>")
@login_required
def show(dossier_id: int):
    return _page(access.authorize(services.for_page(dossier_id)))


@bp.post("/<int:dossier_id>/pieces")
@login_required
def add_document(dossier_id: int):
    dossier = access.get_or_404(SubsidyDossier, dossier_id, need="edit")
    form = DocumentForm()
    form.requirement.choices = {}
    if form.validate_on_submit():
        choice = form.requirement.data or ""
        requirement = access.part_or_404(SubsidyRequirement, int(choice), aid_id=dossier.aid_id) \
            if choice.isdigit() and len(choice) < 10 else None
        made, _ = attempt_in_form(
            form.file, lambda: services.add_document(dossier, upload_of(form.file),
                                                     requirement=requirement, by=current_user),
            "Pièce jointe au dossier.", SubsidyError, uploads.UploadError)
        if made:
            return redirect(url_for(".show", dossier_id=dossier.id))
    return _page(dossier, 400, document_form=form)


@bp.get("/<int:dossier_id>/pieces/<int:document_id>")
@login_required
def document(dossier_id: int, document_id: int):
    dossier = access.get_or_404(SubsidyDossier, dossier_id)
    item = access.part_or_404(DossierDocument, document_id, dossier_id=dossier.id)
    return uploads.send(item.file, download_name=item.file.original_name)


def _act(dossier: SubsidyDossier, change, done: str):
    """A button of the dossier's page (no form to keep): done, or the refusal flashed."""
    try:
        change()
        flash(done, "success")
    except SubsidyError as error:
        flash(str(error), "error")
    return redirect(url_for(".show", dossier_id=dossier.id))


@bp.post("/<int:dossier_id>/pieces/<int:document_id>/retirer")
@login_required
def remove_document(dossier_id: int, document_id: int):
    dossier = access.get_or_404(SubsidyDossier, dossier_id, need="edit")
    item = access.part_or_404(DossierDocument, document_id, dossier_id=dossier.id)
    return _act(dossier, lambda: services.remove_document(item, by=current_user),
                "Pièce retirée.")


@bp.post("/<int:dossier_id>/deposer")
@login_required
def submit(dossier_id: int):
    dossier = access.get_or_404(SubsidyDossier, dossier_id, need="edit")
    return _act(dossier, lambda: services.submit(dossier, by=current_user),
                "Dossier déposé : le service instructeur est prévenu.")


# --- instructing --------------------------------------------------------------------------------


def _instructed(dossier_id: int) -> SubsidyDossier:
    dossier = access.get_or_404(SubsidyDossier, dossier_id)
    access.require(access.can_instruct(current_user, dossier))
    return dossier


@bp.post("/<int:dossier_id>/instruction")
@login_required
def start_review(dossier_id: int):
    dossier = _instructed(dossier_id)
    return _act(dossier, lambda: services.start_review(dossier, by=current_user),
                "Dossier en instruction.")


# An instructor's steps with a form, by the last word of their address: the form's name on the
# dossier's page, its class, the field a refusal is shown under, the service, what is said.
STEPS = {
    "incomplet": ("incomplete_form", IncompleteForm, "missing",
                  lambda d, f, by: services.mark_incomplete(d, f.missing.data, by=by),
                  "Dossier déclaré incomplet : le demandeur est prévenu."),
    "commission": ("propose_form", ProposeForm, "sitting_on",
                   lambda d, f, by: services.propose(d, f.sitting_on.data, by=by),
                   "Dossier proposé à la commission permanente."),
    "accorder": ("grant_form", GrantForm, "amount",
                 lambda d, f, by: services.grant(d, f.amount.data, conditions=f.conditions.data,
                                                 works_deadline=f.works_deadline.data, by=by),
                 "Subvention accordée : le demandeur est prévenu."),
    "refuser": ("refuse_form", RefuseForm, "reason",
                lambda d, f, by: services.refuse(d, f.reason.data, by=by),
                "Subvention refusée : le demandeur est prévenu."),
    "versement": ("payment_form", PaymentForm, "amount",
                  lambda d, f, by: services.record_payment(d, PaymentKind(f.kind.data),
                                                           f.amount.data, f.paid_on.data, by=by),
                  "Versement enregistré."),
}


@bp.post("/<int:dossier_id>/<step>")
@login_required
def instruct(dossier_id: int, step: str):
    """An instructor's step from the dossier's page: refused, the page comes back with the form
    as typed and the reason under its field."""
    if step not in STEPS:
        abort(404)
    dossier = _instructed(dossier_id)
    name, form_class, field, change, done = STEPS[step]
    form = form_class()
    if form.validate_on_submit():
        made, _ = attempt_in_form(getattr(form, field),
                                  lambda: change(dossier, form, current_user), done, SubsidyError)
        if made:
            return redirect(url_for(".show", dossier_id=dossier.id))
    return _page(dossier, 400, **{name: form})


def _instructor_only() -> None:
    if not access.is_instructor(_me()):
        abort(404)


def _years() -> range:
    this_year = today_paris().year
    return range(this_year, this_year - 6, -1)


@bp.get("/instruction")
@login_required
def instructed():
    _instructor_only()
    filters = services.Filters.from_args(request.args)
    me = _me()
    aids, epcis = services.list_choices(me)
    scope = access.instructed_dossiers(me)      # the WHERE clause of both lists, made once
    return render_template(
        "subsidies/instructed.html", page=services.instructed(me, filters, scope=scope),
        filters=filters, programmes=access.instructed_programmes(me), aids=aids,
        states=DossierState, epcis=epcis, years=_years(),
        coming_up=reporting.coming_up(me, scope=scope))


@bp.get("/instruction.csv")
@login_required
def instructed_csv():
    _instructor_only()
    filters = services.Filters.from_args(request.args)
    return csvexport.response(reporting.instructed_csv(current_user, filters),
                              "dossiers-de-subvention.csv")


def _board():
    """The dashboard of the programme the query string names (the person's first one if it
    names none), for the year it names; 404 for a programme the person does not instruct."""
    _instructor_only()
    programmes = access.instructed_programmes(current_user)
    programme = request.args.get("programme") or programmes[0]
    if not access.can_see_programme_figures(current_user, programme):
        abort(404)
    year = services.Filters.from_args(request.args).year
    return programmes, reporting.dashboard(current_user, programme, year)


@bp.get("/tableau-de-bord")
@login_required
def dashboard():
    programmes, board = _board()
    series = ("requested", "granted", "paid", "remaining")
    charts_ = {
        "epci": grouped_bars(board.table(board.by_epci, series), list(board.by_epci),
                             title="Montants par intercommunalité", ident="graphique-epci",
                             fmt=euros),
        "mois": grouped_bars(board.table(board.by_month, series[:3]), list(board.by_month),
                             title="Montants par mois", ident="graphique-mois", fmt=euros)}
    return render_template("subsidies/dashboard.html", board=board, programmes=programmes,
                           charts=charts_, series=reporting.SERIES, years=_years())


@bp.get("/tableau-de-bord.csv")
@login_required
def dashboard_csv():
    _, board = _board()
    return csvexport.response(reporting.dashboard_csv(board), "tableau-de-bord-subventions.csv")


# An organisation with its EPCI (« Intercommunalité : … » on a commune's page), made once.
_WITH_ITS_EPCI = select(Organisation).where(Organisation.id == bindparam("organisation")) \
    .options(joinedload(Organisation.epci))


@bp.get("/beneficiaire/<int:organisation_id>")
@login_required
def beneficiary(organisation_id: int):
    organisation = db.session.scalar(_WITH_ITS_EPCI, {"organisation": organisation_id})
    me = _me()
    if organisation is None or not access.can_see_beneficiary(me, organisation):
        abort(404)
    visible = access.visible_dossiers(me)       # the WHERE clause of both lists, made once
    lines = reporting.beneficiary(me, organisation, visible=visible)
    communes = reporting.member_communes(me, organisation, visible=visible) \
        if organisation.kind == OrgKind.EPCI else []
    return render_template("subsidies/beneficiary.html", organisation=organisation, lines=lines,
                           totals=reporting.beneficiary_totals(lines), communes=communes,
                           granted_states=reporting.GRANTED_STATES)


# --- an aid's required documents; the instructors -----------------------------------------------


@bp.route("/aide/<int:aid_id>/pieces-demandees", methods=["GET", "POST"])
@login_required
def requirements(aid_id: int):
    aid = access.get_or_404(Aid, aid_id)
    access.require(access.can_edit_requirements(current_user, aid))
    form = RequirementForm()
    if form.validate_on_submit():
        made, _ = attempt_in_form(
            form.label, lambda: services.add_requirement(aid, form.label.data, by=current_user),
            "Pièce ajoutée à la liste.", SubsidyError)
        if made:
            return redirect(url_for(".requirements", aid_id=aid.id))
    return render_template("subsidies/requirements.html", aid=aid, form=form,
                           requirements=services.requirements_of(aid))


@bp.post("/pieces-demandees/<int:requirement_id>/retirer")
@login_required
def remove_requirement(requirement_id: int):
    requirement = db.session.get(SubsidyRequirement, requirement_id) or abort(404)
    aid = access.get_or_404(Aid, requirement.aid_id)
    access.require(access.can_edit_requirements(current_user, aid))
    services.remove_requirement(requirement, by=current_user)
    flash("Pièce retirée de la liste.", "success")
    return redirect(url_for(".requirements", aid_id=aid.id))


@bp.route("/instructeurs", methods=["GET", "POST"])
@access.platform_admin_required
def instructors():
    form = InstructorForm()
    if form.validate_on_submit():
        made, _ = attempt_in_form(
            form.email, lambda: services.assign_instructor(form.email.data, form.programme.data,
                                                           by=current_user),
            "Instructeur désigné.", SubsidyError)
        if made:
            return redirect(url_for(".instructors"))
    return render_template("subsidies/instructors.html", form=form,
                           instructors=services.instructors(), programmes=services.programmes())


@bp.post("/instructeurs/<int:instructor_id>/retirer")
@access.platform_admin_required
def remove_instructor(instructor_id: int):
    row = db.session.get(SubsidyInstructor, instructor_id) or abort(404)
    services.remove_instructor(row, by=current_user)
    flash("Instructeur retiré.", "success")
    return redirect(url_for(".instructors"))


# --- open data -----------------------------------------------------------------------------------


@bp.get("/donnees-ouvertes.csv")
def scdl_export():
    """Granted subsidies in the SCDL « subventions » format: public open data."""
    return csvexport.response(scdl.export_csv(), "subventions-attribuees.csv")


@bp.get("/donnees-ouvertes")
@login_required
def open_data():
    """What the export holds, and the grants it leaves out with why (those the person sees)."""
    summary = scdl.summary(access.visible_dossiers(_me()))   # filtered in SQL
    return render_template("subsidies/open_data.html", count=summary.exported,
                           left=summary.left)
