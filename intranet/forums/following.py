"""Who follows what in the forums: a topic or a forum followed for every post, for its first
posts only (a forum), or muted; the level that counts for one new post (a topic's own over its
forum's). ``services`` tells the followers of a new post."""
from __future__ import annotations

from sqlalchemy import or_, select

from ..accounts.models import User
from ..core.uow import unit_of_work
from ..extensions import db
from .models import Forum, ForumSubscription, ForumTopic, SubscriptionLevel


def subscribe(user: User, *, topic_id: int | None = None, forum_id: int | None = None) -> None:
    exists = db.session.scalar(select(ForumSubscription.id).where(
        ForumSubscription.user_id == user.id,
        ForumSubscription.topic_id == topic_id if topic_id else ForumSubscription.forum_id == forum_id))
    if exists is None:
        db.session.add(ForumSubscription(user_id=user.id, topic_id=topic_id, forum_id=forum_id))


@unit_of_work
def toggle_subscription(user: User, *, topic: ForumTopic | None = None,
                        forum: Forum | None = None) -> bool:
    """Follow (every new post) or stop following a topic (or a forum). Returns whether now
    followed; a muted topic or forum followed again is no longer muted."""
    column, value = ((ForumSubscription.topic_id, topic.id) if topic is not None
                     else (ForumSubscription.forum_id, forum.id))
    existing = db.session.scalar(select(ForumSubscription).where(
        ForumSubscription.user_id == user.id, column == value))
    if existing is not None and existing.level == SubscriptionLevel.ALL:
        db.session.delete(existing)
        return False
    if existing is not None:
        existing.level = SubscriptionLevel.ALL
        return True
    db.session.add(ForumSubscription(user_id=user.id, topic_id=topic.id if topic else None,
                                     forum_id=forum.id if forum else None,
                                     level=SubscriptionLevel.ALL))
    return True


@unit_of_work
def set_level(user: User, level: str, *, topic: ForumTopic | None = None,
              forum: Forum | None = None) -> str:
    """How ``user`` follows a topic or a forum (``SubscriptionLevel``): « normal » removes
    the row. A forum's « first posts only » has no meaning for a topic: refused."""
    from .services import ForumError
    allowed = SubscriptionLevel.TOPIC if topic is not None else SubscriptionLevel.FORUM
    if level not in allowed:
        raise ForumError("Choisissez comment suivre ce sujet." if topic is not None
                         else "Choisissez comment suivre ce forum.")
    column, value = ((ForumSubscription.topic_id, topic.id) if topic is not None
                     else (ForumSubscription.forum_id, forum.id))
    existing = db.session.scalar(select(ForumSubscription).where(
        ForumSubscription.user_id == user.id, column == value))
    if level == SubscriptionLevel.NORMAL:
        if existing is not None:
            db.session.delete(existing)
    elif existing is not None:
        existing.level = level
    else:
        db.session.add(ForumSubscription(user_id=user.id, level=level,
                                         topic_id=topic.id if topic else None,
                                         forum_id=forum.id if forum else None))
    return level


def levels(topic: ForumTopic) -> tuple[dict[int, str], dict[int, str]]:
    """Everybody's level on a topic and on its forum: ({user id: level}, {user id: level})."""
    on_topic, on_forum = {}, {}
    for user_id, topic_id, level in db.session.execute(
            select(ForumSubscription.user_id, ForumSubscription.topic_id, ForumSubscription.level)
            .where(or_(ForumSubscription.topic_id == topic.id,
                       ForumSubscription.forum_id == topic.forum_id))):
        (on_topic if topic_id is not None else on_forum)[user_id] = level
    return on_topic, on_forum


def effective(user_id: int, on_topic: dict, on_forum: dict, first: bool) -> str:
    """A person's level for one new post: the topic's own level wins over its forum's; a
    forum followed for its first posts counts for a new topic only."""
    if user_id in on_topic:
        return on_topic[user_id]
    level = on_forum.get(user_id, SubscriptionLevel.NORMAL)
    if level == SubscriptionLevel.FIRST:
        return SubscriptionLevel.ALL if first else SubscriptionLevel.NORMAL
    return level


def muted_user_ids(topic: ForumTopic) -> set[int]:
    """The people who muted this topic, or its forum without following the topic."""
    on_topic, on_forum = levels(topic)
    return {uid for uid in {*on_topic, *on_forum}
            if effective(uid, on_topic, on_forum, False) == SubscriptionLevel.MUTED}
