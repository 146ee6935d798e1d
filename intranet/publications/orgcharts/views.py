"""Organisation charts: units, positions and people."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from ...core.feedback import attempt_in_form
from ...core.inputs import to_int
from ... import access
from ...accounts.models import Organisation
from ...core.hooks import register_organisation_section
from ...extensions import db, login_manager
from ...core.types import Visibility
from . import services
from .forms import NO_ACCOUNT, TOP_LEVEL, DeleteUnitForm, PositionForm, UnitForm, VisibilityForm
from .models import OrgPosition, OrgUnit, UnitKind

bp = Blueprint("orgcharts", __name__, url_prefix="/organisations")

register_organisation_section("publications/orgcharts/_org_section.html")


@bp.app_template_global()
def orgchart_section(org: Organisation) -> dict | None:
    """What the organisation page shows about its chart: None for people who may not see it."""
    visibility, units = services.chart_summary(org)
    if not access.can_view_org_chart(current_user, org, visibility):
        return None
    editable = access.can_edit_org_chart(current_user, org)
    if not units and not editable:
        return None
    return {"units": units, "editable": editable, "visibility": visibility}


# --- loading and authorising ---------------------------------------------------------------------


def _editable_org(slug: str) -> Organisation:
    """The organisation whose chart the current person changes: 404 unknown, 403 not its admin."""
    org = access.get_or_404(Organisation, slug=slug)
    access.require(access.can_edit_org_chart(current_user, org))
    return org


def _unit(org: Organisation, unit_id: int) -> OrgUnit:
    return access.part_or_404(OrgUnit, unit_id, organisation_id=org.id)


def _position(org: Organisation, position_id: int) -> OrgPosition:
    position = db.session.get(OrgPosition, position_id, options=[joinedload(OrgPosition.unit)])
    if position is None or position.unit.organisation_id != org.id:
        abort(404)
    return position


def _id(value: str | None) -> int | None:
    return to_int(value)


def _back(org: Organisation, anchor: int | None = None):
    target = url_for(".edit", slug=org.slug)
    return redirect(f"{target}#unite-{anchor}" if anchor else target)


# --- reading -------------------------------------------------------------------------------------


@bp.get("/<slug>/organigramme")
def show(slug):
    org = access.get_or_404(Organisation, slug=slug)
    visibility, _ = services.chart_summary(org)
    if not access.can_view_org_chart(current_user, org, visibility):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        abort(404)
    return render_template("publications/orgcharts/show.html", org=org, visibility=visibility,
                           drawn=services.drawn_chart(org, current_user.is_authenticated),
                           editable=access.can_edit_org_chart(current_user, org))


# --- changing ------------------------------------------------------------------------------------


@bp.get("/<slug>/organigramme/modifier")
@login_required
def edit(slug):
    org = _editable_org(slug)
    chart = services.load_chart(org)
    form = VisibilityForm(visibility=chart.visibility.value)
    return render_template("publications/orgcharts/edit.html", org=org, chart=chart, editing=True,
                           form=form)


@bp.post("/<slug>/organigramme/visibilite")
@login_required
def visibility(slug):
    org = _editable_org(slug)
    form = VisibilityForm()
    if form.validate_on_submit():
        services.set_visibility(org, Visibility(form.visibility.data), by=current_user)
        flash("Visibilité de l'organigramme enregistrée.", "success")
    else:
        flash("Choisissez qui peut voir l'organigramme : le réseau ou tout le monde.", "error")
    return _back(org)


def _unit_fields(form: UnitForm) -> dict:
    """What the unit form gives the unit services."""
    return dict(name=form.name.data, kind=UnitKind(form.kind.data),
                parent_id=_id(form.parent.data), phone=form.phone.data, email=form.email.data,
                address=form.address.data)


@bp.route("/<slug>/organigramme/unites/nouvelle", methods=["GET", "POST"])
@login_required
def create_unit(slug):
    org = _editable_org(slug)
    form = UnitForm()
    form.parent.choices = {**TOP_LEVEL, **services.unit_choices(org)}
    if request.method == "GET" and str(_id(request.args.get("parent"))) in form.parent.choices:
        form.parent.data = request.args["parent"]
    if form.validate_on_submit():
        made, unit = attempt_in_form(
            form.name, lambda: services.create_unit(org, **_unit_fields(form), by=current_user),
            lambda unit: f"Unité « {unit.name} » ajoutée.", services.OrgChartError)
        if made:
            return _back(org, unit.id)
    return render_template("publications/orgcharts/unit_form.html", org=org, form=form, unit=None)


@bp.route("/<slug>/organigramme/unites/<int:unit_id>", methods=["GET", "POST"])
@login_required
def edit_unit(slug, unit_id):
    org = _editable_org(slug)
    unit = _unit(org, unit_id)
    form = UnitForm(obj=unit)
    form.parent.choices = {**TOP_LEVEL, **services.unit_choices(org, exclude=unit.id)}
    if request.method == "GET":
        form.kind.data = unit.kind.value
        form.parent.data = str(unit.parent_id) if unit.parent_id else ""
    else:
        # A move under the unit itself or a sub-unit is not offered; if one is sent anyway,
        # the service refuses it with its own message rather than "not a valid choice".
        form.parent.choices = {**TOP_LEVEL, **services.unit_choices(org)}
    if form.validate_on_submit() and attempt_in_form(
            form.parent, lambda: services.update_unit(unit, **_unit_fields(form), by=current_user),
            lambda _: f"Unité « {unit.name} » enregistrée.", services.OrgChartError)[0]:
        return _back(org, unit.id)
    return render_template("publications/orgcharts/unit_form.html", org=org, form=form, unit=unit)


@bp.post("/<slug>/organigramme/unites/<int:unit_id>/monter")
@login_required
def move_up(slug, unit_id):
    return _reorder(slug, unit_id, -1)


@bp.post("/<slug>/organigramme/unites/<int:unit_id>/descendre")
@login_required
def move_down(slug, unit_id):
    return _reorder(slug, unit_id, 1)


def _reorder(slug: str, unit_id: int, offset: int):
    org = _editable_org(slug)
    unit = _unit(org, unit_id)
    try:
        services.reorder_unit(unit, offset, by=current_user)
    except services.OrgChartError as exc:
        flash(str(exc), "error")
    return _back(org, unit.id)


@bp.route("/<slug>/organigramme/unites/<int:unit_id>/supprimer", methods=["GET", "POST"])
@login_required
def delete_unit(slug, unit_id):
    org = _editable_org(slug)
    unit = _unit(org, unit_id)
    contents = services.unit_contents(unit)
    form = DeleteUnitForm()
    # Only the units that may receive the contents are offered; any other one sent is refused
    # by the service with its own message.
    form.move_to.choices = {"": "— Choisissez une unité —",
                            **services.unit_choices(org, exclude=unit.id if request.method == "GET"
                                                    else None)}
    if request.method == "GET" and unit.parent_id:
        form.move_to.data = str(unit.parent_id)
    if form.validate_on_submit() and attempt_in_form(
            form.move_to, lambda: services.delete_unit(unit, by=current_user,
                                                       move_to_id=_id(form.move_to.data)),
            f"Unité « {unit.name} » supprimée.", services.OrgChartError)[0]:
        return _back(org)
    return render_template("publications/orgcharts/delete_unit.html", org=org, unit=unit,
                           contents=contents, form=form)


def _position_fields(form: PositionForm) -> dict:
    """What the position form gives the position services (its unit aside)."""
    return dict(title=form.title.data, user_id=_id(form.user.data),
                person_name=form.person_name.data, phone=form.phone.data, email=form.email.data,
                vacant=form.vacant.data, is_head=form.is_head.data)


@bp.route("/<slug>/organigramme/unites/<int:unit_id>/postes/nouveau", methods=["GET", "POST"])
@login_required
def create_position(slug, unit_id):
    org = _editable_org(slug)
    unit = _unit(org, unit_id)
    form = PositionForm()
    del form.unit
    form.user.choices = {**NO_ACCOUNT, **services.member_choices(org)}
    if form.validate_on_submit() and attempt_in_form(
            form.title, lambda: services.create_position(unit, **_position_fields(form),
                                                         by=current_user),
            f"Poste « {(form.title.data or '').strip()} » ajouté à « {unit.name} ».",
            services.OrgChartError)[0]:
        return _back(org, unit.id)
    return render_template("publications/orgcharts/position_form.html", org=org, unit=unit,
                           form=form, position=None)


@bp.route("/<slug>/organigramme/postes/<int:position_id>", methods=["GET", "POST"])
@login_required
def edit_position(slug, position_id):
    org = _editable_org(slug)
    position = _position(org, position_id)
    form = PositionForm()  # not obj=: its ``user`` and ``unit`` are objects, not choices
    form.unit.choices = services.unit_choices(org)
    form.user.choices = {**NO_ACCOUNT, **services.member_choices(org)}
    if position.user_id and str(position.user_id) not in form.user.choices:
        # Someone who has left the organisation still holds the post until it is changed.
        form.user.choices[str(position.user_id)] = position.user.full_name
    if request.method == "GET":
        for name in ("title", "person_name", "phone", "email", "vacant", "is_head"):
            form[name].data = getattr(position, name)
        form.unit.data = str(position.unit_id)
        form.user.data = str(position.user_id) if position.user_id else ""
    if form.validate_on_submit() and attempt_in_form(
            form.title, lambda: services.update_position(position, unit_id=_id(form.unit.data),
                                                         **_position_fields(form), by=current_user),
            lambda _: f"Poste « {position.title} » enregistré.", services.OrgChartError)[0]:
        return _back(org, position.unit_id)
    return render_template("publications/orgcharts/position_form.html", org=org,
                           unit=position.unit, form=form, position=position)


@bp.post("/<slug>/organigramme/postes/<int:position_id>/supprimer")
@login_required
def delete_position(slug, position_id):
    org = _editable_org(slug)
    position = _position(org, position_id)
    unit_id, title = position.unit_id, position.title
    services.delete_position(position, by=current_user)
    flash(f"Poste « {title} » supprimé.", "success")
    return _back(org, unit_id)
