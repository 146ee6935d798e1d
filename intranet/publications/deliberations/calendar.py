"""Sittings and the minutes' deadlines in the agendas: the calendar sources this package
registers with ``core.hooks`` (imported by ``views`` so that every process registers them)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select

from ... import access
from ...accounts.models import Organisation
from ...core import hooks
from ...core.frdates import format_date
from ...core.urls import path_for
from ...extensions import db
from ...spaces.models import SpaceKind
from ..lifecycle import PublicationStatus
from .listing import PUBLISHED
from .models import MINUTES_DELAY, Assembly, Deliberation, Sitting, SittingMinutes



# --- the agendas: sittings are events of their organisation's calendar -------------------------


def sittings_in_calendar(user, after: datetime, before: datetime, space=None):
    """The sittings an agenda shows (``core.hooks.register_calendar_source``: a SELECT of
    ``hooks.calendar_columns``): those of the organisation whose space's calendar it is, or, in
    a person's own agenda, those of their organisations."""
    if not access.is_signed_in(user) and space is None:
        return None
    if space is not None:
        if space.kind != SpaceKind.ORGANISATION:
            return None
        organisations = [space.organisation_id]
    else:
        organisations = sorted({m.organisation_id for m in user.memberships}) or [-1]
    return _SITTINGS, {"seances_organisations": organisations,
                       "seances_to": before.date() + timedelta(days=1)}


_SITTINGS = select(*hooks.calendar_columns(   # built once
    id=Sitting.id, ref=Sitting.organisation_id, day=Sitting.sitting_date,
    moment=Sitting.list_published_at, title=Sitting.assembly, name=Organisation.name)
).join(Organisation, Organisation.id == Sitting.organisation_id).where(
    Sitting.organisation_id.in_(bindparam("seances_organisations", expanding=True)),
    Sitting.sitting_date >= bindparam("calendar_from"),
    Sitting.sitting_date < bindparam("seances_to"))


@dataclass(frozen=True)
class _Id:
    id: int


@dataclass(frozen=True)
class _SittingRead:
    """What ``access.can_view_sitting`` reads of a sitting (of its organisation, the id), taken
    from a calendar row rather than from a loaded ``Sitting``."""
    list_published_at: datetime | None
    organisation: _Id


def sitting_entries(user, rows) -> list:
    """The sittings the person may see (``access.can_view_sitting``), each with its agenda (the
    acts the person may see, as ``sitting_acts`` lists them) as its note: the acts of all the
    sittings shown are read in one statement."""
    rows = [row for row in rows
            if access.can_view_sitting(user, _SittingRead(row.moment, _Id(row.ref)))]
    acts: dict[int, list[str]] = {}
    if rows:
        for sitting_id, number, subject in db.session.execute(
                select(Deliberation.sitting_id, Deliberation.number, Deliberation.subject)
                .where(Deliberation.sitting_id.in_([row.id for row in rows]),
                       access.visible_publications(user, Deliberation),
                       Deliberation.status != PublicationStatus.WITHDRAWN)
                .order_by(Deliberation.sitting_id, Deliberation.number)):
            acts.setdefault(sitting_id, []).append(f"n° {number} {subject}")
    entries = []
    for row in rows:
        heading = "Délibérations : " if row.moment else "Ordre du jour : "
        title = f"{Assembly(row.title).label} du {format_date(row.day)}"   # as Sitting.title
        entries.append(hooks.whole_day(
            row.day, title=f"{title} — {row.name}",
            url=path_for("deliberations.sitting", sitting_id=row.id),
            uid=f"seance-{row.id}@territoires", kind="sitting",
            note=(heading + " ; ".join(acts[row.id])) if row.id in acts else ""))
    return entries


hooks.register_calendar_source("seances", "Séances des assemblées", sittings_in_calendar,
                               sitting_entries)


def minutes_deadlines(user, after: datetime, before: datetime, space=None):
    """The last day to put approved minutes online, as deadlines of the agenda of those who
    publish for their organisation (``core.hooks.register_calendar_source``: a SELECT of
    ``hooks.calendar_columns`` of the minutes ``pending_minutes`` lists whose deadline falls in
    the period); none in a space's calendar."""
    if space is not None or not access.is_signed_in(user):
        return None
    organisations = access.publishing_organisations(user)
    if not organisations:
        return None
    return _PENDING_MINUTES, {
        "proces_verbaux_organisations": sorted(o.id for o in organisations),
        "proces_verbaux_from": after.date() - MINUTES_DELAY,
        "proces_verbaux_to": before.date() - MINUTES_DELAY}


_PENDING_MINUTES = select(*hooks.calendar_columns(   # built once
    id=SittingMinutes.id, ref=Sitting.id, day=SittingMinutes.approved_on,
    other_day=Sitting.sitting_date, title=Sitting.assembly, name=Organisation.name)
).select_from(SittingMinutes).join(Sitting, Sitting.id == SittingMinutes.sitting_id).join(
    Organisation, Organisation.id == Sitting.organisation_id
).where(SittingMinutes.organisation_id.in_(bindparam("proces_verbaux_organisations",
                                                     expanding=True)),
        SittingMinutes.approved_on.is_not(None), SittingMinutes.status != PUBLISHED,
        SittingMinutes.approved_on >= bindparam("proces_verbaux_from"),
        SittingMinutes.approved_on < bindparam("proces_verbaux_to"))


def minutes_deadline_entries(user, rows) -> list:
    entries = []
    for row in rows:
        title = f"{Assembly(row.title).label} du {format_date(row.other_day)}"   # Sitting.title
        entries.append(hooks.whole_day(                # on SittingMinutes.deadline
            row.day + MINUTES_DELAY, title=f"Mettre en ligne le procès-verbal : {title}",
            url=path_for("deliberations.sitting", sitting_id=row.ref) + "#proces-verbal",
            uid=f"proces-verbal-{row.id}@territoires",
            note=f"{row.name} — approuvé le {format_date(row.day)}, à publier sous "
                 f"{MINUTES_DELAY.days} jours."))
    return entries


hooks.register_calendar_source("proces-verbaux", "Échéances (procès-verbaux à publier)",
                               minutes_deadlines, minutes_deadline_entries, deadline=True)
