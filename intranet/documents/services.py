"""Pages and document libraries: every change is one transaction, with its revision, its
activity line and (for deletions) its way back from the bin."""
from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, func, inspect, select, update
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..core.pagination import paginate
from .. import access
from ..accounts import passwords
from ..accounts.models import User
from ..core import audit, generations, outline, uploads
from ..core.models import StoredFile
from ..core.sanitize import to_html
from ..core.text import collation_key
from ..core.timeutil import PARIS, today_paris, utcnow
from ..core.urls import path_for
from ..extensions import db
from ..search import services as search
from ..spaces.models import Space
from ..core.types import Visibility
from ..core.uow import unit_of_work
from ..notifications import services as notifications
from ..spaces.services import record_activity, restrict_activity, retract_activity
from .models import (Document, DocumentVersion, Folder, Page, PageAttachment, PageRevision,
                     PageStatus, ShareLink)

notifications.register_kind("documents.approval", "Pages à valider dans mes espaces")
notifications.register_kind("documents.review", "Réponse à mes pages proposées")

audit.ACTION_LABELS.update({
    "document.version_restored": "Document : ancienne version rétablie",
    "document.bin_emptied": "Corbeille d'un espace vidée",
    "document.bin_purged": "Corbeilles : éléments anciens supprimés",
    "document.shared": "Document : lien de partage créé",
    "document.share_revoked": "Document : lien de partage révoqué",
    "document.shared_download": "Document téléchargé par un lien de partage",
})


class DocumentError(ValueError):
    """A refused change, with a French message; nothing was changed."""


@dataclass
class EditConflict(Exception):
    """Someone saved the page since the form was opened: nothing is overwritten."""
    page: Page


# --- pages -----------------------------------------------------------------------------------------


def _check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise DocumentError("Le titre est obligatoire.")
    return title[:200]


def _narrowing(space: Space, visibility: Visibility | None) -> Visibility | None:
    if visibility is not None and visibility.rank < space.visibility.rank:
        raise DocumentError("Un contenu ne peut pas être plus visible que son espace "
                            f"({space.visibility.label.lower()}).")
    return None if visibility == space.visibility else visibility


def _revise(page: Page, by: User, note: str = "") -> None:
    number = (db.session.scalar(select(func.max(PageRevision.number))
                                .where(PageRevision.page_id == page.id)) or 0) + 1
    db.session.add(PageRevision(page=page, number=number, title=page.title,
                                body_html=page.body_html, body_source=page.body_source,
                                body_format=page.body_format, author_id=by.id, note=note[:300]))


def _page_url(page: Page) -> str:
    return path_for("documents.page", slug=page.space.slug, page_id=page.id)


@unit_of_work
def create_page(space: Space, *, title: str, body: str, body_format: str, by: User,
                visibility: Visibility | None = None) -> Page:
    page = Page(space=space, title=_check_title(title), body_source=body or "",
                body_format=body_format if body_format in ("html", "text") else "text",
                body_html=to_html(body, body_format), author_id=by.id, updated_by_id=by.id,
                visibility=_narrowing(space, visibility))
    db.session.add(page)
    db.session.flush()
    _revise(page, by, "Création")
    return page


@unit_of_work
def update_page(page: Page, *, title: str, body: str, body_format: str, by: User,
                base_version: int, visibility: Visibility | None = None, note: str = "") -> Page:
    """Save a new text; refused (EditConflict) if the page changed since ``base_version``."""
    title = _check_title(title)
    if base_version != page.version:
        raise EditConflict(page)
    page.title, page.body_source = title, body or ""
    page.body_format = body_format if body_format in ("html", "text") else "text"
    page.body_html = to_html(body, page.body_format)
    page.visibility = _narrowing(page.space, visibility)
    restrict_activity(path_for("documents.page", slug=page.space.slug, page_id=page.id),
                      page.visibility)  # what announced it follows its visibility
    page.version += 1
    page.updated_at, page.updated_by_id = utcnow(), by.id
    _revise(page, by, note)
    if page.is_published:
        record_activity(page.space, "page.updated", f"Page modifiée : {page.title}", actor=by,
                        url=_page_url(page), visibility=page.visibility)
    return page


