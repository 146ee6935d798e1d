"""A sign-in waiting for its second factor, kept in the Flask session: who proved their
password (or another first factor), how, whether to remember them, when, and where to go next.
Nobody is signed in until ``views`` completes it with ``signin.finish``."""
from __future__ import annotations

import time

from flask import current_app, request, session, url_for

from ...core.urls import local_path
from ...extensions import db
from ..models import User
from . import services

KEY = "mfa_pending"
# The trusted-browser cookie (``services.trust_browser``).
COOKIE = "territoires_navigateur"


def hold(user: User, *, remember: bool, method: str) -> str:
    """Keep the sign-in of ``user`` pending; returns the address of the step to take: the
    second factor, or enrolling one for a person who has none."""
    session[KEY] = {"user_id": user.id, "remember": bool(remember), "method": method,
                    "started": time.time(), "failures": 0,
                    "next": local_path(request.args.get("next")) or ""}
    if services.has_second_factor(user):
        return url_for("mfa.challenge")
    return url_for("mfa.enrol")


def current() -> dict | None:
    info = session.get(KEY)
    if not isinstance(info, dict):
        return None
    age = time.time() - float(info.get("started", 0))
    if age > current_app.config["MFA_PENDING_MAX_AGE"].total_seconds():
        drop()
        return None
    return info


def user() -> User | None:
    """The person whose sign-in waits, while it is recent enough and their account active."""
    info = current()
    person = db.session.get(User, info["user_id"]) if info else None
    if person is None or not person.active:
        drop()
        return None
    return person


def failed() -> bool:
    """Count a wrong answer; True when there were too many and the password must be given
    again."""
    info = current()
    if info is None:
        return True
    info["failures"] = info.get("failures", 0) + 1
    if info["failures"] >= current_app.config["MFA_MAX_FAILURES"]:
        drop()
        return True
    session[KEY] = info
    return False


def take() -> dict:
    """The pending sign-in, removed from the session (to be finished)."""
    return session.pop(KEY)


def drop() -> None:
    session.pop(KEY, None)
