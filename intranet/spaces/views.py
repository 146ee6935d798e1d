"""Spaces directory, space home, group creation, settings, members and rules."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from .. import access
from ..accounts import finder
from ..accounts import services as accounts
from ..accounts.models import Membership, OrgKind, User
from ..core.feedback import attempt, attempt_in_form
from ..core.types import Role
from ..extensions import db
from . import activity, services
from .forms import AddSpaceMemberForm, RuleForm, SpaceForm
from .models import (JoinPolicy, MemberStatus, Space, SpaceKind, SpaceMember, SpaceRule,
                     Visibility)

bp = Blueprint("spaces", __name__, url_prefix="/espaces")
# The site's home: the public landing page, or the signed-in person's dashboard.
home_bp = Blueprint("home", __name__)


@home_bp.get("/")
def home():
    if not current_user.is_authenticated:
        return render_template("spaces/landing.html", news=activity.public_activity(limit=10))
    return render_template("spaces/dashboard.html",
                           activity=activity.dashboard_activity(current_user, limit=40))


@bp.get("/")
def index():
    spaces = services.listed_spaces(current_user)
    mine = {s.id for s in spaces if access.is_space_member(current_user, s)} \
        if current_user.is_authenticated else set()
    return render_template("spaces/index.html", spaces=spaces, mine=mine)


@bp.route("/nouveau", methods=["GET", "POST"])
@login_required
def create():
    access.require(access.can_create_group(current_user))
    form = SpaceForm()
    del form.archived
    if form.validate_on_submit():
        made, space = attempt_in_form(
            form.name, lambda: services.create_group(
                name=form.name.data, description=form.description.data,
                visibility=Visibility(form.visibility.data),
                join_policy=JoinPolicy(form.join_policy.data), by=current_user),
            "Groupe créé : ajoutez-y des membres ou des règles d'adhésion.", services.SpaceError)
        if made:
            return redirect(url_for(".members", slug=space.slug))
    return render_template("spaces/form.html", form=form, space=None)


@bp.get("/<slug>")
def show(slug):
    space = access.get_or_404(Space, slug=slug)
    if space.kind == SpaceKind.ORGANISATION and space.organisation is not None:
        # One place per organisation: its private space lives on its home.
        return redirect(url_for("accounts.organisation", slug=space.organisation.slug))
    news = activity.space_activity(current_user, space, limit=30)
    added = services.added_member(space, current_user) if current_user.is_authenticated else None
    return render_template("spaces/show.html", space=space, activity=news,
                           pending=access.pending_request(current_user, space, added),
                           leavable=added is not None and added.status == MemberStatus.ACTIVE)


@bp.route("/<slug>/parametres", methods=["GET", "POST"])
@login_required
def settings(slug):
    space = access.get_or_404(Space, slug=slug, need="admin")
    form = SpaceForm(obj=space)
    if space.kind != SpaceKind.GROUP:
        form.description.label.text = "Présentation"
        form.archived.label.text = "Espace archivé (lecture seule)"
    if space.kind == SpaceKind.ORGANISATION:
        form.visibility.choices = {"members": "Membres de l'organisation seulement"}
    if form.validate_on_submit():
        try:
            services.update_space(space, by=current_user, name=form.name.data,
                                  description=form.description.data,
                                  visibility=Visibility(form.visibility.data),
                                  join_policy=JoinPolicy(form.join_policy.data),
                                  archived=form.archived.data,
                                  pages_need_approval=form.pages_need_approval.data,
                                  files_need_approval=form.files_need_approval.data)
        except services.SpaceError as exc:
            form.name.errors.append(str(exc))
        else:
            flash("Paramètres enregistrés.", "success")
            # The platform admin runs a members-only space without reading it.
            target = ".show" if access.can_view(current_user, space) else ".members"
            return redirect(url_for(target, slug=space.slug))
    return render_template("spaces/form.html", form=form, space=space)


@bp.get("/<slug>/membres")
@login_required
def members(slug):
    # Who belongs to a space is structure, which the platform admin runs (not its content).
    need = "admin" if access.is_platform_admin(current_user) else "view"
    space = access.get_or_404(Space, slug=slug, need=need)
    return _members_page(space)


def _members_page(space: Space, rule_form: RuleForm | None = None):
    if space.kind == SpaceKind.ORGANISATION:
        org_members = db.session.scalars(
            select(Membership).join(Membership.user)
            .where(Membership.organisation_id == space.organisation_id, User.active.is_(True))
            .options(contains_eager(Membership.user)).order_by(User.name_key, User.id)).all()
        return render_template("spaces/members.html", space=space, org_members=org_members)
    rules = services.rules(space)
    return render_template("spaces/members.html", space=space,
                           members=services.members(space), rules=rules,
                           rule_members=services.rule_members(space) if rules else [],
                           add_form=AddSpaceMemberForm(), rule_form=rule_form or RuleForm(),
                           statuses=MemberStatus)


def _refused(exc: Exception, slug: str):
    flash(str(exc), "error")
    return redirect(url_for(".members", slug=slug))


@bp.post("/<slug>/rejoindre")
@login_required
def join(slug):
    space = access.get_or_404(Space, slug=slug)
    attempt(lambda: services.join(space, current_user),
            lambda status: f"Vous avez rejoint « {space.name} »." if status == MemberStatus.ACTIVE
            else "Votre demande est envoyée : les administrateurs du groupe en sont avertis par "
                 "courriel.", services.SpaceError)
    return redirect(url_for(".show", slug=slug))


@bp.post("/<slug>/quitter")
@login_required
def leave(slug):
    space = access.get_or_404(Space, slug=slug)
    if not attempt(lambda: services.remove_member(space, current_user, by=current_user),
                   f"Vous avez quitté « {space.name} ».", services.SpaceError):
        return redirect(url_for(".show", slug=slug))
    if access.can_view(current_user, space):
        return redirect(url_for(".show", slug=slug))
    return redirect(url_for(".index"))


@bp.post("/<slug>/membres/ajouter")
@login_required
def add_member(slug):
    space = access.get_or_404(Space, slug=slug, need="admin")
    form = AddSpaceMemberForm()
    if not form.validate_on_submit():
        return _refused(ValueError("Indiquez l'adresse électronique d'un compte existant."), slug)
    user = accounts.find_user(form.email.data)
    if user is None:
        return _refused(ValueError(f"Aucun compte n'existe pour {form.email.data.strip()} : "
                                   "demandez à l'administrateur de son organisation de "
                                   "l'inviter."), slug)
    try:
        services.add_member(space, user, role=Role(form.role.data), by=current_user)
    except services.SpaceError as exc:
        return _refused(exc, slug)
    flash(f"{user.full_name} est membre du groupe.", "success")
    return redirect(url_for(".members", slug=slug))


def _member_user(space: Space, user_id: int) -> User:
    """A person added to (or asking to join) this group, deactivated accounts included."""
    member = db.session.scalar(select(SpaceMember).where(SpaceMember.space_id == space.id,
                                                         SpaceMember.user_id == user_id))
    if member is None:
        abort(404)
    return member.user


def _on_member(slug: str, user_id: int, change, done: str):
    """A group admin's act on one member (or request): ``change(space, person, by=…)``."""
    space = access.get_or_404(Space, slug=slug, need="admin")
    person = _member_user(space, user_id)
    attempt(lambda: change(space, person, by=current_user), done, services.SpaceError)
    return redirect(url_for(".members", slug=slug))


