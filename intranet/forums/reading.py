"""Forums, reading side: pages of topics and forums, unread markers, « nouveautés », the
moderators' queue. Nothing here writes: what a page showed goes to ``tracking.BUFFER``, which
writes it in batches. Nothing here decides who sees what either: the listings filter with
``access.visible_topics`` / ``access.moderated_spaces``, and a topic page shows the held posts
``access.TopicRights.held_scope`` says.

The topic page is the hot path (see ``benchmarks/forums.py``): its head (space, topic, forum,
the reader's marker and subscriptions, their draft of a reply) is one query, its posts another (a range of positions
read through the ``(topic_id, position)`` index, as plain rows), both statements built once.
"""
from __future__ import annotations

import math
from functools import cache
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import Integer, and_, bindparam, exists, func, literal, not_, or_, select
from sqlalchemy.orm import aliased, joinedload

from .. import access
from ..accounts.models import User
from ..core import generations
from ..core.models import StoredFile
from ..core.timeutil import utcnow
from ..core.pagination import rows_page
from ..extensions import db
from ..spaces.models import Space
from .models import (Forum, ForumAttachment, ForumCategory, ForumDraft, ForumLike, ForumPost,
                     ForumPostRevision, ForumRead, ForumReport, ForumSubscription, ForumTopic,
                     ForumVisit, SubscriptionLevel)
from .tracking import BUFFER, visit_since


NEWS_DEFAULT_DAYS = 30


def posts_per_page() -> int:
    return current_app.config["FORUM_POSTS_PER_PAGE"]


def topics_per_page() -> int:
    return current_app.config["FORUM_TOPICS_PER_PAGE"]


# --- a small pager, the same shape as Flask-SQLAlchemy's (for the ``pager`` macro) ----------------


@dataclass
class Pager:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _page_number(page, pages: int) -> int:
    try:
        page = int(page)
    except (TypeError, ValueError):
        page = 1
    return min(max(page, 1), pages)


@cache
def _categories_statement():
    """A space's categories, built once (bound ``space_id``)."""
    return (select(ForumCategory).where(ForumCategory.space_id == bindparam("space_id"))
            .order_by(ForumCategory.position, ForumCategory.name))


@cache
def _index_statement():
    """A space's forums with their latest topic and its last poster, as the index shows them,
    built once (bound ``space_id``)."""
    return (select(Forum).where(Forum.space_id == bindparam("space_id"))
            .options(joinedload(Forum.last_topic)
                     .load_only(ForumTopic.title, ForumTopic.last_post_author_id)
                     .joinedload(ForumTopic.last_post_author)
                     .load_only(User.email, User.first_name, User.last_name))
            .order_by(Forum.position, Forum.name))


def categories(space: Space) -> list[ForumCategory]:
    return list(db.session.scalars(_categories_statement(), {"space_id": space.id}))


def forum_index(space: Space) -> list[tuple[ForumCategory | None, list[Forum]]]:
    """The forums of a space grouped by category (uncategorised first), with their latest
    topic and its last poster: two queries whatever the number of forums."""
    forums = db.session.scalars(_index_statement(), {"space_id": space.id}).all()
    groups: dict[int | None, list[Forum]] = {}
    for forum in forums:
        groups.setdefault(forum.category_id, []).append(forum)
    result: list[tuple[ForumCategory | None, list[Forum]]] = []
    if None in groups:
        result.append((None, groups[None]))
    for category in categories(space):
        result.append((category, groups.get(category.id, [])))
    return result


def forums_moderated_by(user, exclude: Forum | None = None) -> list[Forum]:
    """Forums a topic may be moved to: those of the spaces this person moderates (not
    archived) — the SQL side of ``access.can_move_topic_to``."""
    query = (select(Forum).join(Space, Space.id == Forum.space_id)
             .where(Forum.space_id.in_(access.moderated_space_ids(user)),
                    Space.archived.is_(False))
             .options(joinedload(Forum.space))
             .order_by(Forum.space_id, Forum.position, Forum.name))
    if exclude is not None:
        query = query.where(Forum.id != exclude.id)
    return list(db.session.scalars(query))


