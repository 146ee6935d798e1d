"""Second factors: enrol, check, remove, reset. Each public function is one unit of work and
commits; every enrolment, removal, reset and failure is in the audit log."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

import pyotp
import segno
import webauthn
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (AuthenticatorSelectionCriteria, AuthenticatorTransport,
                                      PublicKeyCredentialDescriptor, ResidentKeyRequirement,
                                      UserVerificationRequirement)

from ...core import audit
from ...core.timeutil import utcnow
from ...core.uow import unit_of_work
from ...extensions import db
from ...mail import services as mail
from ..models import User
from .models import Passkey, RecoveryCode, TotpDevice, TrustedBrowser

TOTP_STEP = 30
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"   # no 0/o, 1/l/i


class MfaError(ValueError):
    """A refused enrolment or check, with a French message for the person."""


# --- what a person has ----------------------------------------------------------------------------


def totp_device(user: User) -> TotpDevice | None:
    return db.session.get(TotpDevice, user.id)


def has_totp(user: User) -> bool:
    device = totp_device(user)
    return device is not None and device.confirmed_at is not None


def passkeys(user: User) -> list[Passkey]:
    return list(db.session.scalars(select(Passkey).where(Passkey.user_id == user.id)
                                   .order_by(Passkey.created_at, Passkey.id)))


def has_second_factor(user: User) -> bool:
    """An authenticator app confirmed, or a passkey: what the second step can ask."""
    return has_totp(user) or bool(db.session.scalar(
        select(func.count()).select_from(Passkey).where(Passkey.user_id == user.id)))


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def trusted_browsers(user: User) -> list[TrustedBrowser]:
    return list(db.session.scalars(
        select(TrustedBrowser).where(TrustedBrowser.user_id == user.id,
                                     TrustedBrowser.expires_at > utcnow())
        .order_by(TrustedBrowser.created_at.desc())))


# --- authenticator app (TOTP) ---------------------------------------------------------------------


@unit_of_work
def start_totp(user: User) -> TotpDevice:
    """The secret to show for enrolment: the one waiting for confirmation, or a new one."""
    device = totp_device(user)
    if device is not None and device.confirmed_at is not None:
        raise MfaError("Une application d'authentification est déjà enregistrée : supprimez-la "
                       "d'abord pour en enregistrer une autre.")
    if device is None:
        device = TotpDevice(user_id=user.id, secret=pyotp.random_base32(32))
        db.session.add(device)
    return device


def totp_uri(user: User, device: TotpDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["MFA_TOTP_ISSUER"])


def qr_svg(text: str) -> str:
    """``text`` as a QR code, drawn here as inline SVG (no outside service sees the secret)."""
    return segno.make(text, error="m").svg_inline(scale=4, border=2, dark="#000",
                                                  light="#fff", omitsize=False)


def formatted_secret(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _matching_step(device: TotpDevice, code: str) -> int | None:
    """The time-step (now, or one step before or after: clocks drift) whose code is ``code``
    and that was not used yet; None otherwise."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp, now = pyotp.TOTP(device.secret), int(time.time()) // TOTP_STEP
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if device.last_used_step is not None and step <= device.last_used_step:
                return None     # already used: a code seen over a shoulder opens nothing
            return step
    return None


@unit_of_work
def confirm_totp(user: User, code: str) -> list[str] | None:
    """Confirm the app with its first code. Returns new recovery codes when the person had
    none left (to show once), else an empty list; None when the code is wrong (audited)."""
    device = totp_device(user)
    if device is None or device.confirmed_at is not None:
        raise MfaError("Recommencez l'enregistrement de l'application.")
    step = _matching_step(device, code)
    if step is None:
        audit.record("mfa.failure", actor=user, target=user.email, detail="enrôlement TOTP")
        return None
    device.confirmed_at, device.last_used_step = utcnow(), step
    audit.record("mfa.totp_enrolled", actor=user, target=user.email)
    return _codes_if_none_left(user)


@unit_of_work
def check_totp(user: User, code: str) -> bool:
    device = totp_device(user)
    step = None if device is None or device.confirmed_at is None else _matching_step(device, code)
    if step is None:
        audit.record("mfa.failure", actor=user, target=user.email, detail="code TOTP")
        return False
    device.last_used_step = step
    return True


@unit_of_work
def remove_totp(user: User) -> None:
    device = totp_device(user)
    if device is not None:
        db.session.delete(device)
        audit.record("mfa.totp_removed", actor=user, target=user.email)


# --- recovery codes -------------------------------------------------------------------------------


def _hash_code(code: str) -> str:
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def _new_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_code(raw)))
    return codes


def _codes_if_none_left(user: User) -> list[str]:
    return _new_codes(user) if recovery_codes_left(user) == 0 else []


