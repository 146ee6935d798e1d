"""Deliberations and acts: public list, act pages and PDFs, sittings, editing and publishing,
feeds, SCDL export, organisation settings."""
from __future__ import annotations

from flask import (Blueprint, abort, flash, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required

from ...core import csvexport
from ... import access
from ...accounts import services as accounts
from ...accounts import working
from ...accounts.models import ORGANISATIONS, Organisation
from ...core import atom, fragments, generations, uploads
from ...core.pagination import kept_page
from ...core.inputs import page_arg
from ...core import pending as pending_uploads
from ...core.hooks import register_organisation_section
from ...core.sanitize import to_text
from ...core.urls import absolute_url
from ...extensions import db
from ...core.types import Visibility
from ..routes import add_attachment_routes, add_lifecycle_routes, feed_owner
from . import acknowledgements, classification, listing, reading, scdl, services
from . import calendar  # noqa: F401 - registers the sittings and minutes in the agendas
from .forms import (AcknowledgementsForm, AgendaForm, DeliberationForm, ListFilterForm,
                    MinutesForm, SettingsForm)
from .models import (ActNature, Assembly, Deliberation, PublicationMode, Sitting, SittingMinutes,
                     today_paris)
from ...core.csvimport import import_sent
from ...core.feedback import attempt

bp = Blueprint("deliberations", __name__, url_prefix="/deliberations")

register_organisation_section("publications/deliberations/_organisation.html")
atom.register_private_feed("Délibérations", "deliberations.private_feed")

PER_PAGE = 30


@bp.record_once
def _read_classification(state) -> None:
    classification.themes()  # read the ACTES list at start-up: a missing file fails early


# --- template helpers (for the organisation page) ---------------------------------------------


@bp.app_template_global()
def deliberation_section(org: Organisation) -> dict:
    """What the organisation page shows of its acts, filtered for the current person."""
    editor = access.can_edit_publication(current_user, org)
    acts = reading.organisation_acts(current_user, org)
    return {
        "lists": acts.lists,
        "pending": reading.pending_sittings([org]) if editor else [],
        "settings": acts.settings,
        "small_commune": services.is_small_commune(org),
        "editor": editor,
        "today": today_paris(),
    }


# --- public list, act pages, files ------------------------------------------------------------


@bp.get("/")
def index():
    filters = listing.ListFilters.from_args(request.args)
    form = ListFilterForm(request.args, years=listing.list_years(current_user),
                          organisations=listing.act_publishers(current_user))
    # the same page for everyone of the reader's audience: kept until an act or an
    # organisation changes
    key = ("list", access.publication_audience(current_user), request.script_root,
           tuple(sorted(filters.args().items())), page_arg())
    page = generations.kept((listing.ACTS, ORGANISATIONS), key, lambda: kept_page(
        listing.list_query(current_user, filters),
        lambda acts: fragments.drawn("publications/deliberations/_rows.html", acts=acts),
        per_page=PER_PAGE))
    return render_template("publications/deliberations/index.html", page=page, form=form,
                           filters=filters,
                           publishers=access.publishing_organisations(current_user))


def _load(deliberation_id: int, need: str = "view") -> Deliberation:
    return access.authorize(reading.load_for_show(deliberation_id), need)


@bp.get("/<int:deliberation_id>")
def show(deliberation_id):
    deliberation = _load(deliberation_id)
    sitting = deliberation.sitting
    settings = services.settings_for(deliberation.organisation)
    missing = (scdl.missing_from_export(deliberation, settings)
               if access.can_edit(current_user, deliberation) else None)
    return render_template(
        "publications/deliberations/show.html", deliberation=deliberation, settings=settings,
        missing_from_export=missing,
        fixers=accounts.organisation_admins(deliberation.organisation) if missing else [],
        sitting_visible=access.can_view_sitting(current_user, sitting),
        withdrawal_refusal=services.withdrawal_refusal(deliberation)
        if deliberation.is_published else None)


@bp.get("/<int:deliberation_id>/acte.pdf")
def act_pdf(deliberation_id):
    deliberation = _load(deliberation_id)
    if deliberation.act_file is None:
        abort(404)
    return uploads.send(deliberation.act_file,
                        download_name=f"{deliberation.number}.pdf")


add_attachment_routes(
    bp, Deliberation, "/<int:deliberation_id>", "deliberation_id", item_rule="annexes",
    item_arg="annex_id", endpoint="annex", inline=False, removed="Annexe supprimée.",
    back=".edit")


# --- sittings ---------------------------------------------------------------------------------


def _load_sitting(sitting_id: int) -> Sitting:
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None or not access.can_view_sitting(current_user, sitting):
        abort(404)
    return sitting


@bp.get("/seances/<int:sitting_id>")
def sitting(sitting_id):
    item = _load_sitting(sitting_id)
    return render_template("publications/deliberations/sitting.html", sitting=item,
                           acts=reading.sitting_acts(current_user, item),
                           minutes=services.visible_minutes(current_user, item),
                           editor=access.can_edit_publication(current_user, item.organisation))


def _sitting_to_edit(sitting_id: int) -> Sitting:
    item = _load_sitting(sitting_id)
    access.require(access.can_edit_publication(current_user, item.organisation))
    return item


@bp.route("/seances/<int:sitting_id>/ordre-du-jour", methods=["GET", "POST"])
@login_required
def sitting_agenda(sitting_id):
    item = _sitting_to_edit(sitting_id)
    form = AgendaForm(data={"agenda": item.agenda} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.save_agenda(item, form.agenda.data or "", by=current_user)
        except services.DeliberationError as exc:
            _field_error(form, exc)
        else:
            flash("Ordre du jour enregistré.", "success")
            return redirect(url_for(".sitting", sitting_id=sitting_id))
    return render_template("publications/deliberations/agenda_form.html", form=form,
                           sitting=item)


@bp.route("/seances/<int:sitting_id>/proces-verbal", methods=["GET", "POST"])
@login_required
def minutes_form(sitting_id):
    item = _sitting_to_edit(sitting_id)
    minutes = item.minutes
    values = ({"approved_on": minutes.approved_on, "visibility": minutes.visibility.value}
              if minutes is not None and request.method == "GET" else None)
    form = MinutesForm(data=values)
    files = pending_uploads.Submission(form, {"pdf": services.PDF_ONLY}, single={"pdf"})
    if form.validate_on_submit():
        try:
            services.save_minutes(
                item, by=current_user, approved_on=form.approved_on.data,
                visibility=_choice(Visibility, form.visibility.data, Visibility.PUBLIC),
                pdf=files.file("pdf"))
        except services.DeliberationError as exc:
            _field_error(form, exc)
        else:
            flash("Procès-verbal enregistré : publiez-le une fois approuvé.", "success")
            return redirect(url_for(".sitting", sitting_id=sitting_id, _anchor="proces-verbal"))
    elif form.is_submitted():
        _report(form, services.minutes_problems(item, form.approved_on.data))
    return render_template("publications/deliberations/minutes_form.html", form=form,
                           sitting=item, minutes=minutes, pending_files=files.kept())


def _load_minutes(minutes_id: int) -> SittingMinutes:
    return access.get_or_404(SittingMinutes, minutes_id)


@bp.get("/proces-verbaux/<int:minutes_id>")
def minutes(minutes_id):
    item = _load_minutes(minutes_id)
    return redirect(url_for(".sitting", sitting_id=item.sitting_id, _anchor="proces-verbal"))


@bp.get("/proces-verbaux/<int:minutes_id>/proces-verbal.pdf")
def minutes_pdf(minutes_id):
    item = _load_minutes(minutes_id)
    if item.file is None:
        abort(404)
    return uploads.send(item.file, download_name=f"proces-verbal-{item.sitting.sitting_date}.pdf")


add_lifecycle_routes(
    bp, SittingMinutes, "/proces-verbaux/<int:minutes_id>", "minutes_id",
    published="Procès-verbal publié : il est en ligne sur la page de la séance.",
    withdrawn="Procès-verbal retiré : il n'est plus en ligne.", prefix="minutes_",
    back=".minutes")


@bp.route("/accuses-de-reception", methods=["GET", "POST"])
@login_required
def import_acknowledgements():
    organisations = access.publishing_organisations(current_user)
    access.require(bool(organisations))
    form = AcknowledgementsForm()
    form.organisation.choices = {str(o.id): o.name for o in organisations}

    def load(data: bytes):
        chosen = next((o for o in organisations if str(o.id) == form.organisation.data), None)
        if chosen is None:
            raise services.DeliberationError("Choisissez l'organisme dont ce sont les actes.")
        return acknowledgements.import_acknowledgements(chosen, data, by=current_user)

    sent = import_sent(form, load, {services.DeliberationError: form.organisation})
    if sent.done:
        count = len(sent.result)
        flash(f"{count} accusé{'s' if count > 1 else ''} de réception enregistré"
              f"{'s' if count > 1 else ''}.", "success")
    return render_template("publications/deliberations/acknowledgements.html", form=form,
                           problems=sent.problems, done=sent.result if sent.done else None,
                           columns=acknowledgements.ACK_COLUMNS)


@bp.post("/seances/<int:sitting_id>/publier-la-liste")
@login_required
def publish_sitting_list(sitting_id):
    item = _load_sitting(sitting_id)
    access.require(access.can_edit_publication(current_user, item.organisation))
    attempt(lambda: services.publish_sitting_list(item, by=current_user),
            "La liste des délibérations de la séance est en ligne.", services.DeliberationError)
    return redirect(url_for(".sitting", sitting_id=sitting_id))


@bp.get("/a-publier")
@login_required
def pending():
    organisations = access.publishing_organisations(current_user)
    access.require(bool(organisations))
    return render_template("publications/deliberations/pending.html",
                           organisations=organisations,
                           sittings=reading.pending_sittings(organisations),
                           minutes=services.pending_minutes(organisations),
                           drafts=reading.drafts_of(organisations), today=today_paris())


# --- writing ----------------------------------------------------------------------------------


def _choice(enum, value, default):
    """The enum member of a choice, or ``default`` when the choice itself was refused (the
    field then already shows its error)."""
    try:
        return enum(value)
    except ValueError:
        return default


def _act_data(form: DeliberationForm) -> services.ActData:
    return services.ActData(
        nature=_choice(ActNature, form.nature.data, ActNature.DELIBERATION),
        number=form.number.data or "",
        assembly=_choice(Assembly, form.assembly.data, Assembly.OTHER),
        sitting_date=form.sitting_date.data,
        subject=form.subject.data or "", matiere_code=form.matiere.data or "",
        signatory_name=form.signatory_name.data or "",
        signatory_function=form.signatory_function.data or "", body=form.body.data or "",
        body_format=form.body_format.data,
        members_in_office=form.members_in_office.data, members_present=form.members_present.data,
        votes_for=form.votes_for.data, votes_against=form.votes_against.data,
        abstentions=form.abstentions.data, budget_year=form.budget_year.data,
        budget_name=form.budget_name.data, transmitted_on=form.transmitted_on.data,
        acknowledgement_id=form.acknowledgement_id.data,
        visibility=_choice(Visibility, form.visibility.data, Visibility.PUBLIC),
        extra={f.name: f.data for f in form.other_fields()})


def _files(form: DeliberationForm) -> pending_uploads.Submission:
    """The act's PDF and the annexes of this submission: those sent now and the pending ones
    the form carries (kept from a refused submission, ``core/pending.py``). A new PDF replaces
    a carried one."""
    return pending_uploads.Submission(form, {"act_pdf": services.PDF_ONLY,
                                             "annexes": services.PDF_ONLY}, single={"act_pdf"})


def _field_error(form, exc: services.DeliberationError) -> None:
    _report(form, exc.problems)


def _report(form, problems) -> None:
    """Each problem next to its field (the summary at the top of the page lists them all);
    one without a field of this form is flashed. A field that already shows an error (a
    required value, a date that could not be read) is not given a second one."""
    for name, message in problems:
        target = getattr(form, name, None) if name else None
        if target is None:
            flash(message, "error")
        elif not target.errors:
            target.errors = [message]


def _act_form_valid(form: DeliberationForm, organisation, deliberation=None) -> bool:
    """The form's own checks, then, if they failed, the service's too: every problem of the
    act is reported at once, not one per attempt."""
    if not form.is_submitted():
        return False
    if form.validate():
        return True
    _report(form, services.act_problems(_act_data(form), organisation, deliberation))
    return False


_DEFAULT_ASSEMBLY = {"commune": "conseil_municipal", "epci": "conseil_communautaire",
                     "departement": "conseil_departemental"}


@bp.route("/nouvel-acte", methods=["GET", "POST"])
@login_required
def create():
    organisations = access.publishing_organisations(current_user)
    access.require(bool(organisations))
    form = DeliberationForm(organisations=organisations)
    files = _files(form)
    if request.method == "GET":
        wanted = request.args.get("organisation")
        chosen = next((o for o in organisations if o.slug == wanted),
                      working.first_for(current_user, organisations)[0])
        form.organisation.data = str(chosen.id)
        form.assembly.data = _DEFAULT_ASSEMBLY.get(chosen.kind.value, "autre")
        form.signatory_name.data, form.signatory_function.data = reading.last_signatory(chosen)
    chosen = next((o for o in organisations if str(o.id) == form.organisation.data), None)
    if _act_form_valid(form, chosen):
        try:
            deliberation = services.create_deliberation(
                chosen, _act_data(form), by=current_user, act_pdf=files.file("act_pdf"),
                annexes=files.files("annexes"))
        except services.DeliberationError as exc:
            _field_error(form, exc)
        else:
            flash("Acte enregistré comme brouillon : vérifiez-le puis publiez-le.", "success")
            return redirect(url_for(".show", deliberation_id=deliberation.id))
    return render_template("publications/deliberations/form.html", form=form, deliberation=None,
                           pending_files=files.kept())


def _form_values(deliberation: Deliberation) -> dict:
    """The act as the form's values: every column under its own name (the form takes the
    fields it has), then the few fields named or shaped differently."""
    values = {name: getattr(deliberation, name)
              for name in Deliberation.__table__.columns.keys()}
    values.update(nature=deliberation.nature.value, assembly=deliberation.assembly.value,
                  visibility=deliberation.visibility.value, matiere=deliberation.matiere_code,
                  body=deliberation.body_source, body_format=deliberation.body_format)
    return values


@bp.route("/<int:deliberation_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(deliberation_id):
    deliberation = _load(deliberation_id, need="edit")
    form = DeliberationForm(organisations=[deliberation.organisation],
                            data=_form_values(deliberation) if request.method == "GET" else None)
    del form.organisation
    files = _files(form)
    if _act_form_valid(form, deliberation.organisation, deliberation):
        try:
            services.update_deliberation(deliberation, _act_data(form), by=current_user,
                                         act_pdf=files.file("act_pdf"),
                                         annexes=files.files("annexes"))
        except services.DeliberationError as exc:
            _field_error(form, exc)
        else:
            flash("Modifications enregistrées.", "success")
            return redirect(url_for(".show", deliberation_id=deliberation.id))
    return render_template("publications/deliberations/form.html", form=form,
                           deliberation=deliberation, pending_files=files.kept())


add_lifecycle_routes(
    bp, Deliberation, "/<int:deliberation_id>", "deliberation_id",
    published="Acte publié : il est en ligne, avec sa date de mise en ligne.",
    withdrawn="Acte retiré : il n'est plus en ligne (il reste archivé).")


@bp.post("/<int:deliberation_id>/supprimer")
@login_required
def delete(deliberation_id):
    deliberation = _load(deliberation_id, need="edit")
    try:
        services.delete_draft(deliberation, by=current_user)
    except services.DeliberationError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".show", deliberation_id=deliberation_id))
    flash("Brouillon supprimé.", "success")
    return redirect(url_for(".pending"))


# --- organisation settings --------------------------------------------------------------------


@bp.route("/organisations/<slug>/parametres", methods=["GET", "POST"])
@login_required
def settings(slug):
    organisation = access.get_or_404(Organisation, slug=slug, need="manage")
    current = services.settings_for(organisation)
    form = SettingsForm(obj=current)
    small = services.is_small_commune(organisation)
    if request.method == "GET" and current is not None:
        form.publication_mode.data = current.publication_mode.value
    if form.validate_on_submit():
        try:
            services.save_settings(
                organisation, by=current_user, siret=form.siret.data,
                publication_mode=PublicationMode(form.publication_mode.data) if small
                else PublicationMode.ELECTRONIC,
                mode_chosen_on=form.mode_chosen_on.data if small else None,
                mode_deliberation_number=form.mode_deliberation_number.data if small else None)
        except services.DeliberationError as exc:
            _field_error(form, exc)
        else:
            flash("Paramètres des actes enregistrés.", "success")
            return redirect(url_for("accounts.organisation", slug=organisation.slug))
    return render_template("publications/deliberations/settings.html", form=form,
                           org=organisation, small=small)


# --- feeds and export -------------------------------------------------------------------------


def _entries(acts: list[Deliberation]) -> list[atom.Entry]:
    return [atom.Entry(
        id=absolute_url("deliberations.show", deliberation_id=act.id),
        title=f"{act.organisation.name} — {act.nature.label} n° {act.number} : {act.subject}",
        link=absolute_url("deliberations.show", deliberation_id=act.id),
        updated=act.published_at,
        summary=f"{act.assembly.label}, séance du {act.sitting_date.strftime('%d/%m/%Y')}. "
                f"{to_text(act.body_html)[:500]}".strip(),
        author=act.organisation.name) for act in acts]


@bp.get("/flux.atom")
def feed():
    slug = request.args.get("organisation")
    organisation = access.get_or_404(Organisation, slug=slug) if slug else None
    acts = reading.feed_entries(None, organisation)
    title = "Délibérations et actes" + (f" — {organisation.name}" if organisation else "")
    values = {"organisation": slug} if slug else {}
    return atom.feed(feed_id=absolute_url("deliberations.feed", **values), title=title,
                     self_url=absolute_url("deliberations.feed", **values),
                     page_url=absolute_url("deliberations.index", **values), entries=_entries(acts))


@bp.get("/flux/<token>.atom")
def private_feed(token):
    user = feed_owner(token)
    acts = reading.feed_entries(user)
    return atom.feed(feed_id=f"{absolute_url('deliberations.feed')}#personnel-{user.id}",
                     title="Délibérations et actes (réseau)",
                     self_url=absolute_url("deliberations.private_feed", token=token),
                     page_url=absolute_url("deliberations.index"), entries=_entries(acts))


@bp.get("/donnees-ouvertes")
def open_data():
    """The SCDL export: what it holds for the list's filters, and what it leaves out and why."""
    filters = listing.ListFilters.from_args(request.args)
    included, left_out = scdl.report(filters)
    return render_template("publications/deliberations/open_data.html", filters=filters,
                           included=included, left_out=left_out)


@bp.get("/export-scdl.csv")
def export_scdl():
    filters = listing.ListFilters.from_args(request.args)
    return csvexport.response(scdl.export_csv(filters), "deliberations-scdl.csv")

