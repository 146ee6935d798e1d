"""Administration: the platform admin's console and each organisation admin's members page."""
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from ..core.pagination import kept_page, paginate, plain_page
from .. import access
from ..accounts import finder
from ..accounts import organisations as orgs
from ..accounts import services as accounts
from ..accounts.forms import AddMemberForm, CsvForm, InviteForm, OrganisationForm, RoleForm
from ..accounts.models import ORGANISATIONS, Membership, Organisation, OrgKind, User
from ..core.timeutil import utcnow
from ..core.types import Role
from ..core import accessibility, generations, tables
from ..core.inputs import page_arg
from ..core.audit import ACTION_LABELS
from ..core.csvimport import import_sent
from ..core.frdates import format_datetime
from ..extensions import db
from ..spaces.models import Space, SpaceKind
from . import services
from .forms import (ONE_A_LINE, AccessibilityAuditForm, AddMembershipForm, AuditFilterForm,
                    NewOrganisationForm)
from ..core.feedback import attempt, attempt_in_form

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@access.platform_admin_required
def index():
    return render_template("admin/index.html", counts=services.overview())


# --- organisations ---------------------------------------------------------------------------------


@bp.get("/organisations")
@access.platform_admin_required
def organisations():
    q = request.args.get("q", "").strip()[:100]
    query = select(Organisation).order_by(Organisation.kind, Organisation.name_key)
    words = finder.words_of(q)
    if words:
        query = query.where(and_(*finder.name_matches(Organisation.name_key, words))
                            | (Organisation.insee_code == q) | (Organisation.siren == q))
    # kept by the process until an organisation changes
    page = generations.kept(ORGANISATIONS, ("administration", request.script_root, q,
                                            page_arg()),
                            lambda: kept_page(query, _organisation_rows, per_page=100))
    return render_template("admin/organisations.html", page=page, q=q)


def _organisation_rows(organisations) -> Markup:
    """The administration's list of organisations: name (a link to its page), kind, INSEE
    code, SIREN, and links to its members, its form and its log."""
    home, members, edit, log = (tables.address_of(endpoint, "slug") for endpoint in (
        "accounts.organisation", "admin.organisation_members", "admin.edit_organisation",
        "admin.organisation_audit"))
    return tables.table_rows(organisations, [("Nom", lambda org: tables.link(home(org.slug), org.name)),
            ("Type", lambda org: org.kind.label),
            ("INSEE", lambda org: org.insee_code), ("SIREN", lambda org: org.siren),
            ("Actions", lambda org: Markup(" ·\n").join((
                tables.link(members(org.slug), "Membres"), tables.link(edit(org.slug), "Modifier"),
                tables.link(log(org.slug), "Journal"))))])


@bp.route("/organisations/nouvelle", methods=["GET", "POST"])
@access.platform_admin_required
def new_organisation():
    form = NewOrganisationForm()
    searched = finder.searched_field(form)
    if searched is not None:   # « Chercher » without JavaScript: the matches, to pick from
        searched.search(current_user)
    elif form.validate_on_submit():
        epci = form.epci.choose(current_user)
        if form.epci.text.strip() and epci is None:
            form.epci.refuse("Aucune intercommunalité n'a ce SIREN." if
                             form.epci.text.strip().isdigit() else None)
        if not form.epci.errors:
            try:
                org = orgs.create_organisation(
                    name=form.name.data, kind=OrgKind(form.kind.data), by=current_user,
                    insee_code=(form.insee_code.data or "").strip() or None,
                    siren=(form.siren.data or "").strip() or None, epci=epci,
                    description=form.description.data or "", email=form.email.data or None,
                    phone=form.phone.data or None, address=form.address.data or None)
            except orgs.OrganisationError as exc:
                form.name.errors.append(str(exc))
            else:
                flash(f"Organisation « {org.name} » créée, avec son espace privé.", "success")
                return redirect(url_for(".organisation_members", slug=org.slug))
    return render_template("admin/organisation_form.html", form=form, org=None)


@bp.route("/organisations/<slug>/modifier", methods=["GET", "POST"])
@login_required
def edit_organisation(slug):
    org = access.get_or_404(Organisation, slug=slug, need="manage")
    form = OrganisationForm(obj=org)
    if form.validate_on_submit() and attempt_in_form(
            form.name, lambda: orgs.update_organisation(
                org, by=current_user, name=form.name.data,
                description=form.description.data or "", email=form.email.data,
                phone=form.phone.data, address=form.address.data,
                opening_hours=form.opening_hours.data or ""),
            "Organisation enregistrée.", orgs.OrganisationError)[0]:
        return redirect(url_for("accounts.organisation", slug=org.slug))
    return render_template("admin/organisation_form.html", form=form, org=org)


