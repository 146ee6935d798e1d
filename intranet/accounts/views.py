"""Sign in and out, passwords, invitations, profiles and the organisations directory."""
import functools
from urllib.parse import urlsplit

from flask import (Blueprint, abort, flash, redirect, render_template, request, send_file, session,
                   url_for)
from flask_login import current_user, login_required, logout_user
from markupsafe import Markup
from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import joinedload

from .. import access
from ..core.atom import PRIVATE_FEEDS
from ..core.hooks import ORGANISATION_SECTIONS
from ..core import generations, limits, tables
from ..core.pagination import kept_page
from ..core.inputs import page_arg
from ..core.urls import local_path
from ..extensions import db, login_manager
from ..spaces.models import Space, SpaceKind
from ..spaces.activity import space_activity
from ..contacts import services as contacts
from . import finder, passwords, proconnect, services, sessions, signin, tokens, working
from .forms import (ChangePasswordForm, ForgotPasswordForm, LoginForm, NewPasswordForm, PhotoForm,
                    ProfileForm)
from .models import ORG_KIND_LABELS, ORGANISATIONS, Membership, Organisation, OrgKind, User
from ..core.feedback import attempt

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message = "Connectez-vous pour accéder à cette page."
login_manager.login_message_category = "info"


@login_manager.unauthorized_handler
def sign_in_first():
    """The one answer a signed-out visitor gets where they must sign in: a page behind
    ``login_required``, and any refused read (``access.must_sign_in_first``, from the error
    pages). Its status, headers and (empty) body are the same for every address, whether what
    it names exists or not; only ``next`` says where to come back to after signing in."""
    flash(login_manager.login_message, login_manager.login_message_category)
    here = urlsplit(request.url)
    back = here.path + ("?" + here.query if here.query else "")
    response = redirect(url_for("accounts.login", next=back))
    response.set_data(b"")  # Werkzeug's redirect body quotes the address
    return response


