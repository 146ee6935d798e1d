"""Mailing lists (listes de diffusion): lists of a space, subscribers, archived messages,
fan-out jobs and quarantined inbound mail."""
from __future__ import annotations

import enum
from datetime import datetime

from flask import current_app
from sqlalchemy import (Boolean, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String,
                        Text, UniqueConstraint)
from sqlalchemy import false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.types import enum_column
from ..core.models import StoredFile, TimestampMixin
from ..core.timeutil import utcnow
from ..core.urls import path_for
from ..extensions import db
from ..search.documents import SearchDocument, searchable
from ..spaces.models import Space, SpaceContent


class SubscriptionPolicy(enum.StrEnum):
    OPEN = "open"          # anyone who sees the list subscribes (outside addresses confirm)
    REQUEST = "request"    # a moderator accepts each request
    CLOSED = "closed"      # the list's managers add subscribers


SUBSCRIPTION_POLICY_LABELS = {
    SubscriptionPolicy.OPEN: "Toute personne qui voit l'espace, sans demander",
    SubscriptionPolicy.REQUEST: "Sur demande, acceptée par un modérateur",
    SubscriptionPolicy.CLOSED: "Personne : les gestionnaires de la liste inscrivent les abonnés",
}


class PostingPolicy(enum.StrEnum):
    MEMBERS = "members"        # subscribers (and moderators) post; others are refused
    ANYONE = "anyone"          # anybody, outside senders included
    MODERATED = "moderated"    # every post waits for a moderator (except the moderators')
    ANNOUNCE = "announce"      # only the moderators post (a newsletter)


POSTING_POLICY_LABELS = {
    PostingPolicy.MEMBERS: "Les abonnés",
    PostingPolicy.ANYONE: "Tout le monde, y compris des personnes extérieures à l'intranet",
    PostingPolicy.MODERATED: "Tout le monde, mais chaque message attend l'accord d'un modérateur",
    PostingPolicy.ANNOUNCE: "Seuls les modérateurs (lettre d'information, annonces)",
}


class ReplyTo(enum.StrEnum):
    LIST = "list"
    SENDER = "sender"


REPLY_TO_LABELS = {ReplyTo.LIST: "À toute la liste", ReplyTo.SENDER: "À l'auteur du message seulement"}


class FromRewrite(enum.StrEnum):
    AUTO = "auto"        # senders of other domains (which would fail DMARC alignment)
    ALWAYS = "always"
    NEVER = "never"


FROM_REWRITE_LABELS = {
    FromRewrite.AUTO: "Seulement quand c'est nécessaire (recommandé)",
    FromRewrite.ALWAYS: "Toujours « Nom via la liste »",
    FromRewrite.NEVER: "Jamais : l'adresse de l'auteur est gardée (des messages seront refusés)",
}


class SubscriberStatus(enum.StrEnum):
    PENDING_CONFIRMATION = "pending_confirmation"   # outside address: waits for its link
    PENDING_APPROVAL = "pending_approval"           # a request on a list « sur demande »
    ACTIVE = "active"
    DISABLED = "disabled"                           # too many bounces: nothing delivered


SUBSCRIBER_STATUS_LABELS = {
    SubscriberStatus.PENDING_CONFIRMATION: "En attente de confirmation",
    SubscriberStatus.PENDING_APPROVAL: "Demande à accepter",
    SubscriberStatus.ACTIVE: "Actif",
    SubscriberStatus.DISABLED: "Distribution suspendue (erreurs)",
}


class DeliveryMode(enum.StrEnum):
    EACH = "each"
    DIGEST = "digest"
    NONE = "none"


DELIVERY_MODE_LABELS = {DeliveryMode.EACH: "Chaque message",
                        DeliveryMode.DIGEST: "Un résumé par jour",
                        DeliveryMode.NONE: "Aucun courriel (lecture sur le site)"}


class SenderAction(enum.StrEnum):
    """What a moderator decided for every future post of one sender address on one list."""
    ACCEPT = "accept"      # published, whatever the posting policy (emergency aside)
    HOLD = "hold"          # always waits for a moderator
    REJECT = "reject"      # refused, the sender told why (SMTP 550 or the web form's error)
    DISCARD = "discard"    # dropped without a word (the sender's server is told « taken »)


SENDER_ACTION_LABELS = {
    SenderAction.ACCEPT: "Toujours accepter",
    SenderAction.HOLD: "Toujours retenir pour modération",
    SenderAction.REJECT: "Toujours refuser (l'expéditeur est prévenu)",
    SenderAction.DISCARD: "Toujours ignorer (sans prévenir l'expéditeur)",
}


class MessageStatus(enum.StrEnum):
    HELD = "held"              # waits for a moderator
    PUBLISHED = "published"    # archived and sent to the subscribers
    REJECTED = "rejected"