@bp.route("/organisations/import", methods=["GET", "POST"])
@access.platform_admin_required
def import_organisations():
    form = CsvForm()
    sent = import_sent(form, lambda data: orgs.import_csv(data, by=current_user))
    if sent.done:
        flash(f"Import terminé : {sent.result['created']} organisations créées, "
              f"{sent.result['updated']} mises à jour.", "success")
        return redirect(url_for(".organisations"))
    return render_template("admin/import.html", form=form, problems=sent.problems,
                           title="Importer des organisations",
                           columns=orgs.GENERIC_COLUMNS + orgs.GENERIC_OPTIONAL,
                           note="Le fichier des communes de l'INSEE (code_insee, nom, siren_commune, "
                                "siren_epci, nom_epci, population_totale…) est aussi accepté tel quel.")


# --- an organisation's members (its admins and the platform admin) ------------------------------


def _org_membership(org: Organisation, membership_id: int) -> Membership:
    return access.part_or_404(Membership, membership_id, organisation_id=org.id)


def _managed_membership(slug: str, membership_id: int) -> tuple[Organisation, Membership]:
    """An organisation its admin manages, and one of its memberships (404 otherwise)."""
    org = access.get_or_404(Organisation, slug=slug, need="manage")
    return org, _org_membership(org, membership_id)


@bp.get("/organisations/<slug>/membres")
@login_required
def organisation_members(slug):
    org = access.get_or_404(Organisation, slug=slug, need="manage")
    members = db.session.scalars(
        select(Membership).join(User).where(Membership.organisation_id == org.id)
        .options(joinedload(Membership.user)).order_by(User.name_key, User.id)).all()
    return render_template("admin/organisation_members.html", org=org, members=members,
                           invite_form=InviteForm(), add_form=AddMemberForm(),
                           csv_form=CsvForm(), role_form=RoleForm(), roles=Role,
                           columns=accounts.USER_COLUMNS + ["role", "fonction", "telephone"])


def _back(org):
    return redirect(url_for(".organisation_members", slug=org.slug))


@bp.post("/organisations/<slug>/membres/inviter")
@login_required
def invite(slug):
    org = access.get_or_404(Organisation, slug=slug, need="manage")
    form = InviteForm()
    if not form.validate_on_submit():
        flash("Invitation impossible : " + " ".join(
            f"{form[name].label.text} : {' '.join(errs)}" for name, errs in form.errors.items()),
            "error")
        return _back(org)
    try:
        user = accounts.invite(org, email=form.email.data, first_name=form.first_name.data or "",
                               last_name=form.last_name.data, function=form.function.data or "",
                               role=Role(form.role.data), by=current_user)
    except accounts.AccountError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Invitation envoyée à {user.email}. {user.full_name} fait déjà partie de "
              f"l'organisation et recevra ce que ses espaces diffusent.", "success")
    return _back(org)


@bp.post("/organisations/<slug>/membres/ajouter")
@login_required
def add_existing_member(slug):
    org = access.get_or_404(Organisation, slug=slug, need="manage")
    form = AddMemberForm()
    user = accounts.find_user(form.email.data or "") if form.validate_on_submit() else None
    if user is None:
        flash("Aucun compte n'a cette adresse : utilisez « Inviter une personne ».", "error")
        return _back(org)
    attempt(lambda: accounts.add_membership(user, org, Role(form.role.data), by=current_user),
            f"{user.full_name} fait maintenant partie de l'organisation.", accounts.AccountError)
    return _back(org)


def _membership_action(action: str):
    """A POST on one membership of an organisation the person manages (``_managed_membership``:
    404 otherwise), answered by going back to its members page. The view receives the
    organisation and the membership."""
    def register(view):
        @bp.post(f"/organisations/<slug>/membres/<int:membership_id>/{action}",
                 endpoint=view.__name__)
        @login_required
        @wraps(view)
        def run(slug, membership_id):
            org, membership = _managed_membership(slug, membership_id)
            view(org, membership)
            return _back(org)
        return run
    return register


