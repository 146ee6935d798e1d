"""People: authentication, passwords, invitations, profiles, memberships, CSV import."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select

from .. import access
from ..core import audit, csvimport, uploads
from ..core.audit import AuditEvent
from ..core.csvimport import CsvImportError, CsvProblem
from ..core.timeutil import utcnow
from ..core.types import ORG_ROLES, Role
from ..core.urls import absolute_url
from ..core.uow import unit_of_work
from ..extensions import db
from ..mail import services as mail
from ..spaces import services as spaces
from . import passwords, sessions, tokens
from .models import Membership, Organisation, PersonFunction, User, function_from_text


class AccountError(ValueError):
    """A refused change, with a French message for the person who asked."""


# --- passwords ---------------------------------------------------------------------------------


def check_password_strength(password: str, user: User | None = None) -> None:
    """The rules of ``passwords.check``, refused as an ``AccountError``."""
    try:
        passwords.check(password, user)
    except passwords.WeakPassword as exc:
        raise AccountError(str(exc)) from exc


def set_password(user: User, password: str) -> None:
    check_password_strength(password, user)
    user.password_hash = passwords.hash_password(password)
    user.token_generation += 1  # every pending reset or invitation link stops working
    user.locked_until = None


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AccountError(f"« {email.strip()} » n'est pas une adresse électronique valide.") from exc


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


# --- signing in ---------------------------------------------------------------------------------


@dataclass
class LoginResult:
    user: User | None
    error: str | None = None


def _recent_failures(**where) -> int:
    since = utcnow() - current_app.config["LOGIN_THROTTLE_WINDOW"]
    query = select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "login.failure", AuditEvent.created_at >= since)
    if "target" in where:
        # Failures before the account's last sign-in or password reset no longer count.
        last_success = select(func.max(AuditEvent.created_at)).where(
            AuditEvent.action.in_(("login.success", "password.reset", "invitation.accepted",
                                   "account.unlocked")),
            AuditEvent.target == where["target"])
        query = query.where(AuditEvent.target == where["target"],
                            AuditEvent.created_at > func.coalesce(last_success.scalar_subquery(),
                                                                  since))
    if "ip" in where:
        query = query.where(AuditEvent.ip == where["ip"])
    return db.session.scalar(query)


@unit_of_work
def authenticate(email: str, password: str) -> LoginResult:
    """Check a password, throttled per account and per address; every attempt is audited.
    An unknown address costs the same work as a known one (a dummy hash is checked), and a
    locked account answers as an unknown address that failed too often. After
    ``LOGIN_MAX_FAILURES_PER_ACCOUNT`` failures the account is locked and its owner told."""
    config = current_app.config
    email_key = email.strip().lower()[:254]
    ip = audit.client_ip()
    user = find_user(email_key)
    now = utcnow()
    if ((user is not None and user.locked_until is not None and user.locked_until > now)
            or _recent_failures(target=email_key) >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
            or (ip and _recent_failures(ip=ip) >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"])):
        passwords.verify_unknown(password)
        audit.record("login.throttled", target=email_key)
        minutes = int(max(config["LOGIN_THROTTLE_WINDOW"],
                          config["LOGIN_LOCK_DURATION"]).total_seconds() // 60)
        return LoginResult(None, "Trop de tentatives de connexion ont échoué. Par sécurité, "
                                 f"réessayez dans {minutes} minutes ou utilisez « mot de passe "
                                 "oublié ».")
    ok = passwords.verify(user.password_hash if user is not None else None, password)
    if not ok or not user.active:
        audit.record("login.failure", actor=user, target=email_key,
                     detail="compte désactivé" if ok else "")
        failures = _recent_failures(target=email_key)
        if user is not None and failures >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]:
            _lock(user, now, failures)
        if ok:
            return LoginResult(None, "Ce compte est désactivé. Demandez à l'administrateur de "
                                     "votre organisation de le faire réactiver.")
        return LoginResult(None, "Adresse électronique ou mot de passe incorrect.")
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)   # Argon2id from now on
    user.last_login_at = now
    user.locked_until = None
    audit.record("login.success", actor=user, target=email_key)
    return LoginResult(user)


def _lock(user: User, now, failures: int) -> None:
    duration = current_app.config["LOGIN_LOCK_DURATION"]
    user.locked_until = now + duration
    audit.record("account.locked", target=user.email,
                 detail=f"{failures} échecs de connexion ; bloqué "
                        f"{int(duration.total_seconds() // 60)} minutes")
    mail.queue(user.email, "Votre compte Territoires est bloqué pour quelques minutes",
               "account_locked", user=user, failures=failures,
               minutes=int(duration.total_seconds() // 60),
               link=absolute_url("accounts.forgot_password"))


@unit_of_work
def unlock(user: User, *, by: User) -> None:
    """An admin lifts a lock before its end (failures before now no longer count)."""
    user.locked_until = None
    audit.record("account.unlocked", actor=by, target=user.email)


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


@unit_of_work
def record_logout(user: User) -> None:
    audit.record("logout", actor=user, target=user.email)


# --- links sent by email ------------------------------------------------------------------------


@unit_of_work
def request_password_reset(email: str) -> None:
    """Mail a reset link if the address belongs to an active account. The caller shows the same
    message either way, so the form does not reveal who has an account."""
    user = find_user(email)
    audit.record("password.reset_requested", actor=user, target=email.strip().lower()[:254])
    if user is not None and user.active:
        link = absolute_url("accounts.reset_password", token=tokens.make(user, "reset"))
        purpose = "choisir votre mot de passe" if not user.has_password else "changer votre mot de passe"
        mail.queue(user.email, "Votre mot de passe Territoires", "password_reset", user=user,
                   link=link, purpose=purpose,
                   hours=int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds() // 3600))


@unit_of_work
def reset_password(token: str, password: str) -> User:
    user = tokens.load(token, "reset")
    set_password(user, password)
    sessions.end_all(user, "password.reset")
    audit.record("password.reset", actor=user, target=user.email)
    return user


@unit_of_work
def change_password(user: User, current: str, new: str) -> None:
    if not passwords.verify(user.password_hash, current):
        raise AccountError("Le mot de passe actuel est incorrect.")
    set_password(user, new)
    ended = sessions.end_all(user, "password.changed", keep=sessions.current())
    audit.record("password.changed", actor=user, target=user.email,
                 detail=f"{ended} autre(s) session(s) fermée(s)" if ended else "")


# --- invitations and accounts -------------------------------------------------------------------


@unit_of_work
def invite(organisation: Organisation, *, email: str, first_name: str, last_name: str,
           role: Role, by: User, function: str = "") -> User:
    """Create an account in an organisation and mail its owner a link to choose a password.
    The membership is effective at once: what the organisation's spaces send reaches them."""
    email = normalise_email(email)
    existing = find_user(email)
    if existing is not None:
        member = any(m.organisation_id == organisation.id for m in existing.memberships)
        if member:
            raise AccountError(f"{email} a déjà un compte et fait déjà partie de "
                               f"« {organisation.name} ».")
        raise AccountError(f"{email} a déjà un compte ({existing.full_name}). Ajoutez cette "
                           "personne à l'organisation plutôt que de l'inviter.")
    if role not in ORG_ROLES:
        raise AccountError("Rôle inconnu.")
    user = User(email=email, first_name=(first_name or "").strip(),
                last_name=(last_name or "").strip(), function=(function or "").strip())
    db.session.add(user)
    db.session.add(Membership(user=user, organisation=organisation, role=role))
    db.session.flush()
    link = absolute_url("accounts.accept_invitation", token=tokens.make(user, "invite"))
    mail.queue(email, f"Invitation à rejoindre {organisation.name} sur Territoires", "invitation",
               user=user, organisation=organisation, inviter=by, link=link,
               days=current_app.config["INVITATION_MAX_AGE"].days)
    audit.record("invitation.sent", actor=by, organisation=organisation, target=email,
                 detail=role.value)
    return user


