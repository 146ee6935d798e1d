"""Document libraries and pages beyond view/edit: approval, locks, the bin, links shared
outside the network. Part of ``intranet.access``, which re-exports every name (callers import
``access``).

In words:
- what waits for a person's approval is what is pending in the spaces where they are at least
  editor (``awaiting_approval``, ``documents_awaiting_approval``: the SQL filters;
  ``space_editors``, who is told);
- where a space's files need approval, its members upload too (``can_upload_document``); their
  files are seen by them and the space's editors only (``visible_document_drafts``) until an
  editor approves them (``can_approve_document``);
- a file is « verrouillé pour modification » by someone who may edit it; while the lock holds
  (``DOCUMENTS_LOCK_HOURS``), nobody else adds a version; its holder or an editor of the space
  releases it;
- the space's editors empty its bin;
- those who may edit a document share it outside the network; a shared link reaches the
  current version of its own document only, while it is live and the document is not in the
  bin.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_login import current_user
from sqlalchemy import and_, false, func, or_, select

from ..accounts.models import Membership, User
from ..core.timeutil import utcnow
from ..core.types import Role
from ..documents.models import Document, Page, PageStatus, ShareLink
from ..spaces.models import Space, SpaceKind
from . import (TEMPLATE_GLOBALS, _explicit_role_holders, _role_at_least, _signed_in, can_edit,
               can_view, space_ids_with_role)


# --- approval ------------------------------------------------------------------------------------


def space_editors(space: Space):
    """SELECT of the active people who are at least editor of ``space``: the SQL twin of
    ``space_role(user, space) >= editor`` (in the open space: its explicit editors and the
    editors and admins of every organisation)."""
    ids = _explicit_role_holders(space, Role.EDITOR)
    if space.kind == SpaceKind.OPEN:
        ids = ids.union(select(Membership.user_id).where(
            Membership.role.in_(Role.at_least(Role.EDITOR))))
    return select(User).where(User.active.is_(True), User.id.in_(ids))


def awaiting_approval(user):
    """WHERE clause of the pages waiting for ``user``'s approval: pending, not in the bin, in a
    space where they are at least editor (``reach``, read once per request)."""
    if not _signed_in(user):
        return false()
    return and_(Page.status == PageStatus.PENDING, Page.deleted_at.is_(None),
                Page.space_id.in_(space_ids_with_role(user, Role.EDITOR)))


def awaiting_approval_count(space_ids):
    """SELECT of the number of pages waiting in ``space_ids`` (a list, or an expanding bound
    parameter: the header's counter, ``hooks.register_header_counter``)."""
    return select(func.count()).select_from(Page).where(
        Page.status == PageStatus.PENDING, Page.deleted_at.is_(None), Page.space_id.in_(space_ids))


def documents_awaiting_approval(user):
    """WHERE clause of the files waiting for ``user``'s approval (the twin of
    ``awaiting_approval`` for documents)."""
    if not _signed_in(user):
        return false()
    return and_(Document.pending_approval.is_(True), Document.deleted_at.is_(None),
                Document.space_id.in_(space_ids_with_role(user, Role.EDITOR)))


def awaiting_files_count(space_ids):
    """SELECT of the number of files waiting in ``space_ids`` (as ``awaiting_approval_count``)."""
    return select(func.count()).select_from(Document).where(
        Document.pending_approval.is_(True), Document.deleted_at.is_(None),
        Document.space_id.in_(space_ids))


def can_upload_document(user, space: Space) -> bool:
    """Add a file to a space's library: its editors; also its members where files need
    approval (their files then wait for an editor)."""
    if space.archived or not can_view(user, space):
        return False
    return _role_at_least(user, space, Role.MEMBER if space.files_need_approval else Role.EDITOR)


def visible_document_drafts(user):
    """WHERE clause, twin of ``_draft_visible`` for documents waiting for approval: approved,
    or the person's own, or in a space where they are at least editor."""
    if not _signed_in(user):
        return Document.pending_approval.is_(False)
    return or_(Document.pending_approval.is_(False), Document.created_by_id == user.id,
               Document.space_id.in_(space_ids_with_role(user, Role.EDITOR)))


def can_approve_document(user, document: Document) -> bool:
    """Approve (or refuse) a file waiting for approval: an editor of its space."""
    return (document.pending_approval and not document.in_bin
            and can_edit(user, document.space))


def approval_spaces(user) -> list[int]:
    """The ids (never empty) of the spaces whose pending pages ``user`` approves."""
    return space_ids_with_role(user, Role.EDITOR)


# --- locks ---------------------------------------------------------------------------------------


def lock_ends_at(document: Document) -> datetime | None:
    """When the document's lock stops holding by itself (None: it is not locked)."""
    if document.locked_at is None or document.locked_by_id is None:
        return None
    return document.locked_at + timedelta(hours=current_app.config["DOCUMENTS_LOCK_HOURS"])


def lock_holder_id(document: Document, now: datetime | None = None) -> int | None:
    """Who holds a live lock on ``document`` (None: nobody, or it has lapsed)."""
    ends = lock_ends_at(document)
    if ends is None or (now or utcnow()) >= ends:
        return None
    return document.locked_by_id


def can_lock_document(user, document: Document) -> bool:
    """« Verrouiller pour modification »: who may edit it, when nobody holds it."""
    return (can_edit(user, document) and not document.in_bin
            and lock_holder_id(document) is None)


def can_release_lock(user, document: Document) -> bool:
    """Release a live lock: its holder, or an editor of the space."""
    holder = lock_holder_id(document)
    if holder is None or not can_edit(user, document):
        return False
    return holder == user.id or _role_at_least(user, document.space, Role.EDITOR)


def can_add_version(user, document: Document) -> bool:
    """Upload a new version (or restore an old one): who may edit it, unless someone else
    holds its lock."""
    if not can_edit(user, document):
        return False
    holder = lock_holder_id(document)
    return holder is None or holder == user.id


# --- the bin -------------------------------------------------------------------------------------


def can_empty_bin(user, space: Space) -> bool:
    """Delete for good what is in a space's bin: its editors (those who see the bin)."""
    return not space.archived and _role_at_least(user, space, Role.EDITOR)


# --- links shared outside the network ------------------------------------------------------------


def can_share_document(user, document: Document) -> bool:
    """Create links to ``document`` for people outside the network, see and revoke them."""
    return can_edit(user, document) and not document.in_bin and not document.pending_approval


def share_link_opens(link: ShareLink | None, now: datetime | None = None) -> bool:
    """A shared link reaches its document (signed out, by its token): live (not revoked, not
    expired), its document out of the bin and with a current version."""
    return (link is not None and link.is_live(now) and not link.document.in_bin
            and not link.document.pending_approval and link.document.current_version is not None)


TEMPLATE_GLOBALS["can_lock_document"] = lambda doc: can_lock_document(current_user._get_current_object(), doc)
TEMPLATE_GLOBALS["can_release_lock"] = lambda doc: can_release_lock(current_user._get_current_object(), doc)
TEMPLATE_GLOBALS["can_add_version"] = lambda doc: can_add_version(current_user._get_current_object(), doc)
TEMPLATE_GLOBALS["can_empty_bin"] = lambda space: can_empty_bin(current_user._get_current_object(), space)
TEMPLATE_GLOBALS["can_share_document"] = lambda doc: can_share_document(current_user._get_current_object(), doc)
TEMPLATE_GLOBALS["can_upload_document"] = lambda space: can_upload_document(current_user._get_current_object(), space)
TEMPLATE_GLOBALS["can_approve_document"] = lambda doc: can_approve_document(current_user._get_current_object(), doc)
TEMPLATE_GLOBALS["lock_holder_id"] = lock_holder_id
TEMPLATE_GLOBALS["lock_ends_at"] = lock_ends_at
