"""Pages and document libraries: every change is one transaction, with its revision, its
activity line and (for deletions) its way back from the bin."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..core.pagination import paginate
from .. import access
from ..accounts.models import User
from ..core import uploads
from ..core.sanitize import to_html
from ..core.text import collation_key
from ..core.timeutil import utcnow
from ..core.urls import path_for
from ..extensions import db
from ..search import services as search
from ..spaces.models import Space
from ..core.types import Visibility
from ..core.uow import unit_of_work
from ..spaces.services import record_activity, restrict_activity, retract_activity
from .models import (Document, DocumentVersion, Folder, Page, PageAttachment, PageRevision,
                     PageStatus)


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


@unit_of_work
def send_back(page: Page, *, by: User, comment: str) -> None:
    comment = (comment or "").strip()
    if page.status != PageStatus.PENDING:
        raise DocumentError("Cette page n'attend pas d'approbation.")
    if not comment:
        raise DocumentError("Expliquez à l'auteur ce qu'il faut revoir.")
    page.status = PageStatus.DRAFT
    page.review_comment = f"{by.full_name} : {comment}"[:5000]


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


def pages(user, space: Space, *, page: int = 1, per_page: int = 50):
    """The pages of a space this person may see (drafts: their own, or all for editors)."""
    query = (select(Page).where(Page.space_id == space.id, Page.deleted_at.is_(None),
                                access.visible_content(user, Page), access.visible_drafts(user, Page))
             .options(joinedload(Page.author), joinedload(Page.updated_by))
             .order_by(Page.status.desc(), Page.updated_at.desc()))
    return paginate(query, page=page, per_page=per_page)


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
    """Breadcrumbs from the library's root to ``folder``."""
    path = []
    while folder is not None:
        path.append(folder)
        folder = folder.parent
    return list(reversed(path))


def library(user, space: Space, folder: Folder | None):
    """(sub-folders, documents) of a folder, as this person may see them."""
    parent = folder.id if folder else None
    folders = db.session.scalars(
        select(Folder).where(Folder.space_id == space.id, Folder.deleted_at.is_(None),
                             Folder.parent_id.is_(parent) if parent is None
                             else Folder.parent_id == parent).order_by(Folder.name)).all()
    documents = db.session.scalars(
        select(Document).where(Document.space_id == space.id, Document.deleted_at.is_(None),
                               Document.folder_id.is_(None) if parent is None
                               else Document.folder_id == parent,
                               access.visible_content(user, Document))
        .options(joinedload(Document.current_version).joinedload(DocumentVersion.file),
                 joinedload(Document.current_version).joinedload(DocumentVersion.uploaded_by))
        .order_by(Document.name)).all()
    return folders, documents


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
                        visibility=narrowed)
    db.session.add(document)
    version = DocumentVersion(document=document, number=1, file=stored, uploaded_by_id=by.id)
    db.session.add(version)
    db.session.flush()
    document.current_version = version
    record_activity(space, "document.added", f"Nouveau document : {document.name}", actor=by,
                    url=path_for("documents.document", slug=space.slug, doc_id=document.id),
                    visibility=document.visibility)
    return document


@unit_of_work
def add_version(document: Document, file, *, by: User, note: str = "") -> DocumentVersion:
    """A new version of ``document`` from ``file`` (as ``attach_to_page`` takes it)."""
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


def all_folders(space: Space) -> list[tuple[Folder, int]]:
    """Every live folder of the space with its depth, for « move to » choices."""
    folders = db.session.scalars(select(Folder).where(Folder.space_id == space.id,
                                                      Folder.deleted_at.is_(None))).all()
    children: dict[int | None, list[Folder]] = {}
    for folder in folders:
        children.setdefault(folder.parent_id, []).append(folder)
    ordered: list[tuple[Folder, int]] = []

    def walk(parent_id, depth):
        for folder in sorted(children.get(parent_id, []), key=lambda f: collation_key(f.name)):
            ordered.append((folder, depth))
            walk(folder.id, depth + 1)
    walk(None, 0)
    return ordered


def document_versions(document: Document) -> list[DocumentVersion]:
    return list(db.session.scalars(select(DocumentVersion)
                                   .where(DocumentVersion.document_id == document.id)
                                   .options(selectinload(DocumentVersion.file),
                                            joinedload(DocumentVersion.uploaded_by))
                                   .order_by(DocumentVersion.number.desc())))