@unit_of_work
def resend_invitation(user: User, organisation: Organisation, *, by: User) -> None:
    if user.has_password:
        raise AccountError(f"{user.full_name} a déjà activé son compte.")
    user.token_generation += 1  # the previous link stops working
    link = absolute_url("accounts.accept_invitation", token=tokens.make(user, "invite"))
    mail.queue(user.email, f"Invitation à rejoindre {organisation.name} sur Territoires",
               "invitation", user=user, organisation=organisation, inviter=by, link=link,
               days=current_app.config["INVITATION_MAX_AGE"].days)
    audit.record("invitation.sent", actor=by, organisation=organisation, target=user.email,
                 detail="relance")


def invitation_user(token: str) -> User:
    user = tokens.load(token, "invite")
    if user.has_password:
        raise tokens.TokenError("Ce compte est déjà activé : connectez-vous avec votre mot de "
                                "passe, ou utilisez « mot de passe oublié ».")
    return user


@unit_of_work
def accept_invitation(token: str, password: str) -> User:
    user = invitation_user(token)
    set_password(user, password)
    audit.record("invitation.accepted", actor=user, target=user.email)
    return user


@unit_of_work
def update_profile(user: User, *, first_name: str, last_name: str, function: str,
                   phone: str, by: User, function_kind: str | None = None,
                   shown: dict[str, bool] | None = None) -> None:
    """``function_kind``: a ``PersonFunction`` value ("" or None: not given); ``shown``: what
    the network sees in the directory (``show_email``, ``show_phone``, ``show_function``)."""
    user.first_name, user.last_name = (first_name or "").strip(), (last_name or "").strip()
    user.function, user.phone = (function or "").strip(), (phone or "").strip()
    kinds = {kind.value: kind for kind in PersonFunction}
    user.function_kind = kinds.get(function_kind or "")
    if user.function_kind is None and user.function:
        # No function chosen, one typed: read from the text (« autre » when not recognised).
        user.function_kind, user.function = function_from_text(user.function)
    for name, value in (shown or {}).items():
        if name in ("show_email", "show_phone", "show_function"):
            setattr(user, name, bool(value))
    if by.id != user.id:
        audit.record("user.updated", actor=by, target=user.email)