# --- reading ---------------------------------------------------------------------------------------


# The statements of the topic page are built once, with bound parameters: building a
# SELECT's expression tree costs more than running it on an indexed range.
_LOAD_TOPIC = (select(ForumTopic).where(ForumTopic.id == bindparam("topic_id"))
               .options(joinedload(ForumTopic.forum)))
_READING = (
    select(ForumRead.position).where(ForumRead.user_id == bindparam("user_id"),
                                     ForumRead.topic_id == ForumTopic.id).scalar_subquery(),
    select(ForumVisit.marked_read_at).where(ForumVisit.user_id == bindparam("user_id"))
    .scalar_subquery(),
    select(ForumSubscription.level).where(
        ForumSubscription.user_id == bindparam("user_id"),
        ForumSubscription.topic_id == ForumTopic.id).scalar_subquery(),
    select(ForumSubscription.level).where(
        ForumSubscription.user_id == bindparam("user_id"),
        ForumSubscription.forum_id == ForumTopic.forum_id).scalar_subquery())
_READING_STATE = select(*_READING).where(ForumTopic.id == bindparam("topic_id"))
# A topic page's head in one query: the space (by its slug), the topic, its forum, the
# reader's marker and subscriptions, and their draft of a reply (one per person and topic).
_TOPIC_HEAD = (select(Space, ForumTopic, *_READING, ForumDraft.title, ForumDraft.body,
                      ForumDraft.body_format)
               .join(ForumTopic, ForumTopic.space_id == Space.id)
               .outerjoin(ForumDraft, and_(ForumDraft.topic_id == ForumTopic.id,
                                           ForumDraft.user_id == bindparam("user_id")))
               .where(Space.slug == bindparam("slug"), ForumTopic.id == bindparam("topic_id"))
               .options(joinedload(ForumTopic.forum)))


class SavedDraft(NamedTuple):
    """What a topic page restores of the reader's draft of a reply (``views._restore``)."""
    title: str
    body: str
    body_format: str


_AUTHOR, _EDITOR = aliased(User, name="author"), aliased(User, name="editor")


def _page_statement(waiting: str | None):
    """Posts of a range of positions; on the last page, with the posts waiting for review
    (``waiting``: "own" for their author, "all" for the moderators). Each branch of the OR
    names the topic, so that both are read through the (topic_id, position) index.

    Plain rows of the columns the page shows (not ORM objects: building 20 posts and their
    authors as objects costs more than the query), attachments joined in the same query."""
    shown = and_(ForumPost.topic_id == bindparam("topic_id"),
                 ForumPost.position.between(bindparam("first"), bindparam("last")))
    if waiting is not None:
        held = and_(ForumPost.topic_id == bindparam("topic_id"), ForumPost.position.is_(None),
                    ForumPost.deleted_at.is_(None))
        if waiting == "own":
            held = and_(held, ForumPost.author_id == bindparam("user_id"))
        shown = or_(shown, held)
    return (select(ForumPost.id, ForumPost.position, ForumPost.author_id, ForumPost.created_at,
                   ForumPost.body_html, ForumPost.edited_at, ForumPost.edited_by_id,
                   ForumPost.edit_count, ForumPost.deleted_at,
                   _AUTHOR.first_name, _AUTHOR.last_name, _AUTHOR.email,
                   _EDITOR.first_name, _EDITOR.last_name, _EDITOR.email,
                   ForumAttachment.id, StoredFile.original_name, StoredFile.size)
            .outerjoin(_AUTHOR, _AUTHOR.id == ForumPost.author_id)
            .outerjoin(_EDITOR, _EDITOR.id == ForumPost.edited_by_id)
            .outerjoin(ForumAttachment, ForumAttachment.post_id == ForumPost.id)
            .outerjoin(StoredFile, StoredFile.id == ForumAttachment.file_id)
            .where(shown).order_by(ForumPost.position, ForumPost.id, ForumAttachment.id))