@unit_of_work
def regenerate_recovery_codes(user: User) -> list[str]:
    """Ten new codes, the old ones void. Shown once: only their hashes are kept."""
    codes = _new_codes(user)
    audit.record("mfa.recovery_codes_generated", actor=user, target=user.email)
    return codes


@unit_of_work
def use_recovery_code(user: User, code: str) -> bool:
    row = db.session.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash_code(code),
        RecoveryCode.used_at.is_(None)))
    if row is None:
        audit.record("mfa.failure", actor=user, target=user.email, detail="code de secours")
        return False
    row.used_at = utcnow()
    audit.record("mfa.recovery_code_used", actor=user, target=user.email,
                 detail=f"{recovery_codes_left(user)} restant(s)")
    return True


# --- passkeys (WebAuthn) --------------------------------------------------------------------------


@dataclass(frozen=True)
class RelyingParty:
    """Who the browser talks to: the site's domain (``id``) and its origin."""
    id: str
    origin: str
    name: str


def _options_json(options) -> dict:
    return json.loads(webauthn.options_to_json(options))


def _descriptor(key: Passkey) -> PublicKeyCredentialDescriptor:
    transports = []
    for name in filter(None, key.transports.split(",")):
        try:
            transports.append(AuthenticatorTransport(name))
        except ValueError:
            continue
    return PublicKeyCredentialDescriptor(id=key.credential_id, transports=transports or None)


def registration_options(user: User, rp: RelyingParty) -> tuple[dict, bytes]:
    """What ``navigator.credentials.create`` needs, and the challenge to keep until the
    answer. A discoverable credential is preferred, so the key can also sign in alone."""
    options = webauthn.generate_registration_options(
        rp_id=rp.id, rp_name=rp.name, user_id=str(user.id).encode(), user_name=user.email,
        user_display_name=user.full_name,
        exclude_credentials=[_descriptor(key) for key in passkeys(user)],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED))
    return _options_json(options), options.challenge


@unit_of_work
def add_passkey(user: User, credential: dict, *, challenge: bytes, rp: RelyingParty,
                name: str) -> tuple[Passkey, list[str]]:
    """Keep the key the browser has just created; new recovery codes when none are left."""
    try:
        verified = webauthn.verify_registration_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp.id,
            expected_origin=rp.origin)
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as exc:
        raise MfaError("La clé n'a pas pu être enregistrée : réessayez.") from exc
    transports = (credential.get("response") or {}).get("transports") or []
    key = Passkey(user_id=user.id, credential_id=verified.credential_id,
                  public_key=verified.credential_public_key, sign_count=verified.sign_count,
                  name=(name or "").strip()[:100] or "Clé d'accès",
                  transports=",".join(str(t) for t in transports)[:200])
    db.session.add(key)
    audit.record("mfa.passkey_added", actor=user, target=user.email, detail=key.name)
    return key, _codes_if_none_left(user)


def authentication_options(user: User | None, rp: RelyingParty) -> tuple[dict, bytes]:
    """For ``user``'s keys (a second factor), or for any key the browser holds for this site
    (``user`` None: signing in with a passkey alone, which must verify its holder)."""
    options = webauthn.generate_authentication_options(
        rp_id=rp.id,
        allow_credentials=None if user is None else [_descriptor(k) for k in passkeys(user)],
        user_verification=UserVerificationRequirement.REQUIRED if user is None
        else UserVerificationRequirement.PREFERRED)
    return _options_json(options), options.challenge


@unit_of_work
def check_passkey(credential: dict, *, challenge: bytes, rp: RelyingParty,
                  user: User | None = None) -> User | None:
    """The owner of the key that answered the challenge (who must be ``user`` when given),
    None when the answer is refused (audited). Without ``user`` the key must have verified its
    holder (PIN, fingerprint): it stands for both factors."""
    try:
        credential_id = webauthn.base64url_to_bytes(credential["rawId"])
    except (KeyError, TypeError, ValueError):
        credential_id = b""
    key = db.session.scalar(select(Passkey).where(Passkey.credential_id == credential_id))
    if key is None or (user is not None and key.user_id != user.id):
        if user is not None:
            audit.record("mfa.failure", actor=user, target=user.email, detail="clé inconnue")
        return None
    owner = db.session.get(User, key.user_id)
    try:
        verified = webauthn.verify_authentication_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp.id,
            expected_origin=rp.origin, credential_public_key=key.public_key,
            credential_current_sign_count=key.sign_count,
            require_user_verification=user is None)
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError):
        audit.record("mfa.failure", actor=owner, target=owner.email, detail="clé d'accès")
        return None
    key.sign_count, key.last_used_at = verified.new_sign_count, utcnow()
    return owner


