"""Forums, writing side: structure, posts, moderation, subscriptions and notifications
(reading is in ``reading``).

Each public function is one unit of work (``@unit_of_work``): it commits when it returns and
rolls back when it raises ``ForumError``, so a refused change leaves nothing behind. Who may do
what is decided in ``access`` (``forum_topic_decision``, ``forum_reply_decision``,
``can_edit_post``, …); the services apply the decision. Moderators' acts (structure, pinning,
locking, moving, deleting someone else's post or topic, restoring, validating, refusing,
closing reports) are written to the audit log with the space's organisation. Counters (topic
``post_count``/``last_position``/``last_post_*``, forum ``topic_count``/``post_count``/
``last_*``) are kept here, by SQL increments where two people may write at once.
"""
from __future__ import annotations

import re
from datetime import timedelta

from flask import current_app
from markupsafe import escape
from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from .. import access
from ..accounts.models import User
from ..core.types import Visibility
from ..core.inputs import to_int
from ..core import audit, uploads
from ..core.models import StoredFile
from ..mail.replies import ReplyRefused, register_handler, reply_address
from ..mail.services import queue as queue_mail
from ..core.sanitize import to_html, to_text
from ..core.text import fold
from ..core.timeutil import utcnow
from ..core.urls import path_for
from ..core.uow import unit_of_work
from ..extensions import db
from ..notifications.services import notify, register_kind
from ..search.models import SearchQueue
from ..spaces.models import Space
from ..spaces.services import record_activity, retract_activity
from . import following, tracking
from .models import (Forum, ForumAttachment, ForumCategory, ForumDraft, ForumLike, ForumPost,
                     ForumPostRevision, ForumReport, ForumTopic,
                     ForumVisit, SubscriptionLevel)

register_kind("forum.reply", "Nouveaux messages dans les sujets et forums que je suis")
register_kind("forum.mention", "Mentions de mon nom dans un forum")
register_kind("forum.report", "Messages signalés ou à valider dans les forums que je modère")

MAX_FILES = 5


class ForumError(ValueError):
    """A refused change, with a French message; nothing was changed."""


def _audit(action: str, space: Space, by: User, target: str, detail: str = "") -> None:
    """A moderator's act, for the journal of the space's organisation (the platform's journal
    for a group without one). ``target`` is the address of what was acted on: never a title or
    a text, which the readers of the journal may not be allowed to read."""
    audit.record(action, actor=by, organisation=space.organisation, target=target,
                 detail=detail)


# --- structure -------------------------------------------------------------------------------------


def _check_name(name: str, what: str = "Le nom") -> str:
    name = (name or "").strip()
    if not name:
        raise ForumError(f"{what} est obligatoire.")
    return name[:200]


@unit_of_work
def create_category(space: Space, name: str, *, by: User, position: int = 0) -> ForumCategory:
    category = ForumCategory(space_id=space.id, name=_check_name(name), position=position or 0)
    db.session.add(category)
    db.session.flush()
    _audit("forum.category_added", space, by, path_for("forums.index", slug=space.slug),
           f"catégorie n° {category.id}")
    return category


def _category_of(space: Space, category_id) -> ForumCategory | None:
    if not category_id:
        return None
    category = db.session.get(ForumCategory, to_int(category_id, 0))
    if category is None or category.space_id != space.id:
        raise ForumError("Cette catégorie n'existe pas dans cet espace.")
    return category


def _forum_url(forum: Forum) -> str:
    return path_for("forums.forum", slug=forum.space.slug, forum_id=forum.id)


def _set_forum(forum: Forum, space: Space, *, name: str, description: str, category_id,
               open_to_network: bool, position: int) -> None:
    forum.name = _check_name(name)
    forum.description = (description or "").strip()
    forum.category = _category_of(space, category_id)
    forum.open_to_network = bool(open_to_network) and space.visibility != Visibility.MEMBERS
    forum.position = position or 0


@unit_of_work
def create_forum(space: Space, *, name: str, by: User, description: str = "",
                 category_id=None, open_to_network: bool = False, position: int = 0) -> Forum:
    if space.archived:
        raise ForumError("Cet espace est archivé : on ne peut plus y ouvrir de forum.")
    forum = Forum(space_id=space.id, space=space)
    _set_forum(forum, space, name=name, description=description, category_id=category_id,
               open_to_network=open_to_network, position=position)
    db.session.add(forum)
    db.session.flush()
    _audit("forum.created", space, by, _forum_url(forum))
    return forum