@unit_of_work
def publish_page(page: Page, *, by: User) -> PageStatus:
    """Publish (editors) or submit for approval (members, where pages need approval)."""
    if page.is_published:
        raise DocumentError("Cette page est déjà publiée.")
    if access.can_edit(by, page.space):
        _publish(page, by)
    else:
        page.status = PageStatus.PENDING
        page.review_comment = ""
        notifications.notify(db.session.scalars(access.space_editors(page.space)),
                             "documents.approval", f"Page à valider : {page.title}",
                             url=_page_url(page), actor=by,
                             body=f"{by.full_name} propose cette page dans « {page.space.name} » "
                                  "et attend votre validation.")
    return page.status


def _publish(page: Page, by: User) -> None:
    page.status = PageStatus.PUBLISHED
    page.published_at = page.published_at or utcnow()
    page.review_comment = ""
    record_activity(page.space, "page.published", f"Nouvelle page : {page.title}", actor=by,
                    url=_page_url(page), visibility=page.visibility)


@unit_of_work
def approve_page(page: Page, *, by: User) -> None:
    if page.status != PageStatus.PENDING:
        raise DocumentError("Cette page n'attend pas d'approbation.")
    _publish(page, by)
    if page.author is not None:
        notifications.notify([page.author], "documents.review", f"Page publiée : {page.title}",
                             url=_page_url(page), actor=by,
                             body=f"{by.full_name} a validé et publié votre page.")


@unit_of_work
def send_back(page: Page, *, by: User, comment: str) -> None:
    comment = (comment or "").strip()
    if page.status != PageStatus.PENDING:
        raise DocumentError("Cette page n'attend pas d'approbation.")
    if not comment:
        raise DocumentError("Expliquez à l'auteur ce qu'il faut revoir.")
    page.status = PageStatus.DRAFT
    page.review_comment = f"{by.full_name} : {comment}"[:5000]
    if page.author is not None:
        notifications.notify([page.author], "documents.review",
                             f"Page renvoyée pour correction : {page.title}", url=_page_url(page),
                             actor=by, body=f"{by.full_name} vous renvoie la page avec ce "
                                            f"commentaire :\n\n{comment}")


def awaiting_my_approval(user) -> list[Page]:
    """The pages waiting for ``user``'s approval, in every space where they are editor, the
    oldest first (« En attente de ma validation »)."""
    return list(db.session.scalars(
        select(Page).where(access.awaiting_approval(user))
        .options(joinedload(Page.author), joinedload(Page.space))
        .order_by(Page.updated_at, Page.id)))


@unit_of_work
def unpublish_page(page: Page, *, by: User) -> None:
    page.status = PageStatus.DRAFT
    page.updated_at, page.updated_by_id = utcnow(), by.id
    retract_activity(_page_url(page))


@unit_of_work
def restore_revision(page: Page, revision: PageRevision, *, by: User) -> None:
    """Bring back an older text as a new revision (history is never rewritten)."""
    page.title, page.body_html = revision.title, revision.body_html
    page.body_source, page.body_format = revision.body_source, revision.body_format
    page.version += 1
    page.updated_at, page.updated_by_id = utcnow(), by.id
    _revise(page, by, f"Retour à la version {revision.number}")


@unit_of_work
def delete_page(page: Page, *, by: User) -> None:
    page.deleted_at = utcnow()
    retract_activity(_page_url(page))


@unit_of_work
def restore_page(page: Page, *, by: User) -> None:
    page.deleted_at = None


@unit_of_work
def attach_to_page(page: Page, file, *, by: User) -> PageAttachment:
    """Join ``file`` to ``page``: a file sent now, ``(data, name)``, or a pending file kept
    from a refused form (``StoredFile``, taken as it is: ``core/pending.py``)."""
    stored = uploads.take(file, by=by)
    attachment = PageAttachment(page=page, file=stored)
    db.session.add(attachment)
    return attachment


@unit_of_work
def remove_attachment(attachment: PageAttachment) -> None:
    db.session.delete(attachment)


