"""The one way into a session. Every way of proving who one is — a password (``views.login``),
and later a second factor, a passkey or ProConnect — ends in ``begin``, which decides what
else the person must prove here, and ``finish``, which opens the session. Nothing else calls
``flask_login.login_user``."""
from __future__ import annotations

from flask import request, session
from flask_login import login_user

from .. import access
from . import sessions
from .mfa import pending
from .mfa import services as mfa
from .models import User

# What the way of signing in put in the Flask session for after it, and ``finish`` keeps: the
# ProConnect ID token, with which signing out also ends the provider's session.
CARRIED_ACROSS = ("proconnect_id_token",)


def begin(user: User, *, remember: bool = False, method: str = "password",
          multi_factor: bool = False):
    """``user`` has proved their identity with ``method`` (``multi_factor`` when that proof
    already counts as two factors). Returns None once signed in, or the address of the next
    step when a second factor is needed (``access.needs_second_factor``): the sign-in then
    waits in the session (``mfa.pending``) and nobody is signed in yet. A browser the person
    trusts (« Faire confiance à ce navigateur ») stands for the second factor."""
    if not multi_factor and access.needs_second_factor(user):
        if not mfa.browser_is_trusted(user, request.cookies.get(pending.COOKIE)):
            return pending.hold(user, remember=remember, method=method)
        multi_factor = True
    pending.drop()
    finish(user, remember=remember, method=method, multi_factor=multi_factor)
    return None


def finish(user: User, *, remember: bool = False, method: str = "password",
           multi_factor: bool = False) -> None:
    """Open the session of ``user``: a new server-side session (``sessions.open_session``)
    in a Flask session emptied first, so that nothing from before signing in survives it (a
    CSRF token, a half-finished step: read what you need before calling this), but for
    ``CARRIED_ACROSS``."""
    carried = {key: session[key] for key in CARRIED_ACROSS if key in session}
    session.clear()
    session.update(carried)
    user.session_key = sessions.open_session(user, remember=remember, method=method,
                                             multi_factor=multi_factor)
    session.permanent = True  # the cookie expires after PERMANENT_SESSION_LIFETIME
    login_user(user, remember=remember)
