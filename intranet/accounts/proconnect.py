"""Sign in with ProConnect, the State's OpenID Connect federation for public agents.

Off unless ``PROCONNECT_ISSUER``, ``PROCONNECT_CLIENT_ID`` and ``PROCONNECT_CLIENT_SECRET`` are
all set: then the sign-in page shows « S'identifier avec ProConnect » and the routes below
answer (404 otherwise). The protocol is ``accounts/oidc.py``; this module holds ProConnect's
rules:

- **Who it is.** A person already linked (``ExternalIdentity``: provider, ``sub``) is that
  person. Otherwise the provider's email is matched with an account (ProConnect only hands out
  addresses its identity providers vouch for; an explicit ``email_verified: false`` is not
  matched) and the link is remembered, so the next sign-in matches by ``sub`` even if the
  address changes. A deactivated account is refused.
- **Nobody by that address.** Not signed in. A page says so, and the admins of the organisation
  whose SIREN is the first nine digits of the provider's ``siret`` are notified (name, address,
  SIRET, with a link to their members page, where they can invite the person); the platform
  admins when that organisation has no admin. At most once a day per address.
- **Multi-factor.** A ProConnect sign-in counts as two factors only when the provider says so
  (``is_multi_factor``): ``amr`` contains ``mfa``, or ``acr`` is one of ``MULTI_FACTOR_ACR``.
- **Signing out.** The session remembers the ID token of a ProConnect sign-in; signing out
  (``accounts.logout``) then sends the browser to the provider's ``end_session_endpoint``,
  which comes back to ``/deconnexion/proconnect``.
- Every sign-in, refusal and failure is in the audit log (``login.proconnect``,
  ``login.proconnect_failure``, ``proconnect.access_request``); every failure is a French
  page, never an error 500.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_login import current_user
from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core import audit, limits
from ..core.audit import AuditEvent
from ..core.timeutil import utcnow
from ..core.types import Role
from ..core.uow import unit_of_work
from ..core.urls import absolute_url, local_path, path_for
from ..extensions import db
from ..notifications import services as notifications
from . import signin
from .models import Membership, Organisation, User
from .oidc import UNREACHABLE, Attempt, OIDCError, Provider

PROVIDER = "proconnect"
ATTEMPT_KEY = "proconnect_attempt"     # the session's pending attempt (state, nonce, verifier)
ID_TOKEN_KEY = "proconnect_id_token"   # the session's ID token, to end the provider's session

# ``acr`` values that ProConnect documents as « with a second factor ».
MULTI_FACTOR_ACR = frozenset({
    "eidas2",   # identifier and password with a second factor
    "eidas3",   # smart card with PIN and certificates
    "https://proconnect.gouv.fr/assurance/self-asserted-2fa",
    "https://proconnect.gouv.fr/assurance/consistency-checked-2fa",
})
ACCESS_REQUEST_EVERY = timedelta(days=1)   # one notification per unknown address per day

# The ID token carries ``acr`` and ``amr`` only when asked for (ProConnect's documentation).
CLAIMS_REQUEST = '{"id_token":{"acr":null,"amr":{"essential":true}}}'

notifications.register_kind("accounts.access_request",
                            "Demandes d'accès de personnes sans compte (ProConnect)")

bp = Blueprint("proconnect", __name__)


class ExternalIdentity(db.Model):
    """A person's account at an identity provider (ProConnect), linked once matched."""
    __tablename__ = "external_identity"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(255))   # the provider's ``sub``
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


# --- rules --------------------------------------------------------------------------------------


def enabled() -> bool:
    config = current_app.config
    return bool(config.get("PROCONNECT_ISSUER") and config.get("PROCONNECT_CLIENT_ID")
                and config.get("PROCONNECT_CLIENT_SECRET"))


def provider() -> Provider:
    config = current_app.config
    return Provider(issuer=config["PROCONNECT_ISSUER"], client_id=config["PROCONNECT_CLIENT_ID"],
                    client_secret=config["PROCONNECT_CLIENT_SECRET"],
                    scopes=config["PROCONNECT_SCOPES"],
                    timeout=config["PROCONNECT_TIMEOUT_SECONDS"],
                    max_age=config["PROCONNECT_METADATA_MAX_AGE"].total_seconds(),
                    leeway=config["PROCONNECT_CLOCK_LEEWAY_SECONDS"])


