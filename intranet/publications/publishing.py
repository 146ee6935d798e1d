"""The one life cycle of every publication type (acts, aids, procurement notices, press
releases): publishing, withdrawing and attachments, written once.

Each type describes itself with a ``PublicationType`` (registered by its ``services`` module):
its names, its messages' subject (« Cette aide »), its activity line, and the hooks for its own
rules (an act is published with its PDF and stays online two months). Everything else is the
same for every type:

- publishing an item already online, or withdrawing one that is not online, is refused with a
  French message, and nothing changes;
- publishing sets ``published_at`` (the date it went online), writes the audit event
  ``<key>.published`` and the open space's activity line (with the item's visibility);
- withdrawing writes the audit event ``<key>.withdrawn`` (with the reason, when given) and
  removes the activity lines that announced the item;
- the search index follows the status through the session's hooks (``search/services.py``):
  published items are indexed, drafts and withdrawn ones leave the index;
- an attachment's file follows its row (``core.attachments.AttachmentMixin``); files stored by a
  change that rolls back are removed (``core/uploads.py``).

Each public function is one unit of work (``core/uow.py``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .. import access
from ..accounts.models import Organisation, User
from ..core import audit, uploads
from ..core.timeutil import utcnow
from ..core.uow import unit_of_work
from ..core.urls import path_for
from ..extensions import db
from ..spaces import services as spaces
from .lifecycle import PublicationStatus


class PublicationError(ValueError):
    """A refused change to a publication, with a French message; nothing was changed."""


def _no_refusal(_publication) -> str | None:
    return None


def _nothing(_publication) -> None:
    return None


@dataclass(frozen=True)
class PublicationType:
    key: str                    # activity verbs and audit actions: "<key>.published", …
    endpoint: str               # the item's page, e.g. "aids.show"
    id_arg: str                 # that endpoint's parameter, e.g. "aid_id"
    this: str                   # the subject of messages: « Cette aide », « Cet acte »…
    noun: str                   # what the audit log calls it: « Aide », « Communiqué »…
    # The activity line announcing the item: ``summary(item)``, else « <announce> de
    # <publisher> : <title> ».
    announce: str = ""
    summary: Callable[[object], str] | None = None
    error: type[PublicationError] = PublicationError
    # What the audit log names: a number, never a title (a draft's is its publisher's only).
    target: Callable[[object], str] | None = None
    publish_refusal: Callable[[object], str | None] = _no_refusal
    withdrawal_refusal: Callable[[object], str | None] = _no_refusal
    on_withdrawn: Callable[[object], None] = _nothing
    attachments: str = "documents"   # the relationship holding its ``AttachmentMixin`` rows
    attachment: type | None = None
    attachment_types: tuple[str, ...] = uploads.DOCUMENTS
    removal_refusal: Callable[[object], str | None] = _no_refusal

    def url(self, item) -> str:
        return path_for(self.endpoint, **{self.id_arg: item.id})

    def announcement(self, item) -> str:
        if self.summary is not None:
            return self.summary(item)
        return f"{self.announce} de {item.organisation.name} : {item.title}"

    def audit_target(self, item) -> str:
        return self.target(item) if self.target else f"{self.noun} n° {item.id}"


_TYPES: dict[type, PublicationType] = {}


def register(model: type, publication_type: PublicationType) -> PublicationType:
    _TYPES[model] = publication_type
    return publication_type


def type_of(item) -> PublicationType:
    return _TYPES[type(item)]


def attachment_types(model) -> tuple[str, ...]:
    """The file types a publication type accepts as attachments."""
    return _TYPES[model].attachment_types


# --- writing ------------------------------------------------------------------------------------


def new_draft(model, organisation: Organisation, *, by: User, **fields):
    """A new draft of ``organisation`` by ``by``, once ``access`` says they publish for it;
    the caller adds it to the session when its fields are set."""
    kind = _TYPES[model]
    if not access.can_edit_publication(by, organisation):
        raise kind.error("Vous ne pouvez pas publier pour cet organisme.")
    return model(organisation=organisation, created_by=by, status=PublicationStatus.DRAFT,
                 **fields)


@unit_of_work
def create(model, organisation: Organisation, *, by: User, fill: Callable[[object], None],
           files=()):
    """A new draft of ``organisation``: ``fill(item)`` checks and sets its fields (raising the
    type's error), and ``files`` — each a file sent now, ``(data, name)``, or a pending file
    (``StoredFile``, ``core/pending.py``) — are joined to it."""
    item = new_draft(model, organisation, by=by)
    fill(item)
    db.session.add(item)
    for upload in files:
        attach(item, upload, by=by)
    return item


@unit_of_work
def update(item, *, by: User, fill: Callable[[object], None], files=()):
    """``create``'s twin for an item that exists; its announcement follows its visibility."""
    fill(item)
    for upload in files:
        attach(item, upload, by=by)
    follow_visibility(item)
    return item


def writers(model, apply: Callable[[object, object], None]):
    """The create and update services of a type whose form data ``apply(item, data)`` checks
    (raising the type's error) and sets: ``create(organisation, data, *, by, files=())`` and
    ``update(item, data, *, by, files=())``, each one unit of work."""
    def create_item(organisation: Organisation, data, *, by: User, files=()):
        return create(model, organisation, by=by, files=files,
                      fill=lambda item: apply(item, data))

    def update_item(item, data, *, by: User, files=()):
        return update(item, by=by, files=files, fill=lambda saved: apply(saved, data))

    return create_item, update_item


def follow_visibility(item) -> None:
    """The activity lines announcing ``item`` take its visibility (after it was saved)."""
    spaces.restrict_activity(type_of(item).url(item), item.visibility)


# --- publishing and withdrawing ------------------------------------------------------------------


def publish_refusal(item) -> str | None:
    """Why ``item`` may not be published now (French), or None if it may."""
    kind = type_of(item)
    if item.status == PublicationStatus.PUBLISHED:
        return f"{kind.this} est déjà en ligne : rien n'a été changé."
    return kind.publish_refusal(item)


def withdrawal_refusal(item) -> str | None:
    """Why ``item`` may not be withdrawn now (French), or None if it may."""
    kind = type_of(item)
    if item.status != PublicationStatus.PUBLISHED:
        return f"{kind.this} n'est pas en ligne : il n'y a rien à retirer."
    return kind.withdrawal_refusal(item)


@unit_of_work
def publish(item, *, by: User) -> None:
    """Put ``item`` online, audit it and announce it in the open space."""
    kind = type_of(item)
    refusal = publish_refusal(item)
    if refusal:
        raise kind.error(refusal)
    item.status = PublicationStatus.PUBLISHED
    item.published_at = utcnow()
    audit.record(f"{kind.key}.published", actor=by, organisation=item.organisation,
                 target=kind.audit_target(item))
    spaces.record_activity(spaces.ensure_open_space(), f"{kind.key}.published",
                           kind.announcement(item), actor=by, url=kind.url(item),
                           visibility=item.visibility)


@unit_of_work
def withdraw(item, *, by: User, reason: str = "") -> None:
    """Take ``item`` offline (kept for the record, seen by its publisher's members only)."""
    kind = type_of(item)
    refusal = withdrawal_refusal(item)
    if refusal:
        raise kind.error(refusal)
    item.status = PublicationStatus.WITHDRAWN
    kind.on_withdrawn(item)
    # The lines announcing it go with it (they would lead to a page now closed).
    spaces.retract_activity(kind.url(item))
    audit.record(f"{kind.key}.withdrawn", actor=by, organisation=item.organisation,
                 target=kind.audit_target(item), detail=(reason or "").strip()[:2000])


# --- attachments ---------------------------------------------------------------------------------


def attachments_of(item) -> list:
    return getattr(item, type_of(item).attachments)


def find_attachment(item, attachment_id: int):
    """One of ``item``'s attachments, or None (one that belongs to another item included)."""
    return next((a for a in attachments_of(item) if a.id == attachment_id), None)


def attach(item, upload, *, by: User, title: str = ""):
    """Join a file to ``item``, in the caller's transaction: one sent now, ``(data, name)``,
    is stored; a pending file (``StoredFile``) is adopted as it is (``uploads.take``). Raise
    ``uploads.UploadError`` with nothing stored."""
    kind = type_of(item)
    stored = uploads.take(upload, allowed=kind.attachment_types, by=by)
    fields = {"title": (title or "").strip()[:200]} if hasattr(kind.attachment, "title") else {}
    attachment = kind.attachment(file=stored, **fields)
    attachments_of(item).append(attachment)
    return attachment


@unit_of_work
def add_attachment(item, data: bytes, filename: str, *, by: User, title: str = ""):
    attachment = attach(item, (data, filename), by=by, title=title)
    item.updated_at = utcnow()
    return attachment


@unit_of_work
def remove_attachment(item, attachment, *, by: User) -> None:
    """Remove an attachment; its file leaves the disk once this is committed."""
    kind = type_of(item)
    refusal = kind.removal_refusal(item)
    if refusal:
        raise kind.error(refusal)
    attachments_of(item).remove(attachment)
    item.updated_at = utcnow()
