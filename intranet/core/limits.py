"""Request rate limits (Flask-Limiter), per address and per account, by name.

A route is limited with the decorators below, which read their limits from ``RATE_LIMITS``
(configuration) when the request comes, by name: ``"sign-in"`` per address,
``"sign-in:account"`` per account. The counters live in ``RATELIMIT_STORAGE_URI``: memory
(each process counts for itself) or Redis, shared by every worker and every server.

    @bp.post("/connexion/second-facteur")
    @limits.per_address("second-factor")
    @limits.per_account("second-factor", key=lambda: str(pending_user_id()))
    def second_factor(): ...

Only POST requests count (showing a form costs nothing). A limit exceeded is a 429 answered
with the French error page (``intranet/__init__.py``); a storage that cannot be reached is
logged and replaced by memory, never a 500. ``LIMITS_ENABLED`` switches every limit off (the
test suite does, where thousands of sign-ins come from one address).
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_login import current_user

from .audit import client_ip

limiter = Limiter(key_func=lambda: client_ip() or "?")

# Names the other packages use: sign-in and second factor (accounts), ProConnect, password
# reset, invitations, messaging, list posting by web, a document's shared link.
NAMES = ("sign-in", "second-factor", "proconnect", "password-reset", "invitation", "messaging",
         "lists", "share-link")


def init_app(app: Flask) -> None:
    limiter.init_app(app)
    # Every limit here is a route's (the decorators below), checked by the decorator's own
    # wrapper when the view is called; there are no default or application-wide limits, which
    # are all that Flask-Limiter's check before every request would look for. Without it, a
    # page that carries no limit does no limiter work at all (2 % of a signed-in page).
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:
        hooks.remove(limiter._check_request_limit)


def _enabled() -> bool:
    return bool(current_app.config.get("LIMITS_ENABLED", True))


def _value(name: str) -> Callable[[], str]:
    def value() -> str:
        return current_app.config["RATE_LIMITS"][name]
    return value


def per_address(name: str, methods: tuple[str, ...] = ("POST",)):
    """At most ``RATE_LIMITS[name]`` requests (POSTs, unless ``methods`` says otherwise: the
    return from an identity provider is a GET) from one client address (every route that
    shares a name shares the counter)."""
    return limiter.shared_limit(
        _value(name), scope=name, key_func=lambda: client_ip() or "?", methods=list(methods),
        exempt_when=lambda: not _enabled())


def per_account(name: str, key: Callable[[], str] | None = None):
    """At most ``RATE_LIMITS[name + ":account"]`` POSTs for one account: ``key`` names it (by
    default the signed-in person; the sign-in form gives the address typed)."""
    return limiter.shared_limit(
        _value(f"{name}:account"), scope=f"{name}:account", key_func=key or signed_in_account,
        methods=["POST"], exempt_when=lambda: not _enabled())


def signed_in_account() -> str:
    return f"user:{current_user.id}" \
        if current_user.is_authenticated else f"address:{client_ip() or '?'}"


def typed_email(field: str = "email") -> Callable[[], str]:
    """The account a form names (sign-in, password reset), as typed, in lower case."""
    def key() -> str:
        return "email:" + request.form.get(field, "").strip().lower()[:254]
    return key


def reset() -> None:
    """Forget every counter (tests)."""
    limiter.reset()
