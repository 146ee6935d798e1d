"""Forums of a space (URLs under /espaces/<slug>/forums/) and « nouveautés » across all my
spaces (/forums/nouveautes). Reading pages never write: see ``tracking``. Every decision is
``access``'s: a topic page asks ``access.topic_rights`` once and its template asks the same
object about each post."""
from functools import partial

import re

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from ..core.inputs import int_arg
from .. import access
from ..core import pending, uploads
from ..core.csrf import read_only
from ..core.sanitize import to_html
from ..core.timeutil import to_paris, utcnow
from ..extensions import db
from ..spaces.models import Space
from ..core.types import Visibility
from . import following, reading, reorganise, services
from . import mailin
from .forms import (FORUM_LEVELS, TOPIC_LEVELS, CategoryForm, EditPostForm, ForumForm,
                    LevelForm, MergeForm, MoveForm, PostForm, ReportForm, SplitForm, TopicForm)
from .models import Forum, ForumAttachment, ForumPost, ForumTopic, SubscriptionLevel
from ..core.feedback import attempt

bp = Blueprint("forums", __name__)


# --- loading and authorising -------------------------------------------------------------------


def _me():
    """The person behind ``current_user`` (decisions on the proxy resolve it at each use)."""
    return current_user._get_current_object()


def _space(slug: str, need: str = "view") -> Space:
    return access.authorize(reading.load_space(slug), need, user=_me())


def _moderator(space: Space) -> bool:
    return access.can_moderate(_me(), space)


def _forum(space: Space, forum_id: int) -> Forum:
    return access.part_or_404(Forum, forum_id, space_id=space.id)


def _topic(space: Space, topic_id: int) -> ForumTopic:
    topic = reading.load_topic(space, topic_id)
    if topic is None or not access.can_view_topic(_me(), topic):
        abort(404)
    return topic


def _post(space: Space, post_id: int) -> ForumPost:
    post = reading.load_post(space, post_id)
    if post is None or not access.can_view_post(_me(), post):
        abort(404)
    return post


def _files(form) -> pending.Submission:
    """The files of this post: the pending ones the form carries (kept from a refused
    submission, ``core/pending.py``), then those sent now."""
    return pending.Submission(form, {"files": uploads.DOCUMENTS})


def _topic_url(topic: ForumTopic, position: int | None = None, **values) -> str:
    if position is not None:
        page = reading.page_of(position, topic)
        return url_for(".topic", slug=topic.space.slug, topic_id=topic.id,
                       page=page if page > 1 else None, **values) + f"#message-{position}"
    return url_for(".topic", slug=topic.space.slug, topic_id=topic.id, **values)


def _written(held: bool, saved: str, published: str, target: str, held_target: str):
    """After a topic or a reply: where it went, and whether it waits for a moderator."""
    if held:
        flash(f"{saved} ; il sera visible de tous dès qu'un modérateur l'aura validé (premier "
              "message d'un nouveau compte).", "success")
        return redirect(held_target)
    flash(published, "success")
    return redirect(target)


def _act(action, target: str, done: str):
    """Run a service ``action`` as the current person, flash ``done`` (or the refusal) and go
    to ``target``."""
    attempt(lambda: action(by=current_user),
            done, services.ForumError)
    return redirect(target)


# --- forums of a space -----------------------------------------------------------------------------


@bp.get("/espaces/<slug>/forums")
def index(slug):
    space = _space(slug)
    moderator = _moderator(space)
    reading.record_visit(current_user)
    return render_template("forums/index.html", space=space, groups=reading.forum_index(space),
                           moderator=moderator,
                           category_form=CategoryForm() if moderator else None,
                           queue=reading.queue_size(space) if moderator else 0)


def _forum_form(space: Space, forum: Forum | None) -> ForumForm:
    form = ForumForm(obj=forum) if forum else ForumForm()
    form.category.choices = {"": "Sans catégorie",
                             **{str(c.id): c.name for c in reading.categories(space)}}
    if request.method == "GET" and forum is not None:
        form.category.data = str(forum.category_id or "")
    if space.visibility == Visibility.MEMBERS:
        del form.open_to_network
    return form