@functools.cache
def _pages_statement():
    """A space's pages as the viewer may see them, built once: bound ``space_id`` and the
    viewer (``access.content_viewer``)."""
    return (select(Page).where(Page.space_id == bindparam("space_id"), Page.deleted_at.is_(None),
                               access.visible_content_bound(Page),
                               access.visible_drafts_bound(Page))
            .options(joinedload(Page.author), joinedload(Page.updated_by))
            .order_by(Page.status.desc(), Page.updated_at.desc()))


def pages(user, space: Space, *, page: int = 1, per_page: int = 50):
    """The pages of a space this person may see (drafts: their own, or all for editors)."""
    return paginate(_pages_statement(), page=page, per_page=per_page,
                    params={"space_id": space.id, **access.content_viewer(user)})


def pending_pages(space: Space) -> list[Page]:
    return list(db.session.scalars(
        select(Page).where(Page.space_id == space.id, Page.status == PageStatus.PENDING,
                           Page.deleted_at.is_(None))
        .options(joinedload(Page.author)).order_by(Page.updated_at)))


def revisions(page: Page) -> list[PageRevision]:
    return list(db.session.scalars(select(PageRevision).where(PageRevision.page_id == page.id)
                                   .options(joinedload(PageRevision.author))
                                   .order_by(PageRevision.number.desc())))


# --- document library ----------------------------------------------------------------------------


def folder_path(folder: Folder | None) -> list[Folder]:
    """Breadcrumbs from the library's root to ``folder``, walking the folders' parents (one
    statement per parent not loaded yet: see ``breadcrumbs`` for a page)."""
    path = []
    while folder is not None:
        path.append(folder)
        folder = folder.parent
    return list(reversed(path))


# The folders of each space are kept by each process while no folder is added, renamed, moved,
# put in the bin or taken out of it (core/generations.py): a library's pages read a folder's
# path and the « move to » choices from them.
FOLDERS = "folders"
generations.watch(FOLDERS, Folder)


def _space_folders(space_id: int) -> dict[int, tuple]:
    """Every folder of the space, in the bin too, as its column values by id; kept."""
    return generations.kept(FOLDERS, ("folders", space_id), lambda: {
        folder.id: generations.column_values(folder) for folder in db.session.scalars(
            select(Folder).where(Folder.space_id == bindparam("space_id")),
            {"space_id": space_id})})


def breadcrumbs(space_id: int, folder_id: int | None) -> list[Folder]:
    """``folder_path`` of the folder ``folder_id`` of the space (None: the library's root) for
    a page, from the space's folders (``_space_folders``), however deep the folder. Each
    folder's ``parent`` is set, so that what walks them afterwards (``folder_path``,
    ``in_bin``) reads nothing more."""
    if folder_id is None:
        return []
    folders, path = _space_folders(space_id), []
    while folder_id is not None and folder_id in folders and len(path) <= len(folders):
        path.append(folders[folder_id])
        folder_id = dict(folders[folder_id])["parent_id"]
    if folder_id is not None:      # not a folder of this space
        return []
    path = [generations.attached(Folder, values) for values in reversed(path)]
    for parent, folder in zip([None, *path], path):
        set_committed_value(folder, "parent", parent)
    return path


def with_folders(document: Document) -> Document:
    """``document`` with its folder and the folder's ancestors (``breadcrumbs``): the rules
    that ask whether it is in the bin, and its page's path, walk them."""
    path = breadcrumbs(document.space_id, document.folder_id)
    set_committed_value(document, "folder", path[-1] if path else None)
    return document


def folder_choices(space: Space, exclude: Folder | None = None) -> dict[str, str]:
    """« Move to » choices: the library's root, then every folder not in the bin, indented in
    tree order, without ``exclude`` and its sub-folders (where a folder may not go)."""
    folders = [dict(values) for values in _space_folders(space.id).values()]
    placed = outline.tree_order(   # what is under a binned folder is left out with it
        sorted((folder for folder in folders if folder["deleted_at"] is None),
               key=lambda folder: collation_key(folder["name"])),
        lambda folder: folder["id"], lambda folder: folder["parent_id"])
    return {"0": "Racine de la bibliothèque", **outline.choices(
        tuple((folder["id"], depth, folder["name"]) for folder, depth in placed),
        lambda depth, name: "— " * (depth + 1) + name,
        exclude.id if exclude is not None else None)}


