"""The second factor: the step after the password, enrolment, the security page of the
profile, signing in with a passkey alone, and the admins' reset."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template,
                   request, session, url_for)
from flask_login import current_user, login_required
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from ... import access
from ...core import limits
from ...core.urls import local_path
from ...extensions import db
from .. import signin
from ..models import Membership, Organisation, User
from . import pending, services
from .forms import CodeForm, ConfirmTotpForm, PasskeyNameForm, RecoveryForm
from .models import Passkey, TrustedBrowser

bp = Blueprint("mfa", __name__)

CHALLENGE = "webauthn_challenge"
NEW_CODES = "mfa_new_codes"


def _relying_party() -> services.RelyingParty:
    """``WEBAUTHN_RP_ID`` and ``WEBAUTHN_ORIGIN``, or this request's host (behind a proxy,
    as ``PROXY_FIX_X_FOR`` lets it say)."""
    config = current_app.config
    return services.RelyingParty(
        id=config["WEBAUTHN_RP_ID"] or urlsplit(request.host_url).hostname,
        origin=config["WEBAUTHN_ORIGIN"] or request.host_url.rstrip("/"),
        name=config["SITE_NAME"])


def _keep_challenge(challenge: bytes) -> None:
    session[CHALLENGE] = bytes_to_base64url(challenge)


def _take_challenge() -> bytes | None:
    value = session.pop(CHALLENGE, None)
    return base64url_to_bytes(value) if value else None


def _credential() -> dict | None:
    data = request.get_json(silent=True)
    credential = data.get("credential") if isinstance(data, dict) else None
    return credential if isinstance(credential, dict) else None


def _json_error(message: str, status: int = 400):
    return jsonify({"error": message}), status


def _home(next_path: str | None = None) -> str:
    return next_path or url_for("home.home")


# --- the step after the password ------------------------------------------------------------------


def _restart():
    flash("Votre connexion a expiré ou a été interrompue : saisissez à nouveau votre mot de "
          "passe.", "error")
    return redirect(url_for("accounts.login"))


def _complete(user: User, how: str, *, trust: bool = False) -> tuple[str, str | None]:
    """Finish the pending sign-in of ``user``: the address to go to, and the trusted-browser
    cookie to set (when asked)."""
    info = pending.take()
    services.record_success(user, how)
    cookie = services.trust_browser(user, user_agent=request.user_agent.string,
                                    ip=access.client_address()) if trust else None
    signin.finish(user, remember=info.get("remember", False),
                  method=info.get("method", "password"), multi_factor=True)
    flash(f"Bienvenue, {user.full_name}.", "success")
    return _home(info.get("next")), cookie


def _with_cookie(response, cookie: str | None):
    if cookie:
        response.set_cookie(pending.COOKIE, cookie, httponly=True, samesite="Lax",
                            secure=request.is_secure,
                            max_age=int(current_app.config["MFA_TRUSTED_BROWSER_LIFETIME"]
                                        .total_seconds()))
    return response


def _pending_account() -> str:
    """The account whose sign-in waits for its second factor (the throttle's key)."""
    info = pending.current() or {}
    return f"user:{info.get('user_id', '?')}"


def _refused(message: str):
    """A wrong answer: say so, or start again after too many."""
    if pending.failed():
        flash("Trop d'essais : saisissez à nouveau votre mot de passe.", "error")
        return redirect(url_for("accounts.login"))
    flash(message, "error")
    return redirect(url_for(".challenge"))


@bp.route("/connexion/second-facteur", methods=["GET", "POST"])
@limits.per_address("second-factor")
@limits.per_account("second-factor", key=_pending_account)
def challenge():
    user = pending.user()
    if user is None:
        return _restart()
    if not services.has_second_factor(user):
        return redirect(url_for(".enrol"))
    form = CodeForm()
    if form.validate_on_submit():
        if not services.check_totp(user, form.code.data):
            return _refused("Ce code n'est pas valable (ou a déjà servi). Saisissez le code "
                            "affiché en ce moment par votre application.")
        target, cookie = _complete(user, "application", trust=form.trust.data)
        return _with_cookie(redirect(target), cookie)
    return render_template("accounts/mfa/challenge.html", form=form, person=user,
                           recovery_form=RecoveryForm(), has_totp=services.has_totp(user),
                           has_passkey=bool(services.passkeys(user)),
                           trusted=access.from_trusted_network())


@bp.post("/connexion/second-facteur/secours")
@limits.per_address("second-factor")
@limits.per_account("second-factor", key=_pending_account)
def recovery():
    user = pending.user()
    if user is None:
        return _restart()
    form = RecoveryForm()
    if not form.validate_on_submit() or not services.use_recovery_code(user, form.recovery_code.data):
        return _refused("Ce code de secours n'est pas valable ou a déjà servi.")
    target, cookie = _complete(user, "code de secours", trust=form.trust.data)
    left = services.recovery_codes_left(user)
    flash(f"Il vous reste {left} code{'s' if left > 1 else ''} de secours. "
          "Pensez à en générer de nouveaux depuis « Sécurité de mon compte ».", "info")
    return _with_cookie(redirect(target), cookie)


@bp.post("/connexion/second-facteur/cle/options")
def challenge_passkey_options():
    user = pending.user()
    if user is None:
        return _json_error("Votre connexion a expiré : saisissez à nouveau votre mot de passe.")
    options, challenge_bytes = services.authentication_options(user, _relying_party())
    _keep_challenge(challenge_bytes)
    return jsonify(options)


@bp.post("/connexion/second-facteur/cle")
@limits.per_address("second-factor")
@limits.per_account("second-factor", key=_pending_account)
def challenge_passkey():
    user, challenge_bytes, credential = pending.user(), _take_challenge(), _credential()
    if user is None or challenge_bytes is None or credential is None:
        return _json_error("Votre connexion a expiré : saisissez à nouveau votre mot de passe.")
    if services.check_passkey(credential, challenge=challenge_bytes, rp=_relying_party(),
                              user=user) is None:
        if pending.failed():
            return _json_error("Trop d'essais : saisissez à nouveau votre mot de passe.")
        return _json_error("La clé n'a pas été acceptée : réessayez.")
    data = request.get_json(silent=True) or {}
    target, cookie = _complete(user, "clé d'accès", trust=bool(data.get("trust")))
    return _with_cookie(jsonify({"redirect": target}), cookie)


# --- enrolling a first factor, right after the password --------------------------------------------


def _pending_without_factor() -> User | None:
    """The pending person, only while they have no second factor: a password alone may add a
    first one, never a second one beside an existing one."""
    user = pending.user()
    return user if user is not None and not services.has_second_factor(user) else None


@bp.route("/connexion/second-facteur/activer", methods=["GET", "POST"])
def enrol():
    user = pending.user()
    if user is None:
        return _restart()
    if services.has_second_factor(user):
        return redirect(url_for(".challenge"))
    device = services.start_totp(user)
    form = ConfirmTotpForm()
    if form.validate_on_submit():
        codes = services.confirm_totp(user, form.code.data)
        if codes is None:
            if pending.failed():
                return _restart()
            form.code.errors.append("Ce code ne correspond pas. Vérifiez que l'heure de votre "
                                    "téléphone est juste et saisissez le code affiché.")
        else:
            target, _ = _complete(user, "application (enregistrée à la connexion)")
            return _show_codes_once(codes, target)
    uri = services.totp_uri(user, device)
    return render_template("accounts/mfa/enrol.html", person=user, form=form,
                           name_form=PasskeyNameForm(), qr=services.qr_svg(uri),
                           secret=services.formatted_secret(device.secret),
                           trusted=access.from_trusted_network())


@bp.post("/connexion/second-facteur/activer/cle/options")
def enrol_passkey_options():
    user = _pending_without_factor()
    if user is None:
        return _json_error("Votre connexion a expiré : saisissez à nouveau votre mot de passe.")
    options, challenge_bytes = services.registration_options(user, _relying_party())
    _keep_challenge(challenge_bytes)
    return jsonify(options)


@bp.post("/connexion/second-facteur/activer/cle")
def enrol_passkey():
    user, challenge_bytes, credential = _pending_without_factor(), _take_challenge(), _credential()
    if user is None or challenge_bytes is None or credential is None:
        return _json_error("Votre connexion a expiré : saisissez à nouveau votre mot de passe.")
    data = request.get_json(silent=True) or {}
    try:
        _, codes = services.add_passkey(user, credential, challenge=challenge_bytes,
                                        rp=_relying_party(), name=str(data.get("name") or ""))
    except services.MfaError as exc:
        return _json_error(str(exc))
    target, _ = _complete(user, "clé d'accès (enregistrée à la connexion)")
    session[NEW_CODES] = {"codes": codes, "next": target}
    return jsonify({"redirect": url_for(".new_codes") if codes else target})


def _show_codes_once(codes: list[str], target: str):
    if not codes:
        return redirect(target)
    session[NEW_CODES] = {"codes": codes, "next": target}
    return redirect(url_for(".new_codes"))


@bp.get("/profil/securite/nouveaux-codes")
@login_required
def new_codes():
    """The recovery codes just made, shown once: they are kept only in the session until this
    page, and only their hashes in the database."""
    shown = session.pop(NEW_CODES, None)
    if not shown:
        return redirect(url_for(".security"))
    return render_template("accounts/mfa/codes.html", codes=shown["codes"],
                           next=shown.get("next") or url_for(".security"))


# --- signing in with a passkey alone ------------------------------------------------------------


@bp.post("/connexion/cle/options")
def passkey_sign_in_options():
    options, challenge_bytes = services.authentication_options(None, _relying_party())
    _keep_challenge(challenge_bytes)
    return jsonify(options)


@bp.post("/connexion/cle")
@limits.per_address("sign-in")
def passkey_sign_in():
    challenge_bytes, credential = _take_challenge(), _credential()
    if challenge_bytes is None or credential is None:
        return _json_error("Réessayez : la demande a expiré.")
    user = services.check_passkey(credential, challenge=challenge_bytes, rp=_relying_party())
    if user is None or not user.active:
        return _json_error("Cette clé n'a pas permis de vous connecter. Utilisez votre mot de "
                           "passe.")
    services.record_success(user, "clé d'accès seule")
    signin.begin(user, method="passkey", multi_factor=True)
    flash(f"Bienvenue, {user.full_name}.", "success")
    next_path = (request.get_json(silent=True) or {}).get("next")
    return jsonify({"redirect": _home(local_path(next_path if isinstance(next_path, str)
                                                 else None))})


# --- the security page of the profile ------------------------------------------------------------


@bp.get("/profil/securite")
@login_required
def security():
    return render_template(
        "accounts/mfa/security.html", has_totp=services.has_totp(current_user),
        passkeys=services.passkeys(current_user), name_form=PasskeyNameForm(),
        codes_left=services.recovery_codes_left(current_user),
        browsers=services.trusted_browsers(current_user),
        privileged=access.is_privileged(current_user),
        trusted=access.from_trusted_network(),
        this_browser=services.cookie_browser_id(request.cookies.get(pending.COOKIE)))


@bp.post("/profil/securite/application")
@login_required
def add_totp():
    try:
        services.start_totp(current_user)
    except services.MfaError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".security"))
    return redirect(url_for(".confirm_totp"))