@unit_of_work
def update_forum(forum: Forum, *, name: str, by: User, description: str = "", category_id=None,
                 open_to_network: bool = False, position: int = 0) -> Forum:
    _set_forum(forum, forum.space, name=name, description=description, category_id=category_id,
               open_to_network=open_to_network, position=position)
    _audit("forum.updated", forum.space, by, _forum_url(forum))
    return forum


@unit_of_work
def mark_all_read(user) -> None:
    """Everything published until now counts as read for this person."""
    tracking.upsert(ForumVisit, [{"user_id": user.id, "marked_read_at": utcnow()}], ["user_id"],
                    {"marked_read_at": lambda excluded, dialect: excluded.marked_read_at})


# --- writing ---------------------------------------------------------------------------------------


def _check_title(title: str) -> str:
    return _check_name(title, "Le titre du sujet")


def _check_body(body: str, body_format: str) -> tuple[str, str, str]:
    fmt = body_format if body_format in ("html", "text") else "text"
    html = to_html(body or "", fmt)
    if not to_text(html).strip() and "<img" not in html:
        raise ForumError("Le message est vide : écrivez quelque chose avant de l'envoyer.")
    return html, body or "", fmt


def _check_rate(user: User) -> None:
    """At most FORUM_POSTS_PER_MINUTE posts a minute per person, counted in the database
    (so every web process agrees)."""
    limit = current_app.config["FORUM_POSTS_PER_MINUTE"]
    recent = db.session.scalar(select(func.count(ForumPost.id)).where(
        ForumPost.author_id == user.id, ForumPost.created_at >= utcnow() - timedelta(minutes=1)))
    if recent >= limit:
        raise ForumError(f"Vous publiez trop vite : {limit} messages par minute au plus. "
                         "Patientez un instant avant d'envoyer le suivant.")


def _attach(post: ForumPost, files, by: User) -> None:
    """Join ``files`` to ``post``: each a file sent now, ``(data, name)``, or a pending file
    kept from a refused form (``StoredFile``, taken as it is: ``core/pending.py``)."""
    files = [f for f in files or () if isinstance(f, StoredFile) or (f and f[0])]
    if len(files) > MAX_FILES:
        raise ForumError(f"{MAX_FILES} pièces jointes au plus par message.")
    for upload in files:
        try:
            stored = uploads.take(upload, by=by)
        except uploads.UploadError as exc:
            raise ForumError(str(exc)) from exc
        db.session.add(ForumAttachment(post=post, file=stored))


def _next_position(topic: ForumTopic) -> int:
    """The topic's next position, taken atomically (two replies at once get two numbers)."""
    position = db.session.execute(
        update(ForumTopic).where(ForumTopic.id == topic.id)
        .values(last_position=ForumTopic.last_position + 1)
        .returning(ForumTopic.last_position)
        .execution_options(synchronize_session=False)).scalar_one()
    set_committed_value(topic, "last_position", position)
    return position


def _topic_url(topic: ForumTopic) -> str:
    return path_for("forums.topic", slug=topic.space.slug, topic_id=topic.id)


def _post_url(post: ForumPost) -> str:
    return path_for("forums.post", slug=post.topic.space.slug, post_id=post.id)


def _publish(post: ForumPost, by: User) -> None:
    """Give a post its place: position, counters, activity, notifications."""
    topic = post.topic
    forum = topic.forum
    now = utcnow()
    post.held = False
    post.position = _next_position(topic)
    first = post.id == topic.first_post_id
    topic.held = False
    topic.post_count = ForumTopic.post_count + 1
    topic.last_post_at = now
    topic.last_post_id = post.id
    topic.last_post_author_id = post.author_id
    forum.post_count = Forum.post_count + 1
    forum.last_post_at = now
    forum.last_topic_id = topic.id
    if first:
        forum.topic_count = Forum.topic_count + 1
        record_activity(topic.space, "forum.topic", f"Nouveau sujet : {topic.title}",
                        actor=post.author, url=_topic_url(topic))
    _announce(post, first)


def _applied(decision: access.Decision) -> bool:
    """Whether the post is held; a refusal raises its reason."""
    if decision.refused:
        raise ForumError(decision.reason)
    return decision.held