@searchable("mailing_list", "Listes de diffusion")
class MailingList(SpaceContent, TimestampMixin, db.Model):
    __tablename__ = "mailing_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"), index=True)
    # Local part of the address (« elus » for elus@lists.territoires47.fr): unique.
    name: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    subscription_policy: Mapped[SubscriptionPolicy] = mapped_column(
        enum_column(SubscriptionPolicy, "list_subscription_policy"), default=SubscriptionPolicy.OPEN)
    posting_policy: Mapped[PostingPolicy] = mapped_column(
        enum_column(PostingPolicy, "list_posting_policy"), default=PostingPolicy.MEMBERS)
    reply_to: Mapped[ReplyTo] = mapped_column(enum_column(ReplyTo, "list_reply_to"),
                                              default=ReplyTo.LIST)
    from_rewrite: Mapped[FromRewrite] = mapped_column(enum_column(FromRewrite, "list_from_rewrite"),
                                                      default=FromRewrite.AUTO)
    subject_prefix: Mapped[str] = mapped_column(String(40), default="")
    bounce_threshold: Mapped[int] = mapped_column(Integer, default=5)
    # Emergency moderation: until then, every post waits for a moderator (None: off).
    emergency_until: Mapped[datetime | None] = mapped_column(DateTime)
    # Largest post (text and attachments) sent with its attachments; a larger one is sent
    # with a link to the archive instead (LISTS_MAX_FORWARD_BYTES for a new list).
    max_forward_bytes: Mapped[int] = mapped_column(Integer, default=2 * 1024 * 1024,
                                                   server_default=str(2 * 1024 * 1024))
    digest_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))

    space: Mapped[Space] = relationship()
    moderators: Mapped[list[ListModerator]] = relationship(back_populates="mailing_list",
                                                           cascade="all, delete-orphan")

    @property
    def address(self) -> str:
        return f"{self.name}@{current_app.config['LISTS_DOMAIN']}"

    @property
    def list_id(self) -> str:
        """RFC 2919 identifier: ``name.lists.example.org``."""
        return f"{self.name}.{current_app.config['LISTS_DOMAIN']}"

    @property
    def prefix(self) -> str:
        return self.subject_prefix or f"[{self.name}]"

    def __repr__(self) -> str:
        return f"<MailingList {self.name}>"

    def search_document(self) -> SearchDocument | None:
        return SearchDocument(
            key=f"mailing_list:{self.id}", type="mailing_list",
            title=f"{self.title} ({self.address})", body=self.description,
            url=path_for("lists.show", slug=self.space.slug, name=self.name),
            date=self.created_at, space_id=self.space_id, container=f"list:{self.id}",
            organisation_id=self.space.organisation_id,
            organisation_name=self.space.organisation.name if self.space.organisation else "")


