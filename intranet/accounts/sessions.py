"""Sessions kept on the server, so that they can be ended.

Each sign-in (``signin.finish``) opens a ``UserSession`` and gives the browser its random key,
in the signed Flask session cookie (Flask-Login's ``_user_id``) and, with « Se souvenir de
moi », in the remember cookie: both carry the key, never the account's id, and the database
keeps only the key's SHA-256. ``load`` (the user loader: one statement for the session, the
person with their memberships kept by the process across requests) refuses a key whose
session was ended, has been idle for longer than ``SESSION_IDLE_TIMEOUT`` or was opened
longer than ``SESSION_ABSOLUTE_TIMEOUT`` ago (both ``REMEMBER_COOKIE_DURATION`` for a
remembered session), or whose person was deactivated. So
signing out, « Se déconnecter partout ailleurs », a password change or reset and a
deactivation make every copy of the old cookies worthless at once.

The key is renewed (``renew``) at each elevation — a second factor passed — and after a
password change; the whole Flask session is cleared at sign-in, so nothing obtained before
(a CSRF token) outlives it.

``last_seen_at`` is written at most once a minute per session (``TOUCH_EVERY``), after the
response, so a signed-in page costs no write.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from flask import Flask, current_app, g, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import Boolean, DateTime, ForeignKey, String, bindparam, select, update
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from ..core import audit, generations, hooks, timeutil
from ..core.audit import client_ip
from ..core.uow import unit_of_work
from ..extensions import db
from .models import ORGANISATIONS, Membership, Organisation, User

TOUCH_EVERY = timedelta(minutes=1)
END_REASONS = {
    "logout": "déconnexion",
    "elsewhere": "déconnectée depuis une autre session",
    "ended": "fermée par la personne",
    "password.changed": "mot de passe modifié",
    "password.reset": "mot de passe réinitialisé",
    "user.deactivated": "compte désactivé",
    "idle": "inactivité",
    "expired": "durée maximale atteinte",
}
METHOD_LABELS = {"password": "Mot de passe", "passkey": "Clé d'accès", "proconnect": "ProConnect"}


class UserSession(db.Model):
    """One signed-in browser."""
    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the random key the browser holds (the key itself is never stored).
    key_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str] = mapped_column(String(120), default="")
    method: Mapped[str] = mapped_column(String(20), default="password")
    multi_factor: Mapped[bool] = mapped_column(Boolean, default=False)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[str] = mapped_column(String(30), default="")

    user: Mapped[User] = relationship()

    @property
    def method_label(self) -> str:
        return METHOD_LABELS.get(self.method, self.method)

    def __repr__(self) -> str:
        return f"<UserSession {self.id} of user {self.user_id}>"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _limits(record: UserSession) -> tuple[timedelta, timedelta]:
    """(idle, absolute) limits of a session."""
    config = current_app.config
    if record.remember:
        return config["REMEMBER_COOKIE_DURATION"], config["REMEMBER_COOKIE_DURATION"]
    return config["SESSION_IDLE_TIMEOUT"], config["SESSION_ABSOLUTE_TIMEOUT"]


def expiry_reason(record: UserSession, now: datetime | None = None) -> str | None:
    """Why a session no longer signs in (None: it does)."""
    if record.ended_at is not None:
        return record.end_reason or "ended"
    now = now or timeutil.utcnow()
    idle, absolute = _limits(record)
    if now - record.created_at >= absolute:
        return "expired"
    if now - record.last_seen_at >= idle:
        return "idle"
    return None


# --- what the browser brings ----------------------------------------------------------------


_STATEMENT = []   # built once per process: every signed-in page runs it (the generations read,
                  # the statement)
# What every page reads of the session; of the person's organisations, what the header and the
# access rules read (the rest — an organisation's address, population, description… — is read
# by the pages that show it, when they first use it).
_SESSION_READ = ("id", "user_id", "created_at", "last_seen_at", "method", "multi_factor",
                 "remember", "ended_at", "end_reason")
_ORGANISATION_READ = ("id", "slug", "name", "name_key", "kind", "epci_id", "is_active")

# The person with their memberships is kept by each process across requests (``_person``)
# while the loader reads the same tokens for these: every column of a person and every
# membership (``PEOPLE``), every column of an organisation.
PEOPLE = "people"
generations.watch(PEOPLE, User)
generations.watch(PEOPLE, Membership)
_PERSON_READ = (PEOPLE, ORGANISATIONS)


def load(key: str) -> User | None:
    """The user loader: the person whose live session ``key`` names, with their memberships
    and organisations; None for an unknown, ended or expired session.

    One statement reads the session, the tokens of every generation and the header's
    counters; the person, their memberships and organisations come from what the process
    kept (``_person``) while nobody and no organisation has changed, else from one more."""
    if not key or len(key) > 100:
        return None
    if not _STATEMENT:
        session = UserSession.__table__.c
        _STATEMENT.append(generations.names())
        _STATEMENT.append(
            select(*(session[name] for name in _SESSION_READ), generations.tokens_column(),
                   *hooks.loader_columns(session.user_id))
            .where(session.key_digest == bindparam("digest")))
    digest = _digest(key)
    read, statement = _STATEMENT
    row = db.session.execute(statement, {"digest": digest, **hooks.loader_params(digest)}
                             ).first()
    if row is None:
        return None
    record, rest = row, row[len(_SESSION_READ):]   # the session's columns by name, then the rest
    tokens, header = generations.read_tokens(read, rest[0]), rest[1:]
    for name, token in tokens.items():   # access.reach, generations.kept reuse what they kept
        generations.remember(name, token)
    now = timeutil.utcnow()
    if expiry_reason(record, now) is not None:
        return None
    user = _person(record.user_id, tuple(tokens[name] for name in _PERSON_READ))
    if user is None or not user.active:
        return None
    user.session_key, user.session_values = key, tuple(zip(_SESSION_READ, row))
    # the header's counters, read already
    hooks.read_with_person(digest, tokens.get(generations.ACCESS), header)
    if now - record.last_seen_at >= TOUCH_EVERY:
        g.session_touch = (record.id, now)
    return user


_PERSON_STATEMENT = []
# The kept people have a store of their own (a département has thousands of people; the pages'
# kept values must not be pushed out by them): at most PEOPLE_KEPT_MAX per process, a few KB
# each, emptied when full.
_KEPT_PEOPLE = generations.kept_store()
PEOPLE_KEPT_MAX = 2000


def _person(user_id: int, tokens: tuple) -> User | None:
    """The person ``user_id`` with their memberships and organisations, as rows of the
    request's session: from the column values the process kept under ``tokens``, else read."""
    if not _PERSON_STATEMENT:
        _PERSON_STATEMENT.append(
            select(User).where(User.id == bindparam("user_id"))
            .options(joinedload(User.memberships).joinedload(Membership.organisation)
                     .load_only(*(getattr(Organisation, name) for name in _ORGANISATION_READ))))
    read = []

    def compute():
        user = db.session.execute(_PERSON_STATEMENT[0], {"user_id": user_id}
                                  ).unique().scalar_one_or_none()
        read.append(user)
        return None if user is None else (generations.column_values(user), tuple(
            (generations.column_values(membership),
             generations.column_values(membership.organisation))
            for membership in user.memberships))
    values = generations.kept_under(tokens, ("person", user_id), compute, store=_KEPT_PEOPLE,
                                    limit=PEOPLE_KEPT_MAX)
    if read or values is None:
        return read[0] if read else None
    person, memberships = values
    user = generations.attached(User, person)
    rows = []
    for membership, organisation in memberships:
        row = generations.attached(Membership, membership)
        set_committed_value(row, "organisation", generations.attached(Organisation, organisation))
        set_committed_value(row, "user", user)
        rows.append(row)
    set_committed_value(user, "memberships", rows)
    return user