@unit_of_work
def rename_passkey(key: Passkey, name: str) -> None:
    key.name = (name or "").strip()[:100] or key.name


@unit_of_work
def remove_passkey(user: User, key: Passkey) -> None:
    db.session.delete(key)
    audit.record("mfa.passkey_removed", actor=user, target=user.email, detail=key.name)


# --- trusted browsers -----------------------------------------------------------------------------


def _browser_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="trusted-browser")


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def describe_browser(user_agent: str) -> str:
    """« Firefox sous Linux »: enough for a person to recognise their browser in a list."""
    ua = user_agent or ""
    browser = next((name for token, name in (
        ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"), ("Safari/", "Safari")) if token in ua), "Navigateur")
    system = next((name for token, name in (
        ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
        ("Mac OS X", "macOS"), ("Linux", "Linux")) if token in ua), "")
    return f"{browser} sous {system}" if system else browser


@unit_of_work
def trust_browser(user: User, *, user_agent: str, ip: str | None) -> str:
    """Remember this browser for ``MFA_TRUSTED_BROWSER_LIFETIME``; returns the cookie value."""
    secret = secrets.token_urlsafe(32)
    row = TrustedBrowser(user_id=user.id, secret_hash=_secret_hash(secret),
                         label=describe_browser(user_agent)[:200], ip=ip,
                         expires_at=utcnow() + current_app.config["MFA_TRUSTED_BROWSER_LIFETIME"])
    db.session.add(row)
    db.session.flush()
    audit.record("mfa.browser_trusted", actor=user, target=user.email, detail=row.label)
    return _browser_signer().dumps([row.id, user.id, secret])


@unit_of_work
def browser_is_trusted(user: User, cookie: str | None) -> bool:
    """The cookie names a row of ``user`` that is neither revoked nor expired."""
    if not cookie:
        return False
    try:
        row_id, user_id, secret = _browser_signer().loads(cookie)
    except (BadSignature, ValueError, TypeError):
        return False
    row = db.session.get(TrustedBrowser, row_id) if isinstance(row_id, int) else None
    if (row is None or user_id != user.id or row.user_id != user.id
            or row.expires_at <= utcnow() or not isinstance(secret, str)
            or not hmac.compare_digest(row.secret_hash, _secret_hash(secret))):
        return False
    row.last_used_at, row.uses = utcnow(), row.uses + 1
    return True


def cookie_browser_id(cookie: str | None) -> int | None:
    """The trusted-browser row this browser's cookie names (to mark it in the list)."""
    try:
        row_id = _browser_signer().loads(cookie)[0] if cookie else None
    except (BadSignature, ValueError, TypeError, IndexError):
        return None
    return row_id if isinstance(row_id, int) else None


@unit_of_work
def forget_browser(user: User, row: TrustedBrowser) -> None:
    db.session.delete(row)
    audit.record("mfa.browser_revoked", actor=user, target=user.email, detail=row.label)


@unit_of_work
def record_success(user: User, how: str) -> None:
    audit.record("mfa.success", actor=user, target=user.email, detail=how)


# --- reset by an admin ----------------------------------------------------------------------------


@unit_of_work
def reset(person: User, *, by: User) -> None:
    """Remove every second factor of ``person`` (app, keys, codes, trusted browsers): they
    enrol again at their next sign-in. Audited, and mailed to them."""
    for model in (RecoveryCode, Passkey, TrustedBrowser, TotpDevice):
        db.session.execute(delete(model).where(model.user_id == person.id))
    # In the journal of the organisation whose admin did it (else the person's first one).
    administered = {m.organisation_id for m in by.memberships}
    shared = [m.organisation for m in person.memberships if m.organisation_id in administered]
    organisation = (shared or [m.organisation for m in person.memberships] or [None])[0]
    audit.record("mfa.reset", actor=by, organisation=organisation, target=person.email)
    mail.queue(person.email, "Votre second facteur Territoires a été réinitialisé", "mfa_reset",
               user=person, by=by)


# --- demo and support -----------------------------------------------------------------------------


@unit_of_work
def set_totp_secret(user: User, secret: str) -> None:
    """Give ``user`` an authenticator app with this known secret, already confirmed: only for
    the demo accounts (``flask seed-demo``), whose secret ``flask demo-welcome`` prints."""
    device = totp_device(user) or TotpDevice(user_id=user.id, secret=secret)
    device.secret, device.confirmed_at, device.last_used_step = secret, utcnow(), None
    db.session.add(device)


def current_code(user: User) -> str | None:
    """The code ``user``'s app shows now (``flask accounts totp-code``, demo and support)."""
    device = totp_device(user)
    return pyotp.TOTP(device.secret).now() if device is not None and device.confirmed_at else None
