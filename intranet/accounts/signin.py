"""The one way into a session. Every way of proving who one is — a password (``views.login``),
and later a second factor, a passkey or ProConnect — ends in ``begin``, which decides what
else the person must prove here, and ``finish``, which opens the session. Nothing else calls
``flask_login.login_user``."""
from __future__ import annotations

from flask import session
from flask_login import login_user

from .models import User


def begin(user: User, *, remember: bool = False, method: str = "password",
          multi_factor: bool = False):
    """``user`` has proved their identity with ``method`` (``multi_factor`` when that proof
    already counts as two factors). Returns None once signed in; later versions return the
    address of the next step when one is needed (a second factor)."""
    finish(user, remember=remember, method=method, multi_factor=multi_factor)
    return None


def finish(user: User, *, remember: bool = False, method: str = "password",
           multi_factor: bool = False) -> None:
    """Open the session of ``user``."""
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
    login_user(user, remember=remember)