@functools.cache
def _library_statements(in_folder: bool):
    """A folder's sub-folders and documents (or the library's root's, ``in_folder`` false),
    built once: bound ``space_id``, ``folder_id`` and the viewer (``access.content_viewer``)."""
    def here(column):
        return column == bindparam("folder_id") if in_folder else column.is_(None)
    folders = (select(Folder).where(Folder.space_id == bindparam("space_id"),
                                    Folder.deleted_at.is_(None), here(Folder.parent_id))
               .order_by(Folder.name))
    documents = (select(Document)
                 .where(Document.space_id == bindparam("space_id"),
                        Document.deleted_at.is_(None), here(Document.folder_id),
                        access.visible_content_bound(Document),
                        access.visible_document_drafts_bound())
                 .options(joinedload(Document.current_version).joinedload(DocumentVersion.file),
                          joinedload(Document.current_version)
                          .joinedload(DocumentVersion.uploaded_by))
                 .order_by(Document.name))
    return folders, documents


def library(user, space: Space, folder: Folder | None):
    """(sub-folders, documents) of a folder, as this person may see them."""
    folders, documents = _library_statements(folder is not None)
    params = {"space_id": space.id, "folder_id": folder.id if folder else None,
              **access.content_viewer(user)}
    return (db.session.scalars(folders, params).all(),
            db.session.scalars(documents, params).all())


@unit_of_work
def create_folder(space: Space, name: str, parent: Folder | None, *, by: User) -> Folder:
    name = (name or "").strip()
    if not name:
        raise DocumentError("Le nom du dossier est obligatoire.")
    _check_sibling_name(space, parent, name)
    folder = Folder(space=space, parent=parent, name=name[:200])
    db.session.add(folder)
    return folder


def _check_sibling_name(space: Space, parent: Folder | None, name: str,
                        exclude: Folder | None = None) -> None:
    query = select(Folder.id).where(Folder.space_id == space.id, Folder.deleted_at.is_(None),
                                    func.lower(Folder.name) == name.lower())
    query = query.where(Folder.parent_id.is_(None) if parent is None
                        else Folder.parent_id == parent.id)
    if exclude is not None:
        query = query.where(Folder.id != exclude.id)
    if db.session.scalar(query) is not None:
        raise DocumentError(f"Un dossier « {name} » existe déjà ici.")


@unit_of_work
def upload(space: Space, folder: Folder | None, file, *, by: User,
           visibility: Visibility | None = None, description: str = "") -> Document:
    """A new document of the library from ``file`` (as ``attach_to_page`` takes it)."""
    narrowed = _narrowing(space, visibility)
    stored = uploads.take(file, by=by)
    document = Document(space=space, folder=folder, name=stored.original_name,
                        description=(description or "").strip(), created_by_id=by.id,
                        visibility=narrowed,
                        pending_approval=space.files_need_approval and not access.can_edit(by, space))
    db.session.add(document)
    version = DocumentVersion(document=document, number=1, file=stored, uploaded_by_id=by.id)
    db.session.add(version)
    db.session.flush()
    document.current_version = version
    url = path_for("documents.document", slug=space.slug, doc_id=document.id)
    if document.pending_approval:
        notifications.notify(db.session.scalars(access.space_editors(space)),
                             "documents.approval", f"Fichier à valider : {document.name}",
                             url=url, actor=by,
                             body=f"{by.full_name} a déposé ce fichier dans « {space.name} » ; "
                                  "il attend votre validation pour être visible des membres.")
    else:
        _announce(document, by)
    return document


def _announce(document: Document, by: User) -> None:
    record_activity(document.space, "document.added", f"Nouveau document : {document.name}",
                    actor=by, url=path_for("documents.document", slug=document.space.slug,
                                           doc_id=document.id),
                    visibility=document.visibility)