PHOTO_TYPES = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg", b"RIFF": ".webp"}


@unit_of_work
def set_photo(user: User, data: bytes) -> None:
    """Store a profile photo (PNG, JPEG or WebP, checked by content) under a random name."""
    if len(data) > current_app.config["PHOTO_MAX_BYTES"]:
        limit = current_app.config["PHOTO_MAX_BYTES"] // (1024 * 1024)
        raise AccountError(f"La photo dépasse {limit} Mo : réduisez-la avant de l'envoyer.")
    suffix = next((ext for magic, ext in PHOTO_TYPES.items() if data.startswith(magic)), None)
    if suffix == ".webp" and data[8:12] != b"WEBP":
        suffix = None
    if suffix is None:
        raise AccountError("La photo doit être une image PNG, JPEG ou WebP.")
    folder = Path(current_app.config["UPLOAD_DIR"]) / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + suffix
    uploads.write(folder / name, data)
    if user.photo_path:
        uploads.remove_after_commit(folder / user.photo_path)
    user.photo_path = name


@unit_of_work
def remove_photo(user: User) -> None:
    if user.photo_path:
        uploads.remove_after_commit(Path(current_app.config["UPLOAD_DIR"]) / "photos"
                                    / user.photo_path)
        user.photo_path = None


def photo_file(user: User) -> Path | None:
    if not user.photo_path:
        return None
    path = Path(current_app.config["UPLOAD_DIR"]) / "photos" / user.photo_path
    return path if path.exists() else None