def _post_or_hold(post: ForumPost, held: bool, by: User, subscribe: bool) -> None:
    if subscribe:
        following.subscribe(by, topic_id=post.topic.id)
    if held:
        _announce_held(post)
    else:
        _publish(post, by)


@unit_of_work
def create_topic(forum: Forum, *, title: str, body: str, body_format: str, by: User,
                 files=(), subscribe: bool = True) -> ForumTopic:
    """A new topic and its first post (held for a moderator, or published): as
    ``access.forum_topic_decision`` says."""
    title = _check_title(title)
    html, source, fmt = _check_body(body, body_format)
    held = _applied(access.forum_topic_decision(by, forum))
    _check_rate(by)
    topic = ForumTopic(forum=forum, space_id=forum.space_id, title=title, author_id=by.id,
                       held=held, last_post_at=utcnow(), last_post_author_id=by.id)
    post = ForumPost(topic=topic, author_id=by.id, body_html=html, body_source=source,
                     body_format=fmt, held=held)
    db.session.add_all([topic, post])
    _attach(post, files, by)
    db.session.flush()
    topic.first_post_id = post.id
    _post_or_hold(post, held, by, subscribe)
    _drop_draft(by, forum_id=forum.id)
    return topic


@unit_of_work
def reply(topic: ForumTopic, *, body: str, body_format: str, by: User, files=(),
          subscribe: bool = True) -> ForumPost:
    """A reply; refused (ForumError, in French) as ``access.forum_reply_decision`` says (a
    locked, deleted or held topic, a forum the person may not write in)."""
    held = _applied(access.forum_reply_decision(by, topic))
    html, source, fmt = _check_body(body, body_format)
    _check_rate(by)
    post = ForumPost(topic=topic, author_id=by.id, body_html=html, body_source=source,
                     body_format=fmt, held=held)
    db.session.add(post)
    _attach(post, files, by)
    db.session.flush()
    _post_or_hold(post, held, by, subscribe)
    _drop_draft(by, topic_id=topic.id)
    return post


def quote(post: ForumPost) -> str:
    """The text a reply quoting ``post`` starts with: a quotation (« > ») naming its author,
    which becomes a ``<blockquote>`` with a ``<cite>`` once saved."""
    name = post.author.full_name if post.author else "Un ancien membre"
    source = post.body_source if post.body_format == "text" else to_text(post.body_html)
    lines = "\n".join(f"> {line}" if line.strip() else ">" for line in source.splitlines())
    return f"> <cite>{escape(name)}</cite> a écrit :\n>\n{lines}\n\n"


def _may_change(post: ForumPost, by: User, allowed: bool) -> None:
    """Refuse, with the rule that applies, a change ``access`` does not allow."""
    if allowed:
        return
    if post.deleted_at is not None:
        raise ForumError("Ce message a été supprimé : il ne peut plus être modifié.")
    if post.topic.locked:
        raise ForumError("Ce sujet est verrouillé : ses messages ne peuvent plus être modifiés.")
    raise ForumError("Vous ne pouvez pas modifier ce message.")


@unit_of_work
def edit_post(post: ForumPost, *, body: str, body_format: str, by: User,
              title: str | None = None) -> ForumPost:
    """Change a post's text; the former one is kept (moderators read the history)."""
    topic = post.topic
    _may_change(post, by, access.can_edit_post(by, post))
    html, source, fmt = _check_body(body, body_format)
    new_title = _check_title(title) if post.is_first and title is not None else None
    if html == post.body_html and (new_title is None or new_title == topic.title):
        return post
    before = {u.id for u in mentioned_users(post.body_html, topic.space)}
    db.session.add(ForumPostRevision(
        post_id=post.id, title=topic.title if post.is_first else "", body_html=post.body_html,
        body_source=post.body_source, body_format=post.body_format,
        written_by_id=post.edited_by_id or post.author_id,
        written_at=post.edited_at or post.created_at))
    post.body_html, post.body_source, post.body_format = html, source, fmt
    post.edited_at, post.edited_by_id = utcnow(), by.id
    post.edit_count = (post.edit_count or 0) + 1
    if new_title is not None and new_title != topic.title:
        topic.title = new_title
        _requeue_topic(topic)
    if not post.held and post.position is not None:
        muted = following.muted_user_ids(topic)
        for user in mentioned_users(html, topic.space):
            if user.id not in before and user.id not in muted:
                _notify_mention(user, post)
    if post.author_id != by.id:
        _audit("forum.post_edited", topic.space, by, _post_url(post))
    return post