@unit_of_work
def approve_document(document: Document, *, by: User) -> None:
    """An editor accepts a member's file: the space's members see it (and search finds it)."""
    if not document.pending_approval:
        raise DocumentError("Ce fichier n'attend pas de validation.")
    document.pending_approval = False
    document.updated_at = utcnow()
    _announce(document, by)
    if document.created_by is not None:
        notifications.notify([document.created_by], "documents.review",
                             f"Fichier validé : {document.name}", actor=by,
                             url=path_for("documents.document", slug=document.space.slug,
                                          doc_id=document.id),
                             body=f"{by.full_name} a validé votre fichier : les membres de "
                                  f"« {document.space.name} » le voient.")


@unit_of_work
def refuse_document(document: Document, *, by: User, comment: str) -> None:
    """An editor sends a member's file back: it goes to the bin (where editors may still restore
    it) and its author is told why."""
    comment = (comment or "").strip()
    if not document.pending_approval:
        raise DocumentError("Ce fichier n'attend pas de validation.")
    if not comment:
        raise DocumentError("Expliquez à l'auteur ce qu'il faut revoir.")
    document.deleted_at, document.deleted_by_id = utcnow(), by.id
    if document.created_by is not None:
        notifications.notify([document.created_by], "documents.review",
                             f"Fichier refusé : {document.name}", actor=by,
                             body=f"{by.full_name} n'a pas validé votre fichier déposé dans "
                                  f"« {document.space.name} », avec ce commentaire :\n\n{comment}")


def files_awaiting_my_approval(user) -> list[Document]:
    """The files waiting for ``user``'s approval in every space where they are editor."""
    return list(db.session.scalars(
        select(Document).where(access.documents_awaiting_approval(user))
        .options(joinedload(Document.created_by), joinedload(Document.space))
        .order_by(Document.created_at, Document.id)))


@unit_of_work
def add_version(document: Document, file, *, by: User, note: str = "") -> DocumentVersion:
    """A new version of ``document`` from ``file`` (as ``attach_to_page`` takes it)."""
    _check_not_locked(document, by)
    stored = uploads.take(file, by=by)
    number = max((v.number for v in document.versions), default=0) + 1
    version = DocumentVersion(document=document, number=number, file=stored,
                              uploaded_by_id=by.id, note=(note or "").strip()[:300])
    db.session.add(version)
    db.session.flush()
    document.current_version = version
    document.updated_at = utcnow()
    record_activity(document.space, "document.updated",
                    f"Nouvelle version ({number}) : {document.name}", actor=by,
                    url=path_for("documents.document", slug=document.space.slug,
                                     doc_id=document.id),
                    visibility=document.visibility)
    return version


@unit_of_work
def rename_document(document: Document, name: str, *, by: User) -> None:
    name = (name or "").strip()
    if not name:
        raise DocumentError("Le nom est obligatoire.")
    document.name = uploads.clean_filename(name)
    document.updated_at = utcnow()


@unit_of_work
def move_document(document: Document, folder: Folder | None, *, by: User) -> None:
    if folder is not None and (folder.space_id != document.space_id or folder.deleted_at):
        raise DocumentError("Ce dossier n'existe pas dans cet espace.")
    document.folder = folder


@unit_of_work
def rename_folder(folder: Folder, name: str, *, by: User) -> None:
    name = (name or "").strip()
    if not name:
        raise DocumentError("Le nom du dossier est obligatoire.")
    _check_sibling_name(folder.space, folder.parent, name, exclude=folder)
    folder.name = name[:200]


@unit_of_work
def move_folder(folder: Folder, target: Folder | None, *, by: User) -> None:
    if target is not None:
        if target.space_id != folder.space_id or target.deleted_at:
            raise DocumentError("Ce dossier n'existe pas dans cet espace.")
        if folder in folder_path(target):
            raise DocumentError("Un dossier ne peut pas être déplacé dans lui-même ni dans "
                                "l'un de ses sous-dossiers.")
    _check_sibling_name(folder.space, target, folder.name, exclude=folder)
    folder.parent = target


@unit_of_work
def delete_document(document: Document, *, by: User) -> None:
    document.deleted_at, document.deleted_by_id = utcnow(), by.id
    retract_activity(path_for("documents.document", slug=document.space.slug, doc_id=document.id))


@unit_of_work
def delete_folder(folder: Folder, *, by: User) -> None:
    """To the bin, with everything inside (which comes back with it)."""
    folder.deleted_at, folder.deleted_by_id = utcnow(), by.id
    _requeue_contents(folder)


