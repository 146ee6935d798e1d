"""What the deliberations' pages read: an organisation's latest acts, the sittings whose
list waits, drafts, the acts of a sitting, the feeds (``services`` changes things)."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, func, select, true
from sqlalchemy.orm import joinedload, load_only

from ... import access
from ...accounts.models import Organisation
from ...extensions import db
from ..lifecycle import PublicationStatus
from .listing import PUBLISHED, published_visible
from .models import Deliberation, DeliberationAnnex, DeliberationSettings, Sitting



# --- queries ----------------------------------------------------------------------------------


def last_signatory(organisation: Organisation) -> tuple[str, str]:
    row = db.session.execute(select(Deliberation.signatory_name, Deliberation.signatory_function)
                             .where(Deliberation.organisation_id == organisation.id)
                             .order_by(Deliberation.id.desc()).limit(1)).first()
    return (row[0], row[1]) if row else ("", "")


def sitting_acts(user, sitting: Sitting) -> list[Deliberation]:
    """The sitting's acts the user may see: published ones; members also see the drafts."""
    return list(db.session.scalars(
        select(Deliberation).where(Deliberation.sitting_id == sitting.id,
                                   access.visible_publications(user, Deliberation),
                                   Deliberation.status != PublicationStatus.WITHDRAWN)
        .options(joinedload(Deliberation.act_file)).order_by(Deliberation.number)))


@dataclass
class PendingSitting:
    sitting: Sitting
    published: int
    drafts: int


@functools.cache
def _pending_sittings_statement():
    """Built once: the bound ``organisation_ids``; each sitting with its acts' counts."""
    def acts(status: PublicationStatus):
        return (select(func.count()).where(Deliberation.sitting_id == Sitting.id,
                                           Deliberation.status == status).scalar_subquery())

    return (select(Sitting, acts(PUBLISHED), acts(PublicationStatus.DRAFT))
            .where(Sitting.organisation_id.in_(bindparam("organisation_ids", expanding=True)),
                   Sitting.list_published_at.is_(None))
            .options(joinedload(Sitting.organisation))
            .order_by(Sitting.sitting_date, Sitting.id))


def pending_sittings(organisations: list[Organisation]) -> list[PendingSitting]:
    """Sittings whose list is not online yet, soonest deadline first (for their editors), with
    their published acts and drafts counted, in one statement."""
    if not organisations:
        return []
    return [PendingSitting(sitting, published, drafts) for sitting, published, drafts
            in db.session.execute(_pending_sittings_statement(),
                                  {"organisation_ids": [o.id for o in organisations]})]


def drafts_of(organisations: list[Organisation]) -> list[Deliberation]:
    if not organisations:
        return []
    return list(db.session.scalars(
        select(Deliberation).where(Deliberation.organisation_id.in_([o.id for o in organisations]),
                                   Deliberation.status == PublicationStatus.DRAFT)
        .options(joinedload(Deliberation.organisation))
        .order_by(Deliberation.sitting_date.desc(), Deliberation.id.desc())))


@dataclass
class SittingList:
    sitting: Sitting
    acts: list[Deliberation]


@dataclass
class OrganisationActs:
    settings: DeliberationSettings | None
    lists: list[SittingList]


@functools.cache
def _organisation_acts_statement(limit: int):
    """Built once: bound ``organisation_id`` and the viewer (``access.publication_viewer``)."""
    latest = (select(Sitting.id)
              .where(Sitting.organisation_id == bindparam("organisation_id"),
                     Sitting.list_published_at.is_not(None))
              .order_by(Sitting.sitting_date.desc(), Sitting.id.desc()).limit(limit)
              .subquery("latest"))
    readable = (Deliberation.status == PUBLISHED) & access.visible_publications_bound(Deliberation)
    return (select(DeliberationSettings, Sitting, Deliberation)
            .select_from(Organisation)
            .outerjoin(DeliberationSettings,
                       DeliberationSettings.organisation_id == Organisation.id)
            .outerjoin(latest, true())
            .outerjoin(Sitting, Sitting.id == latest.c.id)
            .outerjoin(Deliberation, and_(Deliberation.sitting_id == Sitting.id, readable))
            .where(Organisation.id == bindparam("organisation_id"))
            .options(load_only(Sitting.assembly, Sitting.sitting_date, Sitting.list_published_at),
                     load_only(Deliberation.number, Deliberation.subject, Deliberation.sitting_id))
            .order_by(Sitting.sitting_date.desc(), Sitting.id.desc(), Deliberation.number))


def organisation_acts(user, organisation: Organisation, limit: int = 5) -> OrganisationActs:
    """What the organisation page shows of its acts, in one statement: its publication
    settings, and its latest sittings whose list is online, each with the published acts the
    user may read (``published_visible``; number and subject only, never their texts)."""
    rows = db.session.execute(
        _organisation_acts_statement(limit),
        {"organisation_id": organisation.id, **access.publication_viewer(user)}).all()
    lists: dict[int, SittingList] = {}
    for _, sitting, act in rows:
        if sitting is not None:
            entry = lists.setdefault(sitting.id, SittingList(sitting, []))
            if act is not None:
                entry.acts.append(act)
    return OrganisationActs(rows[0][0] if rows else None, list(lists.values()))


def feed_entries(user, organisation: Organisation | None = None,
                 limit: int = 50) -> list[Deliberation]:
    """Latest published acts the user may read (``user`` None: public ones)."""
    stmt = select(Deliberation).where(published_visible(user))
    if organisation is not None:
        stmt = stmt.where(Deliberation.organisation_id == organisation.id)
    return list(db.session.scalars(
        stmt.options(joinedload(Deliberation.organisation))
        .order_by(Deliberation.published_at.desc(), Deliberation.id.desc()).limit(limit)))


def load_for_show(deliberation_id: int) -> Deliberation | None:
    """An act with what its page and its form show: one statement (an act has few annexes,
    so their rows joined with it cost less than a statement of their own)."""
    return db.session.execute(
        select(Deliberation).where(Deliberation.id == deliberation_id)
        .options(joinedload(Deliberation.organisation), joinedload(Deliberation.act_file),
                 joinedload(Deliberation.sitting),
                 joinedload(Deliberation.annexes).joinedload(DeliberationAnnex.file))
    ).unique().scalar_one_or_none()