def _mark_deleted(post: ForumPost, by: User | None) -> None:
    """Delete (``by``) or restore (None) a post: it keeps its place; the counters follow."""
    post.deleted_at, post.deleted_by_id = (utcnow(), by.id) if by is not None else (None, None)
    if post.position is not None:
        _refresh_topic(post.topic)
        _refresh_forum(post.topic.forum)


@unit_of_work
def delete_post(post: ForumPost, *, by: User) -> None:
    """Soft delete: the post keeps its place, shown as « message supprimé »; moderators
    still read it and may restore it."""
    if post.deleted_at is not None:
        return
    _may_change(post, by, access.can_delete_post(by, post))
    if post.is_first:
        raise ForumError("Le premier message porte le sujet : supprimez le sujet entier.")
    _mark_deleted(post, by)
    if post.author_id != by.id:
        _audit("forum.post_deleted", post.topic.space, by, _post_url(post))


@unit_of_work
def restore_post(post: ForumPost, *, by: User) -> None:
    if post.deleted_at is None:
        return
    _mark_deleted(post, None)
    _audit("forum.post_restored", post.topic.space, by, _post_url(post))


def _refresh_topic(topic: ForumTopic) -> None:
    """Recompute a topic's counters from its posts (after a deletion or a restoration)."""
    db.session.flush()
    visible = and_(ForumPost.topic_id == topic.id, ForumPost.position.is_not(None),
                   ForumPost.deleted_at.is_(None))
    topic.post_count = db.session.scalar(select(func.count(ForumPost.id)).where(visible))
    last = db.session.execute(select(ForumPost.id, ForumPost.created_at, ForumPost.author_id)
                              .where(visible).order_by(ForumPost.position.desc()).limit(1)).first()
    if last is not None:
        topic.last_post_id, topic.last_post_at, topic.last_post_author_id = last


def _refresh_forum(forum: Forum) -> None:
    db.session.flush()
    visible = and_(ForumTopic.forum_id == forum.id, ForumTopic.deleted_at.is_(None),
                   ForumTopic.held.is_(False))
    count, posts = db.session.execute(
        select(func.count(ForumTopic.id), func.coalesce(func.sum(ForumTopic.post_count), 0))
        .where(visible)).one()
    last = db.session.execute(select(ForumTopic.id, ForumTopic.last_post_at).where(visible)
                              .order_by(ForumTopic.last_post_at.desc()).limit(1)).first()
    forum.topic_count, forum.post_count = count, posts
    forum.last_topic_id, forum.last_post_at = last if last is not None else (None, None)


def _requeue_topic(topic: ForumTopic) -> None:
    """The search documents of a topic's posts change with it (title, space, deletion)."""
    ids = db.session.scalars(select(ForumPost.id).where(ForumPost.topic_id == topic.id)).all()
    if ids:
        db.session.execute(insert(SearchQueue), [{"key": f"forum_post:{i}"} for i in ids])


# --- topics: moderation ----------------------------------------------------------------------------


@unit_of_work
def set_pinned(topic: ForumTopic, pinned: bool, *, by: User) -> None:
    topic.pinned = pinned
    _audit("forum.topic_pinned" if pinned else "forum.topic_unpinned", topic.space, by,
           _topic_url(topic))


@unit_of_work
def set_locked(topic: ForumTopic, locked: bool, *, by: User) -> None:
    topic.locked = locked
    _audit("forum.topic_locked" if locked else "forum.topic_unlocked", topic.space, by,
           _topic_url(topic))


@unit_of_work
def delete_topic(topic: ForumTopic, *, by: User) -> None:
    """Soft delete (moderators still read it and may restore it); refused unless
    ``access.can_delete_topic``."""
    if not access.can_delete_topic(by, topic):
        raise ForumError("Vous ne pouvez pas supprimer ce sujet.")
    _delete_topic(topic, by)


def _delete_topic(topic: ForumTopic, by: User) -> None:
    if topic.deleted_at is not None:
        return
    topic.deleted_at, topic.deleted_by_id = utcnow(), by.id
    _refresh_forum(topic.forum)
    retract_activity(_topic_url(topic))
    _requeue_topic(topic)
    if topic.author_id != by.id:
        _audit("forum.topic_deleted", topic.space, by, _topic_url(topic))