@_membership_action("role")
def change_role(org, membership):
    form = RoleForm()
    if form.validate_on_submit():
        role = Role(form.role.data)
        attempt(lambda: accounts.change_role(membership, role, by=current_user),
                f"Rôle de {membership.user.full_name} : {role.label}.", accounts.AccountError)


@_membership_action("retirer")
def remove_member(org, membership):
    name = membership.user.full_name
    attempt(lambda: accounts.remove_membership(membership, by=current_user),
            f"{name} ne fait plus partie de l'organisation. Son compte et ses contenus "
            "sont conservés.", accounts.AccountError)


@_membership_action("relancer")
def resend_invitation(org, membership):
    attempt(lambda: accounts.resend_invitation(membership.user, org, by=current_user),
            f"Nouvelle invitation envoyée à {membership.user.email}.", accounts.AccountError)


@bp.route("/organisations/<slug>/membres/import", methods=["GET", "POST"])
@login_required
def import_members(slug):
    org = access.get_or_404(Organisation, slug=slug, need="manage")
    return _import_users_page(org)


@bp.route("/utilisateurs/import", methods=["GET", "POST"])
@access.platform_admin_required
def import_users():
    return _import_users_page(None)


def _import_users_page(org: Organisation | None):
    form = CsvForm()
    sent = import_sent(form, lambda data: accounts.import_users(data, by=current_user,
                                                                organisation=org))
    if sent.done:
        count = sent.result
        flash(f"{count} compte{'s' if count > 1 else ''} créé{'s' if count > 1 else ''} ; "
              "chacun a reçu une invitation par courriel.", "success")
        return _back(org) if org else redirect(url_for(".users"))
    columns = accounts.USER_COLUMNS + ([] if org else ["organisation"]) + ["role", "fonction",
                                                                           "telephone"]
    return render_template("admin/import.html", form=form, problems=sent.problems, org=org,
                           title=f"Importer des comptes{' — ' + org.name if org else ''}",
                           columns=columns,
                           note="Rôle : membre, rédacteur ou administrateur (membre si vide). "
                                + ("" if org else "Organisation : code INSEE, SIREN ou identifiant."))


# --- people -------------------------------------------------------------------------------------


@bp.get("/utilisateurs")
@access.platform_admin_required
def users():
    q, state = request.args.get("q", "").strip()[:100], request.args.get("etat", "")
    page = paginate(services.users_query(q, state).options(
        joinedload(User.memberships).joinedload(Membership.organisation)),
        per_page=50)
    return render_template("admin/users.html", page=page, q=q, state=state)


@bp.get("/utilisateurs/<int:user_id>")
@access.platform_admin_required
def user(user_id):
    person = db.session.get(User, user_id) or abort(404)
    return _user_page(person, AddMembershipForm())


def _user_page(person: User, form: AddMembershipForm):
    return render_template("admin/user.html", person=person, form=form, role_form=RoleForm(),
                           now_utc=utcnow())


@bp.post("/utilisateurs/<int:user_id>/etat")
@access.platform_admin_required
def set_active(user_id):
    person = db.session.get(User, user_id) or abort(404)
    active = not person.active
    attempt(lambda: accounts.set_active(person, active, by=current_user),
            f"Compte {'réactivé' if active else 'désactivé'} : {person.full_name}.",
            accounts.AccountError)
    return redirect(url_for(".user", user_id=person.id))


@bp.post("/utilisateurs/<int:user_id>/debloquer")
@access.platform_admin_required
def unlock(user_id):
    """Lift a sign-in lock (repeated failures) before its end."""
    person = db.session.get(User, user_id) or abort(404)
    accounts.unlock(person, by=current_user)
    flash(f"Compte débloqué : {person.full_name} peut de nouveau se connecter.", "success")
    return redirect(url_for(".user", user_id=person.id))


@bp.post("/utilisateurs/<int:user_id>/admin-plateforme")
@access.platform_admin_required
def toggle_platform_admin(user_id):
    person = db.session.get(User, user_id) or abort(404)
    attempt(lambda: accounts.set_platform_admin(person, not person.is_platform_admin,
                                                by=current_user),
            "Droits d'administration de la plateforme mis à jour.", accounts.AccountError)
    return redirect(url_for(".user", user_id=person.id))