_PAGE = {waiting: _page_statement(waiting) for waiting in (None, "own", "all")}


_SPACE_BY_SLUG = select(Space).where(Space.slug == bindparam("slug"))


def load_space(slug: str) -> Space | None:
    return generations.kept_row(Space, _SPACE_BY_SLUG, {"slug": slug})


def load_topic(space: Space, topic_id: int) -> ForumTopic | None:
    topic = db.session.scalar(_LOAD_TOPIC, {"topic_id": topic_id})
    if topic is None or topic.space_id != space.id:
        return None
    return topic


def load_post(space: Space, post_id: int) -> ForumPost | None:
    post = db.session.scalar(select(ForumPost).where(ForumPost.id == post_id)
                             .options(joinedload(ForumPost.topic).joinedload(ForumTopic.forum),
                                      joinedload(ForumPost.author)))
    if post is None or post.topic.space_id != space.id:
        return None
    return post


def page_count(topic: ForumTopic) -> int:
    return max(1, math.ceil(topic.last_position / posts_per_page()))


def page_of(position: int | None, topic: ForumTopic) -> int:
    if not position:
        return page_count(topic)
    return (position - 1) // posts_per_page() + 1


@dataclass
class ReadingState:
    read_position: int = 0          # highest position this person had read before this page
    topic_level: str = SubscriptionLevel.NORMAL    # this person's level on the topic
    forum_level: str = SubscriptionLevel.NORMAL    # and on its forum

    @property
    def topic_subscribed(self) -> bool:
        return self.topic_level == SubscriptionLevel.ALL

    @property
    def forum_subscribed(self) -> bool:
        return self.forum_level == SubscriptionLevel.ALL

    @property
    def muted(self) -> bool:
        """The topic is muted, itself or through its forum (its own level wins)."""
        if self.topic_level != SubscriptionLevel.NORMAL:
            return self.topic_level == SubscriptionLevel.MUTED
        return self.forum_level == SubscriptionLevel.MUTED

    def first_unread(self, topic: ForumTopic) -> int | None:
        return self.read_position + 1 if self.read_position < topic.last_position else None


def reading_state(user, topic: ForumTopic) -> ReadingState:
    """Read marker and subscriptions of one person on one topic, in ONE query."""
    if not access.is_signed_in(user):
        return ReadingState()
    row = db.session.execute(_READING_STATE, {"user_id": user.id, "topic_id": topic.id}).one()
    return _reading_state(user, topic, *row)


def topic_head(slug: str, topic_id: int, user) -> tuple[Space, ForumTopic, ReadingState,
                                                         SavedDraft | None] | None:
    """The space, the topic, this person's reading state and their draft of a reply, in one
    query (None: no such topic in this space). The caller authorises the space."""
    row = db.session.execute(_TOPIC_HEAD, {
        "slug": slug, "topic_id": topic_id,
        "user_id": user.id if access.is_signed_in(user) else None}).one_or_none()
    if row is None:
        return None
    space, topic, *state, title, body, body_format = row
    saved = SavedDraft(title or "", body, body_format) if body is not None else None
    return space, topic, (_reading_state(user, topic, *state) if access.is_signed_in(user)
                          else ReadingState()), saved


def _reading_state(user, topic: ForumTopic, position, marked_at, topic_level,
                   forum_level) -> ReadingState:
    position = max(position or 0, BUFFER.pending_position(user.id, topic.id))
    if marked_at is not None and topic.last_post_at is not None and topic.last_post_at <= marked_at:
        position = topic.last_position   # « tout marquer comme lu » covers it
    return ReadingState(position, topic_level or SubscriptionLevel.NORMAL,
                        forum_level or SubscriptionLevel.NORMAL)


@dataclass(slots=True)
class ShownAttachment:
    id: int
    name: str
    size: int

    @property
    def human_size(self) -> str:
        return StoredFile(size=self.size).human_size