def _touch(exc=None) -> None:
    """After the response: the once-a-minute ``last_seen_at`` of the request's session."""
    touch = g.pop("session_touch", None)
    if touch is None or exc is not None:
        return
    record_id, now = touch
    db.session.rollback()   # what the request left uncommitted is not ours to write
    db.session.execute(update(UserSession).where(UserSession.id == record_id,
                                                 UserSession.last_seen_at < now)
                       .values(last_seen_at=now))
    db.session.commit()


def init_app(app: Flask) -> None:
    app.teardown_request(_touch)
    secure = app.config.get("SECURE_COOKIES")
    if isinstance(secure, str):
        secure = secure.lower() in ("1", "true", "yes", "oui")
    if secure is None:
        secure = str(app.config.get("PUBLIC_BASE_URL", "")).startswith("https://")
    app.config["SECURE_COOKIES"] = secure
    if secure:
        # __Host-: sent only over HTTPS, for this host and every path, never set by a subdomain.
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True,
                          SESSION_COOKIE_NAME="__Host-session",
                          REMEMBER_COOKIE_NAME="__Host-remember_token",
                          SESSION_COOKIE_DOMAIN=None, REMEMBER_COOKIE_DOMAIN=None,
                          SESSION_COOKIE_PATH="/", REMEMBER_COOKIE_PATH="/")


