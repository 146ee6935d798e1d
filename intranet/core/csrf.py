"""A form sent after its CSRF token stopped being valid (left open over lunch, sent after signing
in again in another tab) is shown again with everything typed, never answered by a bare 400.

Flask-WTF refuses the request before the view runs. For a form page (a route that answers GET
and POST), the refusal is turned into the view's own « the form has errors » answer: the view
runs with the request as sent, its form fails validation on the token (a FlaskForm checks it
too) and is rendered again with what was typed, a French message and a fresh token. The view
runs *read-only*: the session refuses to flush, so even a view that does not validate a form
cannot write anything; and only a page (200) is kept — a redirect or any error gives the plain
400 page, with nothing changed. POST-only actions (buttons) always get the 400 page: there is
nothing typed to keep, and they are never run without their token.
"""
from __future__ import annotations

from contextlib import contextmanager

from flask import Flask, current_app, flash, g, get_flashed_messages, make_response, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db

EXPIRED = ("Votre formulaire a expiré avant d'être envoyé (session ouverte depuis longtemps, ou "
           "reconnexion dans un autre onglet) : rien n'a été enregistré. Ce que vous aviez saisi "
           "est ci-dessous ; vérifiez-le et envoyez-le à nouveau. Les fichiers joints sont à "
           "choisir de nouveau s'ils n'apparaissent pas comme « déjà joints ».")
_READ_ONLY = "csrf_read_only"


class ReadOnlyRequest(RuntimeError):
    """A write was attempted while showing a form again."""


def read_only() -> bool:
    """True while a form is shown again after its token was refused: nothing may be written
    (``pending.keep`` then keeps no file: the page says to choose them again)."""
    return bool(db.session.info.get(_READ_ONLY))


def _refuse_flush(session, flush_context, instances):
    if session.info.get(_READ_ONLY):
        raise ReadOnlyRequest("écriture refusée : jeton de formulaire invalide")


@contextmanager
def _read_only():
    session = db.session()
    session.info[_READ_ONLY] = True
    try:
        yield
    finally:
        session.info.pop(_READ_ONLY, None)
        db.session.rollback()


def _is_form_page() -> bool:
    rule = request.url_rule
    return (request.method == "POST" and rule is not None and "GET" in (rule.methods or ())
            and request.endpoint in current_app.view_functions)


def register(app: Flask, plain_error) -> None:
    """``plain_error(error)``: the application's own 400 page."""
    if not event.contains(Session, "before_flush", _refuse_flush):
        event.listen(Session, "before_flush", _refuse_flush)

    @app.errorhandler(CSRFError)
    def form_expired(error):
        if not _is_form_page():
            return plain_error(error)
        g.form_expired = True
        flash(EXPIRED, "error")
        try:
            with _read_only():
                response = make_response(
                    current_app.view_functions[request.endpoint](**(request.view_args or {})))
        except Exception:   # noqa: BLE001 — whatever the view tried, nothing was written
            response = None
        if response is None or response.status_code != 200:
            get_flashed_messages()      # the plain page says it itself
            return plain_error(error)
        response.status_code = 400      # the request was refused; the page says why
        return response