@dataclass(slots=True)
class ShownPost:
    """What a topic page shows of a post (``access.TopicRights`` decides on it as on a post)."""
    topic: ForumTopic
    id: int
    position: int | None          # None: waiting for review
    author_id: int | None
    created_at: datetime
    body_html: str
    edited_at: datetime | None
    edited_by_id: int | None
    edit_count: int
    deleted_at: datetime | None
    author_name: str | None
    editor_name: str | None
    attachments: list[ShownAttachment] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return self.position is None


def _full_name(first, last, email) -> str | None:
    """As ``User.full_name``; None when there is no such person (any more)."""
    if email is None:
        return None
    return f"{first} {last}".strip() or email


@dataclass
class TopicPage:
    topic: ForumTopic
    posts: list[ShownPost]
    page: int
    pages: int
    state: ReadingState
    held: list[ShownPost] = field(default_factory=list)

    @property
    def shown_up_to(self) -> int:
        return self.posts[-1].position if self.posts else 0


def topic_page(user, topic: ForumTopic, page, *, rights: access.TopicRights,
               state: ReadingState | None = None) -> TopicPage:
    """One page of a topic: a range of positions read through the (topic_id, position) index,
    so every page costs the same; a constant number of queries whatever the topic's size. The
    last page also shows the held posts the person may see (``rights.held_scope()``)."""
    per, pages = posts_per_page(), page_count(topic)
    page = _page_number(page, pages)
    first, last = (page - 1) * per + 1, page * per
    waiting = rights.held_scope() if page == pages else None
    shown: dict[int, ShownPost] = {}
    for row in db.session.execute(_PAGE[waiting], {
            "topic_id": topic.id, "first": first, "last": last,
            "user_id": user.id if waiting else None}):
        post = shown.get(row[0])
        if post is None:
            post = shown[row[0]] = ShownPost(topic, *row[:9], _full_name(*row[9:12]),
                                             _full_name(*row[12:15]))
        if row[15] is not None:
            post.attachments.append(ShownAttachment(*row[15:18]))
    posts = [p for p in shown.values() if p.position is not None]
    held = [p for p in shown.values() if p.position is None]
    if state is None:
        state = reading_state(user, topic)
    return TopicPage(topic, posts, page, pages, state, held)


def record_view(user, topic: ForumTopic, shown_up_to: int) -> None:
    """Remember (in memory, flushed in batches) that this page was shown to this person."""
    BUFFER.record(current_app._get_current_object(),
                  user.id if access.is_signed_in(user) else None, topic.id, shown_up_to)


def record_visit(user) -> None:
    if access.is_signed_in(user):
        BUFFER.seen(current_app._get_current_object(), user.id)


def flush_views() -> int:
    """Write the buffered read markers, view counts and visits (the buffer's thread does it
    every few seconds; tests and the CLI call it directly)."""
    return BUFFER.flush()


_MARKED_READ_AT = select(ForumVisit.marked_read_at).where(   # built once
    ForumVisit.user_id == bindparam("user_id", type_=Integer))


def _marked_read_at(user):
    return db.session.scalar(_MARKED_READ_AT, {"user_id": user.id})


def _with_unread(user, rows, marked_at) -> list[tuple[ForumTopic, int | None]]:
    """(topic, first unread position or None) for rows of (topic, read position)."""
    pending = BUFFER.pending_positions(user.id) if access.is_signed_in(user) else {}
    result = []
    for topic, read in rows:
        if not access.is_signed_in(user):
            result.append((topic, None))
            continue
        read = max(read or 0, pending.get(topic.id, 0))
        covered = (marked_at is not None and topic.last_post_at is not None
                   and topic.last_post_at <= marked_at)
        unread = not covered and read < topic.last_position
        result.append((topic, read + 1 if unread else None))
    return result


