"""The routes every publication type has, written once and added to each type's blueprint:
publish and withdraw, an attachment's download and removal, adding a document.

Each follows the house order: load → authorise (``access``) → call the life cycle
(``publishing``) → flash and redirect. A refusal of the life cycle is flashed as an error; a
person who sees the item but does not write it gets 403, one who does not see it 404.
"""
from __future__ import annotations

import enum

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import access
from ..accounts.models import Organisation
from ..accounts import working
from ..accounts.services import user_for_feed
from ..core import pending, uploads
from . import publishing
from .forms import DocumentForm
from ..core.feedback import attempt


def offer_publishers(form, key=lambda org: str(org.id)) -> dict[str, Organisation]:
    """The organisations the person publishes for, as the choices of ``form.organisation``
    (403 when there is none), by their key in the form."""
    organisations = {key(org): org for org in access.publishing_organisations(current_user)}
    access.require(bool(organisations))
    form.organisation.choices = {k: org.name for k, org in organisations.items()}
    if request.method == "GET" and not form.organisation.data:
        # « Vous travaillez pour » decides which one is offered first.
        first = working.first_for(current_user, list(organisations.values()))[0]
        form.organisation.data = key(first)
    return organisations


def form_page(form, save, *, model, template: str, done: str, show, file_field: str,
              error_field: str | None = None, **context):
    """A publication's writing form: when it is sent and valid, ``save(files)`` (a service
    call) with the files of ``file_field`` — the pending ones the form carries, then those
    sent now (``core/pending.py``); saved, flash ``done`` and go to ``show(what save
    returned)``. A refused file is shown under ``file_field``, another refusal under
    ``error_field`` (flashed when None), on the form rendered again, which lists the files
    of a refused submission as « déjà joint » (kept if ``model`` accepts their type)."""
    files = pending.Submission(form, {file_field: publishing.attachment_types(model)})
    if form.validate_on_submit():
        try:
            saved = save(files.files(file_field))
        except uploads.UploadError as exc:
            _show_error(form, file_field, str(exc))
        except publishing.PublicationError as exc:
            _show_error(form, error_field, str(exc))
        else:
            flash(done, "success")
            return redirect(show(saved))
    return render_template(template, form=form, pending_files=files.kept(), **context)


def add_writing_routes(bp: Blueprint, model, *, new_rule: str, rule: str, id_arg: str,
                       form_class, create, update, data, template: str,
                       item_name: str, created: str, saved: str,
                       error_field: str | None = None, fill=None, edit_options=()) -> None:
    """GET/POST ``new_rule`` (endpoint ``new``: a new item, for one of the person's publishers,
    ``create(publisher, data(form), by=…, files=…)``) and ``<rule>/modifier`` (``edit``: its
    editors, ``update(item, data(form), by=…, files=…)``; the publisher does not change; the
    form reads the item (``_filled``), and ``fill(form, item)`` completes what it cannot;
    ``edit_options``: what the form reads of it beyond its columns, loaded with it). Both
    are ``form_page``s of ``template``, which gets the item as ``item_name`` (None when new);
    saved, the item's page follows."""
    def show(item) -> str:
        return publishing.type_of(item).url(item)

    def new():
        form = form_class()
        publishers = offer_publishers(form)
        return form_page(form, lambda files: create(publishers[form.organisation.data],
                                                    data(form), by=current_user, files=files),
                         model=model, file_field="document", error_field=error_field,
                         template=template, done=created, show=show, **{item_name: None})

    def edit(**ids):
        item = access.get_or_404(model, ids[id_arg], need="edit", options=edit_options)
        form = form_class(obj=item)
        del form.organisation
        if request.method == "GET":
            _filled(form, item)
            if fill is not None:
                fill(form, item)
        return form_page(form, lambda files: update(item, data(form), by=current_user,
                                                    files=files),
                         model=model, file_field="document", error_field=error_field,
                         template=template, done=saved, show=show, **{item_name: item})

    bp.add_url_rule(new_rule, "new", login_required(new), methods=["GET", "POST"])
    bp.add_url_rule(f"{rule}/modifier", "edit", login_required(edit), methods=["GET", "POST"])


def _show_error(form, field_name: str | None, message: str) -> None:
    if field_name is None:
        flash(message, "error")
    else:
        field = getattr(form, field_name)
        field.errors = [*field.errors, message]


def upload_of(field) -> tuple[bytes, str] | None:
    """(content, name) of the file a form's field received, or None."""
    data = field.data
    if data is None or not getattr(data, "filename", ""):
        return None
    try:
        return data.read(), data.filename
    finally:
        data.close()   # a large file is a temporary file: closed now, not by the collector


def feed_owner(token: str):
    """The person whose private feed address this is (404 when it is nobody's any more)."""
    user = user_for_feed(token)
    if user is None:
        abort(404)
    return user


def _back(id_arg: str, ident: int, endpoint: str = ".show", anchor: str = ""):
    return redirect(url_for(endpoint, **{id_arg: ident}) + anchor)