# --- opening, renewing, ending ----------------------------------------------------------------


def _new_key() -> str:
    return secrets.token_urlsafe(32)


def _device() -> str:
    """« Firefox sur Windows »: what the sessions page shows of a user agent."""
    agent = request.headers.get("User-Agent", "") if has_request_context() else ""
    browsers = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"), ("Safari/", "Safari"))
    systems = (("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iPhone"),
               ("iPad", "iPad"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))
    browser = next((name for mark, name in browsers if mark in agent), "")
    system = next((name for mark, name in systems if mark in agent), "")
    if browser and system:
        return f"{browser} sur {system}"
    return browser or system or re.sub(r"\s+", " ", agent)[:60] or "Navigateur inconnu"


@unit_of_work
def open_session(user: User, *, remember: bool = False, method: str = "password",
                 multi_factor: bool = False) -> str:
    """A new session of ``user``; returns its key (for the cookie)."""
    key, now = _new_key(), timeutil.utcnow()
    db.session.add(UserSession(key_digest=_digest(key), user_id=user.id, created_at=now,
                               last_seen_at=now, ip=client_ip(), user_agent=_device()[:120],
                               method=method, multi_factor=multi_factor, remember=remember))
    return key


def current() -> UserSession | None:
    """The session of the request's signed-in person."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    person = current_user._get_current_object()
    record = getattr(person, "session_record", None)   # made by the first call of the request
    if record is None and getattr(person, "session_values", None) is not None:
        record = person.session_record = generations.attached(UserSession, person.session_values)
    return record


@unit_of_work
def _rekey(record: UserSession, key: str, multi_factor: bool | None, method: str | None) -> None:
    record.key_digest = _digest(key)
    if multi_factor is not None:
        record.multi_factor = multi_factor
    if method is not None:
        record.method = method


def renew(*, multi_factor: bool | None = None, method: str | None = None) -> None:
    """Give the current session a new key (an elevation: a second factor passed, a password
    changed): the cookies held until now stop working, and so does the CSRF token."""
    record = current()
    if record is None:
        return
    key = _new_key()
    _rekey(record, key, multi_factor, method)
    user = current_user._get_current_object()
    user.session_key = key
    session["_user_id"] = key
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)
    if record.remember:
        session["_remember"] = "set"   # Flask-Login writes the new key in the remember cookie


def _end(records, reason: str) -> int:
    now = timeutil.utcnow()
    count = 0
    for record in records:
        if record.ended_at is None:
            record.ended_at, record.end_reason = now, reason
            count += 1
    return count


def _live(user: User):
    return db.session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                        UserSession.ended_at.is_(None))).all()


def end_all(user: User, reason: str, *, keep: UserSession | None = None) -> int:
    """End every session of ``user`` (but ``keep``), in the caller's unit of work."""
    return _end([r for r in _live(user) if keep is None or r.id != keep.id], reason)


@unit_of_work
def end_current(reason: str = "logout") -> None:
    record = current()
    if record is not None:
        _end([record], reason)


@unit_of_work
def end_elsewhere(user: User) -> int:
    """« Se déconnecter partout ailleurs »: every session of ``user`` but this one."""
    count = end_all(user, "elsewhere", keep=current())
    audit.record("sessions.ended_elsewhere", actor=user, target=user.email,
                 detail=f"{count} session(s) fermée(s)")
    return count


@unit_of_work
def end_one(record: UserSession) -> bool:
    """End one session (the view has checked it is the person's own); False if it had
    already ended."""
    return _end([record], "ended") == 1


def active_sessions(user: User) -> list[UserSession]:
    """The person's sessions that still sign in, the most recently used first."""
    now = timeutil.utcnow()
    return sorted((r for r in _live(user) if expiry_reason(r, now) is None),
                  key=lambda r: r.last_seen_at, reverse=True)
