"""Signed, expiring, single-use tokens for links sent by email.

A token carries the user's id and ``token_generation``; using it (or any password change)
bumps the generation, so every earlier link stops working at once."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..extensions import db
from .models import User

PURPOSES = {"reset": "PASSWORD_RESET_MAX_AGE", "invite": "INVITATION_MAX_AGE"}


class TokenError(ValueError):
    pass


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"territoires-{purpose}")


def make(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"u": user.id, "g": user.token_generation})


def load(token: str, purpose: str) -> User:
    """The user the token was made for, or TokenError with a French explanation."""
    max_age: timedelta = current_app.config[PURPOSES[purpose]]
    try:
        data = _serializer(purpose).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as exc:
        raise TokenError("Ce lien a expiré. Demandez-en un nouveau.") from exc
    except BadSignature as exc:
        raise TokenError("Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier.") from exc
    user = db.session.get(User, data.get("u"))
    if user is None or not user.active:
        raise TokenError("Ce lien n'est plus valide : le compte n'existe plus ou est désactivé.")
    if user.token_generation != data.get("g"):
        raise TokenError("Ce lien a déjà servi. Si besoin, demandez-en un nouveau.")
    return user
