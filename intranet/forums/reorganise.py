"""Moderators reorganise topics: split chosen posts into a new topic, merge a topic into
another (the old address then redirects). Posts are renumbered, and read markers, followers,
drafts, search entries and counters follow."""
from __future__ import annotations

from sqlalchemy import insert, select, update

from .. import access
from ..accounts.models import User
from ..core.inputs import to_int
from ..core.timeutil import utcnow
from ..core.uow import unit_of_work
from ..extensions import db
from ..spaces.services import retract_activity
from . import tracking
from .models import Forum, ForumDraft, ForumPost, ForumRead, ForumSubscription, ForumTopic
from .services import (ForumError, _audit, _check_title, _refresh_forum, _refresh_topic,
                       _requeue_topic, _topic_url)




def _renumber(topic: ForumTopic, post_ids: list[int]) -> None:
    """Give ``post_ids`` (published posts, in their new order) the positions 1, 2, … of
    ``topic``: first out of the way (-id, unique), then in place, so the unique
    ``(topic_id, position)`` holds at every statement."""
    db.session.flush()
    if post_ids:
        db.session.execute(update(ForumPost).where(ForumPost.id.in_(post_ids))
                           .values(topic_id=topic.id, position=-ForumPost.id)
                           .execution_options(synchronize_session=False))
    for number, post_id in enumerate(post_ids, start=1):
        db.session.execute(update(ForumPost).where(ForumPost.id == post_id)
                           .values(position=number).execution_options(synchronize_session=False))
    db.session.execute(update(ForumTopic).where(ForumTopic.id == topic.id)
                       .values(last_position=len(post_ids))
                       .execution_options(synchronize_session=False))


def _read_markers(topics: list[ForumTopic]) -> dict[int, dict[int, int]]:
    """{user id: {topic id: position read}} for these topics, with the views still in the
    buffer (taken out of it: they count in the old numbering)."""
    ids = [t.id for t in topics]
    markers: dict[int, dict[int, int]] = {}
    for user_id, topic_id, position in db.session.execute(
            select(ForumRead.user_id, ForumRead.topic_id, ForumRead.position)
            .where(ForumRead.topic_id.in_(ids))):
        markers.setdefault(user_id, {})[topic_id] = position
    for (user_id, topic_id), position in tracking.BUFFER.take_reads(set(ids)).items():
        read = markers.setdefault(user_id, {})
        read[topic_id] = max(read.get(topic_id, 0), position)
    return markers


def _carry_reading(markers: dict[int, dict[int, int]], order: list[tuple[int, int]],
                   topic: ForumTopic) -> None:
    """Read markers of ``topic`` whose posts are now ``order`` — (former topic id, former
    position) each, in their new order: a person has read the new topic up to the end of the
    first run of posts they had read where they were."""
    db.session.execute(ForumRead.__table__.delete().where(ForumRead.topic_id == topic.id))
    rows = []
    for user_id, read in markers.items():
        count = 0
        for former_topic, former_position in order:
            if former_position > read.get(former_topic, 0):
                break
            count += 1
        if count:
            rows.append({"user_id": user_id, "topic_id": topic.id, "position": count,
                         "read_at": utcnow()})
    if rows:
        db.session.execute(insert(ForumRead), rows)


def _carry_subscriptions(source: ForumTopic, target: ForumTopic) -> None:
    """The people who follow (or muted) ``source`` do the same with ``target`` unless they
    chose already for ``target``."""
    chosen = set(db.session.scalars(select(ForumSubscription.user_id)
                                    .where(ForumSubscription.topic_id == target.id)))
    for sub in db.session.scalars(select(ForumSubscription)
                                  .where(ForumSubscription.topic_id == source.id)).all():
        if sub.user_id not in chosen:
            db.session.add(ForumSubscription(user_id=sub.user_id, topic_id=target.id,
                                             level=sub.level))


def _posts_of(topic: ForumTopic) -> list[tuple[int, int | None, object]]:
    """(id, position, created_at) of every post of a topic, published ones by position."""
    return db.session.execute(select(ForumPost.id, ForumPost.position, ForumPost.created_at)
                              .where(ForumPost.topic_id == topic.id)
                              .order_by(ForumPost.position, ForumPost.id)).all()


