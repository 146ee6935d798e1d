"""The fan-out of list posts and daily digests, done by the worker (``flask worker``):
each ``FanoutJob`` is expanded into one outbox row per subscriber, in committed batches, with
the list headers (RFC 2369/2919/8058) and a per-subscriber envelope sender (VERP).

These are worker loops, not units of work: each step commits on its own (a batch of one job,
with the job's cursor; the day's digest jobs), so that a crash loses at most the step under
way and the next round resumes where the last committed step stopped."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.header import Header

from flask import current_app
from sqlalchemy import and_, func, select

from .. import access
from ..accounts.models import User
from ..core.frdates import format_date
from ..core.timeutil import utcnow
from ..core.urls import absolute_url
from ..extensions import db
from ..mail import services as mail
from .models import (DeliveryMode, FanoutJob, FromRewrite, ListMessage, MailingList,
                     MessageStatus, PostingPolicy, ReplyTo, Subscriber, SubscriberStatus)
from .services import (bounce_address, lists_domain, one_line, unsubscribe_token,
                       would_fail_dmarc)

FANOUT_BATCH = 500


def _encoded(value: str) -> str:
    value = re.sub(r"[\r\n]+", " ", value)
    try:
        value.encode("ascii")
        return value
    except UnicodeEncodeError:
        return Header(value, "utf-8").encode()


def _display(name: str, address: str) -> str:
    name = re.sub(r"[\r\n\"\\<>]", "", name).strip()
    return f'"{name}" <{address}>' if name else address


def _subject(mlist: MailingList, subject: str) -> str:
    subject = one_line(subject)
    prefix = mlist.prefix
    return subject if prefix.lower() in subject.lower() else f"{prefix} {subject}"


@dataclass
class _Common:
    """What every copy of one post (or digest) shares; built once per batch."""
    subject: str
    body: str
    sender: str
    reply_to: str | None
    headers: dict
    archive: str
    attachments: list[int] | None = None   # stored files sent with each copy


def _common_headers(mlist: MailingList) -> dict:
    archive = absolute_url("lists.show", slug=mlist.space.slug, name=mlist.name)
    return {
        "List-Id": _encoded(f"{mlist.title} <{mlist.list_id}>") if mlist.title.isascii()
        else f"{Header(mlist.title, 'utf-8').encode()} <{mlist.list_id}>",
        "List-Post": "NO" if mlist.posting_policy == PostingPolicy.ANNOUNCE
        else f"<mailto:{mlist.address}>",
        "List-Archive": f"<{archive}>",
        "List-Help": f"<{archive}>",
        "Precedence": "list",
        "X-Loop": mlist.address,
    }


def _post_common(mlist: MailingList, message: ListMessage) -> _Common:
    headers = _common_headers(mlist)
    headers["Message-ID"] = message.message_id
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    if message.references:
        headers["References"] = message.references
    rewrite = mlist.from_rewrite == FromRewrite.ALWAYS or (
        mlist.from_rewrite == FromRewrite.AUTO and would_fail_dmarc(message.sender_email))
    original = _display(message.sender_name, message.sender_email)
    if rewrite:
        sender = _display(f"{message.sender_label} via {mlist.title}", mlist.address)
        headers["X-Original-From"] = _encoded(original)
    else:
        sender = original
    reply_to = mlist.address if mlist.reply_to == ReplyTo.LIST else original
    body = message.body_text
    if message.attachments_note:
        body += f"\n\n[{message.attachments_note}]"
    archive = absolute_url("lists.thread", slug=mlist.space.slug, name=mlist.name,
                           thread_id=message.thread_id or message.id)
    attached = None
    if message.attachments:
        files = [a.file for a in message.attachments]
        if len(body.encode()) + sum(f.size for f in files) <= mlist.max_forward_bytes:
            attached = [f.id for f in files]
        else:  # too large for the list: a link to each file in the archive instead
            links = "\n".join(
                f"- {a.file.original_name} ({a.file.human_size}) : "
                + absolute_url("lists.attachment", slug=mlist.space.slug, name=mlist.name,
                               attachment_id=a.id) for a in message.attachments)
            body += ("\n\n[Pièces jointes trop volumineuses pour être envoyées par la liste "
                     f"(au-delà de {_megabytes(mlist.max_forward_bytes)}) : consultez-les dans "
                     f"les archives.]\n{links}")
    return _Common(subject=_subject(mlist, message.subject), body=body, sender=sender,
                   reply_to=reply_to, headers=headers, archive=archive, attachments=attached)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g} Mo".replace(".", ",")


def _digest_common(mlist: MailingList, job: FanoutJob) -> _Common | None:
    messages = list(db.session.scalars(select(ListMessage).where(
        ListMessage.list_id == mlist.id, ListMessage.status == MessageStatus.PUBLISHED,
        ListMessage.published_at > job.digest_since, ListMessage.published_at <= job.digest_until)
        .order_by(ListMessage.published_at, ListMessage.id)))
    if not messages:
        return None
    body = current_app.jinja_env.get_template("mail/list_digest.txt").render(
        mlist=mlist, messages=messages, day=format_date(job.digest_until))
    count = len(messages)
    return _Common(subject=f"{mlist.prefix} Résumé du {format_date(job.digest_until)} "
                           f"({count} message{'s' if count > 1 else ''})",
                   body=body, sender=_display(mlist.title, mlist.address),
                   reply_to=mlist.address, headers=_common_headers(mlist),
                   archive=absolute_url("lists.show", slug=mlist.space.slug, name=mlist.name))


def _queue_copy(mlist: MailingList, common: _Common, sub: Subscriber, email: str,
                unsubscribe_base: str) -> None:
    token = unsubscribe_token(sub)
    unsubscribe = f"{unsubscribe_base}{token}"
    headers = dict(common.headers)
    mailto = f"unsubscribe+{token}@{lists_domain()}"  # unsubscribe_mailto(sub), token reused
    headers["List-Unsubscribe"] = f"<mailto:{mailto}>, <{unsubscribe}>"
    headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    headers["Return-Path"] = bounce_address(sub)
    body = (f"{common.body}\n\n-- \nListe « {mlist.title} » ({mlist.address})\n"
            f"Archives : {common.archive}\nSe désabonner ou changer d'adresse : {unsubscribe}\n")
    mail.queue_raw(email, common.subject, body, sender=common.sender, reply_to=common.reply_to,
                   headers=headers, attachments=common.attachments)


def _claim_job():
    query = select(FanoutJob).where(FanoutJob.done.is_(False)).order_by(FanoutJob.id).limit(1)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # several workers: one job each
    return db.session.scalar(query)


def run_fanout(batch: int = FANOUT_BATCH, budget_seconds: float = 5.0) -> int:
    """Expand pending fan-out jobs into outbox rows, one committed batch at a time: each
    batch (its rows and the job's cursor together) is the unit of work. Only the subscribers
    who may still read the list receive it (``access.space_readers``: people who left a
    private space receive no more of its mail; outside addresses are added by the list's
    managers, on purpose). Returns how many messages were queued."""
    started, queued = time.monotonic(), 0
    commons: dict[int, _Common | None] = {}
    unsubscribe_base = absolute_url("lists.one_click", token="T")[:-1]
    while time.monotonic() - started < budget_seconds:
        job = _claim_job()
        if job is None:
            db.session.rollback()
            break
        mlist = job.mailing_list
        if job.id not in commons:
            commons[job.id] = (_post_common(mlist, job.message) if job.kind == "post"
                               else _digest_common(mlist, job))
        common = commons[job.id]
        mode = DeliveryMode.EACH if job.kind == "post" else DeliveryMode.DIGEST
        query = (select(Subscriber, User.email, User.active)
                 .outerjoin(User, User.id == Subscriber.user_id)
                 .where(Subscriber.list_id == job.list_id,
                        Subscriber.status == SubscriberStatus.ACTIVE,
                        Subscriber.delivery == mode, Subscriber.id > job.cursor)
                 .order_by(Subscriber.id).limit(batch))
        allowed = access.space_readers(mlist.space)
        if allowed is not None:
            query = query.where(Subscriber.user_id.is_(None) | Subscriber.user_id.in_(allowed))
        rows = [] if common is None else db.session.execute(query).all()
        for sub, user_email, user_active in rows:
            if sub.user_id is not None and not user_active:
                continue  # a deactivated account receives nothing
            # a person's account address, unless they chose another one for this list
            address = sub.email if sub.own_address else (user_email or sub.email)
            _queue_copy(mlist, common, sub, address, unsubscribe_base)
            queued += 1
        if rows:
            job.cursor = rows[-1][0].id
            job.queued += len(rows)
        if len(rows) < batch:
            job.done = True
            job.finished_at = utcnow()
        db.session.commit()
    return queued


def schedule_digests(now: datetime | None = None) -> int:
    """Once a day per list, a digest job for the subscribers who chose the daily digest; the
    round's jobs and the lists' ``digest_sent_at`` are committed together (one step)."""
    now = now or utcnow()
    query = select(MailingList).where(
        (MailingList.digest_sent_at.is_(None))
        | (MailingList.digest_sent_at <= now - timedelta(hours=24)),
        select(Subscriber.id).where(Subscriber.list_id == MailingList.id,
                                    Subscriber.delivery == DeliveryMode.DIGEST,
                                    Subscriber.status == SubscriberStatus.ACTIVE).exists())
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # several workers: one digest a day
    due = db.session.scalars(query).all()
    if not due:
        db.session.rollback()
        return 0
    scheduled = 0
    for mlist in due:
        since = mlist.digest_sent_at or now - timedelta(hours=24)
        has_news = db.session.scalar(select(func.count()).where(
            ListMessage.list_id == mlist.id, ListMessage.status == MessageStatus.PUBLISHED,
            and_(ListMessage.published_at > since, ListMessage.published_at <= now)))
        if has_news:
            db.session.add(FanoutJob(list_id=mlist.id, kind="digest", digest_since=since,
                                     digest_until=now))
            scheduled += 1
        mlist.digest_sent_at = now
    db.session.commit()
    return scheduled


def worker_round() -> int:
    """What ``flask worker`` does for the lists each round."""
    schedule_digests()
    return run_fanout()
