"""Press releases: writing (sanitised on save), attachments, publishing and withdrawing, and
the queries behind the list, the organisation pages and the Atom feeds (all filtered in SQL by
``access.visible_publications``)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import extract, select
from sqlalchemy.orm import joinedload

from ... import access
from ...accounts.models import Organisation, User
from ...core.types import Role, Visibility
from ...core import uploads
from ..lifecycle import PublicationStatus
from ...core.sanitize import to_html
from ...core.text import collation_key
from ...core.timeutil import utcnow
from ...core.urls import path_for
from ...extensions import db
from ...spaces import services as spaces
from .models import BODY_FORMAT_LABELS, PressAttachment, PressRelease

ATTACHMENT_TYPES = ("pdf", *uploads.IMAGES)
PUBLISHED_VISIBILITIES = (Visibility.PUBLIC, Visibility.NETWORK)


class PressError(ValueError):
    """A refused change, with a French message; nothing was changed."""


def publishable_organisations(user) -> list[Organisation]:
    """The organisations whose releases ``user`` writes (editor or admin there)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return sorted((m.organisation for m in user.memberships
                   if m.role.rank >= Role.EDITOR.rank and m.organisation.is_active),
                  key=lambda o: collation_key(o.name))


# --- writing -------------------------------------------------------------------------------------


def _discard(stored_files) -> None:
    """Remove the files written for a change that did not happen."""
    uploads.discard(stored_files)


def _store_attachments(release: PressRelease, files, by: User) -> None:
    """Store every file or none (raises ``uploads.UploadError``, having removed the others)."""
    stored = []
    try:
        for filename, data in files:
            stored.append(uploads.store(data, filename, allowed=ATTACHMENT_TYPES, by=by))
    except uploads.UploadError:
        db.session.rollback()
        _discard(stored)
        raise
    for item in stored:
        release.attachments.append(PressAttachment(file=item))


def _apply(release: PressRelease, *, title: str, release_date: date | None, body: str,
           body_format: str, visibility: Visibility) -> None:
    title = (title or "").strip()
    if not title:
        raise PressError("Le titre du communiqué est obligatoire.")
    if len(title) > 300:
        raise PressError("Le titre est trop long (300 caractères au plus).")
    if release_date is None:
        raise PressError("La date du communiqué est obligatoire.")
    if body_format not in BODY_FORMAT_LABELS:
        raise PressError("Format de texte inconnu.")
    if visibility not in PUBLISHED_VISIBILITIES:
        raise PressError("Un communiqué est public ou réservé au réseau.")
    html = to_html(body or "", body_format)
    if not html.strip():
        raise PressError("Le texte du communiqué est vide.")
    release.title, release.release_date, release.visibility = title, release_date, visibility
    release.body_format = body_format
    # HTML is kept only once cleaned, so nothing unsafe is ever stored; text is kept as typed.
    release.body_source = html if body_format == "html" else body
    release.body_html = html


def create_release(org: Organisation, *, title: str, release_date: date | None, body: str,
                   body_format: str = "text", visibility: Visibility = Visibility.PUBLIC,
                   files=(), by: User) -> PressRelease:
    """A draft release of ``org`` with its attachments (``files``: (name, bytes) pairs)."""
    release = PressRelease(organisation=org, created_by=by, status=PublicationStatus.DRAFT)
    _apply(release, title=title, release_date=release_date, body=body,
           body_format=body_format, visibility=visibility)
    db.session.add(release)
    _store_attachments(release, files, by)
    db.session.commit()
    return release


def update_release(release: PressRelease, *, title: str, release_date: date | None, body: str,
                   body_format: str = "text", visibility: Visibility = Visibility.PUBLIC,
                   files=(), by: User) -> None:
    try:
        _apply(release, title=title, release_date=release_date, body=body,
               body_format=body_format, visibility=visibility)
    except PressError:
        db.session.rollback()
        raise
    _store_attachments(release, files, by)
    db.session.commit()


def remove_attachment(release: PressRelease, attachment: PressAttachment, *, by: User) -> None:
    stored = attachment.file
    release.attachments.remove(attachment)
    db.session.delete(stored)
    db.session.commit()
    _discard([stored])


def _page_url(release: PressRelease) -> str:
    return path_for("press.show", release_id=release.id)


def publish(release: PressRelease, *, by: User) -> None:
    """Put a draft (or a withdrawn release) online and tell the open space."""
    if release.is_published:
        raise PressError("Ce communiqué est déjà publié.")
    release.status = PublicationStatus.PUBLISHED
    release.published_at = utcnow()
    spaces.record_activity(spaces.ensure_open_space(), "press.published", release.title,
                           actor=by, url=_page_url(release), visibility=release.visibility)
    db.session.commit()


def withdraw(release: PressRelease, *, by: User) -> None:
    """Take a published release offline; its publisher's members still see it."""
    if not release.is_published:
        raise PressError("Seul un communiqué publié peut être retiré.")
    release.status = PublicationStatus.WITHDRAWN
    spaces.retract_activity(_page_url(release))
    db.session.commit()


def delete_draft(release: PressRelease, *, by: User) -> None:
    if release.status != PublicationStatus.DRAFT:
        raise PressError("Seul un brouillon peut être supprimé ; un communiqué publié se retire.")
    stored = [a.file for a in release.attachments]
    for item in stored:
        db.session.delete(item)
    db.session.delete(release)
    db.session.commit()
    _discard(stored)


# --- reading -------------------------------------------------------------------------------------


def list_query(user, *, organisation: str = "", year: int | None = None):
    """The releases ``user`` may see (their organisations' drafts included), newest first."""
    query = (select(PressRelease).where(access.visible_publications(user, PressRelease))
             .options(joinedload(PressRelease.organisation)))
    if organisation:
        query = query.join(Organisation, Organisation.id == PressRelease.organisation_id) \
            .where(Organisation.slug == organisation)
    if year:
        query = query.where(PressRelease.release_date >= date(year, 1, 1),
                            PressRelease.release_date < date(year + 1, 1, 1))
    return query.order_by(PressRelease.release_date.desc(), PressRelease.id.desc())


def filter_choices(user) -> tuple[dict[str, str], list[int]]:
    """Publishers and years that have releases ``user`` may see."""
    visible = access.visible_publications(user, PressRelease)
    publishers = db.session.execute(
        select(Organisation.slug, Organisation.name)
        .where(Organisation.id.in_(select(PressRelease.organisation_id).where(visible)))
        .order_by(Organisation.name_key)).all()
    years = db.session.scalars(select(extract("year", PressRelease.release_date))
                               .where(visible).distinct()).all()
    return dict(publishers), sorted({int(y) for y in years if y is not None}, reverse=True)


def published_for(user, *, organisation: Organisation | None = None, limit: int = 50):
    """Published releases ``user`` may see (``None``: anybody), most recently published first;
    for feeds and organisation pages (drafts never appear, even to their authors)."""
    query = (select(PressRelease)
             .where(PressRelease.status == PublicationStatus.PUBLISHED,
                    access.visible_publications(user, PressRelease))
             .options(joinedload(PressRelease.organisation)))
    if organisation is not None:
        query = query.where(PressRelease.organisation_id == organisation.id)
    query = query.order_by(PressRelease.published_at.desc(), PressRelease.id.desc()).limit(limit)
    return list(db.session.scalars(query))