@bp.route("/profil/securite/application/confirmer", methods=["GET", "POST"])
@login_required
def confirm_totp():
    device = services.totp_device(current_user)
    if device is None or device.confirmed_at is not None:
        return redirect(url_for(".security"))
    form = ConfirmTotpForm()
    if form.validate_on_submit():
        codes = services.confirm_totp(current_user, form.code.data)
        if codes is not None:
            flash("Application d'authentification enregistrée.", "success")
            return _show_codes_once(codes, url_for(".security"))
        form.code.errors.append("Ce code ne correspond pas. Vérifiez que l'heure de votre "
                                "téléphone est juste et saisissez le code affiché.")
    uri = services.totp_uri(current_user, device)
    return render_template("accounts/mfa/add_totp.html", form=form, qr=services.qr_svg(uri),
                           secret=services.formatted_secret(device.secret))


@bp.post("/profil/securite/application/supprimer")
@login_required
def remove_totp():
    services.remove_totp(current_user)
    flash("Application d'authentification supprimée.", "success")
    return redirect(url_for(".security"))


@bp.post("/profil/securite/cles/options")
@login_required
def add_passkey_options():
    options, challenge_bytes = services.registration_options(current_user, _relying_party())
    _keep_challenge(challenge_bytes)
    return jsonify(options)