class ListModerator(db.Model):
    """A person who moderates one list (besides the space's moderators and admins)."""
    __tablename__ = "mailing_list_moderator"
    __table_args__ = (UniqueConstraint("list_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("mailing_list.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)

    mailing_list: Mapped[MailingList] = relationship(back_populates="moderators")
    user: Mapped[User] = relationship()


class Subscriber(TimestampMixin, db.Model):
    """A person of the intranet (``user_id``) or an outside address (``email`` only)."""
    __tablename__ = "list_subscriber"
    __table_args__ = (UniqueConstraint("list_id", "email"),
                      Index("ix_list_subscriber_fanout", "list_id", "status", "delivery", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("mailing_list.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                                index=True)
    email: Mapped[str] = mapped_column(String(254))      # lower case
    status: Mapped[SubscriberStatus] = mapped_column(enum_column(SubscriberStatus, "list_subscriber_status"),
                                                     default=SubscriberStatus.ACTIVE)
    delivery: Mapped[DeliveryMode] = mapped_column(enum_column(DeliveryMode, "list_delivery_mode"),
                                                   default=DeliveryMode.EACH)
    # Secret part of the subscriber's signed links (unsubscribe, confirmation, bounces);
    # a new subscription gets a new one, so old links die with the old subscription.
    secret: Mapped[str] = mapped_column(String(32))
    bounce_count: Mapped[int] = mapped_column(Integer, default=0)
    # Sum of the bounces kept (``ListBounce``: hard 1, soft 0.5), compared to the list's
    # threshold; bounces older than LISTS_BOUNCE_RETENTION_DAYS are forgotten (it decays).
    bounce_score: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    last_bounce_at: Mapped[datetime | None] = mapped_column(DateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Added by a manager: once the address is confirmed, no approval is needed.
    invited: Mapped[bool] = mapped_column(Boolean, default=False)
    # A person of the intranet chose (and confirmed) another address than their account's for
    # this list: the fan-out sends to ``email``, not to the account's address.
    own_address: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    mailing_list: Mapped[MailingList] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        return f"{self.user.full_name} <{self.email}>" if self.user else self.email


@searchable("list_message", "Messages de listes")
class ListMessage(db.Model):
    """One message of a list: held for moderation, archived (and sent), or rejected."""
    __tablename__ = "list_message"
    __table_args__ = (UniqueConstraint("list_id", "message_id"),
                      Index("ix_list_message_thread", "list_id", "status", "thread_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("mailing_list.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(250))      # RFC 5322 Message-ID, with <>
    in_reply_to: Mapped[str] = mapped_column(String(250), default="")
    references: Mapped[str] = mapped_column(Text, default="")
    # The first message of the thread (its own id for a thread's first message); set when
    # the message is published.
    thread_id: Mapped[int | None] = mapped_column(Integer, index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("list_message.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(300))
    sender_email: Mapped[str] = mapped_column(String(254))
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    body_text: Mapped[str] = mapped_column(Text, default="")   # what is mailed, and searched
    # Written in the site's editor: its sanitised HTML, shown in the archive ("" for a message
    # that came by mail or was written as plain text: ``body_text`` is shown as it is).
    body_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    attachments_note: Mapped[str] = mapped_column(Text, default="")  # what was not distributed
    source: Mapped[str] = mapped_column(String(10), default="web")    # "web" or "email"
    status: Mapped[MessageStatus] = mapped_column(enum_column(MessageStatus, "list_message_status"),
                                                  default=MessageStatus.PUBLISHED)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    moderated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    reject_reason: Mapped[str] = mapped_column(Text, default="")

    mailing_list: Mapped[MailingList] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    attachments: Mapped[list[ListAttachment]] = relationship(
        back_populates="message", cascade="all, delete-orphan",
        order_by="ListAttachment.position")

    @property
    def space(self) -> Space:
        return self.mailing_list.space

    @property
    def sender_label(self) -> str:
        return self.sender_name or self.sender_email

    def search_document(self) -> SearchDocument | None:
        if self.status != MessageStatus.PUBLISHED:
            return None  # held and rejected messages never reach the index
        mlist = self.mailing_list
        return SearchDocument(
            key=f"list_message:{self.id}", type="list_message", title=self.subject,
            body=f"{self.sender_label}\n{self.body_text}",
            url=path_for("lists.thread", slug=mlist.space.slug, name=mlist.name,
                         thread_id=self.thread_id or self.id) + f"#message-{self.id}",
            date=self.published_at or self.created_at, space_id=mlist.space_id,
            container=f"list:{mlist.id}", author_id=self.author_id,
            organisation_id=mlist.space.organisation_id,
            organisation_name=mlist.space.organisation.name if mlist.space.organisation else "")


class FanoutJob(db.Model):
    """Sending one message (or one day's digest) to a list's subscribers, done by the worker
    in batches: ``cursor`` is the last subscriber id queued, committed with that batch's
    outbox rows, so a crash resumes where it stopped and nobody gets a message twice."""
    __tablename__ = "list_fanout_job"
    __table_args__ = (Index("ix_list_fanout_pending", "done", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("mailing_list.id", ondelete="CASCADE"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("list_message.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10), default="post")   # "post" or "digest"
    digest_since: Mapped[datetime | None] = mapped_column(DateTime)
    digest_until: Mapped[datetime | None] = mapped_column(DateTime)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    queued: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    mailing_list: Mapped[MailingList] = relationship()
    message: Mapped[ListMessage | None] = relationship()


class QuarantinedMail(db.Model):
    """Inbound mail the listener could not take (malformed, unreadable), kept with the reason."""
    __tablename__ = "list_quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    list_id: Mapped[int | None] = mapped_column(ForeignKey("mailing_list.id", ondelete="CASCADE"),
                                                index=True)
    envelope_from: Mapped[str] = mapped_column(String(254), default="")
    recipients: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer, default=0)
    head: Mapped[bytes] = mapped_column(LargeBinary)   # the first 64 KiB of the raw message


class SenderRule(db.Model):
    """A moderator's standing decision for one sender address on one list, applied by
    ``access.list_posting_decision`` to the sender's next posts (by mail and on the web)."""
    __tablename__ = "list_sender_rule"
    __table_args__ = (UniqueConstraint("list_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("mailing_list.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))      # lower case
    action: Mapped[SenderAction] = mapped_column(enum_column(SenderAction, "list_sender_action"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        return SENDER_ACTION_LABELS[self.action]


class ListBounce(db.Model):
    """One delivery failure reported for a subscriber: hard (permanent, 5.x.x) or soft
    (temporary, 4.x.x); forgotten after LISTS_BOUNCE_RETENTION_DAYS."""
    __tablename__ = "list_bounce"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("list_subscriber.id", ondelete="CASCADE"), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    hard: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(12), default="")   # the DSN's « 5.1.1 »


class ListAttachment(db.Model):
    """A file that came with a post by mail, kept in the archive (``core/uploads``)."""
    __tablename__ = "list_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("list_message.id", ondelete="CASCADE"),
                                            index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    message: Mapped[ListMessage] = relationship(back_populates="attachments")
    file: Mapped[StoredFile] = relationship(lazy="joined")
