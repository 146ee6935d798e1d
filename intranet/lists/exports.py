"""What a list's moderators and managers download: the archive as an mbox file (RFC 4155,
« mboxo »: a ``From `` line before each message, lines of a body that start with ``From ``
written ``>From ``), with the attachments kept; and the subscribers as CSV (cells neutralised
by ``core/csvexport``). The callers decide who may (``access``)."""
from __future__ import annotations

import io
from email import policy
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from datetime import UTC

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..core import csvexport, uploads
from ..core.frdates import format_datetime as french_datetime
from ..extensions import db
from .models import (DELIVERY_MODE_LABELS, SUBSCRIBER_STATUS_LABELS, ListAttachment, ListMessage,
                     MailingList, MessageStatus, Subscriber)

_MBOX_POLICY = policy.default.clone(linesep="\n", max_line_length=78)
BATCH = 200


def _as_email(mlist: MailingList, message: ListMessage) -> EmailMessage:
    mail = EmailMessage(policy=_MBOX_POLICY)
    mail["From"] = formataddr((message.sender_name, message.sender_email))
    mail["To"] = mlist.address
    mail["Subject"] = message.subject
    when = message.published_at or message.created_at
    mail["Date"] = format_datetime(when.replace(tzinfo=UTC))
    mail["Message-ID"] = message.message_id
    if message.in_reply_to:
        mail["In-Reply-To"] = message.in_reply_to
    if message.references:
        mail["References"] = message.references
    mail["List-Id"] = f"<{mlist.list_id}>"
    body = message.body_text
    if message.attachments_note:
        body += f"\n\n[{message.attachments_note}]"
    mail.set_content(body + "\n")
    for attachment in message.attachments:
        stored = attachment.file
        try:
            data = uploads.read(stored)
        except OSError:
            continue  # a file lost on disk: the message is kept without it
        maintype, _, subtype = stored.content_type.split(";")[0].partition("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype,
                            filename=stored.original_name)
    return mail


def _from_line(message: ListMessage) -> bytes:
    when = (message.published_at or message.created_at)
    sender = message.sender_email.replace(" ", "") or "MAILER-DAEMON"
    return f"From {sender} {when:%a %b %d %H:%M:%S %Y}\n".encode("ascii", "replace")


def mbox_chunks(mlist: MailingList):
    """The archive's published messages, oldest first, as mbox bytes, a message at a time
    (read in batches: a large archive is never held in memory)."""
    last = 0
    while True:
        batch = list(db.session.scalars(
            select(ListMessage).where(ListMessage.list_id == mlist.id,
                                      ListMessage.status == MessageStatus.PUBLISHED,
                                      ListMessage.id > last)
            .options(selectinload(ListMessage.attachments).joinedload(ListAttachment.file))
            .order_by(ListMessage.id).limit(BATCH)))
        if not batch:
            return
        for message in batch:
            out = io.BytesIO()
            out.write(_from_line(message))
            BytesGenerator(out, mangle_from_=True, policy=_MBOX_POLICY).flatten(
                _as_email(mlist, message))
            out.write(b"\n")
            yield out.getvalue()
        last = batch[-1].id


SUBSCRIBER_COLUMNS = ["adresse", "nom", "compte intranet", "statut", "distribution",
                      "abonné depuis", "score d'erreurs"]


def subscribers_csv(mlist: MailingList) -> str:
    subs = db.session.scalars(select(Subscriber).where(Subscriber.list_id == mlist.id)
                              .options(joinedload(Subscriber.user)).order_by(Subscriber.email))
    rows = ({"adresse": sub.email,
             "nom": sub.user.full_name if sub.user else "",
             "compte intranet": "oui" if sub.user_id else "non",
             "statut": SUBSCRIBER_STATUS_LABELS[sub.status],
             "distribution": DELIVERY_MODE_LABELS[sub.delivery],
             "abonné depuis": french_datetime(sub.confirmed_at or sub.created_at),
             "score d'erreurs": f"{sub.bounce_score:g}".replace(".", ",")} for sub in subs)
    return csvexport.render(SUBSCRIBER_COLUMNS, rows, delimiter=";", bom=True)