def _read_join(query, user):
    if access.is_signed_in(user):
        return query.add_columns(ForumRead.position).outerjoin(
            ForumRead, and_(ForumRead.topic_id == ForumTopic.id, ForumRead.user_id == user.id))
    return query.add_columns(literal(None))


@dataclass(frozen=True)
class ForumReader:
    """A forum as one person reads it: the forum, when they marked everything read, and how
    they follow it (``SubscriptionLevel``)."""
    forum: Forum
    marked_read_at: datetime | None
    level: str


_FORUM_READER = select(   # built once: the forum and its reader's marks, in one statement
    Forum,
    select(ForumVisit.marked_read_at)
    .where(ForumVisit.user_id == bindparam("user_id", type_=Integer)).scalar_subquery(),
    select(ForumSubscription.level)
    .where(ForumSubscription.user_id == bindparam("user_id", type_=Integer),
           ForumSubscription.forum_id == Forum.id).scalar_subquery(),
).where(Forum.id == bindparam("forum_id", type_=Integer),
        Forum.space_id == bindparam("space_id", type_=Integer))


def load_forum_reader(user, space: Space, forum_id: int) -> ForumReader | None:
    """The forum ``forum_id`` of ``space`` with what ``forum_topics`` and ``forum_level``
    read of its reader, in one statement (None: not a forum of the space)."""
    signed_in = access.is_signed_in(user)
    found = db.session.execute(_FORUM_READER, {"forum_id": forum_id, "space_id": space.id,
                                               "user_id": user.id if signed_in else -1}).first()
    if found is None:
        return None
    forum, marked, level = found
    return ForumReader(forum, marked if signed_in else None,
                       (level if signed_in else None) or SubscriptionLevel.NORMAL)


_UNREAD = object()


def forum_topics(user, forum: Forum, page, marked_read_at=_UNREAD) -> Pager:
    """A forum's topics the person may see (``access.visible_topics``), pinned first then by
    latest post, each with its first unread position (None when read). ``marked_read_at``:
    when they marked everything read, if read already (``load_forum_reader``)."""
    where = [ForumTopic.forum_id == forum.id, access.visible_topics(user, forum.space),
             ForumTopic.merged_into_id.is_(None)]   # a merged topic lives on in another
    per = topics_per_page()
    query = _read_join(select(ForumTopic), user).where(*where).options(
        joinedload(ForumTopic.author), joinedload(ForumTopic.last_post_author)
    ).order_by(ForumTopic.pinned.desc(), ForumTopic.last_post_at.desc(), ForumTopic.id.desc())
    rows, page, total = rows_page(query, page, per)     # counted only when the page is full
    if marked_read_at is _UNREAD:
        marked_read_at = _marked_read_at(user) if access.is_signed_in(user) else None
    return Pager(_with_unread(user, rows, marked_read_at), page, per, total)


def _level_is(person, column, level, *levels):
    """EXISTS: ``person`` (an id, or a bound parameter of one) chose one of these levels."""
    return exists().where(ForumSubscription.user_id == person, column,
                          ForumSubscription.level.in_((level, *levels)))


def not_muted(person):
    """WHERE clause on ``ForumTopic``: the topics this person (an id, or a bound parameter of
    one) did not mute, themselves or through their forum (a topic's own level wins over its
    forum's)."""
    own = ForumSubscription.topic_id == ForumTopic.id
    muted_topic = _level_is(person, own, SubscriptionLevel.MUTED)
    chose_topic = _level_is(person, own, SubscriptionLevel.ALL, SubscriptionLevel.MUTED)
    muted_forum = _level_is(person, ForumSubscription.forum_id == ForumTopic.forum_id,
                            SubscriptionLevel.MUTED)
    return not_(or_(muted_topic, and_(muted_forum, not_(chose_topic))))