@bp.post("/<slug>/membres/<int:user_id>/approuver")
@login_required
def approve(slug, user_id):
    return _on_member(slug, user_id, services.approve, "Demande acceptée.")


@bp.post("/<slug>/membres/<int:user_id>/retirer")
@login_required
def remove(slug, user_id):
    return _on_member(slug, user_id, services.remove_member, "Membre retiré.")


@bp.post("/<slug>/regles")
@login_required
def add_rule(slug):
    space = access.get_or_404(Space, slug=slug, need="admin")
    form = RuleForm()
    searched = finder.searched_field(form)
    if searched is not None:   # « Chercher » without JavaScript: the matches, to pick from
        searched.search(current_user)
        return _members_page(space, form)
    if not form.validate_on_submit():
        return _refused(ValueError("Règle invalide : vérifiez les champs."), slug)
    organisation = form.organisation.choose(current_user)
    epci = form.epci.choose(current_user)
    if form.organisation.text.strip() and organisation is None:
        form.organisation.refuse(f"Organisation « {form.organisation.text.strip()} » "
                                 "introuvable : choisissez-la dans la liste.")
    if form.epci.text.strip() and epci is None:
        form.epci.refuse(f"Intercommunalité « {form.epci.text.strip()} » introuvable : "
                         "choisissez-la dans la liste.")
    if form.organisation.errors or form.epci.errors:
        return _members_page(space, form)
    try:
        services.add_rule(space, by=current_user, organisation=organisation, epci=epci,
                          org_kind=OrgKind(form.org_kind.data) if form.org_kind.data else None,
                          min_role=Role(form.min_role.data))
    except services.SpaceError as exc:
        return _refused(exc, slug)
    flash("Règle ajoutée : les personnes concernées sont membres dès maintenant.", "success")
    return redirect(url_for(".members", slug=slug))


@bp.post("/<slug>/regles/<int:rule_id>/supprimer")
@login_required
def remove_rule(slug, rule_id):
    space = access.get_or_404(Space, slug=slug, need="admin")
    rule = db.session.get(SpaceRule, rule_id)
    if rule is None or rule.space_id != space.id:
        return _refused(ValueError("Cette règle n'existe plus."), slug)
    services.remove_rule(rule, by=current_user)
    flash("Règle supprimée.", "success")
    return redirect(url_for(".members", slug=slug))