def _forum_settings(form: ForumForm) -> dict:
    return {"name": form.name.data, "description": form.description.data,
            "category_id": form.category.data or None, "position": form.position.data or 0,
            "open_to_network": bool(getattr(form, "open_to_network", None)
                                    and form.open_to_network.data)}


@bp.route("/espaces/<slug>/forums/nouveau", methods=["GET", "POST"])
@login_required
def new_forum(slug):
    space = _space(slug, need="moderate")
    form = _forum_form(space, None)
    if form.validate_on_submit():
        try:
            forum = services.create_forum(space, by=current_user, **_forum_settings(form))
        except services.ForumError as exc:
            form.name.errors.append(str(exc))
        else:
            flash(f"Forum « {forum.name} » créé.", "success")
            return redirect(url_for(".forum", slug=slug, forum_id=forum.id))
    return render_template("forums/forum_form.html", space=space, form=form, forum=None)


@bp.route("/espaces/<slug>/forums/<int:forum_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_forum(slug, forum_id):
    space = _space(slug, need="moderate")
    forum = _forum(space, forum_id)
    form = _forum_form(space, forum)
    if form.validate_on_submit():
        try:
            services.update_forum(forum, by=current_user, **_forum_settings(form))
        except services.ForumError as exc:
            form.name.errors.append(str(exc))
        else:
            flash("Forum enregistré.", "success")
            return redirect(url_for(".forum", slug=slug, forum_id=forum.id))
    return render_template("forums/forum_form.html", space=space, form=form, forum=forum)


@bp.post("/espaces/<slug>/forums/categories")
@login_required
def add_category(slug):
    space = _space(slug, need="moderate")
    form = CategoryForm()
    try:
        if not form.validate_on_submit():
            raise services.ForumError("Indiquez le nom de la catégorie.")
        services.create_category(space, form.name.data, by=current_user)
    except services.ForumError as exc:
        flash(str(exc), "error")
    else:
        flash("Catégorie ajoutée.", "success")
    return redirect(url_for(".index", slug=slug))


@bp.get("/espaces/<slug>/forums/<int:forum_id>")
def forum(slug, forum_id):
    space = _space(slug)
    reader = reading.load_forum_reader(_me(), space, forum_id)
    if reader is None:
        abort(404)
    forum, level = reader.forum, reader.level
    moderator = _moderator(space)
    listing = reading.forum_topics(_me(), forum, request.args.get("page", 1),
                                   reader.marked_read_at)
    reading.record_visit(current_user)
    level_form = LevelForm(formdata=None, data={"level": level})
    level_form.level.choices = FORUM_LEVELS
    return render_template("forums/forum.html", space=space, forum=forum, listing=listing,
                           moderator=moderator, following=level == SubscriptionLevel.ALL,
                           level=level, level_form=level_form,
                           address=(mailin.forum_address(forum)
                                    if access.sees_forum_address(_me(), forum) else None),
                           can_post=access.can_post_in_forum(current_user, forum))


def _follow(target: str, followed: str, left: str, **what):
    """Follow ``what`` (a topic or a forum), or stop following it."""
    now = following.toggle_subscription(current_user, **what)
    flash(followed if now else left, "success")
    return redirect(target)


@bp.post("/espaces/<slug>/forums/<int:forum_id>/suivre")
@login_required
def follow_forum(slug, forum_id):
    forum = _forum(_space(slug), forum_id)
    return _follow(url_for(".forum", slug=slug, forum_id=forum.id),
                   "Vous suivez ce forum : chaque nouveau message vous sera notifié.",
                   "Vous ne suivez plus ce forum.", forum=forum)


# A form for writing a post has three buttons: publish, « Prévisualiser » (named PREVIEW) and
# « Enregistrer le brouillon » (named SAVE_DRAFT): without JavaScript, the button pressed says
# what to do; the form always comes back filled.
PREVIEW, SAVE_DRAFT = "previsualiser", "enregistrer-brouillon"


def _preview(form) -> str | None:
    """The sanitised HTML of the text being written, when « Prévisualiser » was pressed
    (nothing is saved)."""
    if PREVIEW not in request.form or not form.body.data:
        return None
    return to_html(form.body.data, form.body_format.data or "text")


def _restore(form, saved) -> None:
    """Fill an empty form with the person's draft, on their return."""
    if request.method == "GET" and saved is not None and not form.body.data:
        form.body.data, form.body_format.data = saved.body, saved.body_format
        if hasattr(form, "title"):
            form.title.data = saved.title


def _draft_asked(form) -> bool:
    """« Enregistrer le brouillon » pressed (and the form's token valid: CSRFProtect let it
    through and the request is not re-run read-only)."""
    return form.is_submitted() and SAVE_DRAFT in request.form and not read_only()


def _save_draft(form, **where) -> tuple[bool, str]:
    """Keep the form's text as the person's draft: (saved, a French line saying so)."""
    title = form.title.data if hasattr(form, "title") else ""
    try:
        services.save_draft(current_user, body=form.body.data or "", title=title or "",
                            body_format=form.body_format.data or "text", **where)
    except services.ForumError as exc:
        return False, str(exc)
    return True, "Brouillon enregistré : vous le retrouverez en revenant sur cette page."


def _keep_draft(form, **where) -> str:
    """« Enregistrer le brouillon » pressed: the line the form shows again."""
    return _save_draft(form, **where)[1]


@bp.route("/espaces/<slug>/forums/<int:forum_id>/nouveau-sujet", methods=["GET", "POST"])
@login_required
def new_topic(slug, forum_id):
    space = _space(slug)
    forum = _forum(space, forum_id)
    access.require(access.can_post_in_forum(current_user, forum))
    form = TopicForm()
    files = _files(form)
    _restore(form, reading.draft(_me(), forum=forum))
    error = preview = note = None
    if _draft_asked(form):
        note = _keep_draft(form, forum=forum)
    elif form.validate_on_submit() and (preview := _preview(form)) is None:
        try:
            topic = services.create_topic(forum, title=form.title.data, body=form.body.data,
                                          body_format=form.body_format.data, by=current_user,
                                          files=files.files("files"),
                                          subscribe=form.subscribe.data)
        except services.ForumError as exc:
            error = str(exc)
        else:
            return _written(topic.held, "Votre sujet est enregistré", "Sujet publié.",
                            _topic_url(topic), _topic_url(topic))
    return render_template("forums/topic_form.html", space=space, forum=forum, form=form,
                           error=error, preview=preview, note=note,
                           pending_files=files.kept(),
                           draft_url=url_for(".forum_draft", slug=slug, forum_id=forum.id))


# --- a topic ---------------------------------------------------------------------------------------


@bp.get("/espaces/<slug>/forums/sujets/<int:topic_id>")
def topic(slug, topic_id):
    me = _me()
    head = reading.topic_head(slug, topic_id, me)
    if head is None:
        abort(404)
    space, topic, state, saved = head
    access.authorize(space, user=me)
    if topic.merged_into_id is not None:
        return _merged(topic)
    rights = access.topic_rights(me, topic)
    if not rights.view_topic():
        abort(404)
    shown = reading.topic_page(me, topic, request.args.get("page", 1), rights=rights,
                                state=state)
    reading.record_view(me, topic, shown.shown_up_to)
    may_reply = rights.reply()
    reply_form = PostForm(formdata=None, meta={"csrf": False})
    if may_reply:
        _restore(reply_form, saved)
    level_form = LevelForm(formdata=None, data={"level": state.topic_level})
    level_form.level.choices = TOPIC_LEVELS
    return render_template("forums/topic.html", space=space, topic=topic, forum=topic.forum,
                           shown=shown, rights=rights, moderator=rights.moderator,
                           can_post=rights.writer, may_reply=may_reply,
                           likes=reading.likes(me, [p.id for p in shown.posts]),
                           level_form=level_form, reply_form=reply_form,
                           # built once (a URL is already safe HTML): the page repeats them
                           topic_base=Markup(url_for(".topic", slug=slug, topic_id=topic.id)),
                           message_base=Markup(url_for(".post", slug=slug, post_id=0)[:-1]))


def _merged(topic: ForumTopic):
    """A merged topic's address leads to the topic that took its posts, for those who see
    it (others get the 404 of a topic that is not there)."""
    target = db.session.get(ForumTopic, topic.merged_into_id)
    if target is None or not access.can_view_topic(_me(), target):
        abort(404)
    return redirect(_topic_url(target), 301)


@bp.get("/espaces/<slug>/forums/sujets/<int:topic_id>/premier-non-lu")
def first_unread(slug, topic_id):
    space = _space(slug)
    topic = _topic(space, topic_id)
    state = reading.reading_state(current_user, topic)
    position = state.first_unread(topic) or topic.last_position or None
    return redirect(_topic_url(topic, position))


@bp.route("/espaces/<slug>/forums/sujets/<int:topic_id>/repondre", methods=["GET", "POST"])
@login_required
def reply(slug, topic_id):
    space = _space(slug)
    topic = _topic(space, topic_id)
    rights = access.topic_rights(_me(), topic)
    access.require(rights.writer)
    form = PostForm()
    files = _files(form)
    error = quoted = preview = note = None
    if request.method == "GET" and int_arg("citer"):
        quoted = _post(space, int_arg("citer"))
        if quoted.topic_id != topic.id or not rights.quote(quoted):
            abort(404)
        form.body.data = services.quote(quoted)
    _restore(form, reading.draft(_me(), topic=topic))
    if _draft_asked(form):
        note = _keep_draft(form, topic=topic)
    elif form.validate_on_submit() and (preview := _preview(form)) is None:
        try:
            post = services.reply(topic, body=form.body.data, body_format=form.body_format.data,
                                  by=current_user, files=files.files("files"),
                                  subscribe=form.subscribe.data)
        except services.ForumError as exc:
            error = str(exc)
        else:
            return _written(post.held, "Votre message est enregistré", "Réponse publiée.",
                            _topic_url(topic, post.position),
                            _topic_url(topic, None, page=reading.page_count(topic))
                            + "#en-attente")
    return render_template("forums/reply.html", space=space, topic=topic, form=form,
                           error=error, quoted=quoted, preview=preview, note=note,
                           pending_files=files.kept(),
                           draft_url=url_for(".topic_draft", slug=slug, topic_id=topic.id))


def _autosave(form, **where):
    """The editor's script saves the text every few seconds (its token in the form data):
    a JSON answer for the script, a flash and the way back without it."""
    saved, note = _save_draft(form, **where)
    if request.headers.get("X-Requested-With") == "fetch":
        return jsonify({"saved": saved, "message": note,
                        "at": to_paris(utcnow()).strftime("%H:%M")}), 200 if saved else 403
    flash(note, "success" if saved else "error")
    return None


@bp.post("/espaces/<slug>/forums/sujets/<int:topic_id>/brouillon")
@login_required
def topic_draft(slug, topic_id):
    topic = _topic(_space(slug), topic_id)
    access.require(access.can_reply(_me(), topic))
    form = PostForm()
    return (_autosave(form, topic=topic)
            or redirect(url_for(".reply", slug=slug, topic_id=topic.id)))


@bp.post("/espaces/<slug>/forums/<int:forum_id>/brouillon")
@login_required
def forum_draft(slug, forum_id):
    forum = _forum(_space(slug), forum_id)
    access.require(access.can_post_in_forum(_me(), forum))
    form = TopicForm()
    return (_autosave(form, forum=forum)
            or redirect(url_for(".new_topic", slug=slug, forum_id=forum.id)))


def _set_level(target: str, levels: dict, **what):
    """Set how the person follows ``what`` (a topic or a forum), from the form's ``level``."""
    form = LevelForm()
    level = form.level.data if form.validate_on_submit() else ""
    try:
        following.set_level(current_user, level or "", **what)
    except services.ForumError as exc:
        flash(str(exc), "error")
    else:
        flash(f"C'est noté : {levels[level][0].lower()}{levels[level][1:]}.", "success")
    return redirect(target)


@bp.post("/espaces/<slug>/forums/<int:forum_id>/niveau")
@login_required
def forum_level(slug, forum_id):
    forum = _forum(_space(slug), forum_id)
    return _set_level(url_for(".forum", slug=slug, forum_id=forum.id), FORUM_LEVELS, forum=forum)


@bp.post("/espaces/<slug>/forums/sujets/<int:topic_id>/niveau")
@login_required
def topic_level(slug, topic_id):
    topic = _topic(_space(slug), topic_id)
    return _set_level(_topic_url(topic), TOPIC_LEVELS, topic=topic)


@bp.post("/espaces/<slug>/forums/sujets/<int:topic_id>/suivre")
@login_required
def follow_topic(slug, topic_id):
    topic = _topic(_space(slug), topic_id)
    return _follow(_topic_url(topic), "Vous suivez ce sujet : chaque réponse vous sera notifiée.",
                   "Vous ne suivez plus ce sujet.", topic=topic)


def _moderated_topic(slug: str, topic_id: int) -> ForumTopic:
    space = _space(slug, need="moderate")
    return _topic(space, topic_id)


def _toggle(slug: str, topic_id: int, flag: str, service, done_on: str, done_off: str):
    """Pin or lock a topic (``flag``), or undo it."""
    topic = _moderated_topic(slug, topic_id)
    value = not getattr(topic, flag)
    return _act(partial(service, topic, value), _topic_url(topic), done_on if value else done_off)


@bp.post("/espaces/<slug>/forums/sujets/<int:topic_id>/epingler")
@login_required
def pin(slug, topic_id):
    return _toggle(slug, topic_id, "pinned", services.set_pinned,
                   "Sujet épinglé en tête du forum.", "Sujet désépinglé.")


@bp.post("/espaces/<slug>/forums/sujets/<int:topic_id>/verrouiller")
@login_required
def lock(slug, topic_id):
    return _toggle(slug, topic_id, "locked", services.set_locked,
                   "Sujet verrouillé : il n'accepte plus de réponses.", "Sujet rouvert aux réponses.")


@bp.post("/espaces/<slug>/forums/sujets/<int:topic_id>/supprimer")
@login_required
def delete_topic(slug, topic_id):
    space = _space(slug)
    topic = _topic(space, topic_id)
    access.require(access.can_delete_topic(_me(), topic))
    forum_id = topic.forum_id
    return _act(partial(services.delete_topic, topic),
                url_for(".forum", slug=slug, forum_id=forum_id), "Sujet supprimé.")


@bp.post("/espaces/<slug>/forums/sujets/<int:topic_id>/restaurer")
@login_required
def restore_topic(slug, topic_id):
    topic = _moderated_topic(slug, topic_id)
    return _act(partial(services.restore_topic, topic), _topic_url(topic), "Sujet restauré.")


@bp.route("/espaces/<slug>/forums/sujets/<int:topic_id>/deplacer", methods=["GET", "POST"])
@login_required
def move(slug, topic_id):
    topic = _moderated_topic(slug, topic_id)
    space = topic.space
    targets = reading.forums_moderated_by(current_user, exclude=topic.forum)
    form = MoveForm()
    form.target.choices = {str(f.id): f"{f.space.name} › {f.name}" for f in targets}
    if form.validate_on_submit():
        target = next((f for f in targets if str(f.id) == form.target.data), None)
        try:
            if target is None:
                raise services.ForumError("Choisissez un forum que vous modérez.")
            services.move_topic(topic, target, by=current_user)
        except services.ForumError as exc:
            form.target.errors.append(str(exc))
        else:
            flash(f"Sujet déplacé dans « {target.name} ».", "success")
            return redirect(url_for(".topic", slug=target.space.slug, topic_id=topic.id))
    return render_template("forums/move.html", space=space, topic=topic, form=form,
                           targets=targets)


@bp.route("/espaces/<slug>/forums/sujets/<int:topic_id>/scinder", methods=["GET", "POST"])
@login_required
def split(slug, topic_id):
    topic = _moderated_topic(slug, topic_id)
    access.require(access.can_split_topic(_me(), topic))
    space = topic.space
    forums = reading.forums_of(space)
    form = SplitForm()
    form.target.choices = {str(f.id): f.name for f in forums}
    if request.method == "GET":
        form.target.data = str(topic.forum_id)
    chosen = {str(i) for i in request.form.getlist("messages")} if form.is_submitted() else set()
    if form.validate_on_submit():
        target = next((f for f in forums if str(f.id) == form.target.data), None)
        try:
            if target is None:
                raise services.ForumError("Choisissez un forum de cet espace.")
            new = reorganise.split_topic(topic, request.form.getlist("messages"),
                                       title=form.title.data, forum=target, by=current_user)
        except services.ForumError as exc:
            form.title.errors.append(str(exc))
        else:
            flash("Sujet scindé : les messages choisis forment le nouveau sujet.", "success")
            return redirect(url_for(".topic", slug=slug, topic_id=new.id))
    return render_template("forums/split.html", space=space, topic=topic, form=form,
                           posts=reading.splittable_posts(topic), chosen=chosen)


_TOPIC_ADDRESS = re.compile(r"(?:/sujets/)?(?<!\d)(\d{1,9})/?(?:[?#].*)?$")


@bp.route("/espaces/<slug>/forums/sujets/<int:topic_id>/fusionner", methods=["GET", "POST"])
@login_required
def merge(slug, topic_id):
    topic = _moderated_topic(slug, topic_id)
    access.require(access.can_split_topic(_me(), topic))
    space = topic.space
    form = MergeForm()
    if form.validate_on_submit():
        found = _TOPIC_ADDRESS.search(form.target.data.strip())
        target = reading.load_topic(space, int(found.group(1))) if found else None
        try:
            if target is None or not access.can_view_topic(_me(), target):
                raise services.ForumError("Aucun sujet de cet espace à cette adresse ou ce "
                                          "numéro.")
            reorganise.merge_topics(topic, target, by=current_user)
        except services.ForumError as exc:
            form.target.errors.append(str(exc))
        else:
            flash(f"Sujets fusionnés : les messages sont maintenant dans « {target.title} ».",
                  "success")
            return redirect(url_for(".topic", slug=slug, topic_id=target.id))
    return render_template("forums/merge.html", space=space, topic=topic, form=form,
                           recent=reading.merge_candidates(topic))


# --- a post ----------------------------------------------------------------------------------------


@bp.get("/espaces/<slug>/forums/messages/<int:post_id>")
def post(slug, post_id):
    space = _space(slug)
    post = _post(space, post_id)
    if post.position is None:
        return redirect(_topic_url(post.topic, None, page=reading.page_count(post.topic))
                        + "#en-attente")
    return redirect(_topic_url(post.topic, post.position))


def _changed_post(slug: str, post_id: int, decision) -> ForumPost:
    """The post, if the person may see it (else 404) and ``decision`` allows the change (else
    403)."""
    post = _post(_space(slug), post_id)
    access.require(decision(_me(), post))
    return post


@bp.route("/espaces/<slug>/forums/messages/<int:post_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_post(slug, post_id):
    post = _changed_post(slug, post_id, access.can_edit_post)
    topic = post.topic
    form = EditPostForm(data={"title": topic.title, "body": post.body_source,
                              "body_format": post.body_format})
    if not post.is_first:
        del form.title
    error = preview = None
    if form.validate_on_submit() and (preview := _preview(form)) is None:
        try:
            services.edit_post(post, body=form.body.data, body_format=form.body_format.data,
                               by=current_user,
                               title=form.title.data if post.is_first else None)
        except services.ForumError as exc:
            error = str(exc)
        else:
            flash("Message modifié.", "success")
            return redirect(url_for(".post", slug=slug, post_id=post.id))
    return render_template("forums/edit_post.html", space=topic.space, topic=topic, post=post,
                           form=form, error=error, preview=preview)


@bp.post("/espaces/<slug>/forums/messages/<int:post_id>/aimer")
@login_required
def like(slug, post_id):
    post = _changed_post(slug, post_id, access.can_like_post)
    try:
        liked = services.toggle_like(post, by=current_user)
    except services.ForumError as exc:
        flash(str(exc), "error")
    else:
        flash("Vous aimez ce message." if liked else "Vous n'aimez plus ce message.", "success")
    return redirect(url_for(".post", slug=slug, post_id=post.id))


@bp.get("/espaces/<slug>/forums/messages/<int:post_id>/historique")
@login_required
def history(slug, post_id):
    space = _space(slug, need="moderate")
    post = _post(space, post_id)
    return render_template("forums/history.html", space=space, topic=post.topic, post=post,
                           revisions=reading.revisions(post))


@bp.post("/espaces/<slug>/forums/messages/<int:post_id>/supprimer")
@login_required
def delete_post(slug, post_id):
    post = _changed_post(slug, post_id, access.can_delete_post)
    return _act(partial(services.delete_post, post),
                url_for(".post", slug=slug, post_id=post.id), "Message supprimé.")


def _moderate_post(slug: str, post_id: int, action, done: str, target: str | None = None):
    """A moderator's act on a post (``action``, a service), back to ``target`` (the moderation
    queue by default)."""
    post = _post(_space(slug, need="moderate"), post_id)
    return _act(partial(action, post), target or url_for(".moderation", slug=slug), done)


@bp.post("/espaces/<slug>/forums/messages/<int:post_id>/restaurer")
@login_required
def restore_post(slug, post_id):
    return _moderate_post(slug, post_id, services.restore_post, "Message restauré.",
                          url_for(".post", slug=slug, post_id=post_id))


@bp.post("/espaces/<slug>/forums/messages/<int:post_id>/valider")
@login_required
def approve(slug, post_id):
    return _moderate_post(slug, post_id, services.approve_post, "Message validé et publié.")


@bp.post("/espaces/<slug>/forums/messages/<int:post_id>/refuser")
@login_required
def reject(slug, post_id):
    return _moderate_post(slug, post_id, services.reject_post,
                          "Message refusé : il ne sera pas publié.")


@bp.route("/espaces/<slug>/forums/messages/<int:post_id>/signaler", methods=["GET", "POST"])
@login_required
def report(slug, post_id):
    post = _changed_post(slug, post_id, access.can_report_post)
    space = post.topic.space
    form = ReportForm()
    if form.validate_on_submit():
        try:
            services.report_post(post, form.reason.data, by=current_user)
        except services.ForumError as exc:
            form.reason.errors.append(str(exc))
        else:
            flash("Merci : le message est signalé aux modérateurs de l'espace.", "success")
            return redirect(url_for(".post", slug=slug, post_id=post.id))
    return render_template("forums/report.html", space=space, topic=post.topic, post=post,
                           form=form)


@bp.get("/espaces/<slug>/forums/messages/<int:post_id>/pieces/<int:attachment_id>")
def attachment(slug, post_id, attachment_id):
    post = _post(_space(slug), post_id)
    if not access.can_read_post(_me(), post):
        abort(404)
    attached = db.session.get(ForumAttachment, attachment_id)
    if attached is None or attached.post_id != post.id:
        abort(404)
    stored = attached.file
    return uploads.send(stored, inline=stored.extension in uploads.IMAGES)


# --- moderation ------------------------------------------------------------------------------------


@bp.get("/espaces/<slug>/forums/moderation")
@login_required
def moderation(slug):
    space = _space(slug, need="moderate")
    held, reports = reading.moderation_queue(space)
    return render_template("forums/moderation.html", space=space, held=held, reports=reports)


def _report(slug: str, report_id: int):
    space = _space(slug, need="moderate")
    report = reading.load_report(space, report_id)
    if report is None:
        abort(404)
    return report


@bp.post("/espaces/<slug>/forums/signalements/<int:report_id>/classer")
@login_required
def dismiss_report(slug, report_id):
    return _act(partial(services.resolve_report, _report(slug, report_id), delete=False),
                url_for(".moderation", slug=slug), "Signalement classé : le message reste en ligne.")


@bp.post("/espaces/<slug>/forums/signalements/<int:report_id>/supprimer")
@login_required
def uphold_report(slug, report_id):
    return _act(partial(services.resolve_report, _report(slug, report_id), delete=True),
                url_for(".moderation", slug=slug), "Message supprimé et signalement clos.")


# --- across my spaces ------------------------------------------------------------------------------


@bp.get("/forums/nouveautes")
@login_required
def news():
    only_unread = request.args.get("non-lus") == "1"
    listing, since = reading.news(current_user, request.args.get("page", 1),
                                   only_unread=only_unread)
    reading.record_visit(current_user)
    return render_template("forums/news.html", listing=listing, since=since,
                           only_unread=only_unread)


@bp.post("/forums/nouveautes/tout-lu")
@login_required
def mark_all_read():
    services.mark_all_read(current_user)
    flash("Tous les sujets sont marqués comme lus.", "success")
    return redirect(url_for(".news"))