@bp.post("/utilisateurs/<int:user_id>/adhesions")
@access.platform_admin_required
def add_membership(user_id):
    person = db.session.get(User, user_id) or abort(404)
    form = AddMembershipForm()
    searched = finder.searched_field(form)
    if searched is not None:   # « Chercher » without JavaScript: the matches, to pick from
        searched.search(current_user)
        return _user_page(person, form)
    org = form.organisation.choose(current_user) if form.validate_on_submit() else None
    if org is None:
        form.organisation.refuse(
            None if form.organisation.text.strip() else "Choisissez une organisation.")
        return _user_page(person, form)
    attempt(lambda: accounts.add_membership(person, org, Role(form.role.data), by=current_user),
            f"{person.full_name} fait maintenant partie de « {org.name} ».", accounts.AccountError)
    return redirect(url_for(".user", user_id=person.id))


# --- spaces, audit log, mail -------------------------------------------------------------------


@bp.get("/espaces")
@access.platform_admin_required
def spaces():
    # what the table shows (names, kinds, visibilities, slugs) is what the « access »
    # generation watches: kept by the process until a space changes
    page = generations.kept(generations.ACCESS, ("spaces", request.script_root, page_arg()),
                            lambda: kept_page(select(Space).order_by(Space.kind,
                                                                             Space.name),
                                                      _space_rows, per_page=100))
    return render_template("admin/spaces.html", page=page)


def _space_rows(spaces) -> Markup:
    """The administration's list of spaces: name, kind, visibility, and links to its
    settings and (a group's) members."""
    settings, members = (tables.address_of(endpoint, "slug")
                         for endpoint in ("spaces.settings", "spaces.members"))

    def actions(space):
        shown = tables.link(settings(space.slug), "Paramètres")
        if space.kind == SpaceKind.GROUP:
            shown += Markup(" · ") + tables.link(members(space.slug), "Membres")
        return shown
    return tables.table_rows(spaces, [
        ("Nom", lambda space: space.name), ("Type", lambda space: space.kind_label),
        ("Visibilité", lambda space: space.visibility.label), ("Actions", actions)])


def _audit_page(org: Organisation | None):
    form = AuditFilterForm(request.args)
    form.action.choices = {"": "Toutes", **dict(sorted(ACTION_LABELS.items(), key=lambda kv: kv[1]))}
    filters = {}
    if form.validate():
        filters = {"action": form.action.data or "", "who": form.who.data or "",
                   "ip": form.ip.data or "", "start": form.start.data, "end": form.end.data}
    statement, params = services.audit_lines(organisation=org, **filters)
    page = plain_page(statement, _audit_rows, per_page=50, params=params)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("admin/audit.html", form=form, page=page, org=org, args=args)


_AUDIT_COLUMNS = (
    ("Date", lambda line: format_datetime(line.created_at)), ("Action", lambda line: line.label),
    ("Par", lambda line: line.actor or "—"), ("Concerne", lambda line: line.target),
    ("Adresse IP", lambda line: line.ip), ("Détail", lambda line: line.detail))


def _audit_rows(rows) -> Markup:
    """The log's lines (50 a page), drawn in Python (``tables``)."""
    return tables.table_rows(map(services.AuditLine.of, rows), _AUDIT_COLUMNS)


@bp.get("/journal")
@access.platform_admin_required
def audit():
    return _audit_page(None)


@bp.get("/organisations/<slug>/journal")
@login_required
def organisation_audit(slug):
    org = access.get_or_404(Organisation, slug=slug, need="manage")
    return _audit_page(org)


@bp.get("/courriels")
@access.platform_admin_required
def mail():
    return render_template("admin/mail.html", messages=services.mail_problems())


# --- accessibility statement ------------------------------------------------------------------


@bp.route("/accessibilite", methods=["GET", "POST"])
@access.platform_admin_required
def accessibility_audits():
    form = AccessibilityAuditForm()
    if form.validate_on_submit():
        try:
            record = accessibility.record_audit(
                audited_on=form.audited_on.data, auditor=form.auditor.data,
                compliance_rate=form.compliance_rate.data, statement_date=form.statement_date.data,
                non_compliances=form.non_compliances.data, derogations=form.derogations.data,
                exemptions=form.exemptions.data, pages_checked=form.pages_checked.data,
                test_environment=form.test_environment.data, by=current_user)
        except accessibility.AccessibilityError as exc:
            form.audited_on.errors.append(str(exc))   # the dates; the form checks the rest
        else:
            flash(f"Audit enregistré : le site est désormais « {record.level} ».", "success")
            return redirect(url_for(".accessibility_audits"))
    return render_template("admin/accessibility.html", form=form, audits=accessibility.audits(),
                           one_a_line=ONE_A_LINE)