def _requeue_contents(folder: Folder) -> None:
    """The documents under a folder leave (or come back to) search with it."""
    ids, frontier = [], [folder.id]
    while frontier:
        ids.extend(frontier)
        frontier = list(db.session.scalars(select(Folder.id).where(Folder.parent_id.in_(frontier))))
    for document in db.session.scalars(select(Document).where(Document.folder_id.in_(ids))):
        search.index(document)


@unit_of_work
def restore_document(document: Document, *, by: User) -> None:
    document.deleted_at = document.deleted_by_id = None
    if document.folder is not None and _in_bin(document.folder):
        document.folder = None  # its folder is still in the bin: back to the root


@unit_of_work
def restore_folder(folder: Folder, *, by: User) -> None:
    folder.deleted_at = folder.deleted_by_id = None
    if folder.parent is not None and _in_bin(folder.parent):
        folder.parent = None
    _requeue_contents(folder)


def _in_bin(folder: Folder) -> bool:
    return any(f.deleted_at is not None for f in folder_path(folder))


def bin_contents(space: Space) -> tuple[list[Folder], list[Document], list[Page]]:
    folders = db.session.scalars(select(Folder).where(Folder.space_id == space.id,
                                                      Folder.deleted_at.is_not(None))
                                 .options(joinedload(Folder.deleted_by))
                                 .order_by(Folder.deleted_at.desc())).all()
    documents = db.session.scalars(select(Document).where(Document.space_id == space.id,
                                                          Document.deleted_at.is_not(None))
                                   .options(joinedload(Document.deleted_by))
                                   .order_by(Document.deleted_at.desc())).all()
    pages_ = db.session.scalars(select(Page).where(Page.space_id == space.id,
                                                   Page.deleted_at.is_not(None))
                                .order_by(Page.deleted_at.desc())).all()
    return list(folders), list(documents), list(pages_)


# What a document's page reads with the document (the view's ``_document(page=True)``): its
# versions, each with its file and who sent it.
PAGE_OPTIONS = (joinedload(Document.versions).joinedload(DocumentVersion.file),
                joinedload(Document.versions).joinedload(DocumentVersion.uploaded_by))


def document_versions(document: Document) -> list[DocumentVersion]:
    """The versions, newest first: as read with the document (``PAGE_OPTIONS``), else read."""
    if "versions" in inspect(document).dict:
        return list(document.versions)
    return list(db.session.scalars(select(DocumentVersion)
                                   .where(DocumentVersion.document_id == document.id)
                                   .options(joinedload(DocumentVersion.file),
                                            joinedload(DocumentVersion.uploaded_by))
                                   .order_by(DocumentVersion.number.desc())))


# --- versions, locks ---------------------------------------------------------------------------


class DocumentLocked(DocumentError):
    """Someone else holds the document's lock: no new version meanwhile."""


def _check_not_locked(document: Document, by: User) -> None:
    holder = access.lock_holder_id(document)
    if holder is not None and holder != by.id:
        name = document.locked_by.full_name if document.locked_by else "quelqu'un"
        raise DocumentLocked(f"« {document.name} » est verrouillé par {name}, qui le modifie : "
                             "attendez qu'il le déverrouille.")


@unit_of_work
def restore_version(document: Document, version: DocumentVersion, *, by: User) -> DocumentVersion:
    """Make an older version the current one again: a new version with its file (history is
    never rewritten), audited and announced like a new version."""
    if version.document_id != document.id:
        raise DocumentError("Cette version n'est pas celle de ce document.")
    if document.current_version is version:
        raise DocumentError(f"La version {version.number} est déjà la version actuelle.")
    _check_not_locked(document, by)
    number = max((v.number for v in document.versions), default=0) + 1
    restored = DocumentVersion(document=document, number=number, file=version.file,
                               uploaded_by_id=by.id,
                               note=f"Retour à la version {version.number}")
    db.session.add(restored)
    db.session.flush()
    document.current_version = restored
    document.updated_at = utcnow()
    url = path_for("documents.document", slug=document.space.slug, doc_id=document.id)
    record_activity(document.space, "document.updated",
                    f"Version {version.number} rétablie : {document.name}", actor=by, url=url,
                    visibility=document.visibility)
    audit.record("document.version_restored", actor=by,
                 organisation=document.space.organisation, target=url,
                 detail=f"version {version.number} rétablie (nouvelle version {number})")
    return restored