@unit_of_work
def set_active(user: User, active: bool, *, by: User) -> None:
    """Deactivate (or reactivate) an account. Nothing the person wrote is deleted."""
    if user.id == by.id and not active:
        raise AccountError("Vous ne pouvez pas désactiver votre propre compte.")
    user.active = active
    if not active:
        user.token_generation += 1
        sessions.end_all(user, "user.deactivated")
    audit.record("user.reactivated" if active else "user.deactivated", actor=by, target=user.email)


@unit_of_work
def make_platform_admin(email: str, password: str, *, first_name: str = "",
                        last_name: str = "Administrateur") -> User:
    """`flask create-admin`: create a platform admin, or promote an existing account (and give
    it this password)."""
    user = find_user(email)
    if user is None:
        user = User(email=normalise_email(email), first_name=first_name, last_name=last_name,
                    token_generation=0)
        db.session.add(user)
    user.is_platform_admin = True   # before the password: an admin's is longer
    set_password(user, password)
    spaces.ensure_open_space()
    audit.record("user.created" if user.id is None else "user.updated", target=user.email,
                 detail="administrateur de la plateforme (flask create-admin)")
    return user


@unit_of_work
def set_platform_admin(user: User, value: bool, *, by: User) -> None:
    if user.id == by.id and not value:
        raise AccountError("Vous ne pouvez pas retirer vos propres droits d'administration.")
    user.is_platform_admin = value
    audit.record("user.updated", actor=by, target=user.email,
                 detail="administrateur de la plateforme" if value else "n'est plus administrateur")


# --- private feeds -------------------------------------------------------------------------------


@unit_of_work
def feed_token(user: User) -> str:
    """The secret of the person's private feed addresses (created on first use)."""
    if user.feed_token is None:
        user.feed_token = secrets.token_urlsafe(32)
    return user.feed_token


@unit_of_work
def renew_feed_token(user: User) -> str:
    """New feed addresses; the old ones stop working at once."""
    user.feed_token = secrets.token_urlsafe(32)
    return user.feed_token


def user_for_feed(token: str) -> User | None:
    """The active person a private feed address belongs to (None for a wrong or old address)."""
    if not token or len(token) > 64:
        return None
    user = db.session.scalar(select(User).where(User.feed_token == token))
    return user if user is not None and user.active else None


# --- memberships ---------------------------------------------------------------------------------


def _membership(user: User, organisation: Organisation) -> Membership | None:
    return db.session.scalar(select(Membership).where(Membership.user_id == user.id,
                                                      Membership.organisation_id == organisation.id))


@unit_of_work
def add_membership(user: User, organisation: Organisation, role: Role, *, by: User) -> Membership:
    if _membership(user, organisation) is not None:
        raise AccountError(f"{user.full_name} fait déjà partie de « {organisation.name} ».")
    membership = Membership(user=user, organisation=organisation, role=role)
    db.session.add(membership)
    audit.record("membership.added", actor=by, organisation=organisation, target=user.email,
                 detail=role.value)
    access.forget_roles()   # their spaces change with their organisations
    return membership


def organisation_admins(organisation: Organisation) -> list[User]:
    """The active admins of an organisation: who can change its settings."""
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation.id, Membership.role == Role.ADMIN,
               User.active.is_(True))
        .order_by(User.last_name, User.first_name)))


def _admins_left(organisation: Organisation, without: Membership) -> int:
    return db.session.scalar(select(func.count()).select_from(Membership).join(User).where(
        Membership.organisation_id == organisation.id, Membership.role == Role.ADMIN,
        Membership.id != without.id, User.active.is_(True)))