def _topic_state(topic: ForumTopic) -> None:
    """First post, author, counters and dates of a topic after posts came or went."""
    db.session.flush()
    first = db.session.execute(select(ForumPost.id, ForumPost.author_id, ForumPost.created_at)
                               .where(ForumPost.topic_id == topic.id,
                                      ForumPost.position.is_not(None))
                               .order_by(ForumPost.position).limit(1)).first()
    if first is not None:
        topic.first_post_id, topic.author_id, topic.created_at = first
    _refresh_topic(topic)


@unit_of_work
def split_topic(topic: ForumTopic, post_ids, *, title: str, forum: Forum,
                by: User) -> ForumTopic:
    """Move the chosen published posts of ``topic`` (never its first one, which carries it)
    to a new topic titled ``title`` in ``forum`` (of the same space). Both topics are
    numbered again; read markers, followers, search entries and counters follow."""
    if not access.can_split_to(by, topic, forum):
        raise ForumError("Vous ne pouvez scinder ce sujet que vers un forum de son espace.")
    title = _check_title(title)
    wanted = {to_int(i, 0) for i in post_ids or ()}
    posts = _posts_of(topic)
    moved = [(pid, pos) for pid, pos, _ in posts if pid in wanted and pos is not None]
    if not moved:
        raise ForumError("Cochez les messages à déplacer dans le nouveau sujet.")
    if any(pid == topic.first_post_id for pid, _ in moved):
        raise ForumError("Le premier message porte le sujet : il ne peut pas en être détaché.")
    moved_ids = {pid for pid, _ in moved}
    kept = [(pid, pos) for pid, pos, _ in posts if pid not in moved_ids and pos is not None]
    markers = _read_markers([topic])
    new = ForumTopic(forum=forum, space_id=forum.space_id, title=title, author_id=by.id,
                     last_post_at=utcnow())
    db.session.add(new)
    db.session.flush()
    _renumber(new, [pid for pid, _ in moved])
    _renumber(topic, [pid for pid, _ in kept])
    _carry_reading(markers, [(topic.id, pos) for _, pos in moved], new)
    _carry_reading(markers, [(topic.id, pos) for _, pos in kept], topic)
    _carry_subscriptions(topic, new)
    db.session.expire_all()
    _topic_state(new)
    _topic_state(topic)
    _refresh_forum(topic.forum)
    if forum.id != topic.forum_id:
        _refresh_forum(forum)
    _requeue_topic(topic)
    _requeue_topic(new)
    _audit("forum.topic_split", topic.space, by, _topic_url(new),
           f"{len(moved)} message(s) du sujet {_topic_url(topic)}")
    return new


@unit_of_work
def merge_topics(source: ForumTopic, target: ForumTopic, *, by: User) -> ForumTopic:
    """Move every post of ``source`` into ``target``, in the order they were written; the
    emptied ``source`` is closed and its address leads to ``target``. Read markers,
    followers, drafts, search entries and counters follow."""
    if not access.can_merge_topics(by, source, target):
        raise ForumError("Vous ne pouvez fusionner que deux sujets en ligne d'un même espace "
                         "que vous modérez.")
    markers = _read_markers([source, target])
    posts = [(created, pid, topic_id, pos)
             for topic_id, rows in ((target.id, _posts_of(target)), (source.id, _posts_of(source)))
             for pid, pos, created in rows]
    published = sorted(p for p in posts if p[3] is not None)
    _renumber(target, [pid for _, pid, _, _ in published])
    db.session.execute(update(ForumPost).where(ForumPost.topic_id == source.id)
                       .values(topic_id=target.id).execution_options(synchronize_session=False))
    _carry_reading(markers, [(topic_id, pos) for _, _, topic_id, pos in published], target)
    _carry_subscriptions(source, target)
    taken = set(db.session.scalars(select(ForumDraft.user_id)
                                   .where(ForumDraft.topic_id == target.id)))
    for draft in db.session.scalars(select(ForumDraft)
                                    .where(ForumDraft.topic_id == source.id)).all():
        if draft.user_id not in taken:
            draft.topic_id = target.id
    db.session.expire_all()
    _topic_state(target)
    source.deleted_at, source.deleted_by_id = utcnow(), by.id
    source.merged_into_id = target.id
    source.post_count, source.last_position, source.first_post_id = 0, 0, None
    retract_activity(_topic_url(source))
    _refresh_forum(source.forum)
    if target.forum_id != source.forum_id:
        _refresh_forum(target.forum)
    _requeue_topic(target)
    _audit("forum.topics_merged", target.space, by, _topic_url(target),
           f"messages du sujet {_topic_url(source)}")
    return target
