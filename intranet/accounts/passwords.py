"""Passwords: the rules a new one must meet, and how they are stored and checked.

After ANSSI and OWASP ASVS 5.0: a length (``PASSWORD_MIN_LENGTH``, 12 characters, and
``PASSWORD_ADMIN_MIN_LENGTH``, 16, for organisation and platform admins) up to
``PASSWORD_MAX_LENGTH`` (128), no composition rules and no forced rotation, but no common
password (``intranet/data/common-passwords.txt``) and nothing built on the person's own name
or address.

Hashes are Argon2id (``argon2-cffi``) with OWASP's parameters (19 MiB, 2 passes, 1 lane, from
the configuration). Hashes of another kind (Werkzeug's scrypt or PBKDF2, from before) still
verify, and are replaced by an Argon2id hash at the next successful sign-in
(``needs_rehash``). ``PASSWORD_HASH_METHOD`` may name a Werkzeug method instead of
``argon2id``: the test configuration uses cheap PBKDF2 so that thousands of test accounts are
made quickly (tests of this module switch back to Argon2id with small costs).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"
ARGON2 = "argon2id"


class WeakPassword(ValueError):
    """A password refused by the rules, with a French message saying what to do."""


# --- rules ---------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines
                     if line.strip() and not line.startswith("#"))


def _plain(text: str) -> str:
    """Lower case, accents dropped, only letters and digits: « Jean-Loup » → « jeanloup »."""
    folded = unicodedata.normalize("NFKD", text.lower())
    return re.sub(r"[^0-9a-z]", "", folded.encode("ascii", "ignore").decode())


def minimum_length(user=None, *, admin: bool | None = None) -> int:
    """12 characters; 16 for organisation admins and platform admins."""
    config = current_app.config
    if admin is None:
        admin = user is not None and is_admin(user)
    return config["PASSWORD_ADMIN_MIN_LENGTH"] if admin else config["PASSWORD_MIN_LENGTH"]


def is_admin(user) -> bool:
    from ..core.types import Role
    return bool(user.is_platform_admin) or any(m.role == Role.ADMIN for m in user.memberships)


def check(password: str, user=None, *, admin: bool | None = None) -> None:
    """Raise ``WeakPassword`` when ``password`` may not be chosen (by ``user`` if given)."""
    config = current_app.config
    minimum, maximum = minimum_length(user, admin=admin), config["PASSWORD_MAX_LENGTH"]
    if len(password) < minimum:
        raise WeakPassword(f"Le mot de passe doit compter au moins {minimum} caractères (il en "
                           f"compte {len(password)}). Une phrase de plusieurs mots, facile à "
                           "retenir pour vous, convient très bien.")
    if len(password) > maximum:
        raise WeakPassword(f"Le mot de passe ne doit pas dépasser {maximum} caractères.")
    plain = _plain(password)
    if password.lower() in common_passwords() or plain in common_passwords() \
            or len(set(plain)) <= 2:
        raise WeakPassword("Ce mot de passe est trop courant : il figure parmi ceux que l'on "
                           "essaie en premier. Choisissez-en un autre, par exemple une phrase de "
                           "plusieurs mots sans rapport avec vous.")
    if user is not None:
        local = _plain(user.email.split("@")[0])
        names = [_plain(user.first_name or ""), _plain(user.last_name or ""), local]
        names += [_plain(part) for part in re.split(r"[._+-]", user.email.split("@")[0])]
        if any(len(name) >= 3 and name in plain for name in names):
            raise WeakPassword("Le mot de passe ne doit contenir ni votre nom, ni votre prénom, "
                               "ni votre adresse électronique : choisissez-en un sans rapport "
                               "avec vous.")


# --- hashes ---------------------------------------------------------------------------------------


def _hasher() -> PasswordHasher:
    config = current_app.config
    return _hasher_for(config["PASSWORD_ARGON2_TIME_COST"], config["PASSWORD_ARGON2_MEMORY_KIB"],
                       config["PASSWORD_ARGON2_PARALLELISM"])


@lru_cache(maxsize=8)
def _hasher_for(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hash_password(password: str) -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method == ARGON2:
        return _hasher().hash(password)
    return generate_password_hash(password, method=method)


def verify(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored`` (an Argon2 or a Werkzeug hash). Without a stored
    hash (an unknown address, an account never activated), a dummy hash is checked all the
    same, so that the answer takes as long as for a real account."""
    if not stored:
        verify_unknown(password)
        return False
    if stored.startswith("$argon2"):
        return _verify_argon2(stored, password)
    try:
        return check_password_hash(stored, password)
    except ValueError:
        return False


def _verify_argon2(stored: str, password: str) -> bool:
    try:
        return _hasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _dummy_hash() -> str:
    config = current_app.config
    key = (config["PASSWORD_ARGON2_TIME_COST"], config["PASSWORD_ARGON2_MEMORY_KIB"],
           config["PASSWORD_ARGON2_PARALLELISM"])
    return _dummy_for(config["PASSWORD_HASH_METHOD"], key)


@lru_cache(maxsize=8)
def _dummy_for(method: str, key: tuple) -> str:
    if method == ARGON2:
        return _hasher_for(*key).hash("pas un vrai mot de passe")
    return generate_password_hash("pas un vrai mot de passe", method=method)


def verify_unknown(password: str) -> None:
    """The work of checking a password, for an address that has no account."""
    stored = _dummy_hash()
    if stored.startswith("$argon2"):
        _verify_argon2(stored, password)
    else:
        check_password_hash(stored, password)


def needs_rehash(stored: str) -> bool:
    """Whether a hash that just verified should be replaced: not made with the configured
    method, or (Argon2) with other costs."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method == ARGON2:
        if not stored.startswith("$argon2id$"):
            return True
        try:
            return _hasher().check_needs_rehash(stored)
        except InvalidHashError:
            return True
    return not stored.startswith(method + "$")