def _filled(form, item) -> None:
    """What a form made with ``obj=item`` leaves out: an enum column gives its value (the
    choices are values), and a rich text is edited as the HTML stored."""
    for field in form:
        value = getattr(item, field.name, None)
        if isinstance(value, enum.Enum):
            field.data = value.value
        elif field.name.endswith("_format"):
            field.data = "html"


def add_documented_type_routes(bp: Blueprint, model, rule: str, id_arg: str, *,
                                published: str, withdrawn: str, **writing) -> None:
    """Every route of a type whose page lists titled documents (aids, notices): writing
    (``add_writing_routes``, with ``writing``), publishing and withdrawing, each document's
    download and removal (endpoints ``document``, ``remove_document``) and the titled document
    form (``add_document``)."""
    add_writing_routes(bp, model, rule=rule, id_arg=id_arg, **writing)
    add_lifecycle_routes(bp, model, rule, id_arg, published=published, withdrawn=withdrawn)
    add_attachment_routes(bp, model, rule, id_arg, item_rule="documents", item_arg="document_id",
                          endpoint="document", inline=None, removed="Document retiré.",
                          anchor="#documents")
    add_document_route(bp, model, rule, id_arg)


def add_lifecycle_routes(bp: Blueprint, model, rule: str, id_arg: str, *, published: str,
                         withdrawn: str, prefix: str = "", back: str = ".show") -> None:
    """POST ``<rule>/publier`` and ``<rule>/retirer`` (endpoints ``publish`` and ``withdraw``,
    after ``prefix`` for a second type of the same blueprint); the withdrawal's optional reason
    is the form's ``motif``. Then back to ``back`` (with ``id_arg``)."""

    def run(ident: int, action, success: str):
        item = access.get_or_404(model, ident, need="edit")
        attempt(lambda: action(item),
                success, publishing.PublicationError)
        return _back(id_arg, ident, back)

    def publish(**ids):
        return run(ids[id_arg], lambda item: publishing.publish(item, by=current_user), published)

    def withdraw(**ids):
        reason = (request.form.get("motif") or "")[:2000]
        return run(ids[id_arg],
                   lambda item: publishing.withdraw(item, by=current_user, reason=reason),
                   withdrawn)

    bp.add_url_rule(f"{rule}/publier", f"{prefix}publish", login_required(publish),
                    methods=["POST"])
    bp.add_url_rule(f"{rule}/retirer", f"{prefix}withdraw", login_required(withdraw),
                    methods=["POST"])


def add_attachment_routes(bp: Blueprint, model, rule: str, id_arg: str, *, item_rule: str,
                          item_arg: str, endpoint: str, inline: bool | None, removed: str,
                          back: str = ".show", anchor: str = "") -> None:
    """GET ``<rule>/<item_rule>/<item_arg>`` (endpoint ``endpoint``: the file, for whoever sees
    the item) and POST ``…/supprimer`` (``remove_<endpoint>``: its editors). ``inline``: shown
    in the browser when it may be (True), downloaded (False), or as the link asks (``?voir=1``,
    None). ``removed``: the message, with ``{name}`` for the file's name."""
    item_rule = f"{rule}/{item_rule}/<int:{item_arg}>"

    def load(ids: dict, need: str):
        item = access.get_or_404(model, ids[id_arg], need=need)
        attachment = publishing.find_attachment(item, ids[item_arg])
        if attachment is None:
            abort(404)
        return item, attachment

    def download(**ids):
        _, attachment = load(ids, "view")
        show = request.args.get("voir") == "1" if inline is None else inline
        return uploads.send(attachment.file, inline=show)

    def remove(**ids):
        item, attachment = load(ids, "edit")
        name = attachment.display_name
        attempt(lambda: publishing.remove_attachment(item, attachment, by=current_user),
                removed.format(name=name), publishing.PublicationError)
        return _back(id_arg, ids[id_arg], back, anchor)

    bp.add_url_rule(item_rule, endpoint, download, methods=["GET"])
    bp.add_url_rule(f"{item_rule}/supprimer", f"remove_{endpoint}", login_required(remove),
                    methods=["POST"])


def add_document_route(bp: Blueprint, model, rule: str, id_arg: str) -> None:
    """POST ``<rule>/documents`` (endpoint ``add_document``): a titled document joined to the
    item from the show page's ``DocumentForm``."""

    def add_document(**ids):
        item = access.get_or_404(model, ids[id_arg], need="edit")
        form = DocumentForm()
        upload = upload_of(form.file) if form.validate_on_submit() else None
        if upload is None:
            flash("Choisissez d'abord un fichier.", "error")
        else:
            attempt(lambda: publishing.add_attachment(item, *upload, by=current_user,
                                                      title=form.title.data or ""),
                    "Document ajouté.", uploads.UploadError)
        return _back(id_arg, ids[id_arg], anchor="#documents")

    bp.add_url_rule(f"{rule}/documents", "add_document", login_required(add_document),
                    methods=["POST"])