@unit_of_work
def lock_document(document: Document, *, by: User) -> None:
    """« Verrouiller pour modification »: the others see who edits it and cannot add a version
    until it is released (or ``DOCUMENTS_LOCK_HOURS`` have passed)."""
    _check_not_locked(document, by)
    document.locked_by_id, document.locked_at = by.id, utcnow()


@unit_of_work
def unlock_document(document: Document, *, by: User) -> None:
    document.locked_by_id = document.locked_at = None


# --- the bin, emptied ----------------------------------------------------------------------------


def _folder_tree(folder_ids: list[int]) -> list[int]:
    """``folder_ids`` and every folder under them."""
    found, frontier = [], list(folder_ids)
    while frontier:
        found.extend(frontier)
        frontier = list(db.session.scalars(select(Folder.id).where(Folder.parent_id.in_(frontier))))
    return found


def _destroy(folder_ids: list[int], document_ids: list[int], page_ids: list[int]) -> int:
    """Delete for good pages, documents and folders (with what is inside the folders), their
    versions, revisions, attachments and shared links; their files go once the transaction
    commits. Returns the number of items of the bin deleted (those named)."""
    tree = _folder_tree(folder_ids)
    inside = list(db.session.scalars(select(Document.id).where(Document.folder_id.in_(tree))))
    doc_ids = sorted(set(document_ids) | set(inside))
    files: dict[int, StoredFile] = {}
    for document in db.session.scalars(select(Document).where(Document.id.in_(doc_ids))
                                       .options(selectinload(Document.versions)
                                                .joinedload(DocumentVersion.file))):
        for version in document.versions:
            files[version.file.id] = version.file
        document.current_version = None
    db.session.flush()
    db.session.execute(delete(ShareLink).where(ShareLink.document_id.in_(doc_ids)))
    for document in db.session.scalars(select(Document).where(Document.id.in_(doc_ids))):
        db.session.delete(document)
    for page in db.session.scalars(select(Page).where(Page.id.in_(page_ids))
                                   .options(selectinload(Page.attachments)
                                            .joinedload(PageAttachment.file))):
        for attachment in page.attachments:
            files[attachment.file.id] = attachment.file
        db.session.delete(page)
    db.session.flush()
    db.session.execute(update(Document).where(Document.folder_id.in_(tree)).values(folder_id=None))
    for folder_id in reversed(tree):   # the deepest first
        db.session.execute(delete(Folder).where(Folder.id == folder_id))
    for stored in files.values():
        db.session.delete(stored)
    uploads.discard_after_commit(files.values())
    return len(folder_ids) + len(document_ids) + len(page_ids)


def _binned(space_id: int | None, before: datetime | None):
    """The ids of what is in the bin (of one space, or everywhere; binned before a time)."""
    def ids(model):
        query = select(model.id).where(model.deleted_at.is_not(None))
        if space_id is not None:
            query = query.where(model.space_id == space_id)
        if before is not None:
            query = query.where(model.deleted_at < before)
        return list(db.session.scalars(query))
    return ids(Folder), ids(Document), ids(Page)


@unit_of_work
def empty_bin(space: Space, *, by: User) -> int:
    """Delete for good everything in the space's bin (its editors, after a confirmation)."""
    deleted = _destroy(*_binned(space.id, None))
    if deleted:
        audit.record("document.bin_emptied", actor=by, organisation=space.organisation,
                     target=path_for("documents.trash", slug=space.slug),
                     detail=f"{deleted} élément(s) supprimé(s) définitivement")
    return deleted


@unit_of_work
def purge_bins(now: datetime | None = None) -> int:
    """The worker's round: what has been in a bin for more than
    ``DOCUMENTS_BIN_RETENTION_DAYS`` is deleted for good. Returns how many items."""
    days = current_app.config["DOCUMENTS_BIN_RETENTION_DAYS"]
    deleted = _destroy(*_binned(None, (now or utcnow()) - timedelta(days=days)))
    if deleted:
        audit.record("document.bin_purged",
                     detail=f"{deleted} élément(s) resté(s) plus de {days} jours en corbeille")
    return deleted