@unit_of_work
def restore_topic(topic: ForumTopic, *, by: User) -> None:
    if topic.deleted_at is None:
        return
    topic.deleted_at = topic.deleted_by_id = None
    _refresh_forum(topic.forum)
    _requeue_topic(topic)
    _audit("forum.topic_restored", topic.space, by, _topic_url(topic))


@unit_of_work
def move_topic(topic: ForumTopic, target: Forum, *, by: User) -> None:
    """To another forum, of this space or of another one the moderator moderates."""
    if target.id == topic.forum_id:
        raise ForumError("Le sujet est déjà dans ce forum.")
    if not access.can_move_topic_to(by, topic, target):
        raise ForumError("Vous ne pouvez déplacer un sujet que vers un forum que vous modérez.")
    source, source_space = topic.forum, topic.space
    if target.space_id != topic.space_id:
        retract_activity(_topic_url(topic))
    topic.forum, topic.space_id = target, target.space_id
    db.session.flush()
    db.session.expire(topic, ["space"])
    _refresh_forum(source)
    _refresh_forum(target)
    _requeue_topic(topic)
    detail = f"du forum {_forum_url(source)} vers le forum {_forum_url(target)}"
    _audit("forum.topic_moved", source_space, by, _topic_url(topic), detail)
    if target.space.organisation_id not in (None, source_space.organisation_id):
        _audit("forum.topic_moved", target.space, by, _topic_url(topic), detail)


# --- reports and held posts ------------------------------------------------------------------------


@unit_of_work
def report_post(post: ForumPost, reason: str, *, by: User) -> ForumReport:
    reason = (reason or "").strip()
    if not reason:
        raise ForumError("Expliquez en quelques mots ce qui pose problème.")
    if post.deleted_at is not None:
        raise ForumError("Ce message a déjà été supprimé.")
    if not access.can_report_post(by, post):
        raise ForumError("Vous ne pouvez pas signaler ce message.")
    already = db.session.scalar(select(ForumReport.id).where(
        ForumReport.post_id == post.id, ForumReport.reporter_id == by.id,
        ForumReport.resolved_at.is_(None)))
    if already is not None:
        raise ForumError("Vous avez déjà signalé ce message : les modérateurs vont l'examiner.")
    report = ForumReport(post_id=post.id, reporter_id=by.id, reason=reason[:2000])
    db.session.add(report)
    space = post.topic.space
    notify(access.moderators_to_notify(space), "forum.report",
           f"Message signalé dans « {post.topic.title} »",
           url=path_for("forums.moderation", slug=space.slug), body=reason[:2000], actor=by)
    return report


@unit_of_work
def resolve_report(report: ForumReport, *, by: User, delete: bool) -> None:
    """Close a report (and the other open reports of the same post): the post is deleted,
    or the report dismissed."""
    post = report.post
    if delete and post.deleted_at is None:
        if post.is_first:
            _delete_topic(post.topic, by)
        else:
            _mark_deleted(post, by)
    now = utcnow()
    closed = 0
    for open_report in db.session.scalars(select(ForumReport).where(
            ForumReport.post_id == post.id, ForumReport.resolved_at.is_(None))):
        open_report.resolved_at, open_report.resolved_by_id = now, by.id
        open_report.outcome = "deleted" if delete else "dismissed"
        closed += 1
    _audit("forum.report_upheld" if delete else "forum.report_dismissed", post.topic.space, by,
           _post_url(post), f"signalement n° {report.id} ({closed} clos)")


def _announce_held(post: ForumPost) -> None:
    space = post.topic.space
    notify(access.moderators_to_notify(space), "forum.report",
           f"Message à valider dans « {post.topic.title} »",
           url=path_for("forums.moderation", slug=space.slug),
           body=to_text(post.body_html)[:1500], actor=post.author)


def _waiting(post: ForumPost) -> None:
    if not post.held or post.deleted_at is not None:
        raise ForumError("Ce message n'attend pas de validation.")


@unit_of_work
def approve_post(post: ForumPost, *, by: User) -> None:
    _waiting(post)
    _publish(post, by)
    _audit("forum.post_approved", post.topic.space, by, _post_url(post))


@unit_of_work
def reject_post(post: ForumPost, *, by: User) -> None:
    _waiting(post)
    post.deleted_at, post.deleted_by_id = utcnow(), by.id
    if post.is_first:
        post.topic.deleted_at, post.topic.deleted_by_id = post.deleted_at, by.id
    _audit("forum.post_rejected", post.topic.space, by, _post_url(post))


