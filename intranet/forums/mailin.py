"""New topics by mail. Each forum has an address, ``forum+<id>-<token>@<LISTS_DOMAIN>``, shown
to those who may open a topic in it (``access.sees_forum_address``); the token is a keyed hash
of the forum's id (``SECRET_KEY``), so an address cannot be guessed from a forum's number.

The lists' listener (``flask lists serve``) receives the mail: this module registers the
« forum+ » addresses with ``lists.inbound.register_address`` and reads messages with that
module's own parsing (headers, text of a multipart or HTML mail, automatic mail). The sender
(the ``From`` address) must be an active account that ``access.forum_mail_topic_decision``
lets write in the forum: an unknown sender is refused during the SMTP dialogue (their own
server tells them: no backscatter); a known person who may not write there gets a notice
through the outbox. The text becomes the first post (sanitised as typed text), the subject
its title, documents and images are attached through ``core/uploads``.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
from email.utils import getaddresses

from flask import current_app
from sqlalchemy import func, select

from .. import access
from ..accounts.models import User
from ..extensions import db
from ..lists import inbound
from ..lists.services import lists_domain
from . import services
from .models import Forum

log = logging.getLogger("intranet.forums.mailin")

PREFIX = "forum+"
_LOCAL = re.compile(r"^forum\+(\d{1,9})-([0-9a-f]{16})$", re.IGNORECASE)


def _token(forum_id: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"forum-address:{forum_id}".encode(), hashlib.sha256).hexdigest()[:16]


def forum_address(forum: Forum) -> str:
    return f"{PREFIX}{forum.id}-{_token(forum.id)}@{lists_domain()}"


def forum_for(local: str) -> Forum | None:
    """The forum whose address has this local part (None: unknown or forged)."""
    match = _LOCAL.match((local or "").strip())
    if match is None:
        return None
    forum_id = int(match.group(1))
    if not hmac.compare_digest(match.group(2).lower(), _token(forum_id)):
        return None
    return db.session.get(Forum, forum_id)


def _known(local: str) -> bool:
    return forum_for(local) is not None


def _sender(msg) -> tuple[str, User | None]:
    try:
        addresses = getaddresses([inbound.header(msg, "From")])
    except Exception:
        addresses = []
    email = (addresses[0][1] if addresses else "").strip().lower()
    if "@" not in email:
        return email, None
    return email, db.session.scalar(select(User).where(func.lower(User.email) == email,
                                                       User.active.is_(True)))


def take(local: str, msg, envelope_from: str, rcpt: str, data: bytes) -> inbound.Outcome:
    """One message for a forum's address: a new topic, or a refusal (see the module)."""
    forum = forum_for(local)
    if forum is None:
        return inbound.Outcome(550, "5.1.1 Adresse inconnue")
    address = forum_address(forum)
    access.forget_roles()   # decided now, not from what a long-running listener remembers
    email, user = _sender(msg)
    decision = access.forum_mail_topic_decision(user, forum)
    if user is None:
        log.info("sujet par courriel refusé pour %s : expéditeur inconnu %r", address, email)
        return inbound.Outcome(550, f"5.7.1 {decision.reason}")
    subject = inbound.header(msg, "Subject")
    if decision.refused:
        log.info("sujet par courriel de %s refusé pour %s : %s", email, address, decision.reason)
        services.refuse_mail_topic(user, address, subject, decision.reason)
        return inbound.Outcome(250, "2.0.0 Refuse, avis envoye a l'expediteur")
    try:
        text, _note = inbound.text_of(msg)
    except inbound.Unreadable as exc:
        inbound.quarantine(str(exc), envelope_from, [rcpt], data)
        return inbound.Outcome(554, "5.6.0 Message malforme, conserve en quarantaine")
    try:
        topic = services.create_topic_by_mail(forum, address, by=user, subject=subject,
                                              body=text, files=services.mail_files(msg))
    except services.ForumError as exc:   # rolled back: nothing was written
        services.refuse_mail_topic(user, address, subject, str(exc))
        return inbound.Outcome(250, "2.0.0 Refuse, avis envoye a l'expediteur")
    log.info("sujet n° %s ouvert par courriel par %s", topic.id, email)
    return inbound.Outcome(250, "2.0.0 Sujet enregistre")


inbound.register_address(PREFIX, _known, take)
