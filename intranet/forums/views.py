"""Forums of a space (URLs under /espaces/<slug>/forums/) and « nouveautés » across all my
spaces (/forums/nouveautes). Reading pages never write: see ``tracking``."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from ..core.inputs import int_arg
from .. import access
from ..core import uploads
from ..core.sanitize import to_html
from ..extensions import db
from ..spaces.models import Space
from ..core.types import Visibility
from . import reading, services
from .forms import (CategoryForm, EditPostForm, ForumForm, MoveForm, PostForm, ReportForm,
                    TopicForm)
from .models import Forum, ForumAttachment, ForumPost, ForumTopic

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
    forum = db.session.get(Forum, forum_id)
    if forum is None or forum.space_id != space.id:
        abort(404)
    return forum


def _topic(space: Space, topic_id: int, moderator: bool) -> ForumTopic:
    topic = reading.load_topic(space, topic_id)
    if topic is None or not reading.topic_visible(_me(), topic, moderator):
        abort(404)
    return topic


def _post(space: Space, post_id: int, moderator: bool) -> ForumPost:
    post = reading.load_post(space, post_id)
    if post is None or not reading.post_visible(current_user, post, moderator):
        abort(404)
    return post


def _files(field) -> list[tuple[bytes, str]]:
    return [(f.read(), f.filename) for f in (field.data or []) if f and getattr(f, "filename", "")]


def _topic_url(topic: ForumTopic, position: int | None = None, **values) -> str:
    if position is not None:
        page = reading.page_of(position, topic)
        return url_for(".topic", slug=topic.space.slug, topic_id=topic.id,
                       page=page if page > 1 else None, **values) + f"#message-{position}"
    return url_for(".topic", slug=topic.space.slug, topic_id=topic.id, **values)


def _refused(exc: Exception, target: str):
    flash(str(exc), "error")
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


@bp.route("/espaces/<slug>/forums/nouveau", methods=["GET", "POST"])
@login_required
def new_forum(slug):
    space = _space(slug, need="moderate")
    form = _forum_form(space, None)
    if form.validate_on_submit():
        try:
            forum = services.create_forum(
                space, name=form.name.data, description=form.description.data,
                category_id=form.category.data or None, position=form.position.data or 0,
                open_to_network=bool(getattr(form, "open_to_network", None)
                                     and form.open_to_network.data), by=current_user)
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
            services.update_forum(
                forum, name=form.name.data, description=form.description.data,
                category_id=form.category.data or None, position=form.position.data or 0,
                open_to_network=bool(getattr(form, "open_to_network", None)
                                     and form.open_to_network.data), by=current_user)
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
    forum = _forum(space, forum_id)
    moderator = _moderator(space)
    listing = reading.forum_topics(current_user, forum, request.args.get("page", 1),
                                    moderator=moderator)
    reading.record_visit(current_user)
    following = reading.follows_forum(current_user, forum)
    return render_template("forums/forum.html", space=space, forum=forum, listing=listing,
                           moderator=moderator, following=following,
                           can_post=access.can_post_in_forum(current_user, forum))


@bp.post("/espaces/<slug>/forums/<int:forum_id>/suivre")
@login_required
def follow_forum(slug, forum_id):
    space = _space(slug)
    forum = _forum(space, forum_id)
    now = services.toggle_subscription(current_user, forum=forum)
    flash("Vous suivez ce forum : chaque nouveau message vous sera notifié." if now
          else "Vous ne suivez plus ce forum.", "success")
    return redirect(url_for(".forum", slug=slug, forum_id=forum.id))


@bp.route("/espaces/<slug>/forums/<int:forum_id>/nouveau-sujet", methods=["GET", "POST"])
@login_required
def new_topic(slug, forum_id):
    space = _space(slug)
    forum = _forum(space, forum_id)
    access.require(access.can_post_in_forum(current_user, forum))
    form = TopicForm()
    error = None
    if form.validate_on_submit():
        try:
            topic = services.create_topic(forum, title=form.title.data, body=form.body.data,
                                          body_format=form.body_format.data, by=current_user,
                                          files=_files(form.files), subscribe=form.subscribe.data)
        except services.ForumError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            if topic.held:
                flash("Votre sujet est enregistré ; il sera visible de tous dès qu'un modérateur "
                      "l'aura validé (premier message d'un nouveau compte).", "success")
            else:
                flash("Sujet publié.", "success")
            return redirect(_topic_url(topic))
    return render_template("forums/topic_form.html", space=space, forum=forum, form=form,
                           error=error)


# --- a topic ---------------------------------------------------------------------------------------


@bp.get("/espaces/<slug>/forums/sujets/<int:topic_id>")
def topic(slug, topic_id):
    me = _me()
    head = reading.topic_head(slug, topic_id, me)
    if head is None:
        abort(404)
    space, topic, state = head
    access.authorize(space, user=me)
    moderator = _moderator(space)
    if not reading.topic_visible(me, topic, moderator):
        abort(404)
    shown = reading.topic_page(me, topic, request.args.get("page", 1), moderator=moderator,
                                state=state)
    reading.record_view(me, topic, shown.shown_up_to)
    can_post = access.can_post_in_forum(me, topic.forum)
    may_reply = (can_post and topic.deleted_at is None and not topic.held
                 and (not topic.locked or moderator))
    return render_template("forums/topic.html", space=space, topic=topic, forum=topic.forum,
                           shown=shown, moderator=moderator, can_post=can_post,
                           may_reply=may_reply,
                           # built once (a URL is already safe HTML): the page repeats them
                           topic_base=Markup(url_for(".topic", slug=slug, topic_id=topic.id)),
                           message_base=Markup(url_for(".post", slug=slug, post_id=0)[:-1]))


@bp.get("/espaces/<slug>/forums/sujets/<int:topic_id>/premier-non-lu")
def first_unread(slug, topic_id):
    space = _space(slug)
    topic = _topic(space, topic_id, _moderator(space))
    state = reading.reading_state(current_user, topic)
    position = state.first_unread(topic) or topic.last_position or None
    return redirect(_topic_url(topic, position))


@bp.route("/espaces/<slug>/forums/sujets/<int:topic_id>/repondre", methods=["GET", "POST"])
@login_required
def reply(slug, topic_id):
    space = _space(slug)
    moderator = _moderator(space)
    topic = _topic(space, topic_id, moderator)
    access.require(access.can_post_in_forum(current_user, topic.forum))
    form = PostForm()
    error = quoted = None
    if request.method == "GET" and int_arg("citer"):
        quoted = _post(space, int_arg("citer"), moderator)
        if quoted.topic_id != topic.id or quoted.deleted_at is not None:
            abort(404)
        form.body.data = services.quote(quoted)
    if form.validate_on_submit():
        try:
            post = services.reply(topic, body=form.body.data, body_format=form.body_format.data,
                                  by=current_user, files=_files(form.files),
                                  subscribe=form.subscribe.data)
        except services.ForumError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            if post.held:
                flash("Votre message est enregistré ; il sera visible de tous dès qu'un "
                      "modérateur l'aura validé (premier message d'un nouveau compte).", "success")
                return redirect(_topic_url(topic, None, page=reading.page_count(topic))
                                + "#en-attente")
            flash("Réponse publiée.", "success")
            return redirect(_topic_url(topic, post.position))
    return render_template("forums/reply.html", space=space, topic=topic, form=form,
                           error=error, quoted=quoted,
                           preview=to_html(form.body.data or "", "text") if quoted else None)


@bp.post("/espaces/<slug>/forums/sujets/<int:topic_id>/suivre")
@login_required
def follow_topic(slug, topic_id):
    space = _space(slug)
    topic = _topic(space, topic_id, _moderator(space))
    now = services.toggle_subscription(current_user, topic=topic)
    flash("Vous suivez ce sujet : chaque réponse vous sera notifiée." if now
          else "Vous ne suivez plus ce sujet.", "success")
    return redirect(_topic_url(topic))


def _moderated_topic(slug: str, topic_id: int) -> ForumTopic:
    space = _space(slug, need="moderate")
    return _topic(space, topic_id, True)


@bp.post("/espaces/<slug>/forums/sujets/<int:topic_id>/epingler")
@login_required
def pin(slug, topic_id):
    topic = _moderated_topic(slug, topic_id)
    services.set_pinned(topic, not topic.pinned, by=current_user)
    flash("Sujet épinglé en tête du forum." if topic.pinned else "Sujet désépinglé.", "success")
    return redirect(_topic_url(topic))


@bp.post("/espaces/<slug>/forums/sujets/<int:topic_id>/verrouiller")
@login_required
def lock(slug, topic_id):
    topic = _moderated_topic(slug, topic_id)
    services.set_locked(topic, not topic.locked, by=current_user)
    flash("Sujet verrouillé : il n'accepte plus de réponses." if topic.locked
          else "Sujet rouvert aux réponses.", "success")
    return redirect(_topic_url(topic))


@bp.post("/espaces/<slug>/forums/sujets/<int:topic_id>/supprimer")
@login_required
def delete_topic(slug, topic_id):
    space = _space(slug)
    moderator = _moderator(space)
    topic = _topic(space, topic_id, moderator)
    # its author may withdraw a topic nobody answered yet
    access.require(moderator or (topic.author_id == current_user.id and topic.post_count <= 1
                                 and not topic.locked and topic.deleted_at is None))
    services.delete_topic(topic, by=current_user)
    flash("Sujet supprimé.", "success")
    return redirect(url_for(".forum", slug=slug, forum_id=topic.forum_id))


@bp.post("/espaces/<slug>/forums/sujets/<int:topic_id>/restaurer")
@login_required
def restore_topic(slug, topic_id):
    topic = _moderated_topic(slug, topic_id)
    services.restore_topic(topic, by=current_user)
    flash("Sujet restauré.", "success")
    return redirect(_topic_url(topic))


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


# --- a post ----------------------------------------------------------------------------------------


@bp.get("/espaces/<slug>/forums/messages/<int:post_id>")
def post(slug, post_id):
    space = _space(slug)
    post = _post(space, post_id, _moderator(space))
    if post.position is None:
        return redirect(_topic_url(post.topic, None, page=reading.page_count(post.topic))
                        + "#en-attente")
    return redirect(_topic_url(post.topic, post.position))


def _editable_post(slug: str, post_id: int) -> ForumPost:
    space = _space(slug)
    post = _post(space, post_id, _moderator(space))
    access.require(access.can_edit_forum_post(current_user, post))
    return post


@bp.route("/espaces/<slug>/forums/messages/<int:post_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_post(slug, post_id):
    post = _editable_post(slug, post_id)
    topic = post.topic
    form = EditPostForm(data={"title": topic.title, "body": post.body_source,
                              "body_format": post.body_format})
    if not post.is_first:
        del form.title
    error = None
    if form.validate_on_submit():
        try:
            services.edit_post(post, body=form.body.data, body_format=form.body_format.data,
                               by=current_user,
                               title=form.title.data if post.is_first else None)
        except services.ForumError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            flash("Message modifié.", "success")
            return redirect(url_for(".post", slug=slug, post_id=post.id))
    return render_template("forums/edit_post.html", space=topic.space, topic=topic, post=post,
                           form=form, error=error)


@bp.get("/espaces/<slug>/forums/messages/<int:post_id>/historique")
@login_required
def history(slug, post_id):
    space = _space(slug, need="moderate")
    post = _post(space, post_id, True)
    return render_template("forums/history.html", space=space, topic=post.topic, post=post,
                           revisions=reading.revisions(post))


@bp.post("/espaces/<slug>/forums/messages/<int:post_id>/supprimer")
@login_required
def delete_post(slug, post_id):
    post = _editable_post(slug, post_id)
    try:
        services.delete_post(post, by=current_user)
    except services.ForumError as exc:
        return _refused(exc, url_for(".post", slug=slug, post_id=post.id))
    flash("Message supprimé.", "success")
    return redirect(url_for(".post", slug=slug, post_id=post.id))


@bp.post("/espaces/<slug>/forums/messages/<int:post_id>/restaurer")
@login_required
def restore_post(slug, post_id):
    space = _space(slug, need="moderate")
    post = _post(space, post_id, True)
    services.restore_post(post, by=current_user)
    flash("Message restauré.", "success")
    return redirect(url_for(".post", slug=slug, post_id=post.id))


@bp.post("/espaces/<slug>/forums/messages/<int:post_id>/valider")
@login_required
def approve(slug, post_id):
    space = _space(slug, need="moderate")
    post = _post(space, post_id, True)
    try:
        services.approve_post(post, by=current_user)
    except services.ForumError as exc:
        return _refused(exc, url_for(".moderation", slug=slug))
    flash("Message validé et publié.", "success")
    return redirect(url_for(".moderation", slug=slug))


@bp.post("/espaces/<slug>/forums/messages/<int:post_id>/refuser")
@login_required
def reject(slug, post_id):
    space = _space(slug, need="moderate")
    post = _post(space, post_id, True)
    try:
        services.reject_post(post, by=current_user)
    except services.ForumError as exc:
        return _refused(exc, url_for(".moderation", slug=slug))
    flash("Message refusé : il ne sera pas publié.", "success")
    return redirect(url_for(".moderation", slug=slug))


@bp.route("/espaces/<slug>/forums/messages/<int:post_id>/signaler", methods=["GET", "POST"])
@login_required
def report(slug, post_id):
    space = _space(slug)
    post = _post(space, post_id, _moderator(space))
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
    space = _space(slug)
    moderator = _moderator(space)
    post = _post(space, post_id, moderator)
    if post.deleted_at is not None and not moderator:
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
    services.resolve_report(_report(slug, report_id), by=current_user, delete=False)
    flash("Signalement classé : le message reste en ligne.", "success")
    return redirect(url_for(".moderation", slug=slug))


@bp.post("/espaces/<slug>/forums/signalements/<int:report_id>/supprimer")
@login_required
def uphold_report(slug, report_id):
    services.resolve_report(_report(slug, report_id), by=current_user, delete=True)
    flash("Message supprimé et signalement clos.", "success")
    return redirect(url_for(".moderation", slug=slug))


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
