"""Messagerie (URLs under /messages): my conversations, writing, reading and replying.

A conversation is private: every route loads the current person's participation first and
answers 404 to anybody else (the platform admin included)."""
from flask import (Blueprint, abort, current_app, flash, redirect, render_template,
                   request, url_for)
from flask_login import current_user, login_required

from ..core.inputs import page_arg, to_int
from .. import access
from ..accounts import finder
from ..accounts.models import User
from ..core import hooks, limits, pending, uploads
from ..core.feedback import attempt
from ..extensions import db
from ..search.backends import QueryError
from . import services
from .forms import ActionForm, AddPeopleForm, ComposeForm, EditMessageForm, ReplyForm
from .services import MessagingError

bp = Blueprint("messaging", __name__, url_prefix="/messages")


# The count beside « Messages » in the header, read with the header's other counters.
hooks.register_header_counter("unread_messages", services.unread_query)


def _participant(conversation_id: int):
    participant = services.participation(current_user, conversation_id)
    if participant is None:
        abort(404)
    return participant


def _files(form) -> pending.Submission:
    """The files of this message: those sent now and the pending ones the form carries (kept
    from a refused submission, ``core/pending.py``)."""
    return pending.Submission(form, {"files": uploads.DOCUMENTS})


def _show_error(form, exc: MessagingError) -> None:
    target = getattr(form, exc.field or "", None) or form.body
    target.errors = [*target.errors, str(exc)]


# --- lists ----------------------------------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    listing = services.inbox(current_user, page=page_arg())
    return render_template("messaging/index.html", listing=listing, archived=False)


@bp.get("/archives")
@login_required
def archives():
    listing = services.inbox(current_user, archived=True, page=page_arg())
    return render_template("messaging/index.html", listing=listing, archived=True)


@bp.get("/recherche")
@login_required
def search():
    text = request.args.get("q", "")[:300]
    found, error = None, None
    if text.strip():
        try:
            found = services.search_messages(current_user, text, page_arg())
        except QueryError as exc:
            error = str(exc)
    return render_template("messaging/search.html", q=text, found=found, error=error,
                           page=page_arg(), per_page=20)


# --- writing ------------------------------------------------------------------------------------


def _add_person(form: ComposeForm, person: User | None) -> None:
    if person is not None and access.can_address_person(current_user, person):
        line = services.recipient_line(person, current_user)
        if line not in (form.to.data or ""):
            form.to.data = ",\n".join(filter(None, [(form.to.data or "").strip(" ,\n"), line]))


@bp.route("/nouveau", methods=["GET", "POST"])
@login_required
@limits.per_account("messaging")
def compose():
    form = ComposeForm()
    form.group.choices = services.group_choices(current_user)
    organisation_ids = request.form.getlist("organisation") if request.method == "POST" else []
    files = _files(form)
    found = None
    if request.method == "GET":
        # ?a=… once per person: « Écrire un message », or the directory's « Écrire à tous ».
        for raw in request.args.getlist("a")[:200]:
            person = db.session.get(User, to_int(raw, 0))
            if person is not None and person.id != current_user.id:
                _add_person(form, person)
        group = request.args.get("groupe", "")
        if group.startswith(services.ADMINS + ":"):
            organisation_ids = [group.partition(":")[2]]
        else:
            form.group.data = group
    elif {"chercher", "ajouter", "retirer"} & set(request.form):
        # The finder without JavaScript: the same form comes back, with what was typed.
        kind, _, ident = request.form.get("ajouter", "").partition(":")
        if kind == "personne":
            _add_person(form, db.session.get(User, to_int(ident, 0)))
        elif kind == "organisation":
            organisation_ids.append(ident)
        removed = request.form.get("retirer")
        organisation_ids = [ident for ident in organisation_ids if ident != removed]
        if "chercher" in request.form:
            found = services.find_recipients(current_user, form.lookup.data or "")
    elif form.validate_on_submit():
        try:
            conversation = services.start_conversation(
                current_user, to=form.to.data or "", group=form.group.data or "",
                organisations=organisation_ids, subject=form.subject.data,
                body_format=form.body_format.data,
                body=form.body.data, files=files.files("files"))
        except MessagingError as exc:
            _show_error(form, exc)
        else:
            flash("Message envoyé.", "success")
            return redirect(url_for(".show", conversation_id=conversation.id))
    chosen = services.chosen_organisations(current_user, organisation_ids)
    return render_template("messaging/compose.html", form=form, found=found, chosen=chosen,
                           pending_files=files.kept())


@bp.get("/destinataires")
@login_required
def find_recipients():
    """The recipients' search-as-you-type (``static/js/finder.js``): JSON, at most 20
    organisations and people the person may write to (``access.addressable_organisations``,
    ``access.addressable_people``), closest first then in French order."""
    organisations, people = services.find_recipients(current_user, request.args.get("q", ""))
    results = [dict(finder.organisation_result(org), detail="Ses administrateurs")
               for org in organisations]
    results += [{"kind": "person", "id": person.id, "label": person.full_name,
                 "detail": services.person_detail(person),
                 "line": services.recipient_line(person, current_user)} for person in people]
    return finder.json_results(results)