def is_multi_factor(claims: dict) -> bool:
    """Two factors only when the provider says so: ``mfa`` among the methods (``amr``), or an
    assurance level (``acr``) that ProConnect defines as including a second factor."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = amr.split()
    return "mfa" in amr or claims.get("acr") in MULTI_FACTOR_ACR


def siren_of(claims: dict) -> str | None:
    """The SIREN (nine digits) of the person's employer: the start of their SIRET."""
    digits = re.sub(r"\D", "", str(claims.get("siret") or ""))
    return digits[:9] if len(digits) >= 9 else None


def _email(claims: dict) -> str:
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified") is False:
        return ""
    return email.strip().lower()[:254]


def _name(claims: dict) -> str:
    # ProConnect's ``usual_name`` is the usual last name; ``family_name`` elsewhere.
    last = claims.get("usual_name") or claims.get("family_name") or ""
    return f"{claims.get('given_name') or ''} {last}".strip()


def _summary(claims: dict) -> str:
    amr = claims.get("amr")
    parts = [f"sub {claims.get('sub')}", f"acr {claims.get('acr') or '-'}",
             f"amr {' '.join(amr) if isinstance(amr, list) else amr or '-'}",
             f"SIRET {claims.get('siret') or '-'}", f"idp {claims.get('idp_id') or '-'}"]
    if claims.get("uid"):
        parts.append(f"uid {claims['uid']}")
    return ", ".join(parts)


@dataclass
class Outcome:
    user: User | None
    refusal: str = ""                       # "unknown" or "inactive" when user is None
    organisation: Organisation | None = None


@unit_of_work
def identify(claims: dict) -> Outcome:
    """The account for verified ``claims`` (by ``sub``, else by email, then linked), or why
    there is none; audited either way."""
    subject = str(claims["sub"])
    link = db.session.scalar(select(ExternalIdentity).where(
        ExternalIdentity.provider == PROVIDER, ExternalIdentity.subject == subject))
    user = link.user if link is not None else None
    email = _email(claims)
    if user is None and email:
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if user is not None:
            link = ExternalIdentity(provider=PROVIDER, subject=subject, user=user)
            db.session.add(link)
    if user is None:
        return _request_access(claims, email)
    if not user.active:
        audit.record("login.proconnect_failure", actor=user, target=user.email,
                     detail=f"compte désactivé; {_summary(claims)}")
        return Outcome(None, "inactive")
    now = utcnow()
    link.last_used_at = now
    user.last_login_at = now
    audit.record("login.proconnect", actor=user, target=user.email, detail=_summary(claims))
    return Outcome(user)


def _request_access(claims: dict, email: str) -> Outcome:
    siren = siren_of(claims)
    organisation = (db.session.scalar(select(Organisation).where(Organisation.siren == siren))
                    if siren else None)
    audit.record("login.proconnect_failure", organisation=organisation, target=email,
                 detail=f"aucun compte pour cette adresse; {_summary(claims)}")
    if organisation is None or not email:
        return Outcome(None, "unknown", organisation)
    since = utcnow() - ACCESS_REQUEST_EVERY
    already = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "proconnect.access_request", AuditEvent.target == email,
        AuditEvent.created_at >= since))
    if already:
        return Outcome(None, "unknown", organisation)
    name = _name(claims) or email
    siret = claims.get("siret") or ""
    audit.record("proconnect.access_request", organisation=organisation, target=email,
                 detail=f"{name}, SIRET {siret}")
    admins = db.session.scalars(
        select(User).join(Membership).where(Membership.organisation_id == organisation.id,
                                            Membership.role == Role.ADMIN,
                                            User.active.is_(True))).all()
    if not admins:
        admins = db.session.scalars(select(User).where(User.is_platform_admin.is_(True),
                                                       User.active.is_(True))).all()
    notifications.notify(
        admins, "accounts.access_request",
        f"Demande d'accès via ProConnect : {name} ({email}), SIRET {siret}",
        url=path_for("admin.organisation_members", slug=organisation.slug),
        body=(f"{name} ({email}) s'est identifié(e) avec ProConnect comme agent de "
              f"« {organisation.name} » (SIRET {siret}), mais n'a pas de compte. Si cette personne "
              f"doit accéder à {current_app.config['SITE_NAME']}, invitez-la depuis la page des "
              "membres de l'organisation."))
    return Outcome(None, "unknown", organisation)


@unit_of_work
def record_failure(reason: str, target: str = "") -> None:
    audit.record("login.proconnect_failure", target=target, detail=reason[:500])