@cache
def _news_statement(only_unread: bool):
    """« Nouveautés »' statement, built once: the person, their spaces (``access.
    member_space_ids``) and the date after which a topic is new are parameters."""
    person = bindparam("news_user", type_=Integer)
    query = (select(ForumTopic, ForumRead.position)
             .outerjoin(ForumRead, and_(ForumRead.topic_id == ForumTopic.id,
                                        ForumRead.user_id == person))
             .where(ForumTopic.space_id.in_(bindparam("news_spaces", expanding=True)),
                    ForumTopic.deleted_at.is_(None), ForumTopic.held.is_(False),
                    ForumTopic.last_post_at > bindparam("news_after"), not_muted(person)))
    if only_unread:
        query = query.where(or_(ForumRead.position.is_(None),
                                ForumRead.position < ForumTopic.last_position))
    # each topic's forum, space and last poster joined (one row each): PostgreSQL reads the
    # page's topics in date order, then looks each one's up by its key
    return (query.options(joinedload(ForumTopic.forum), joinedload(ForumTopic.space),
                          joinedload(ForumTopic.last_post_author))
            .order_by(ForumTopic.last_post_at.desc(), ForumTopic.id.desc()))


def news(user, page, *, only_unread: bool = False) -> tuple[Pager, object]:
    """« Nouveautés depuis ma dernière visite »: topics of all my spaces with a post since
    the end of my previous visit (30 days the first time), newest first; those marked read
    (« tout marquer comme lu ») are not new."""
    visit = db.session.get(ForumVisit, user.id)
    since = visit_since(visit) or utcnow() - timedelta(days=NEWS_DEFAULT_DAYS)
    marked = visit.marked_read_at if visit else None
    per = topics_per_page()
    rows, page, total = rows_page(
        _news_statement(only_unread), page, per,
        params={"news_user": user.id, "news_spaces": access.member_space_ids(user),
                "news_after": max(since, marked) if marked is not None else since})
    return Pager(_with_unread(user, rows, marked), page, per, total), since


def revisions(post: ForumPost) -> list[ForumPostRevision]:
    return list(db.session.scalars(select(ForumPostRevision)
                                   .where(ForumPostRevision.post_id == post.id)
                                   .options(joinedload(ForumPostRevision.written_by))
                                   .order_by(ForumPostRevision.id.desc())))


def moderation_queue(space: Space) -> tuple[list[ForumPost], list[ForumReport]]:
    held = db.session.scalars(
        select(ForumPost).join(ForumTopic, ForumTopic.id == ForumPost.topic_id)
        .where(ForumTopic.space_id == space.id, ForumPost.held.is_(True),
               ForumPost.deleted_at.is_(None))
        .options(joinedload(ForumPost.author), joinedload(ForumPost.topic))
        .order_by(ForumPost.created_at)).all()
    reports = db.session.scalars(
        select(ForumReport).join(ForumPost, ForumPost.id == ForumReport.post_id)
        .join(ForumTopic, ForumTopic.id == ForumPost.topic_id)
        .where(ForumTopic.space_id == space.id, ForumReport.resolved_at.is_(None))
        .options(joinedload(ForumReport.reporter),
                 joinedload(ForumReport.post).joinedload(ForumPost.author),
                 joinedload(ForumReport.post).joinedload(ForumPost.topic))
        .order_by(ForumReport.created_at)).all()
    return list(held), list(reports)


@cache
def _queue_size_statement():
    """The count of ``queue_size``, built once (bound ``space_id``): a moderator sees it on
    every forum page of their space."""
    space_id = bindparam("space_id", type_=Integer)
    held = (select(func.count(ForumPost.id))
            .join(ForumTopic, ForumTopic.id == ForumPost.topic_id)
            .where(ForumTopic.space_id == space_id, ForumPost.held.is_(True),
                   ForumPost.deleted_at.is_(None)))
    reports = (select(func.count(ForumReport.id))
               .join(ForumPost, ForumPost.id == ForumReport.post_id)
               .join(ForumTopic, ForumTopic.id == ForumPost.topic_id)
               .where(ForumTopic.space_id == space_id, ForumReport.resolved_at.is_(None)))
    return select(held.scalar_subquery() + reports.scalar_subquery())