def _render_thread(participant, *, form=None, add_form=None, pending_files=None):
    thread = services.open_thread(participant)
    changeable = {m.id for m in thread.messages
                  if access.can_change_message(current_user, thread.participant, m)}
    return render_template("messaging/show.html", thread=thread, form=form or ReplyForm(),
                           actions=ActionForm(), add_form=add_form or AddPeopleForm(),
                           changeable=changeable, pending_files=pending_files,
                           edit_minutes=current_app.config["MESSAGE_EDIT_MINUTES"])


@bp.get("/<int:conversation_id>")
@login_required
def show(conversation_id):
    return _render_thread(_participant(conversation_id))


@bp.post("/<int:conversation_id>/repondre")
@login_required
@limits.per_account("messaging")
def reply(conversation_id):
    participant = _participant(conversation_id)
    form = ReplyForm()
    files = _files(form)
    if form.validate_on_submit():
        try:
            message = services.reply(participant, form.body.data, files.files("files"),
                                     body_format=form.body_format.data)
        except MessagingError as exc:
            _show_error(form, exc)
        else:
            flash("Réponse envoyée.", "success")
            return redirect(url_for(".show", conversation_id=conversation_id,
                                    _anchor=f"message-{message.id}"))
    return _render_thread(_participant(conversation_id), form=form,
                          pending_files=files.kept())


@bp.post("/<int:conversation_id>/ajouter")
@login_required
@limits.per_account("messaging")
def add_people(conversation_id):
    participant = _participant(conversation_id)
    form = AddPeopleForm()
    if form.validate_on_submit():
        try:
            people = services.add_people(participant, form.to.data,
                                         whole_history=form.history.data == "tout")
        except MessagingError as exc:
            form.to.errors = [*form.to.errors, str(exc)]
        else:
            flash(f"{len(people)} personne{'s' if len(people) > 1 else ''} ajoutée"
                  f"{'s' if len(people) > 1 else ''} à la conversation.", "success")
            return redirect(url_for(".show", conversation_id=conversation_id))
    return _render_thread(_participant(conversation_id), add_form=form)


def _own_message(conversation_id: int, message_id: int):
    """The participant and their own message: 404 for a message they do not read, 403 for
    one that is not theirs (or a line of the site, or deleted)."""
    participant = _participant(conversation_id)
    message = services.message_of(participant, message_id)
    if message is None:
        abort(404)
    access.require(access.is_own_message(current_user, participant, message))
    return participant, message


@bp.route("/<int:conversation_id>/messages/<int:message_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_message(conversation_id, message_id):
    participant, message = _own_message(conversation_id, message_id)
    form = EditMessageForm(data={"body": message.body_source, "body_format": "text"}
                           if request.method == "GET" else None)
    if request.method == "GET" and not access.can_change_message(current_user, participant,
                                                                 message):
        flash(f"Un message ne peut être modifié que dans les "
              f"{current_app.config['MESSAGE_EDIT_MINUTES']} minutes qui suivent son envoi : "
              "ce délai est passé.", "error")
        return redirect(url_for(".show", conversation_id=conversation_id,
                                _anchor=f"message-{message_id}"))
    if form.validate_on_submit():
        try:
            services.edit_message(participant, message, form.body.data,
                                  body_format=form.body_format.data)
        except MessagingError as exc:
            flash(str(exc), "error")
            return redirect(url_for(".show", conversation_id=conversation_id,
                                    _anchor=f"message-{message_id}"))
        flash("Message modifié.", "success")
        return redirect(url_for(".show", conversation_id=conversation_id,
                                _anchor=f"message-{message_id}"))
    return render_template("messaging/edit_message.html", form=form, message=message,
                           conversation=participant.conversation,
                           position=services.message_position(message),
                           deadline=access.message_change_deadline(message))


@bp.post("/<int:conversation_id>/messages/<int:message_id>/supprimer")
@login_required
def delete_message(conversation_id, message_id):
    participant, message = _own_message(conversation_id, message_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    attempt(lambda: services.delete_message(participant, message), "Message supprimé.",
            MessagingError)
    return redirect(url_for(".show", conversation_id=conversation_id,
                            _anchor=f"message-{message_id}"))


@bp.get("/<int:conversation_id>/pieces-jointes/<int:attachment_id>")
@login_required
def attachment(conversation_id, attachment_id):
    found = services.attachment(_participant(conversation_id), attachment_id)
    if found is None:
        abort(404)
    return uploads.send(found.file)


# --- read state, archive, leaving -------------------------------------------------------------


def _action(conversation_id: int):
    participant = _participant(conversation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return participant


@bp.post("/<int:conversation_id>/non-lu")
@login_required
def mark_unread(conversation_id):
    services.mark_unread(_action(conversation_id))
    flash("Conversation marquée comme non lue.", "success")
    return redirect(url_for(".index"))


@bp.post("/<int:conversation_id>/archiver")
@login_required
def archive(conversation_id):
    services.archive(_action(conversation_id))
    flash("Conversation archivée : elle reviendra dans vos messages si quelqu'un y répond.",
          "success")
    return redirect(url_for(".index"))


@bp.post("/<int:conversation_id>/desarchiver")
@login_required
def unarchive(conversation_id):
    services.unarchive(_action(conversation_id))
    flash("Conversation remise dans vos messages.", "success")
    return redirect(url_for(".show", conversation_id=conversation_id))


@bp.post("/<int:conversation_id>/quitter")
@login_required
def leave(conversation_id):
    services.leave(_action(conversation_id))
    flash("Vous avez quitté la conversation : vous ne la verrez plus et n'en recevrez plus "
          "les messages.", "success")
    return redirect(url_for(".index"))
