"""Forums of a space: categories, forums, topics and posts, with what keeps them fast and
moderated (denormalised counters, per-topic post positions, revisions, reports) and each
person's reading state (read markers, subscriptions, visits).

Pagination of a topic is by ``ForumPost.position``: every published post gets the next number
of its topic (``ForumTopic.last_position``), so page *n* is the range of positions
``[(n-1)·k+1, n·k]`` read through the unique index ``(topic_id, position)`` — the last page of a
5,000-post topic costs what the first one does. A deleted post keeps its place (shown as
« message supprimé »); a post held for review has no position until a moderator accepts it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (Boolean, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from ..accounts.models import User
from ..core.models import StoredFile, TimestampMixin
from ..core.sanitize import to_text
from ..core.timeutil import utcnow
from ..core.urls import path_for
from ..extensions import db
from ..search.documents import SearchDocument, searchable
from ..spaces.models import Space


class ForumCategory(TimestampMixin, db.Model):
    """A heading grouping some forums of a space on its forums page."""
    __tablename__ = "forum_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)

    space: Mapped[Space] = relationship()


class Forum(TimestampMixin, db.Model):
    """A forum follows its space's visibility. Members of the space write in it; in a public
    or network space, ``open_to_network`` lets any signed-in person write too."""
    __tablename__ = "forum"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_category.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    open_to_network: Mapped[bool] = mapped_column(Boolean, default=False)
    # Denormalised by the services (visible topics and posts, latest visible post).
    topic_count: Mapped[int] = mapped_column(Integer, default=0)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    last_post_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_topic_id: Mapped[int | None] = mapped_column(Integer)

    space: Mapped[Space] = relationship()
    category: Mapped[ForumCategory | None] = relationship()
    last_topic: Mapped[ForumTopic | None] = relationship(
        primaryjoin="foreign(Forum.last_topic_id) == ForumTopic.id", viewonly=True)


class ForumTopic(db.Model):
    __tablename__ = "forum_topic"
    __table_args__ = (Index("ix_forum_topic_listing", "forum_id", "pinned", "last_post_at"),
                      Index("ix_forum_topic_space_last", "space_id", "last_post_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"))
    # The forum's space, copied so that « new in my spaces » filters topics in one index.
    space_id: Mapped[int] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Its first post waits for a moderator (a new account's first words in a public forum).
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    # Denormalised by the services.
    first_post_id: Mapped[int | None] = mapped_column(Integer)
    post_count: Mapped[int] = mapped_column(Integer, default=0)      # visible posts
    last_position: Mapped[int] = mapped_column(Integer, default=0)   # highest position given
    last_post_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_post_id: Mapped[int | None] = mapped_column(Integer)
    last_post_author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    # Batched: added by the view buffer's flush, never by the request that shows the topic.
    view_count: Mapped[int] = mapped_column(Integer, default=0)
    # Merged into another topic (its posts moved there): its address redirects to it.
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_topic.id", ondelete="SET NULL"))

    forum: Mapped[Forum] = relationship(foreign_keys=[forum_id])
    space: Mapped[Space] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    last_post_author: Mapped[User | None] = relationship(foreign_keys=[last_post_author_id])

    @property
    def reply_count(self) -> int:
        return max(self.post_count - 1, 0)


@searchable("forum_post", "Messages de forum")
class ForumPost(db.Model):
    __tablename__ = "forum_post"
    __table_args__ = (UniqueConstraint("topic_id", "position", name="uq_forum_post_position"),
                      Index("ix_forum_post_author_created", "author_id", "created_at"),
                      Index("ix_forum_post_held", "held"))

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("forum_topic.id", ondelete="CASCADE"))
    position: Mapped[int | None] = mapped_column(Integer)   # None while held for review
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    body_html: Mapped[str] = mapped_column(Text, default="")       # sanitised
    body_source: Mapped[str] = mapped_column(Text, default="")     # what the author typed
    body_format: Mapped[str] = mapped_column(String(10), default="text")
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    edited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    edit_count: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))

    topic: Mapped[ForumTopic] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    edited_by: Mapped[User | None] = relationship(foreign_keys=[edited_by_id])
    attachments: Mapped[list[ForumAttachment]] = relationship(
        back_populates="post", cascade="all, delete-orphan", order_by="ForumAttachment.id")

    @property
    def space(self) -> Space:
        return self.topic.space

    @property
    def is_first(self) -> bool:
        return self.topic.first_post_id == self.id

    @classmethod
    def search_load_options(cls):
        return (joinedload(cls.topic).joinedload(ForumTopic.space).joinedload(Space.organisation),)

    def search_document(self) -> SearchDocument | None:
        topic = self.topic
        if (self.deleted_at is not None or self.held or self.position is None
                or topic.deleted_at is not None or topic.held):
            return None  # deleted and held posts never reach the index
        space = topic.space
        title = topic.title if self.is_first else f"Re : {topic.title}"
        return SearchDocument(
            key=f"forum_post:{self.id}", type="forum_post", title=title,
            body=to_text(self.body_html),
            url=path_for("forums.post", slug=space.slug, post_id=self.id),
            date=self.edited_at or self.created_at, space_id=topic.space_id, narrow="",
            container=f"forum:{topic.forum_id}", author_id=self.author_id,
            organisation_id=space.organisation_id,
            organisation_name=space.organisation.name if space.organisation else "")


class ForumPostRevision(db.Model):
    """An earlier text of a post, kept at each edit (moderators read the history)."""
    __tablename__ = "forum_post_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"),
                                         index=True)
    title: Mapped[str] = mapped_column(String(200), default="")  # the topic's, for a first post
    body_html: Mapped[str] = mapped_column(Text)
    body_source: Mapped[str] = mapped_column(Text)
    body_format: Mapped[str] = mapped_column(String(10))
    written_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    written_at: Mapped[datetime] = mapped_column(DateTime)
    replaced_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    written_by: Mapped[User | None] = relationship()


class ForumAttachment(db.Model):
    __tablename__ = "forum_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"),
                                         index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))

    post: Mapped[ForumPost] = relationship(back_populates="attachments")
    file: Mapped[StoredFile] = relationship()


class SubscriptionLevel:
    """How closely someone follows a topic or a forum (no row: « normal »). ``ALL``: every
    new post (of the topic; of the forum: every new topic and reply); ``FIRST`` (a forum
    only): the first post of each new topic; ``MUTED``: never notified, not even of a mention,
    and left out of « nouveautés depuis ma dernière visite ». A topic's own level wins over
    its forum's."""
    ALL = "all"
    FIRST = "first"
    NORMAL = "normal"
    MUTED = "muted"
    FORUM = (ALL, FIRST, NORMAL, MUTED)
    TOPIC = (ALL, NORMAL, MUTED)


