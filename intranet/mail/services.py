"""Queue mail in the caller's transaction; deliver it later from the worker."""
from __future__ import annotations

import json
import smtplib
import sys
from datetime import timedelta
from typing import NamedTuple

from flask import current_app
from flask_mail import Connection, Message
from sqlalchemy import select

from ..core import uploads
from ..core.models import StoredFile
from ..core.timeutil import utcnow
from ..extensions import db
from ..extensions import mail as mailer
from .models import OutboxMessage, OutboxStatus


def queue(recipient: str, subject: str, template: str, *, reply_to: str | None = None,
          headers: dict[str, str] | None = None, **context) -> OutboxMessage:
    """Render ``mail/<template>.txt`` and add the message to the current transaction.
    Nothing is sent here: the worker delivers it once the transaction has committed.
    ``headers``: extra headers (``List-Unsubscribe``…)."""
    context.setdefault("site_name", current_app.config["SITE_NAME"])
    # Rendered without the web pages' context processors: a mail knows nothing of the request.
    body = current_app.jinja_env.get_template(f"mail/{template}.txt").render(reply_to=reply_to,
                                                                           **context)
    return queue_raw(recipient, subject, body, reply_to=reply_to, headers=headers)


def queue_raw(recipient: str, subject: str, body_text: str, *, body_html: str | None = None,
              sender: str | None = None, reply_to: str | None = None,
              headers: dict[str, str] | None = None,
              attachments: list[int] | None = None) -> OutboxMessage:
    """Queue an already written message (mailing lists), in the current transaction;
    ``attachments``: ids of stored files sent with it."""
    message = OutboxMessage(recipient=recipient, subject=subject[:300], body_text=body_text,
                            body_html=body_html, sender=sender, reply_to=reply_to,
                            headers=json.dumps(headers, ensure_ascii=False) if headers else "",
                            attachments=json.dumps(attachments) if attachments else "")
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


def _print(message: OutboxMessage) -> None:
    print(f"--- courriel #{message.id} (non envoyé : MAIL_SERVER n'est pas configuré)\n"
          f"À : {message.recipient}\nObjet : {message.subject}\n\n{message.body_text}\n",
          file=sys.stdout, flush=True)


def _as_mail(message: OutboxMessage) -> Message:
    headers = json.loads(message.headers) if message.headers else {}
    # Two headers steer the sending rather than being copied: "Return-Path" is the envelope
    # sender (a list's per-subscriber bounce address), "Message-ID" replaces the generated one
    # (every copy of a list post keeps the post's, so replies thread).
    envelope_from = headers.pop("Return-Path", None)
    message_id = headers.pop("Message-ID", None)
    mail = Message(subject=message.subject, recipients=[message.recipient],
                   body=message.body_text, html=message.body_html,
                   sender=message.sender or current_app.config["MAIL_DEFAULT_SENDER"],
                   reply_to=message.reply_to, extra_headers=headers or None)
    if message_id:
        mail.msgId = message_id
    mail.envelope_from = envelope_from
    for file_id in json.loads(message.attachments) if message.attachments else []:
        stored = db.session.get(StoredFile, file_id)
        if stored is not None:  # a file deleted since: the message goes without it
            mail.attach(stored.original_name, stored.content_type.split(";")[0],
                        uploads.read(stored))
    return mail


def _failed(message: OutboxMessage, exc: Exception) -> None:
    config = current_app.config
    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    delay = config["MAIL_RETRY_BASE_SECONDS"] * 2 ** min(message.attempts - 1, 10)
    message.next_attempt_at = utcnow() + timedelta(seconds=delay)
    if utcnow() - message.created_at > config["MAIL_GIVE_UP_AFTER"]:
        message.status = OutboxStatus.FAILED


def _sent(message: OutboxMessage) -> None:
    message.status = OutboxStatus.SENT
    message.sent_at = utcnow()
    message.last_error = ""


class Delivery(NamedTuple):
    """What one round of the outbox did. ``shown``: printed instead of sent, because
    ``MAIL_SERVER`` is not configured (development, the demo)."""
    sent: int
    failed: int
    shown: int = 0

    def summary(self) -> str:
        """The worker's French log line, which never calls a printed mail sent."""
        parts = []
        if self.sent:
            parts.append(f"{self.sent} envoyé(s)")
        if self.shown:
            parts.append(f"{self.shown} affiché(s) ci-dessus sans être envoyé(s) "
                         f"(MAIL_SERVER n'est pas configuré)")
        if self.failed:
            parts.append(f"{self.failed} échec(s) (nouvel essai plus tard)")
        return ", ".join(parts)


def send_due(limit: int = 100) -> Delivery:
    """Send what is due over one SMTP connection, then commit the outcome of the batch.
    Failures are retried later with exponential back-off. Without ``MAIL_SERVER`` the messages
    are printed (and counted as ``shown``, never as sent)."""
    config = current_app.config
    messages = _due(limit)
    sent = failed = 0
    for message in messages:
        message.attempts += 1
    if messages and not config.get("MAIL_SERVER"):
        for message in messages:
            _print(message)
            _sent(message)
        db.session.commit()
        return Delivery(0, 0, shown=len(messages))
    elif messages:
        # Read the settings now (not at start-up), and really send even under TESTING.
        state = mailer.init_mail(config, testing=config["MAIL_SUPPRESS_SEND"])
        remaining = list(messages)
        try:
            with Connection(state) as connection:
                while remaining:
                    message = remaining[0]
                    try:
                        mail = _as_mail(message)
                        connection.send(mail, envelope_from=mail.envelope_from)
                    except smtplib.SMTPRecipientsRefused as exc:  # this address only
                        _failed(message, exc)
                        failed += 1
                    else:
                        _sent(message)
                        sent += 1
                    remaining.pop(0)
        except Exception as exc:  # the server is down or dropped us: retry the rest later
            for message in remaining:
                _failed(message, exc)
            failed += len(remaining)
    db.session.commit()
    return Delivery(sent, failed)