@bp.post("/profil/securite/cles")
@login_required
def add_passkey():
    challenge_bytes, credential = _take_challenge(), _credential()
    if challenge_bytes is None or credential is None:
        return _json_error("Réessayez : la demande a expiré.")
    data = request.get_json(silent=True) or {}
    try:
        key, codes = services.add_passkey(current_user, credential, challenge=challenge_bytes,
                                          rp=_relying_party(), name=str(data.get("name") or ""))
    except services.MfaError as exc:
        return _json_error(str(exc))
    flash(f"Clé « {key.name} » enregistrée.", "success")
    if codes:
        session[NEW_CODES] = {"codes": codes, "next": url_for(".security")}
        return jsonify({"redirect": url_for(".new_codes")})
    return jsonify({"redirect": url_for(".security")})


def _own_passkey(passkey_id: int) -> Passkey:
    return access.part_or_404(Passkey, passkey_id, user_id=current_user.id)


@bp.post("/profil/securite/cles/<int:passkey_id>/renommer")
@login_required
def rename_passkey(passkey_id):
    key = _own_passkey(passkey_id)
    form = PasskeyNameForm()
    if form.validate_on_submit():
        services.rename_passkey(key, form.name.data)
        flash("Clé renommée.", "success")
    else:
        flash("Donnez un nom à la clé (100 caractères au plus).", "error")
    return redirect(url_for(".security"))