# --- notifications (who follows what: following.py) ---------------------------------------------------------------


MENTION = re.compile(r"(?<![\w@.])@(\w[\w.\-]*\w|\w)")
_QUOTE = re.compile(r"<blockquote\b(?:(?!<blockquote\b).)*?</blockquote>", re.S | re.I)


def _handle(value: str) -> str:
    return re.sub(r"[\s_]+", "-", fold(value).strip())


def _like_name(part: str) -> str:
    """A LIKE pattern for a name typed without its accents (« lefevre » → « l_f_vr_ »)."""
    return "".join("_" if (not c.isascii() or c in "aeiouyc-_%\\") else c for c in part)


def mentioned_users(html: str, space: Space) -> list[User]:
    """People named « @prénom.nom » or « @identifiant » (their email's local part) outside
    quotations, among those who can see the space."""
    text = html or ""
    while True:
        stripped = _QUOTE.sub("", text)
        if stripped == text:
            break
        text = stripped
    handles = {_handle(h) for h in MENTION.findall(to_text(text))}
    handles = set(sorted(handles)[:20])
    if not handles:
        return []
    conditions = []
    for handle in handles:
        conditions.append(func.lower(User.email).like(_like_name(handle) + "@%"))
        if "." in handle:
            first, last = handle.split(".", 1)
            conditions.append(and_(func.length(User.first_name) == len(first),
                                   func.length(User.last_name) == len(last),
                                   func.lower(User.last_name).like(_like_name(last))))
    candidates = db.session.scalars(select(User).where(User.active.is_(True), or_(*conditions))
                                    .options(selectinload(User.memberships))).all()
    found = [u for u in candidates
             if _handle(u.email.split("@", 1)[0]) in handles
             or _handle(f"{u.first_name}.{u.last_name}") in handles]
    return [u for u in found if access.can_view(u, space)]


def _notify_mention(user: User, post: ForumPost) -> None:
    topic, author = post.topic, post.author
    name = author.full_name if author else "Quelqu'un"
    notify([user], "forum.mention", f"{name} vous a mentionné dans « {topic.title} »",
           url=_post_url(post), body=to_text(post.body_html)[:1500], actor=author,
           reply_to=reply_address(user, "forum_topic", topic.id))


def _announce(post: ForumPost, first: bool) -> None:
    """Mentioned people, then the topic's and the forum's followers, each once; nobody who
    muted the topic (or its forum), not even for a mention."""
    topic, forum = post.topic, post.topic.forum
    space = topic.space
    on_topic, on_forum = following.levels(topic)
    done = {post.author_id}
    for user in mentioned_users(post.body_html, space):
        level = following.effective(user.id, on_topic, on_forum, first)
        if user.id not in done and level != SubscriptionLevel.MUTED:
            _notify_mention(user, post)
            done.add(user.id)
    ids = [uid for uid in {*on_topic, *on_forum}
           if uid not in done and following.effective(uid, on_topic, on_forum, first)
           == SubscriptionLevel.ALL]
    if not ids:
        return
    followers = db.session.scalars(
        select(User).where(User.active.is_(True), User.id.in_(ids))
        .options(selectinload(User.memberships)).order_by(User.id)).all()
    author = post.author
    name = author.full_name if author else "Quelqu'un"
    title = (f"Nouveau sujet dans « {forum.name} » : {topic.title}" if first
             else f"{name} a répondu à « {topic.title} »")
    body = to_text(post.body_html)[:1500]
    for user in followers:
        if not access.can_view_post(user, post):
            continue
        notify([user], "forum.reply", title, url=_post_url(post), body=body, actor=author,
               reply_to=reply_address(user, "forum_topic", topic.id))


def mail_files(message) -> list[tuple[bytes, str]]:
    """The attachments of a received mail that a post may carry (documents and images), as
    ``(data, name)`` for ``uploads.take``; at most ``MAX_FILES``."""
    files = []
    if message is not None and hasattr(message, "iter_attachments"):
        for part in message.iter_attachments():
            name = part.get_filename() or ""
            if name.rsplit(".", 1)[-1].lower() in uploads.DOCUMENTS:
                files.append((part.get_payload(decode=True) or b"", name))
    return files[:MAX_FILES]