def end_session_address() -> str | None:
    """Called by ``accounts.logout`` before it signs the person out: where to send the browser
    so that ProConnect ends its session too (None when this session did not come from it, or
    when the provider cannot be reached — signing out here still happens)."""
    id_token = session.pop(ID_TOKEN_KEY, None)
    if not id_token or not enabled():
        return None
    try:
        return provider().end_session_url(id_token, absolute_url("proconnect.signed_out"))
    except OIDCError:
        return None


# --- routes -------------------------------------------------------------------------------------


@bp.record_once
def _template_global(state) -> None:
    state.app.jinja_env.globals["proconnect_enabled"] = enabled


def _enabled_or_404() -> Provider:
    if not enabled():
        abort(404)
    return provider()


def _refused(reason: str, message: str, *, title: str = "Connexion impossible",
             status: int = 400, target: str = ""):
    record_failure(reason, target)
    return render_template("accounts/proconnect/error.html", title=title, message=message), status


@bp.get("/connexion/proconnect")
@limits.per_address("proconnect", methods=("GET",))
def start():
    """« S'identifier avec ProConnect »: a new attempt, then off to the provider."""
    oidc = _enabled_or_404()
    if current_user.is_authenticated:
        return redirect(local_path(request.args.get("next")) or url_for("home.home"))
    attempt = Attempt.new()
    try:
        address = oidc.authorization_url(attempt, absolute_url("proconnect.callback"),
                                         claims=CLAIMS_REQUEST)
    except OIDCError as exc:
        return _refused(exc.reason, exc.message, status=502 if exc.message == UNREACHABLE else 400)
    session[ATTEMPT_KEY] = {"state": attempt.state, "nonce": attempt.nonce,
                            "verifier": attempt.code_verifier,
                            "next": local_path(request.args.get("next")) or ""}
    return redirect(address)


@bp.get("/connexion/proconnect/retour")
@limits.per_address("proconnect", methods=("GET",))
def callback():
    """The provider sends the browser back here with a code (or an error) and our ``state``."""
    oidc = _enabled_or_404()
    pending = session.pop(ATTEMPT_KEY, None)
    state = request.args.get("state") or ""
    if not pending or not secrets.compare_digest(state.encode(), pending["state"].encode()):
        return _refused("state_mismatch", "Cette réponse de ProConnect ne correspond à aucune "
                        "connexion en cours sur ce navigateur (lien expiré, déjà utilisé ou "
                        "ouvert dans un autre navigateur). Recommencez depuis la page de "
                        "connexion.")
    error = request.args.get("error")
    if error == "access_denied":
        return _refused("access_denied", "Vous avez annulé la connexion avec ProConnect. Vous "
                        "pouvez recommencer, ou vous connecter avec votre adresse et votre mot "
                        "de passe.", title="Connexion annulée")
    code = request.args.get("code")
    if error or not code:
        detail = request.args.get("error_description") or ""
        return _refused(f"provider_error: {error or 'no code'} {detail}"[:200],
                        "ProConnect n'a pas pu vous identifier. Réessayez, ou connectez-vous "
                        "avec votre adresse et votre mot de passe.")
    attempt = Attempt(state=pending["state"], nonce=pending["nonce"],
                      code_verifier=pending["verifier"])
    try:
        identity = oidc.complete(code, attempt, absolute_url("proconnect.callback"))
    except OIDCError as exc:
        return _refused(exc.reason, exc.message, status=502 if exc.message == UNREACHABLE else 400)
    outcome = identify(identity.claims)
    if outcome.user is None:
        if outcome.refusal == "inactive":
            return render_template("accounts/proconnect/error.html", title="Compte désactivé",
                                   message="Votre compte Territoires est désactivé. Demandez à "
                                   "l'administrateur de votre organisation de le faire "
                                   "réactiver."), 403
        return render_template("accounts/proconnect/unknown.html", claims=identity.claims,
                               email=_email(identity.claims),
                               organisation=outcome.organisation), 403
    step = signin.begin(outcome.user, method="proconnect",
                        multi_factor=is_multi_factor(identity.claims))
    session[ID_TOKEN_KEY] = identity.id_token
    if step is not None:
        return redirect(step)
    flash(f"Bienvenue, {outcome.user.full_name}.", "success")
    return redirect(pending.get("next") or url_for("home.home"))


@bp.get("/deconnexion/proconnect")
def signed_out():
    """Where ProConnect sends the browser back once its own session has ended."""
    _enabled_or_404()
    return redirect(url_for("home.home"))