@bp.post("/profil/securite/cles/<int:passkey_id>/supprimer")
@login_required
def remove_passkey(passkey_id):
    key = _own_passkey(passkey_id)
    name = key.name
    services.remove_passkey(current_user, key)
    flash(f"Clé « {name} » supprimée.", "success")
    return redirect(url_for(".security"))


@bp.post("/profil/securite/codes")
@login_required
def regenerate_codes():
    codes = services.regenerate_recovery_codes(current_user)
    return render_template("accounts/mfa/codes.html", codes=codes, next=url_for(".security"))


@bp.post("/profil/securite/navigateurs/<int:browser_id>/retirer")
@login_required
def forget_browser(browser_id):
    row = access.part_or_404(TrustedBrowser, browser_id, user_id=current_user.id)
    services.forget_browser(current_user, row)
    flash(f"« {row.label} » n'est plus un navigateur de confiance : le second facteur y sera "
          "de nouveau demandé.", "success")
    return redirect(url_for(".security"))


# --- reset by an admin --------------------------------------------------------------------------


def _reset(person: User) -> None:
    services.reset(person, by=current_user)
    flash(f"Second facteur de {person.full_name} réinitialisé : la personne en enregistrera un "
          "nouveau à sa prochaine connexion. Elle en est avertie par courriel.", "success")


@bp.post("/admin/utilisateurs/<int:user_id>/second-facteur")
@access.platform_admin_required
def reset_user(user_id):
    person = db.session.get(User, user_id) or abort(404)
    access.require(access.can_reset_second_factor(current_user, person))
    _reset(person)
    return redirect(url_for("admin.user", user_id=person.id))


@bp.post("/admin/organisations/<slug>/membres/<int:membership_id>/second-facteur")
@login_required
def reset_member(slug, membership_id):
    org = access.get_or_404(Organisation, slug=slug, need="manage")
    membership = access.part_or_404(Membership, membership_id, organisation_id=org.id)
    access.require(access.can_reset_second_factor(current_user, membership.user))
    _reset(membership.user)
    return redirect(url_for("admin.organisation_members", slug=org.slug))