@unit_of_work
def change_role(membership: Membership, role: Role, *, by: User) -> None:
    if role not in ORG_ROLES:
        raise AccountError("Rôle inconnu.")
    if membership.role == Role.ADMIN and role != Role.ADMIN and \
            _admins_left(membership.organisation, membership) == 0 and not by.is_platform_admin:
        raise AccountError("L'organisation doit garder au moins un administrateur.")
    membership.role = role
    audit.record("membership.role_changed", actor=by, organisation=membership.organisation,
                 target=membership.user.email, detail=role.value)
    access.forget_roles()


@unit_of_work
def remove_membership(membership: Membership, *, by: User) -> None:
    if membership.role == Role.ADMIN and _admins_left(membership.organisation, membership) == 0 \
            and not by.is_platform_admin:
        raise AccountError("L'organisation doit garder au moins un administrateur : nommez-en "
                           "un autre avant de retirer celui-ci.")
    organisation, email = membership.organisation, membership.user.email
    db.session.delete(membership)
    audit.record("membership.removed", actor=by, organisation=organisation, target=email)
    access.forget_roles()


# --- bulk import -------------------------------------------------------------------------------

USER_COLUMNS = ["email", "prenom", "nom"]
USER_OPTIONAL = ["organisation", "role", "fonction", "telephone"]
ROLE_ALIASES = {"membre": Role.MEMBER, "member": Role.MEMBER, "": Role.MEMBER,
                "redacteur": Role.EDITOR, "rédacteur": Role.EDITOR, "editor": Role.EDITOR,
                "administrateur": Role.ADMIN, "admin": Role.ADMIN}


def _find_organisation(ref: str) -> Organisation | None:
    ref = ref.strip()
    return db.session.scalar(select(Organisation).where(
        (Organisation.slug == ref.lower()) | (Organisation.insee_code == ref)
        | (Organisation.siren == ref)))


@unit_of_work
def import_users(data: bytes | str, *, by: User, organisation: Organisation | None = None) -> int:
    """Create accounts from a CSV file (email, prenom, nom, organisation, role, fonction,
    telephone) and mail each an invitation. All or nothing. With ``organisation`` given (an
    organisation admin's import), every row goes to that organisation and the column is
    ignored. Returns the number of accounts created."""
    rows = csvimport.read(data, USER_COLUMNS, USER_OPTIONAL)
    problems: list[CsvProblem] = []
    planned = []
    seen: dict[str, int] = {}
    for line, row in rows.rows:
        try:
            email = normalise_email(row["email"])
        except AccountError as exc:
            problems.append(CsvProblem(line, "email", str(exc)))
            continue
        if email in seen:
            problems.append(CsvProblem(line, "email", f"adresse déjà présente ligne {seen[email]}."))
        seen[email] = line
        if find_user(email) is not None:
            problems.append(CsvProblem(line, "email", f"{email} a déjà un compte."))
        org = organisation
        if org is None:
            ref = row.get("organisation", "")
            org = _find_organisation(ref) if ref else None
            if org is None:
                problems.append(CsvProblem(line, "organisation",
                                           f"organisation « {ref} » introuvable (indiquez son "
                                           "code INSEE, son SIREN ou son identifiant)."))
        role = ROLE_ALIASES.get(row.get("role", "").strip().lower())
        if role is None:
            problems.append(CsvProblem(line, "role", f"rôle « {row['role']} » inconnu (membre, "
                                                     "rédacteur ou administrateur)."))
        if not row["nom"] and not row["prenom"]:
            problems.append(CsvProblem(line, "nom", "le nom et le prénom sont vides."))
        planned.append((email, row, org, role))
    if problems:
        raise CsvImportError(problems)
    for email, row, org, role in planned:
        user = invite(org, email=email, first_name=row["prenom"], last_name=row["nom"], role=role,
                      by=by, function=row.get("fonction", ""))
        user.phone = row.get("telephone", "")
    audit.record("users.imported", actor=by, organisation=organisation,
                 detail=f"{len(planned)} comptes créés")
    return len(planned)
