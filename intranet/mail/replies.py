"""Reply by email: every notification or message mail may carry a signed reply address
(``reply+<token>@<REPLY_DOMAIN>``). A reply received by the mail listener is handed to the
handler registered for the token's kind (a conversation, a forum topic, a list thread), as the
person the mail was sent to, with the quoted text trimmed.

Domains register handlers with ``register_handler(kind, function)``; the function receives
``(user, target_id, text, message)`` and returns nothing (it raises ``ReplyRefused`` with a
French reason to refuse)."""
from __future__ import annotations

import re
from collections.abc import Callable

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from ..accounts.models import User
from ..extensions import db

HANDLERS: dict[str, Callable] = {}
ADDRESS = re.compile(r"^reply\+(?P<token>[A-Za-z0-9_.\-]+)@", re.IGNORECASE)


class ReplyRefused(ValueError):
    """The reply cannot be accepted; the reason (French) is logged and may be mailed back."""


def register_handler(kind: str, handler: Callable) -> None:
    HANDLERS[kind] = handler


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="territoires-reply")


def reply_address(user, kind: str, target_id: int) -> str:
    """The address a reply to this mail goes to, signed for this person and this target."""
    token = _serializer().dumps([kind, target_id, user.id])
    return f"reply+{token}@{current_app.config['REPLY_DOMAIN']}"


def parse(address: str):
    """(kind, target_id, user) from a reply address, or raise ReplyRefused."""
    match = ADDRESS.match(address.strip().strip("<>"))
    if match is None:
        raise ReplyRefused("adresse de réponse inconnue")
    try:
        kind, target_id, user_id = _serializer().loads(match.group("token"))
    except (BadSignature, ValueError, TypeError) as exc:
        raise ReplyRefused("adresse de réponse falsifiée ou abîmée") from exc
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise ReplyRefused("compte inconnu ou désactivé")
    if kind not in HANDLERS:
        raise ReplyRefused(f"réponse à un contenu de type inconnu ({kind})")
    return kind, int(target_id), user


def handle(address: str, text: str, message=None) -> None:
    kind, target_id, user = parse(address)
    body = strip_quoted(text)
    if not body.strip():
        raise ReplyRefused("réponse vide (seulement le message cité)")
    HANDLERS[kind](user, target_id, body, message)


_ATTRIBUTION = re.compile(
    r"^(le .{0,120}a écrit ?:|on .{0,160}wrote:|-{3,} ?(original message|message d'origine) ?-*"
    r"|de ?: .+|from ?: .+|envoyé ?: .+|sent ?: .+)\s*$", re.IGNORECASE)


def strip_quoted(text: str) -> str:
    """The new part of a reply: stops at the quoted message (« > » lines, « Le … a écrit : »,
    « -----Message d'origine----- », an Outlook header block) and at the signature (« -- »)."""
    kept = []
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if stripped.startswith(">") or _ATTRIBUTION.match(stripped) or stripped in ("--", "-- "):
            break
        kept.append(line)
    return "\n".join(kept).strip()
