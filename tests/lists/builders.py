"""Builders for the list tests."""
from __future__ import annotations

import itertools

from flask import current_app
from sqlalchemy import select

from intranet.extensions import db
from intranet.lists import fanout, services
from intranet.lists.models import (DeliveryMode, MailingList, PostingPolicy, Subscriber,
                                   SubscriberStatus, SubscriptionPolicy)
from intranet.mail import services as mail
from intranet.mail.models import OutboxMessage, OutboxStatus

_names = itertools.count(1)


def make_list(space, by, *, name=None, posting=PostingPolicy.MEMBERS,
              subscription=SubscriptionPolicy.OPEN, **settings) -> MailingList:
    settings.setdefault("reply_to", "list")
    settings.setdefault("from_rewrite", "auto")
    return services.create_list(space, name=name or f"liste{next(_names)}", by=by,
                                title=settings.pop("title", "Liste de test"),
                                description=settings.pop("description", ""),
                                subscription_policy=subscription, posting_policy=posting,
                                **settings)


def add_outside(mlist, emails, delivery=DeliveryMode.EACH):
    """Active outside subscribers, inserted directly (fast)."""
    import secrets
    subs = [Subscriber(list_id=mlist.id, email=e.lower(), status=SubscriberStatus.ACTIVE,
                       delivery=delivery, secret=secrets.token_hex(16)) for e in emails]
    db.session.add_all(subs)
    db.session.commit()
    return subs


def address(mlist) -> str:
    return f"{mlist.name}@{current_app.config['LISTS_DOMAIN']}"


def drain(max_rounds: int = 100) -> None:
    """The worker's rounds: fan-out, then sending, until nothing is left to do."""
    for _ in range(max_rounds):
        queued = fanout.run_fanout()
        if not queued and not any(mail.send_due(limit=500)):
            return


def pending_outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.PENDING)))


def email(sender: str, to: str, subject: str, body: str, *, extra: str = "",
          message_id: str | None = None) -> str:
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}",
             f"Message-ID: {message_id or '<' + str(next(_names)) + '.test@exemple.fr>'}"]
    if extra:
        lines.append(extra.strip())
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
              "Content-Transfer-Encoding: 8bit", "", body, ""]
    return "\r\n".join(lines)
