"""Queue mail in the caller's transaction; deliver it later from the worker."""
from __future__ import annotations

import sys
from datetime import timedelta

from flask import current_app, render_template
from flask_mail import Message
from sqlalchemy import select

from ..core.timeutil import utcnow
from ..extensions import db, mail
from .models import OutboxMessage, OutboxStatus


def queue(recipient: str, subject: str, template: str, **context) -> OutboxMessage:
    """Render ``mail/<template>.txt`` and add the message to the current transaction.
    Nothing is sent here: the worker delivers it once the transaction has committed."""
    context.setdefault("site_name", current_app.config["SITE_NAME"])
    body = render_template(f"mail/{template}.txt", **context)
    message = OutboxMessage(recipient=recipient, subject=subject, body_text=body)
    db.session.add(message)
    return message


def _due(limit: int):
    query = (select(OutboxMessage)
             .where(OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.next_attempt_at <= utcnow())
             .order_by(OutboxMessage.id).limit(limit))
    if db.engine.dialect.name == "postgresql":
        # Several workers may run: each takes rows nobody else holds.
        query = query.with_for_update(skip_locked=True)
    return db.session.scalars(query).all()


def _deliver(message: OutboxMessage) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        print(f"--- courriel #{message.id} (non envoyé : MAIL_SERVER n'est pas configuré)\n"
              f"À : {message.recipient}\nObjet : {message.subject}\n\n{message.body_text}\n",
              file=sys.stdout, flush=True)
        return
    mail.send(Message(subject=message.subject, recipients=[message.recipient],
                      body=message.body_text, html=message.body_html,
                      sender=config["MAIL_DEFAULT_SENDER"]))


def send_due(limit: int = 100) -> tuple[int, int]:
    """Send what is due, one transaction per batch. Returns (sent, failed attempts)."""
    config = current_app.config
    sent = failed = 0
    for message in _due(limit):
        message.attempts += 1
        try:
            _deliver(message)
        except Exception as exc:  # any SMTP or network failure: retry later
            failed += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            delay = config["MAIL_RETRY_BASE_SECONDS"] * 2 ** min(message.attempts - 1, 10)
            message.next_attempt_at = utcnow() + timedelta(seconds=delay)
            if utcnow() - message.created_at > config["MAIL_GIVE_UP_AFTER"]:
                message.status = OutboxStatus.FAILED
        else:
            sent += 1
            message.status = OutboxStatus.SENT
            message.sent_at = utcnow()
            message.last_error = ""
    db.session.commit()
    return sent, failed