class _ATopicOrAForum:
    """A row of one person about a topic (``topic_id``) or a whole forum (``forum_id``), one of
    the two: a subscription, a draft."""
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("forum_topic.id", ondelete="CASCADE"),
                                                 index=True)
    forum_id: Mapped[int | None] = mapped_column(ForeignKey("forum.id", ondelete="CASCADE"),
                                                 index=True)


class ForumSubscription(_ATopicOrAForum, TimestampMixin, db.Model):
    """How someone follows a topic, or a whole forum: ``level`` is a ``SubscriptionLevel``
    (never « normal »: that is no row)."""
    __tablename__ = "forum_subscription"
    __table_args__ = (UniqueConstraint("user_id", "topic_id", name="uq_forum_subscription_topic"),
                      UniqueConstraint("user_id", "forum_id", name="uq_forum_subscription_forum"))

    level: Mapped[str] = mapped_column(String(10), default=SubscriptionLevel.ALL,
                                       server_default=SubscriptionLevel.ALL)

    user: Mapped[User] = relationship()


class ForumRead(db.Model):
    """How far someone has read a topic (highest position shown to them). Written in batches
    by the view buffer, never by the request that shows the topic."""
    __tablename__ = "forum_read"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("forum_topic.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    read_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ForumVisit(db.Model):
    """A person's visits to the forums, for « nouveautés depuis ma dernière visite »: a visit
    ends after half an hour without reading; ``marked_read_at`` is « tout marquer comme lu »."""
    __tablename__ = "forum_visit"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime)
    previous_visit_at: Mapped[datetime | None] = mapped_column(DateTime)
    marked_read_at: Mapped[datetime | None] = mapped_column(DateTime)


class ForumReport(db.Model):
    """A post reported to the space's moderators."""
    __tablename__ = "forum_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"),
                                         index=True)
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(20), default="")   # "deleted" or "dismissed"

    post: Mapped[ForumPost] = relationship()
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])


class ForumLike(db.Model):
    """Someone likes a post: once per person and post."""
    __tablename__ = "forum_like"

    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"),
                                         primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship()


class ForumDraft(_ATopicOrAForum, db.Model):
    """What someone is writing, saved on the server while they write: a reply to a topic
    (``topic_id``) or a new topic in a forum (``forum_id``). One per person and place; read by
    that person only; deleted when they post."""
    __tablename__ = "forum_draft"
    __table_args__ = (UniqueConstraint("user_id", "topic_id", name="uq_forum_draft_topic"),
                      UniqueConstraint("user_id", "forum_id", name="uq_forum_draft_forum"))

    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_format: Mapped[str] = mapped_column(String(10), default="text")
    saved_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