def _reply_by_mail(user: User, topic_id: int, text: str, message) -> None:
    """A reply to a forum notification, received by email, becomes a post by that person."""
    access.forget_roles()   # decided now, not from what a long-running worker remembers
    topic = db.session.get(ForumTopic, topic_id)
    if topic is None or topic.deleted_at is not None or not access.can_view_topic(user, topic):
        raise ReplyRefused("ce sujet n'existe plus")
    if not access.can_post_in_forum(user, topic.forum):
        raise ReplyRefused("vous ne pouvez plus écrire dans ce forum")
    try:
        reply(topic, body=text, body_format="text", by=user, subscribe=False,
              files=mail_files(message))
    except ForumError as exc:   # reply() rolled its unit of work back
        raise ReplyRefused(str(exc)) from exc


register_handler("forum_topic", _reply_by_mail)


# --- drafts ----------------------------------------------------------------------------------------


def _draft_row(user: User, *, topic_id: int | None = None,
               forum_id: int | None = None) -> ForumDraft | None:
    return db.session.scalar(select(ForumDraft).where(
        ForumDraft.user_id == user.id,
        ForumDraft.topic_id == topic_id if topic_id else ForumDraft.forum_id == forum_id))


def _drop_draft(user: User, *, topic_id: int | None = None, forum_id: int | None = None) -> None:
    draft = _draft_row(user, topic_id=topic_id, forum_id=forum_id)
    if draft is not None:
        db.session.delete(draft)


@unit_of_work
def save_draft(user: User, *, body: str, body_format: str = "text", title: str = "",
               topic: ForumTopic | None = None, forum: Forum | None = None) -> ForumDraft | None:
    """Keep what ``user`` is writing: a reply to ``topic``, or a new topic in ``forum`` (with
    its ``title``). Only where they may write; an empty text and title remove the draft
    (returns None)."""
    allowed = (access.can_reply(user, topic) if topic is not None
               else access.can_post_in_forum(user, forum))
    if not allowed:
        raise ForumError("Vous ne pouvez pas écrire ici : le brouillon n'est pas enregistré.")
    where = {"topic_id": topic.id} if topic is not None else {"forum_id": forum.id}
    draft = _draft_row(user, **where)
    body, title = (body or "")[:100_000], (title or "").strip()[:200]
    if not body.strip() and not title:
        if draft is not None:
            db.session.delete(draft)
        return None
    if draft is None:
        draft = ForumDraft(user_id=user.id, **where)
        db.session.add(draft)
    draft.body, draft.title, draft.saved_at = body, title, utcnow()
    draft.body_format = body_format if body_format in ("html", "text") else "text"
    return draft


# --- likes -----------------------------------------------------------------------------------------


@unit_of_work
def toggle_like(post: ForumPost, *, by: User) -> bool:
    """Like a post, or take the like back. Returns whether it is now liked by ``by``."""
    if not access.can_like_post(by, post):
        raise ForumError("Vous ne pouvez pas aimer ce message.")
    existing = db.session.get(ForumLike, (post.id, by.id))
    if existing is not None:
        db.session.delete(existing)
        return False
    db.session.add(ForumLike(post_id=post.id, user_id=by.id))
    return True


# --- new topics by mail ----------------------------------------------------------------------------


@unit_of_work
def create_topic_by_mail(forum: Forum, address: str, *, by: User, subject: str, body: str,
                         files=()) -> ForumTopic:
    """A mail received at the forum's ``address`` becomes a topic by ``by`` (the subject its
    title, the text its first post, documents and images attached), as on the web; the sender
    is told by mail (through the outbox) where it was published — a person whose address was
    borrowed learns of it."""
    title = " ".join((subject or "").split())[:200] or "Sujet sans titre"
    topic = create_topic(forum, title=title, body=body, body_format="text", by=by, files=files)
    queue_mail(by.email, f"Votre sujet « {title} » est enregistré", "forum_mail_topic",
               topic=topic, address=address, held=topic.held,
               url=current_app.config["PUBLIC_BASE_URL"].rstrip("/") + _topic_url(topic))
    return topic


@unit_of_work
def refuse_mail_topic(user: User, address: str, subject: str, reason: str) -> None:
    """Tell a known person, by mail through the outbox, why their mail to a forum's address
    did not become a topic (unknown senders are refused during the SMTP dialogue instead)."""
    subject = " ".join((subject or "").split())[:200] or "(sans objet)"
    queue_mail(user.email, f"Votre message à {address} n'a pas été publié", "forum_mail_refused",
               mail_subject=subject, address=address, reason=reason)
