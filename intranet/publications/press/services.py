"""Press releases: writing (sanitised on save), attachments, publishing and withdrawing, and
the queries behind the list, the organisation pages and the Atom feeds (all filtered in SQL by
``access.visible_publications``)."""
from __future__ import annotations

import functools
from datetime import date

from sqlalchemy import bindparam, extract, select
from sqlalchemy.orm import joinedload

from ... import access
from ...accounts.models import ORGANISATIONS, Organisation, User
from ...core.types import Visibility
from ...core import generations, uploads
from ...core.uow import unit_of_work
from ..lifecycle import PublicationStatus
from ...core.sanitize import source_and_html, to_text
from ...extensions import db
from .. import publishing
from .models import PressAttachment, PressRelease

ATTACHMENT_TYPES = ("pdf", *uploads.IMAGES)
PUBLISHED_VISIBILITIES = (Visibility.PUBLIC, Visibility.NETWORK)


class PressError(publishing.PublicationError):
    """A refused change, with a French message; nothing was changed."""


publishing.register(PressRelease, publishing.PublicationType(
    key="press", endpoint="press.show", id_arg="release_id", this="Ce communiqué",
    noun="Communiqué",
    summary=lambda release: release.title, error=PressError,
    attachments="attachments", attachment=PressAttachment, attachment_types=ATTACHMENT_TYPES))


# --- writing -------------------------------------------------------------------------------------


def _store_attachments(release: PressRelease, files, by: User) -> None:
    """Store every file or none: an ``uploads.UploadError`` rolls the whole change back."""
    for upload in files:
        publishing.attach(release, upload, by=by)


def _apply(release: PressRelease, *, title: str, release_date: date | None, body: str,
           body_format: str, visibility: Visibility) -> None:
    title = (title or "").strip()
    if not title:
        raise PressError("Le titre du communiqué est obligatoire.")
    if len(title) > 300:
        raise PressError("Le titre est trop long (300 caractères au plus).")
    if release_date is None:
        raise PressError("La date du communiqué est obligatoire.")
    if visibility not in PUBLISHED_VISIBILITIES:
        raise PressError("Un communiqué est public ou réservé au réseau.")
    # The editor's HTML is kept only once cleaned; text is kept as typed; any other format
    # is text.
    source, html, body_format = source_and_html(body, body_format)
    if not to_text(html) and "<img" not in html:
        raise PressError("Le texte du communiqué est vide.")
    release.title, release.release_date, release.visibility = title, release_date, visibility
    release.body_format, release.body_source, release.body_html = body_format, source, html


@unit_of_work
def create_release(org: Organisation, *, title: str, release_date: date | None, body: str,
                   body_format: str = "text", visibility: Visibility = Visibility.PUBLIC,
                   files=(), by: User) -> PressRelease:
    """A draft release of ``org`` with its attachments (``files``: (data, name) pairs or
    pending files, as ``publishing.attach`` takes them)."""
    release = publishing.new_draft(PressRelease, org, by=by)
    _apply(release, title=title, release_date=release_date, body=body,
           body_format=body_format, visibility=visibility)
    db.session.add(release)
    _store_attachments(release, files, by)
    return release


@unit_of_work
def update_release(release: PressRelease, *, title: str, release_date: date | None, body: str,
                   body_format: str = "text", visibility: Visibility = Visibility.PUBLIC,
                   files=(), by: User) -> None:
    _apply(release, title=title, release_date=release_date, body=body,
           body_format=body_format, visibility=visibility)
    _store_attachments(release, files, by)
    publishing.follow_visibility(release)


# A draft or a withdrawn release is published, and withdrawn, by the one life cycle.
publish, withdraw = publishing.publish, publishing.withdraw


@unit_of_work
def delete_draft(release: PressRelease, *, by: User) -> None:
    """Delete a draft; its attachments' files follow their rows."""
    if release.status != PublicationStatus.DRAFT:
        raise PressError("Seul un brouillon peut être supprimé ; un communiqué publié se retire.")
    db.session.delete(release)


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
    """Publishers and years that have releases ``user`` may see, in one statement; the same
    for everyone who sees the same releases (``access.publication_viewer``: signed in or not,
    and the organisations whose drafts they see), kept until a release or an organisation
    changes."""
    viewer = access.publication_viewer(user)
    publishers, years = generations.kept(
        (RELEASES, ORGANISATIONS),
        ("choices", viewer["viewer_signed_in"], tuple(viewer["viewer_organisations"])),
        lambda: _filter_choices(user))
    return dict(publishers), list(years)


def _filter_choices(user) -> tuple[tuple, tuple[int, ...]]:
    visible = access.visible_publications(user, PressRelease)
    publishers = db.session.execute(
        select(Organisation.slug, Organisation.name)
        .where(Organisation.id.in_(select(PressRelease.organisation_id).where(visible)))
        .order_by(Organisation.name_key)).all()
    years = db.session.scalars(select(extract("year", PressRelease.release_date))
                               .where(visible).distinct()).all()
    return (tuple((slug, name) for slug, name in publishers),
            tuple(sorted({int(y) for y in years if y is not None}, reverse=True)))


def published_for(user, *, organisation: Organisation | None = None, limit: int = 50):
    """Published releases ``user`` may see (``None``: anybody), most recently published first;
    for feeds (the organisation page's list is ``latest_titles``); drafts never appear, even to
    their authors."""
    query = (select(PressRelease)
             .where(PressRelease.status == PublicationStatus.PUBLISHED,
                    access.visible_publications(user, PressRelease))
             .options(joinedload(PressRelease.organisation)))
    if organisation is not None:
        query = query.where(PressRelease.organisation_id == organisation.id)
    query = query.order_by(PressRelease.published_at.desc(), PressRelease.id.desc()).limit(limit)
    return list(db.session.scalars(query))


@functools.cache
def _latest_titles_statement(limit: int):
    """Built once: bound ``organisation_id`` and the viewer (``access.publication_viewer``)."""
    return (select(PressRelease.id, PressRelease.title, PressRelease.release_date)
            .where(PressRelease.status == PublicationStatus.PUBLISHED,
                   access.visible_publications_bound(PressRelease),
                   PressRelease.organisation_id == bindparam("organisation_id"))
            .order_by(PressRelease.published_at.desc(), PressRelease.id.desc()).limit(limit))


# The organisation page's latest releases are kept by each process while no release changes
# (core/generations.py).
RELEASES = "press"
generations.watch(RELEASES, PressRelease)


def latest_titles(user, organisation: Organisation, limit: int = 5) -> tuple:
    """``published_for`` as the organisation page lists it: ids, titles and dates only, without
    their texts or their publisher (the page's own organisation), the same for everyone of the
    user's audience, kept until a release changes."""
    return generations.kept(
        RELEASES, ("organisation", access.publication_audience(user), organisation.id, limit),
        lambda: tuple(db.session.execute(
            _latest_titles_statement(limit),
            {"organisation_id": organisation.id, **access.publication_viewer(user)})))
