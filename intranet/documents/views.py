"""Pages and document libraries of a space (URLs under /espaces/<slug>/)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import bindparam
from sqlalchemy.orm import joinedload

from ..core.inputs import page_arg, to_int
from .. import access
from ..core import hooks, limits, pending, uploads
from ..accounts.models import User
from ..extensions import db
from ..spaces.models import Space
from ..core.types import Visibility
from . import services
from .forms import (EmptyBinForm, FileForm, FolderForm, MoveForm, PageForm, RenameForm,
                    ReviewForm, ShareForm, SharedDownloadForm, UploadForm)
from .models import Document, Folder, Page, PageAttachment, PageRevision, PageStatus, ShareLink
from ..core.feedback import attempt
from ..core.urls import absolute_url

bp = Blueprint("documents", __name__, url_prefix="/espaces")
# Pages outside a space: what waits for my approval in all of them, and the links shared with
# people outside the network (signed out).
approvals_bp = Blueprint("approvals", __name__, url_prefix="/a-valider")
sharing_bp = Blueprint("sharing", __name__, url_prefix="/partage")

# « À valider » in the header: the pages waiting in the spaces the person edits, read in the
# header's one statement, with the spaces the request already reached (``access.reach``).
hooks.register_header_param("approval_spaces", access.approval_spaces)
hooks.register_header_counter(
    "awaiting_approval",
    lambda person: access.awaiting_approval_count(bindparam("approval_spaces", expanding=True)))
hooks.register_header_counter(
    "awaiting_files",
    lambda person: access.awaiting_files_count(bindparam("approval_spaces", expanding=True)))


def _space(slug: str, need: str = "view") -> Space:
    return access.get_or_404(Space, slug=slug, need=need)


def _owned(model, ident: int, space: Space, need: str = "view"):
    """An object of this space (404 if it belongs to another), authorised for ``need``."""
    obj = db.session.get(model, ident)
    if obj is None or obj.space_id != space.id:
        abort(404)
    return access.authorize(obj, need)


def _visibility(value: str) -> Visibility | None:
    return Visibility(value) if value in ("network", "members", "public") else None


def _files(form) -> pending.Submission:
    """The file of a form with one file field: sent now, or kept from a refused submission
    (``core/pending.py``); a new one replaces the one carried."""
    return pending.Submission(form, {"file": uploads.DOCUMENTS}, single={"file"})


def _chosen(files: pending.Submission):
    """The file the person chose (sent now or « déjà joint »); refused when there is none."""
    chosen = files.file("file")
    if chosen is None:
        raise services.DocumentError("Choisissez d'abord un fichier.")
    return chosen


# --- pages -----------------------------------------------------------------------------------------


@bp.get("/<slug>/pages")
def pages(slug):
    space = _space(slug)
    listing = services.pages(current_user, space, page=page_arg())
    pending = services.pending_pages(space) if access.can_edit(current_user, space) else []
    return render_template("documents/pages.html", space=space, listing=listing, pending=pending)


@bp.route("/<slug>/pages/nouvelle", methods=["GET", "POST"])
@login_required
def new_page(slug):
    space = _space(slug)
    access.require(access.can_write_page(current_user, space))
    form = PageForm()
    if form.validate_on_submit():
        try:
            page = services.create_page(space, title=form.title.data, body=form.body.data,
                                        body_format=form.body_format.data, by=current_user,
                                        visibility=_visibility(form.visibility.data))
        except services.DocumentError as exc:
            form.title.errors.append(str(exc))
        else:
            flash("Page enregistrée en brouillon : publiez-la quand elle est prête.", "success")
            return redirect(url_for(".page", slug=slug, page_id=page.id))
    return render_template("documents/page_form.html", space=space, form=form, page=None)


@bp.get("/<slug>/pages/<int:page_id>")
def page(slug, page_id):
    space = _space(slug)
    return _page_view(space, _owned(Page, page_id, space))


def _page_view(space: Space, page: Page, file_form: FileForm | None = None,
               pending_files=()):
    return render_template("documents/page.html", space=space, page=page,
                           review_form=ReviewForm(), file_form=file_form or FileForm(),
                           pending_files=pending_files)


@bp.route("/<slug>/pages/<int:page_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_page(slug, page_id):
    space = _space(slug)
    page = _owned(Page, page_id, space, need="edit")
    form = PageForm(data={"title": page.title, "body": page.body_source,
                          "body_format": page.body_format,
                          "visibility": page.visibility.value if page.visibility else ""})
    conflict = None
    if form.validate_on_submit():
        try:
            services.update_page(page, title=form.title.data, body=form.body.data,
                                 body_format=form.body_format.data, by=current_user,
                                 base_version=form.version.data or 0, note=form.note.data,
                                 visibility=_visibility(form.visibility.data))
        except services.EditConflict:
            conflict = page  # the saved version is shown beside the text just typed
            form.version.data = page.version
            flash("Quelqu'un a modifié cette page pendant que vous l'éditiez. Votre texte est "
                  "conservé ci-dessous : comparez-le avec la version enregistrée, puis "
                  "enregistrez de nouveau.", "error")
        except services.DocumentError as exc:
            form.title.errors.append(str(exc))
        else:
            flash("Modifications enregistrées.", "success")
            return redirect(url_for(".page", slug=slug, page_id=page.id))
    elif request.method == "GET":
        form.version.data = page.version
    return render_template("documents/page_form.html", space=space, form=form, page=page,
                           conflict=conflict)


@bp.post("/<slug>/pages/<int:page_id>/publier")
@login_required
def publish_page(slug, page_id):
    space = _space(slug)
    page = _owned(Page, page_id, space, need="edit")
    try:
        status = services.publish_page(page, by=current_user)
    except services.DocumentError as exc:
        flash(str(exc), "error")
    else:
        flash("Page publiée." if status == PageStatus.PUBLISHED else
              "Page envoyée pour approbation aux rédacteurs de l'espace.", "success")
    return redirect(url_for(".page", slug=slug, page_id=page.id))


@bp.post("/<slug>/pages/<int:page_id>/approuver")
@login_required
def approve_page(slug, page_id):
    space = _space(slug, need="edit")
    page = _owned(Page, page_id, space)
    attempt(lambda: services.approve_page(page, by=current_user),
            "Page approuvée et publiée.", services.DocumentError)
    return redirect(url_for(".page", slug=slug, page_id=page.id))


@bp.post("/<slug>/pages/<int:page_id>/renvoyer")
@login_required
def send_back_page(slug, page_id):
    space = _space(slug, need="edit")
    page = _owned(Page, page_id, space)
    form = ReviewForm()
    attempt(lambda: services.send_back(page, by=current_user, comment=form.comment.data or ""),
            "Page renvoyée à son auteur avec votre commentaire.", services.DocumentError)
    return redirect(url_for(".page", slug=slug, page_id=page.id))


@bp.post("/<slug>/pages/<int:page_id>/depublier")
@login_required
def unpublish_page(slug, page_id):
    space = _space(slug, need="edit")
    page = _owned(Page, page_id, space, need="edit")
    services.unpublish_page(page, by=current_user)
    flash("La page est repassée en brouillon.", "success")
    return redirect(url_for(".page", slug=slug, page_id=page.id))


@bp.get("/<slug>/pages/<int:page_id>/historique")
@login_required
def history(slug, page_id):
    space = _space(slug)
    page = _owned(Page, page_id, space, need="edit")
    return render_template("documents/history.html", space=space, page=page,
                           revisions=services.revisions(page))


def _revision(page: Page, number: int) -> PageRevision:
    revision = db.session.scalar(db.select(PageRevision).where(PageRevision.page_id == page.id,
                                                               PageRevision.number == number))
    if revision is None:
        abort(404)
    return revision


@bp.get("/<slug>/pages/<int:page_id>/historique/<int:number>")
@login_required
def revision(slug, page_id, number):
    space = _space(slug)
    page = _owned(Page, page_id, space, need="edit")
    return render_template("documents/revision.html", space=space, page=page,
                           revision=_revision(page, number))


@bp.post("/<slug>/pages/<int:page_id>/historique/<int:number>/restaurer")
@login_required
def restore_revision(slug, page_id, number):
    space = _space(slug)
    page = _owned(Page, page_id, space, need="edit")
    revision = _revision(page, number)
    services.restore_revision(page, revision, by=current_user)
    flash(f"La version {number} est de nouveau le texte de la page.", "success")
    return redirect(url_for(".page", slug=slug, page_id=page.id))


@bp.post("/<slug>/pages/<int:page_id>/supprimer")
@login_required
def delete_page(slug, page_id):
    space = _space(slug)
    page = _owned(Page, page_id, space, need="edit")
    services.delete_page(page, by=current_user)
    flash("Page mise à la corbeille.", "success")
    return redirect(url_for(".pages", slug=slug))


@bp.post("/<slug>/pages/<int:page_id>/restaurer")
@login_required
def restore_page(slug, page_id):
    space = _space(slug, need="edit")
    page = _owned(Page, page_id, space)
    services.restore_page(page, by=current_user)
    flash("Page restaurée.", "success")
    return redirect(url_for(".page", slug=slug, page_id=page.id))


@bp.post("/<slug>/pages/<int:page_id>/pieces")
@login_required
def attach(slug, page_id):
    space = _space(slug)
    page = _owned(Page, page_id, space, need="edit")
    form = FileForm()
    files = _files(form)
    if form.validate_on_submit():
        try:
            services.attach_to_page(page, _chosen(files), by=current_user)
        except (services.DocumentError, uploads.UploadError) as exc:
            flash(str(exc), "error")
        else:
            flash("Pièce jointe ajoutée.", "success")
            return redirect(url_for(".page", slug=slug, page_id=page.id) + "#pieces")
    return _page_view(space, page, form, files.kept())


def _attachment(page: Page, attachment_id: int) -> PageAttachment:
    attachment = db.session.get(PageAttachment, attachment_id)
    if attachment is None or attachment.page_id != page.id:
        abort(404)
    return attachment


@bp.get("/<slug>/pages/<int:page_id>/pieces/<int:attachment_id>")
def attachment(slug, page_id, attachment_id):
    space = _space(slug)
    page = _owned(Page, page_id, space)
    stored = _attachment(page, attachment_id).file
    return uploads.send(stored, inline=stored.extension in uploads.IMAGES)


@bp.post("/<slug>/pages/<int:page_id>/pieces/<int:attachment_id>/supprimer")
@login_required
def remove_attachment(slug, page_id, attachment_id):
    space = _space(slug)
    page = _owned(Page, page_id, space, need="edit")
    services.remove_attachment(_attachment(page, attachment_id))
    flash("Pièce jointe retirée.", "success")
    return redirect(url_for(".page", slug=slug, page_id=page.id) + "#pieces")


# --- document library ----------------------------------------------------------------------------


def _folder(space: Space, folder_id: int) -> Folder:
    """The folder of this space named in the address: 404 unless it is there and the person
    may see it (in the bin, itself or a folder above it: the space's editors only)."""
    path = services.breadcrumbs(space.id, folder_id)   # with its parents: its page's path
    return access.authorize(path[-1] if path else None)


def _chosen_folder(space: Space, raw) -> Folder | None:
    """The folder chosen in a form; « 0 » or nothing is the library's root, anything else that
    is not one of the space's folders a 404."""
    if raw in (None, "", "0"):
        return None
    folder_id = to_int(raw)
    if folder_id is None:
        abort(404)
    return _folder(space, folder_id)


def _library_page(space: Space, folder: Folder | None, upload_form: UploadForm | None = None,
                  pending_files=()):
    folders, documents = services.library(current_user, space, folder)
    move_form = None
    if folder is not None and access.can_edit(current_user, space):
        move_form = MoveForm()
        move_form.target.choices = services.folder_choices(space, exclude=folder)
    return render_template("documents/library.html", space=space, folder=folder,
                           path=services.folder_path(folder), folders=folders,
                           documents=documents, upload_form=upload_form or UploadForm(),
                           pending_files=pending_files,
                           folder_form=FolderForm(), rename_form=RenameForm(
                               name=folder.name if folder else ""), move_form=move_form)


@bp.get("/<slug>/documents")
def library(slug):
    space = _space(slug)
    return _library_page(space, None)


@bp.get("/<slug>/documents/dossiers/<int:folder_id>")
def folder(slug, folder_id):
    space = _space(slug)
    return _library_page(space, _folder(space, folder_id))


def _back_to(space: Space, folder: Folder | None):
    if folder is None:
        return redirect(url_for(".library", slug=space.slug))
    return redirect(url_for(".folder", slug=space.slug, folder_id=folder.id))


@bp.post("/<slug>/documents/dossiers")
@login_required
def create_folder(slug):
    space = _space(slug, need="edit")
    form = FolderForm()
    parent = _chosen_folder(space, form.parent.data)
    try:
        if not form.validate_on_submit():
            raise services.DocumentError("Le nom du dossier est obligatoire.")
        created = services.create_folder(space, form.name.data, parent, by=current_user)
    except services.DocumentError as exc:
        flash(str(exc), "error")
        return _back_to(space, parent)
    flash(f"Dossier « {created.name} » créé.", "success")
    return _back_to(space, created)


@bp.post("/<slug>/documents/envoyer")
@login_required
def upload(slug):
    space = _space(slug)
    access.require(access.can_upload_document(current_user, space))
    form = UploadForm()
    target = _chosen_folder(space, form.folder.data)
    files = _files(form)
    if form.validate_on_submit():
        try:
            document = services.upload(space, target, _chosen(files), by=current_user,
                                       visibility=_visibility(form.visibility.data),
                                       description=form.description.data)
        except (services.DocumentError, uploads.UploadError) as exc:
            flash(str(exc), "error")
        else:
            flash(f"« {document.name} » est envoyé : les membres le verront une fois validé "
                  "par un rédacteur de l'espace." if document.pending_approval else
                  f"« {document.name} » est en ligne.", "success")
            return _back_to(space, target)
    return _library_page(space, target, form, files.kept())


def _document(space: Space, doc_id: int, need: str = "view", page: bool = False) -> Document:
    # with who holds its lock, which its page names, and for its page its versions
    document = db.session.get(Document, doc_id, options=[
        joinedload(Document.locked_by).load_only(User.first_name, User.last_name, User.email),
        *(services.PAGE_OPTIONS if page else ())])
    if document is None or document.space_id != space.id:
        abort(404)
    access.authorize(services.with_folders(document), need)
    if document.in_bin and not access.can_edit(current_user, space):
        abort(404)  # in a folder that is in the bin
    return document


@bp.get("/<slug>/documents/<int:doc_id>")
def document(slug, doc_id):
    space = _space(slug)
    return _document_page(space, _document(space, doc_id, page=True))


def _document_page(space: Space, doc: Document, file_form: FileForm | None = None,
                   pending_files=(), share_form: ShareForm | None = None, new_link: str = ""):
    # the forms are made only for those the page shows them to (as the template decides)
    editing = access.can_edit(current_user, doc)
    sharing = access.can_share_document(current_user, doc)
    move_form = None
    if editing:
        move_form = MoveForm()
        move_form.target.choices = services.folder_choices(space)
    return render_template("documents/document.html", space=space, document=doc,
                           versions=services.document_versions(doc),
                           share_links=services.share_links(doc) if sharing else [],
                           share_form=(share_form or ShareForm()) if sharing else None,
                           new_link=new_link,
                           review_form=ReviewForm() if doc.pending_approval else None,
                           file_form=(file_form or FileForm()) if editing else None,
                           pending_files=pending_files,
                           rename_form=RenameForm(name=doc.name) if editing else None,
                           move_form=move_form, path=services.folder_path(doc.folder))


@bp.get("/<slug>/documents/<int:doc_id>/telecharger")
def download(slug, doc_id):
    space = _space(slug)
    doc = _document(space, doc_id)
    if doc.current_version is None:
        abort(404)
    return uploads.send(doc.current_version.file, download_name=doc.name)


@bp.get("/<slug>/documents/<int:doc_id>/versions/<int:number>/telecharger")
def download_version(slug, doc_id, number):
    space = _space(slug)
    doc = _document(space, doc_id)
    version = next((v for v in doc.versions if v.number == number), None)
    if version is None:
        abort(404)
    return uploads.send(version.file, download_name=version.file.original_name)


@bp.post("/<slug>/documents/<int:doc_id>/versions")
@login_required
def new_version(slug, doc_id):
    space = _space(slug)
    doc = _document(space, doc_id, need="edit")
    access.require(access.can_add_version(current_user, doc))   # locked by someone else: 403
    form = FileForm()
    files = _files(form)
    if form.validate_on_submit():
        try:
            version = services.add_version(doc, _chosen(files), by=current_user,
                                           note=form.note.data)
        except (services.DocumentError, uploads.UploadError) as exc:
            flash(str(exc), "error")
        else:
            flash(f"Version {version.number} en ligne.", "success")
            return redirect(url_for(".document", slug=slug, doc_id=doc.id))
    return _document_page(space, doc, form, files.kept())


@bp.post("/<slug>/documents/<int:doc_id>/renommer")
@login_required
def rename_document(slug, doc_id):
    space = _space(slug)
    doc = _document(space, doc_id, need="edit")
    form = RenameForm()
    name = form.name.data if form.validate_on_submit() else ""
    attempt(lambda: services.rename_document(doc, name, by=current_user),
            "Document renommé.", services.DocumentError)
    return redirect(url_for(".document", slug=slug, doc_id=doc.id))


@bp.post("/<slug>/documents/<int:doc_id>/deplacer")
@login_required
def move_document(slug, doc_id):
    space = _space(slug)
    doc = _document(space, doc_id, need="edit")
    target = _chosen_folder(space, request.form.get("target"))
    attempt(lambda: services.move_document(doc, target, by=current_user),
            "Document déplacé.", services.DocumentError)
    return redirect(url_for(".document", slug=slug, doc_id=doc.id))


@bp.post("/<slug>/documents/<int:doc_id>/supprimer")
@login_required
def delete_document(slug, doc_id):
    space = _space(slug)
    doc = _document(space, doc_id, need="edit")
    folder = doc.folder
    services.delete_document(doc, by=current_user)
    flash(f"« {doc.name} » est dans la corbeille de l'espace, d'où il peut être restauré.",
          "success")
    return _back_to(space, folder)


@bp.post("/<slug>/documents/<int:doc_id>/restaurer")
@login_required
def restore_document(slug, doc_id):
    space = _space(slug, need="edit")
    doc = _document(space, doc_id)
    services.restore_document(doc, by=current_user)
    flash(f"« {doc.name} » est restauré.", "success")
    return redirect(url_for(".document", slug=slug, doc_id=doc.id))


@bp.post("/<slug>/documents/dossiers/<int:folder_id>/renommer")
@login_required
def rename_folder(slug, folder_id):
    space = _space(slug, need="edit")
    target = _folder(space, folder_id)
    form = RenameForm()
    name = form.name.data if form.validate_on_submit() else ""
    attempt(lambda: services.rename_folder(target, name, by=current_user),
            "Dossier renommé.", services.DocumentError)
    return _back_to(space, target)


@bp.post("/<slug>/documents/dossiers/<int:folder_id>/deplacer")
@login_required
def move_folder(slug, folder_id):
    space = _space(slug, need="edit")
    target = _folder(space, folder_id)
    destination = _chosen_folder(space, request.form.get("target"))
    attempt(lambda: services.move_folder(target, destination, by=current_user),
            "Dossier déplacé.", services.DocumentError)
    return _back_to(space, target)


@bp.post("/<slug>/documents/dossiers/<int:folder_id>/supprimer")
@login_required
def delete_folder(slug, folder_id):
    space = _space(slug, need="edit")
    target = _folder(space, folder_id)
    parent = target.parent
    services.delete_folder(target, by=current_user)
    flash(f"Le dossier « {target.name} » et son contenu sont dans la corbeille.", "success")
    return _back_to(space, parent)


@bp.post("/<slug>/documents/dossiers/<int:folder_id>/restaurer")
@login_required
def restore_folder(slug, folder_id):
    space = _space(slug, need="edit")
    target = _folder(space, folder_id)
    services.restore_folder(target, by=current_user)
    flash(f"Le dossier « {target.name} » est restauré.", "success")
    return _back_to(space, target)


@bp.get("/<slug>/corbeille")
@login_required
def trash(slug):
    space = _space(slug, need="edit")
    folders, documents, binned_pages = services.bin_contents(space)
    return render_template("documents/bin.html", space=space, folders=folders,
                           documents=documents, pages=binned_pages, empty_form=EmptyBinForm())


def _version(doc: Document, number: int):
    version = next((v for v in doc.versions if v.number == number), None)
    if version is None:
        abort(404)
    return version


@bp.post("/<slug>/documents/<int:doc_id>/versions/<int:number>/retablir")
@login_required
def restore_version(slug, doc_id, number):
    space = _space(slug)
    doc = _document(space, doc_id, need="edit")
    access.require(access.can_add_version(current_user, doc))
    version = _version(doc, number)
    attempt(lambda: services.restore_version(doc, version, by=current_user),
            f"La version {number} est de nouveau la version actuelle.", services.DocumentError)
    return redirect(url_for(".document", slug=slug, doc_id=doc.id))


@bp.post("/<slug>/documents/<int:doc_id>/verrouiller")
@login_required
def lock_document(slug, doc_id):
    space = _space(slug)
    doc = _document(space, doc_id, need="edit")
    access.require(access.can_lock_document(current_user, doc))
    attempt(lambda: services.lock_document(doc, by=current_user),
            "Document verrouillé : les autres voient que vous le modifiez. Déposez votre "
            "version puis déverrouillez-le.", services.DocumentError)
    return redirect(url_for(".document", slug=slug, doc_id=doc.id))


@bp.post("/<slug>/documents/<int:doc_id>/deverrouiller")
@login_required
def unlock_document(slug, doc_id):
    space = _space(slug)
    doc = _document(space, doc_id, need="edit")
    access.require(access.can_release_lock(current_user, doc))
    services.unlock_document(doc, by=current_user)
    flash("Document déverrouillé.", "success")
    return redirect(url_for(".document", slug=slug, doc_id=doc.id))


@bp.post("/<slug>/corbeille/vider")
@login_required
def empty_bin(slug):
    space = _space(slug, need="edit")
    access.require(access.can_empty_bin(current_user, space))
    form = EmptyBinForm()
    if not (form.validate_on_submit() and form.confirm.data):
        flash("Cochez la case de confirmation pour vider la corbeille : rien n'a été supprimé.",
              "error")
        return redirect(url_for(".trash", slug=slug))
    deleted = services.empty_bin(space, by=current_user)
    flash(f"Corbeille vidée : {deleted} élément{'s' if deleted > 1 else ''} supprimé"
          f"{'s' if deleted > 1 else ''} définitivement." if deleted else "La corbeille était déjà vide.",
          "success")
    return redirect(url_for(".trash", slug=slug))


@bp.post("/<slug>/documents/<int:doc_id>/valider")
@login_required
def approve_document(slug, doc_id):
    space = _space(slug, need="edit")
    doc = _document(space, doc_id)
    access.require(access.can_approve_document(current_user, doc))
    attempt(lambda: services.approve_document(doc, by=current_user),
            "Fichier validé : les membres de l'espace le voient.", services.DocumentError)
    return redirect(url_for(".document", slug=slug, doc_id=doc.id))


@bp.post("/<slug>/documents/<int:doc_id>/refuser")
@login_required
def refuse_document(slug, doc_id):
    space = _space(slug, need="edit")
    doc = _document(space, doc_id)
    access.require(access.can_approve_document(current_user, doc))
    form = ReviewForm()
    attempt(lambda: services.refuse_document(doc, by=current_user,
                                             comment=form.comment.data or ""),
            "Fichier refusé : il est dans la corbeille et son auteur a reçu votre commentaire.",
            services.DocumentError)
    return redirect(url_for(".document", slug=slug, doc_id=doc.id))


# --- links shared outside the network ------------------------------------------------------------


@bp.post("/<slug>/documents/<int:doc_id>/partages")
@login_required
def share_document(slug, doc_id):
    space = _space(slug)
    doc = _document(space, doc_id, need="edit")
    access.require(access.can_share_document(current_user, doc))
    form = ShareForm()
    if form.validate_on_submit():
        try:
            link, token = services.create_share_link(
                doc, by=current_user, expires_on=form.expires_on.data,
                password=form.password.data or "", label=form.label.data or "")
        except services.DocumentError as exc:
            form.expires_on.errors = [*form.expires_on.errors, str(exc)]
        else:
            # The token is kept only as a digest: the address is shown this once.
            return _document_page(space, doc, new_link=absolute_url("sharing.show", token=token))
    else:
        flash("Le lien n'a pas été créé : corrigez le formulaire ci-dessous.", "error")
    form.password.data = ""
    return _document_page(space, doc, share_form=form)


def _share_link(doc: Document, link_id: int) -> ShareLink:
    return access.part_or_404(ShareLink, link_id, document_id=doc.id)


@bp.post("/<slug>/documents/<int:doc_id>/partages/<int:link_id>/revoquer")
@login_required
def revoke_share_link(slug, doc_id, link_id):
    space = _space(slug)
    doc = _document(space, doc_id, need="edit")
    access.require(access.can_share_document(current_user, doc))
    link = _share_link(doc, link_id)
    attempt(lambda: services.revoke_share_link(link, by=current_user),
            "Lien révoqué : il ne donne plus accès au document.", services.DocumentError)
    return redirect(url_for(".document", slug=slug, doc_id=doc.id) + "#partages")


def _live_link(token: str) -> ShareLink:
    """The live link a token names: unknown, expired, revoked or binned all answer the same
    404, so that nothing is learnt from trying."""
    link = services.share_link_by_token(token)
    if not access.share_link_opens(link):
        abort(404)
    return link


@sharing_bp.get("/<token>")
def show(token):
    link = _live_link(token)
    return render_template("documents/shared.html", link=link, document=link.document,
                           form=SharedDownloadForm())


@sharing_bp.post("/<token>")
@limits.per_address("share-link")
def download_shared(token):
    link = _live_link(token)
    form = SharedDownloadForm()
    if not (form.validate_on_submit()
            and services.share_password_matches(link, form.password.data or "")):
        form.password.errors = ["Mot de passe incorrect."]
        return render_template("documents/shared.html", link=link, document=link.document,
                               form=form), 403
    services.record_shared_download(link)
    return uploads.send(link.document.current_version.file, download_name=link.document.name)


# --- waiting for my approval ---------------------------------------------------------------------


@approvals_bp.get("/")
@login_required
def index():
    return render_template("documents/approvals.html",
                           pages=services.awaiting_my_approval(current_user),
                           files=services.files_awaiting_my_approval(current_user))