@login_manager.user_loader
def load_user(session_key: str):
    """The session's person, with their memberships and organisations (the header and the
    access decisions read them), if that server-side session is still live: one query
    (``sessions.load``). The cookies carry the session's key, not the account's id."""
    return sessions.load(session_key)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a login link must not become an open redirect."""
    return local_path(target) or url_for("home.home")


@bp.route("/connexion", methods=["GET", "POST"])
@limits.per_address("sign-in")
@limits.per_account("sign-in", key=limits.typed_email())
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        result = services.authenticate(form.email.data, form.password.data)
        if result.user is not None:
            step = signin.begin(result.user, remember=form.remember.data)
            if step is not None:
                return redirect(step)
            flash(f"Bienvenue, {result.user.full_name}.", "success")
            return redirect(_safe_next(request.args.get("next")))
        flash(result.error, "error")
    return render_template("accounts/login.html", form=form)


@bp.post("/deconnexion")
@login_required
def logout():
    provider_logout = proconnect.end_session_address()   # signed in with ProConnect: end it there too
    services.record_logout(current_user)
    sessions.end_current("logout")
    logout_user()
    session.pop(working.SESSION_KEY, None)
    flash("Vous êtes déconnecté(e).", "success")
    return redirect(provider_logout or url_for("home.home"))


@bp.post("/je-travaille-pour")
@login_required
def work_for():
    """« Vous travaillez pour » (the header's switch): back to the page it was sent from."""
    chosen = working.work_for(current_user, request.form.get("organisation", ""))
    if chosen is None:
        flash("Choisissez une de vos organisations dans la liste.", "error")
    else:
        flash(f"Vous travaillez maintenant pour : {chosen.name}.", "success")
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limits.per_address("password-reset")
@limits.per_account("password-reset", key=limits.typed_email())
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash("Si cette adresse correspond à un compte actif, un lien pour choisir un nouveau mot "
              "de passe vient d'y être envoyé. Il est valable une heure.", "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


def _password_page(token: str, purpose: str):
    """Shared by the reset link and the invitation link: choose a password, then sign in."""
    try:
        user = tokens.load(token, "reset") if purpose == "reset" else services.invitation_user(token)
    except tokens.TokenError as exc:
        return render_template("accounts/token_invalid.html", message=str(exc)), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            if purpose == "reset":
                services.reset_password(token, form.password.data)
            else:
                services.accept_invitation(token, form.password.data)
        except (services.AccountError, tokens.TokenError) as exc:
            form.password.errors.append(str(exc))
        else:
            flash("Votre mot de passe est enregistré. Connectez-vous avec votre adresse "
                  "électronique et ce mot de passe.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/new_password.html", form=form, user=user, purpose=purpose,
                           minimum=passwords.minimum_length(user))


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
@limits.per_address("password-reset")
def reset_password(token):
    return _password_page(token, "reset")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limits.per_address("invitation")
def accept_invitation(token):
    return _password_page(token, "invite")


@bp.route("/profil", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.function_kind.data = current_user.function_kind.value if current_user.function_kind \
            else ""
    if form.validate_on_submit():
        services.update_profile(current_user, first_name=form.first_name.data,
                                last_name=form.last_name.data, function=form.function.data,
                                phone=form.phone.data, by=current_user,
                                function_kind=form.function_kind.data,
                                shown={name: getattr(form, name).data for name in
                                       ("show_email", "show_phone", "show_function")})
        flash("Profil enregistré.", "success")
        return redirect(url_for(".profile"))
    return render_template("accounts/profile.html", form=form, photo_form=PhotoForm(),
                           feed_token=current_user.feed_token, private_feeds=PRIVATE_FEEDS)


@bp.post("/profil/flux/renouveler")
@login_required
def renew_feeds():
    services.renew_feed_token(current_user)
    flash("Nouvelles adresses de flux créées : les anciennes ne fonctionnent plus.", "success")
    return redirect(url_for(".profile") + "#flux")


@bp.post("/profil/photo")
@login_required
def upload_photo():
    form = PhotoForm()
    if form.validate_on_submit():
        upload = form.photo.data
        if not upload or not upload.filename:
            flash("Choisissez d'abord une image.", "error")
        else:
            attempt(lambda: services.set_photo(current_user, upload.read()),
                    "Photo enregistrée.", services.AccountError)
    return redirect(url_for(".profile"))


@bp.post("/profil/photo/supprimer")
@login_required
def delete_photo():
    services.remove_photo(current_user)
    flash("Photo supprimée.", "success")
    return redirect(url_for(".profile"))


@bp.route("/profil/mot-de-passe", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data)
        except services.AccountError as exc:
            (form.current if "actuel" in str(exc) else form.password).errors.append(str(exc))
        else:
            sessions.renew()   # this browser's cookies get a new key; other sessions ended
            flash("Mot de passe modifié. Vos autres sessions ont été fermées.", "success")
            return redirect(url_for(".profile"))
    return render_template("accounts/change_password.html", form=form,
                           minimum=passwords.minimum_length(current_user))


@bp.get("/profil/sessions")
@login_required
def my_sessions():
    """« Mes sessions »: where I am signed in, to end what I do not recognise."""
    return render_template("accounts/sessions.html", sessions=sessions.active_sessions(current_user),
                           current=sessions.current())


@bp.post("/profil/sessions/ailleurs")
@login_required
def end_other_sessions():
    count = sessions.end_elsewhere(current_user)
    flash(f"Vous êtes déconnecté(e) de vos {count} autres sessions." if count > 1 else
          "Vous êtes déconnecté(e) de votre autre session." if count else
          "Vous n'aviez pas d'autre session ouverte.", "success")
    return redirect(url_for(".my_sessions"))


@bp.post("/profil/sessions/<int:session_id>/fermer")
@login_required
def end_session(session_id):
    here = sessions.current()
    if here is not None and here.id == session_id:
        return logout()
    record = access.part_or_404(sessions.UserSession, session_id, user_id=current_user.id)
    if not sessions.end_one(record):
        abort(404)
    flash("Session fermée : cet appareil devra se reconnecter.", "success")
    return redirect(url_for(".my_sessions"))


@bp.get("/personnes/<int:user_id>")
@login_required
def person(user_id):
    user = access.get_or_404(User, user_id)
    return render_template("accounts/person.html", person=user)


@bp.get("/personnes/<int:user_id>/photo")
@login_required
def photo(user_id):
    user = access.get_or_404(User, user_id)
    path = services.photo_file(user)
    if path is None:
        abort(404)
    response = send_file(path, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/organisations")
def organisations():
    kind = request.args.get("type", "")
    q = request.args.get("q", "").strip()[:100]
    query = select(Organisation).where(Organisation.is_active.is_(True))
    if kind in {k.value for k in OrgKind}:
        query = query.where(Organisation.kind == OrgKind(kind))
    words = finder.words_of(q)
    if words:
        # Accents, case, hyphens are ignored: « penne d agenais » finds « Penne-d'Agenais ».
        query = query.where(or_(Organisation.insee_code == q, Organisation.siren == q,
                                and_(*finder.name_matches(Organisation.name_key, words))))
    # the EPCI column: loaded with the page, not once per commune
    query = query.options(joinedload(Organisation.epci)).order_by(Organisation.kind,
                                                                  Organisation.name_key)
    # the same page for everyone (only active organisations, as anyone sees them), kept by
    # the process until an organisation changes
    page = generations.kept(ORGANISATIONS, ("directory", request.script_root, kind, q,
                                            page_arg()),
                            lambda: kept_page(query, _directory_rows, per_page=60))
    return render_template("accounts/organisations.html", page=page, kind=kind, q=q,
                           kinds=ORG_KIND_LABELS)


def _directory_rows(organisations) -> Markup:
    """The organisations' list: each one's name (a link to its page), kind, INSEE code,
    intercommunality and population."""
    home = tables.address_of("accounts.organisation", "slug")
    return tables.table_rows(organisations, [("Nom", lambda org: tables.link(home(org.slug), org.name)),
            ("Type", lambda org: org.kind.label),
            ("Code INSEE", lambda org: org.insee_code),
            ("Intercommunalité", lambda org: org.epci.name if org.epci else None),
            ("Population", lambda org: f"{org.population:,}".replace(",", " ")
             if org.population else None)])


FINDER_KINDS = {"intercommunalite": OrgKind.EPCI}


@bp.get("/organisations/trouver")
@login_required
def find_organisations():
    """The organisation choosers' search-as-you-type (``static/js/finder.js``): JSON, at most
    20 organisations the person may choose (``access.choosable_organisations``), closest and
    then in French order. ``?type=intercommunalite`` keeps the EPCIs."""
    kind = FINDER_KINDS.get(request.args.get("type", ""))
    found = finder.find_organisations(request.args.get("q", ""),
                                      access.choosable_organisations(current_user, kind))
    return finder.json_results([finder.organisation_result(org) for org in found])


@functools.cache
def _organisation_statement():
    """The organisation page's organisation and its private space, in one statement built once
    (bound ``slug``)."""
    return (select(Organisation, Space)
            .outerjoin(Space, and_(Space.kind == SpaceKind.ORGANISATION,
                                   Space.organisation_id == Organisation.id))
            .where(Organisation.slug == bindparam("slug")))


@bp.get("/organisations/<slug>")
def organisation(slug):
    # kept across requests while no organisation nor space changes
    found = generations.kept_row((Organisation, Space), _organisation_statement(), {"slug": slug})
    org, space = found if found is not None else (None, None)
    access.authorize(org)
    members = []    # as the viewer reads them (a hidden function left out)
    if access.can_read_directory(current_user):
        members = contacts.entries(current_user, contacts.organisation_people(org.id))
    communes = org.communes if org.kind == OrgKind.EPCI else []
    # Signed in, the page lists the people; a visitor only reads how many there are.
    member_count = len(members) if current_user.is_authenticated else db.session.scalar(
        select(func.count()).select_from(Membership).where(Membership.organisation_id == org.id))
    # One place per organisation: its private space's news is on its home, for its members.
    inside = space is not None and access.can_view(current_user, space)
    activity = space_activity(current_user, space, limit=15) if inside else []
    return render_template("accounts/organisation.html", org=org, space=space if inside else None,
                           members=members, communes=communes, member_count=member_count,
                           activity=activity, sections=ORGANISATION_SECTIONS)