def queue_size(space: Space) -> int:
    """The held posts and the open reports of a space's forums (one statement)."""
    return db.session.scalar(_queue_size_statement(), {"space_id": space.id})


def load_report(space: Space, report_id: int) -> ForumReport | None:
    report = db.session.get(ForumReport, report_id)
    if report is None or report.post.topic.space_id != space.id:
        return None
    return report


def forum_level(user, forum: Forum) -> str:
    """This person's ``SubscriptionLevel`` on a forum (« normal » when signed out)."""
    if not access.is_signed_in(user):
        return SubscriptionLevel.NORMAL
    return db.session.scalar(_FORUM_LEVEL, {"user_id": user.id, "forum_id": forum.id}
                             ) or SubscriptionLevel.NORMAL


_FORUM_LEVEL = select(ForumSubscription.level).where(   # built once
    ForumSubscription.user_id == bindparam("user_id", type_=Integer),
    ForumSubscription.forum_id == bindparam("forum_id", type_=Integer))


def follows_forum(user, forum: Forum) -> bool:
    return forum_level(user, forum) == SubscriptionLevel.ALL


@dataclass
class Likes:
    """Who liked a post (names, in the order they liked), and whether the reader did."""
    names: list[str] = field(default_factory=list)
    mine: bool = False

    @property
    def count(self) -> int:
        return len(self.names)


def likes(user, post_ids) -> dict[int, Likes]:
    """The likes of these posts (the page's), in one query. The caller shows them only with
    a post whose text the reader may read (``TopicRights.read_post``)."""
    found: dict[int, Likes] = {}
    if not post_ids:
        return found
    me = user.id if access.is_signed_in(user) else None
    for post_id, user_id, first, last, email in db.session.execute(
            _LIKES, {"post_ids": sorted(post_ids)}):
        entry = found.setdefault(post_id, Likes())
        entry.names.append(_full_name(first, last, email))
        entry.mine = entry.mine or user_id == me
    return found


_LIKES = (select(ForumLike.post_id, User.id, User.first_name, User.last_name, User.email)  # once
          .join(User, User.id == ForumLike.user_id)
          .where(ForumLike.post_id.in_(bindparam("post_ids", expanding=True)))
          .order_by(ForumLike.created_at, User.id))


def draft(user, *, topic: ForumTopic | None = None, forum: Forum | None = None) -> ForumDraft | None:
    """This person's own draft of a reply to ``topic`` or of a new topic in ``forum``."""
    if not access.is_signed_in(user):
        return None
    column, value = ((ForumDraft.topic_id, topic.id) if topic is not None
                     else (ForumDraft.forum_id, forum.id))
    return db.session.scalar(select(ForumDraft).where(ForumDraft.user_id == user.id,
                                                      column == value))


def forums_of(space: Space) -> list[Forum]:
    """The forums of a space, in their order (where a split topic may go)."""
    return list(db.session.scalars(select(Forum).where(Forum.space_id == space.id)
                                   .order_by(Forum.position, Forum.name)))


def splittable_posts(topic: ForumTopic) -> list[ForumPost]:
    """The published posts of a topic, by position, for a moderator choosing which to move
    (the first one carries the topic and stays)."""
    return list(db.session.scalars(
        select(ForumPost).where(ForumPost.topic_id == topic.id, ForumPost.position.is_not(None))
        .options(joinedload(ForumPost.author)).order_by(ForumPost.position)))


def merge_candidates(topic: ForumTopic, limit: int = 30) -> list[ForumTopic]:
    """The latest live topics of the same space, offered as the target of a merge."""
    return list(db.session.scalars(
        select(ForumTopic).where(ForumTopic.space_id == topic.space_id,
                                 ForumTopic.id != topic.id, ForumTopic.deleted_at.is_(None),
                                 ForumTopic.held.is_(False))
        .options(joinedload(ForumTopic.forum))
        .order_by(ForumTopic.last_post_at.desc(), ForumTopic.id.desc()).limit(limit)))