# --- links shared outside the network ------------------------------------------------------------


SHARE_PASSWORD_MIN_LENGTH = 8


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _end_of_day(day: date) -> datetime:
    """The last instant of ``day`` in Paris, as naive UTC."""
    local = datetime.combine(day + timedelta(days=1), time.min, tzinfo=PARIS)
    return local.astimezone(UTC).replace(tzinfo=None)


@unit_of_work
def create_share_link(document: Document, *, by: User, expires_on: date | None,
                      password: str = "", label: str = "") -> tuple[ShareLink, str]:
    """A link to the document's current version for someone outside the network, valid until
    the end of ``expires_on`` (at most ``DOCUMENTS_SHARE_MAX_DAYS`` ahead). Returns the link and
    its token: only its digest is kept, so it is shown once."""
    longest = current_app.config["DOCUMENTS_SHARE_MAX_DAYS"]
    today = today_paris()
    if expires_on is None:
        raise DocumentError("Indiquez jusqu'à quand le lien est valable.")
    if expires_on < today:
        raise DocumentError("La date d'expiration est déjà passée.")
    if expires_on > today + timedelta(days=longest):
        raise DocumentError(f"Un lien de partage est valable au plus {longest} jours.")
    if document.in_bin or document.current_version is None:
        raise DocumentError("Ce document ne peut pas être partagé.")
    password = password or ""
    if password and len(password) < SHARE_PASSWORD_MIN_LENGTH:
        raise DocumentError(f"Le mot de passe du lien doit compter au moins "
                            f"{SHARE_PASSWORD_MIN_LENGTH} caractères.")
    token = secrets.token_urlsafe(32)
    link = ShareLink(document=document, token_digest=_token_digest(token),
                     label=(label or "").strip()[:200], expires_at=_end_of_day(expires_on),
                     password_hash=passwords.hash_password(password) if password else None,
                     created_by_id=by.id)
    db.session.add(link)
    db.session.flush()
    audit.record("document.shared", actor=by, organisation=document.space.organisation,
                 target=path_for("documents.document", slug=document.space.slug,
                                 doc_id=document.id),
                 detail=f"lien n° {link.id} jusqu'au {expires_on:%d/%m/%Y}"
                        f"{' avec mot de passe' if password else ''}")
    return link, token


@unit_of_work
def revoke_share_link(link: ShareLink, *, by: User) -> None:
    if link.revoked_at is not None:
        raise DocumentError("Ce lien est déjà révoqué.")
    link.revoked_at = utcnow()
    audit.record("document.share_revoked", actor=by, organisation=link.space.organisation,
                 target=path_for("documents.document", slug=link.space.slug,
                                 doc_id=link.document_id),
                 detail=f"lien n° {link.id} révoqué")


def share_links(document: Document) -> list[ShareLink]:
    return list(db.session.scalars(select(ShareLink).where(ShareLink.document_id == document.id)
                                   .options(joinedload(ShareLink.created_by))
                                   .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())))


def share_link_by_token(token: str) -> ShareLink | None:
    """The link a token names, whatever its state (``access.share_link_opens`` decides)."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(ShareLink).where(ShareLink.token_digest == _token_digest(token))
                             .options(joinedload(ShareLink.document)))


def share_password_matches(link: ShareLink, password: str) -> bool:
    """True when the link has no password or ``password`` is its password."""
    if link.password_hash is None:
        return True
    return passwords.verify(link.password_hash, password or "")


@unit_of_work
def record_shared_download(link: ShareLink) -> None:
    """One download through a shared link: counted, and in the audit log (with the address)."""
    link.downloads += 1
    link.last_download_at = utcnow()
    audit.record("document.shared_download", organisation=link.space.organisation,
                 target=path_for("documents.document", slug=link.space.slug,
                                 doc_id=link.document_id),
                 detail=f"lien n° {link.id}, téléchargement n° {link.downloads}")
