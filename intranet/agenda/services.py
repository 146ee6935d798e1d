"""Agendas: every change is one unit of work (``core/uow.py``).

Editing a recurring event names what it changes (``Scope``): one occurrence (an
``EventChange``, RFC 5545's RECURRENCE-ID), this one and the following (the series is cut
before it and a new series starts there), or the whole series. Rooms and equipment are booked
per occurrence (``Booking``) under a lock of the resource's row, so that two people booking the
same room at the same time are served one after the other and the second is refused."""
from __future__ import annotations

import enum
import secrets
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from .. import access
from ..accounts.models import ORGANISATIONS, Membership, Organisation, User
from ..core import audit, generations, hooks, uploads
from ..core.sanitize import source_and_html, to_text
from ..core.text import collation_key
from ..core.timeutil import utcnow
from ..core.types import Role, Visibility
from ..core.uow import unit_of_work
from ..core.frdates import format_date, format_datetime
from ..core.urls import absolute_url, path_for
from ..extensions import db
from ..mail.services import queue
from ..notifications.services import notify, register_kind
from ..spaces.models import Space
from ..spaces.services import record_activity, retract_activity
from . import ical, recurrence
from .calendar import occurrences
from .models import (AgendaSettings, Answer, Attendee, Booking, CalendarFeed, Event,
                     EventAttachment, EventChange, OccurrenceAnswer, Reminder, ReminderSent, Resource,
                     ResourceKind)

register_kind("agenda.invitation", "Invitations à un événement de l'agenda")
register_kind("agenda.change", "Changements des événements auxquels je suis invité")
register_kind("agenda.answer", "Réponses à mes invitations")

BOOKING_HORIZON = timedelta(days=2 * 366)   # a series books its resources this far ahead
MAX_INVITED = 2_000


class AgendaError(ValueError):
    """A refused change: ``field`` names the form field it concerns, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class Scope(enum.StrEnum):
    ONE = "one"            # this occurrence
    FOLLOWING = "following"
    ALL = "all"


@dataclass(frozen=True)
class EventData:
    title: str
    starts_on: datetime
    ends_on: datetime
    all_day: bool = False
    location: str = ""
    description: str = ""
    description_format: str = "text"
    rrule: str | None = None
    visibility: Visibility | None = None


# --- events ---------------------------------------------------------------------------------


def _checked(data: EventData) -> EventData:
    title = " ".join((data.title or "").split())
    if not title:
        raise AgendaError("Indiquez le titre de l'événement.", "title")
    if len(title) > 200:
        raise AgendaError("Le titre compte au plus 200 caractères.", "title")
    starts, ends = data.starts_on, data.ends_on
    if data.all_day:
        starts = recurrence.day_start(starts.date())
        ends = recurrence.day_start(ends.date())
        if ends <= starts:
            ends = starts + timedelta(days=1)
    if ends < starts:
        raise AgendaError("L'événement doit finir après son début.", "ends_on")
    if ends - starts > timedelta(days=366):
        raise AgendaError("Un événement dure au plus un an ; pour un événement qui revient, "
                          "choisissez une répétition.", "ends_on")
    if starts.year < 1900 or ends.year > 2200:
        raise AgendaError("Cette date est hors de l'agenda.", "starts_on")
    try:
        rule = recurrence.normalised(data.rrule, starts)
    except recurrence.RuleError as error:
        raise AgendaError(f"Répétition refusée : {error}.", "rrule") from error
    return replace(data, title=title, starts_on=starts, ends_on=ends, rrule=rule,
                   location=" ".join((data.location or "").split())[:300])


def _set_bounds(event: Event) -> None:
    """The UTC bounds of the series, moved occurrences included (the range filter)."""
    first = event.starts_on
    last = recurrence.last_start(event.rrule, event.starts_on)
    last_end = last + event.duration if last is not None else None
    for change in event.changes:
        if change.starts_on is not None:
            first = min(first, change.starts_on)
            if last_end is not None:
                last_end = max(last_end, change.ends_on)
    event.first_utc = recurrence.to_utc(first)
    event.last_utc = recurrence.to_utc(last_end) if last_end is not None else None


def _apply(event: Event, data: EventData) -> None:
    source, html, fmt = source_and_html(data.description, data.description_format)
    event.title, event.location = data.title, data.location
    event.description_source, event.description_html, event.description_format = source, html, fmt
    event.description_text = to_text(html)
    event.all_day, event.starts_on, event.ends_on = data.all_day, data.starts_on, data.ends_on
    event.rrule, event.visibility = data.rrule, data.visibility
    event.updated_at = utcnow()
    _set_bounds(event)


@unit_of_work
def create_event(data: EventData, *, by: User, space: Space | None = None, resources=(),
                 invitees: Invitees | None = None, files=(), uid: str | None = None,
                 announce: bool = True) -> Event:
    """A new event in ``space``'s calendar (None: ``by``'s own), with its rooms booked, the
    people invited and the files joined (sent now or pending: ``uploads.take``)."""
    if not access.can_add_event(by, space):
        raise AgendaError("Vous ne pouvez pas ajouter d'événement à cet agenda.")
    data = _checked(data)
    if space is None:
        data = replace(data, visibility=None)
    event = Event(space=space, owner=by, uid=uid or f"{uuid.uuid4()}@territoires",
                  first_utc=utcnow(), changes=[])
    _apply(event, data)
    db.session.add(event)
    _attach(event, files, by)
    db.session.flush()
    _book(event, resources, by)
    if invitees is not None and invitees.people:
        invite(event, invitees, by=by)
    if space is not None and announce:
        record_activity(space, "a ajouté à l'agenda", event.title, actor=by,
                        url=path_for("agenda.event", event_id=event.id),
                        visibility=data.visibility)
    return event


def _occurrence_or_error(event: Event, occurrence: datetime | None) -> datetime:
    if occurrence is None or not recurrence.is_occurrence(event.rrule, event.starts_on,
                                                          occurrence):
        raise AgendaError("Cette date ne fait pas partie de la série.")
    return occurrence


@unit_of_work
def update_event(event: Event, data: EventData, *, by: User, scope: Scope = Scope.ALL,
                 occurrence: datetime | None = None, resources=None, files=()) -> Event:
    """Change an event; for a series, ``scope`` says what (see the module). Returns the event
    that now holds the occurrence (the new series when « this and following »)."""
    if not access.can_edit_event(by, event):
        raise AgendaError("Vous ne pouvez pas modifier cet événement.")
    data = _checked(data)
    if event.space_id is None:
        data = replace(data, visibility=None)
    if not event.rrule or scope == Scope.ALL:
        target = event
        if event.rrule and occurrence is not None:
            # Edited from one occurrence: the whole series moves as that occurrence was moved
            # (10:00 → 11:00 moves every occurrence, and the changed ones, by an hour).
            shift = data.starts_on - occurrence
            data = replace(data, starts_on=event.starts_on + shift,
                           ends_on=event.starts_on + shift + (data.ends_on - data.starts_on))
        else:
            shift = data.starts_on - event.starts_on
        if data.rrule != event.rrule:
            event.changes.clear()   # another rule: the changed occurrences no longer exist
        else:
            for change in event.changes:
                change.occurrence += shift
        _apply(event, data)
    elif scope == Scope.ONE:
        occurrence = _occurrence_or_error(event, occurrence)
        change = event.change_at(occurrence) or EventChange(occurrence=occurrence)
        if change not in event.changes:
            event.changes.append(change)
        change.cancelled = False
        change.starts_on, change.ends_on = data.starts_on, data.ends_on
        change.title = data.title if data.title != event.title else None
        change.location = data.location if data.location != event.location else None
        event.updated_at = utcnow()
        _set_bounds(event)
        target = event
    else:
        target = _split(event, _occurrence_or_error(event, occurrence), data, by)
    event.sequence += 1
    _attach(target, files, by)
    db.session.flush()
    if resources is not None:
        _book(target, resources, by)
    elif target is event:
        _book(event, [booking.resource for booking in event.bookings], by)
    _notify_attendees(target, by, "agenda.change", f"Événement modifié : {target.title}")
    return target


def _split(event: Event, occurrence: datetime, data: EventData, by: User) -> Event:
    """« This one and the following »: the series ends before ``occurrence``; a new one starts
    there with the new data, the changed occurrences after it, and the same invited people."""
    if occurrence == event.starts_on:
        event.changes.clear()
        _apply(event, data)
        return event
    rule = data.rrule
    if rule and "COUNT=" in rule and rule == event.rrule:
        remaining = int(recurrence.parse(rule)["COUNT"]) - recurrence.count_before(
            event.rrule, event.starts_on, occurrence)
        rule = recurrence.with_count(rule, max(remaining, 1))
    later = [change for change in event.changes if change.occurrence >= occurrence]
    event.rrule = recurrence.with_until(event.rrule, occurrence - timedelta(seconds=1))
    for change in later:
        event.changes.remove(change)
    event.updated_at = utcnow()
    _set_bounds(event)
    following = Event(space_id=event.space_id, owner_id=event.owner_id,
                      uid=f"{uuid.uuid4()}@territoires", first_utc=utcnow(), changes=[])
    _apply(following, replace(data, rrule=rule))
    shift = data.starts_on - occurrence
    for change in later:
        following.changes.append(EventChange(
            occurrence=change.occurrence + shift, cancelled=change.cancelled,
            starts_on=change.starts_on, ends_on=change.ends_on, title=change.title,
            location=change.location))
    following.attendees = [Attendee(user_id=a.user_id, answer=a.answer, invited_as=a.invited_as)
                           for a in event.attendees]
    _set_bounds(following)
    db.session.add(following)
    db.session.flush()
    _book(event, [booking.resource for booking in event.bookings], by)
    return following


@unit_of_work
def delete_event(event: Event, *, by: User, scope: Scope = Scope.ALL,
                 occurrence: datetime | None = None) -> None:
    if not access.can_edit_event(by, event):
        raise AgendaError("Vous ne pouvez pas supprimer cet événement.")
    if not event.rrule or scope == Scope.ALL or (
            scope == Scope.FOLLOWING and occurrence == event.starts_on):
        _notify_attendees(event, by, "agenda.change", f"Événement annulé : {event.title}",
                          url="")
        retract_activity(path_for("agenda.event", event_id=event.id))
        db.session.delete(event)
        return
    occurrence = _occurrence_or_error(event, occurrence)
    if scope == Scope.ONE:
        change = event.change_at(occurrence) or EventChange(occurrence=occurrence)
        if change not in event.changes:
            event.changes.append(change)
        change.cancelled, change.starts_on, change.ends_on = True, None, None
    else:
        for change in [c for c in event.changes if c.occurrence >= occurrence]:
            event.changes.remove(change)
        event.rrule = recurrence.with_until(event.rrule, occurrence - timedelta(seconds=1))
    event.sequence += 1
    event.updated_at = utcnow()
    _set_bounds(event)
    db.session.flush()
    _book(event, [booking.resource for booking in event.bookings], by)


# --- invitations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitees:
    """Who an invitation means, resolved when it is sent."""
    people: tuple[User, ...] = ()
    label: str = ""


def people_with_role(by: User, role: Role, *, organisation: Organisation | None = None,
                     epci: Organisation | None = None) -> Invitees:
    """The active people who hold at least ``role`` in ``organisation``, or in every commune
    of the EPCI ``epci``, among those ``by`` may write to (``access.addressable_people``)."""
    if (organisation is None) == (epci is None):
        raise AgendaError("Choisissez une organisation, ou les communes d'une "
                          "intercommunalité.", "role_scope")
    if organisation is not None:
        orgs = select(Organisation.id).where(Organisation.id == organisation.id)
        where = f"de « {organisation.name} »"
    else:
        orgs = select(Organisation.id).where(Organisation.epci_id == epci.id,
                                             Organisation.is_active.is_(True))
        where = f"des communes de « {epci.name} »"
    people = db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id.in_(orgs),
               Membership.role.in_([r for r in Role.at_least(role) if r != Role.MODERATOR]),
               User.active.is_(True), User.id.in_(access.addressable_people(by)))
        .distinct().order_by(User.name_key)).all()
    labels = {Role.MEMBER: "Membres", Role.EDITOR: "Rédacteurs et administrateurs",
              Role.ADMIN: "Administrateurs"}
    return Invitees(tuple(people), f"{labels.get(role, role.label)} {where}")


@unit_of_work
def invite(event: Event, *groups: Invitees, by: User) -> list[Attendee]:
    """Add the people of each group to the event's invited (those already there keep their
    answer) and tell them."""
    if not access.can_edit_event(by, event):
        raise AgendaError("Vous ne pouvez pas inviter à cet événement.")
    present = {attendee.user_id for attendee in event.attendees}
    added = []
    for invitees in groups:
        for person in invitees.people:
            if person.id in present:
                continue
            present.add(person.id)
            attendee = Attendee(user=person, invited_as=invitees.label[:300],
                                answer=Answer.ACCEPTED if person.id == by.id
                                else Answer.NEEDS_ACTION)
            event.attendees.append(attendee)
            added.append(attendee)
    if len(present) > MAX_INVITED:
        raise AgendaError(f"Un événement compte au plus {MAX_INVITED} invités.", "people")
    event.updated_at = utcnow()
    db.session.flush()
    notify([a.user for a in added if a.user_id != by.id], "agenda.invitation",
           f"Invitation : {event.title}", url=path_for("agenda.event", event_id=event.id),
           body=_when(event), actor=by)
    return added


@unit_of_work
def uninvite(event: Event, person: User, *, by: User) -> None:
    if not access.can_edit_event(by, event):
        raise AgendaError("Vous ne pouvez pas modifier les invités de cet événement.")
    for attendee in [a for a in event.attendees if a.user_id == person.id]:
        event.attendees.remove(attendee)
    db.session.execute(delete(OccurrenceAnswer).where(OccurrenceAnswer.event_id == event.id,
                                                      OccurrenceAnswer.user_id == person.id))


@unit_of_work
def answer(event: Event, person: User, reply: Answer, *, occurrence: datetime | None = None) -> None:
    """An invited person's answer, for the series or for one occurrence."""
    attendee = next((a for a in event.attendees if a.user_id == person.id), None)
    if attendee is None:
        raise AgendaError("Vous n'êtes pas invité à cet événement.")
    if reply == Answer.NEEDS_ACTION:
        raise AgendaError("Choisissez une réponse.", "answer")
    if occurrence is None:
        attendee.answer = reply
        db.session.execute(delete(OccurrenceAnswer).where(
            OccurrenceAnswer.event_id == event.id, OccurrenceAnswer.user_id == person.id))
    else:
        occurrence = _occurrence_or_error(event, occurrence)
        row = db.session.scalar(select(OccurrenceAnswer).where(
            OccurrenceAnswer.event_id == event.id, OccurrenceAnswer.user_id == person.id,
            OccurrenceAnswer.occurrence == occurrence))
        if row is None:
            row = OccurrenceAnswer(event_id=event.id, user_id=person.id, occurrence=occurrence)
            db.session.add(row)
        row.answer = reply
    if event.owner_id != person.id:
        notify([event.owner], "agenda.answer", f"{person.full_name} : {reply.label}",
               url=path_for("agenda.event", event_id=event.id), body=event.title, actor=person)


def load_attendees(event: Event) -> list[Attendee]:
    """The event's invited people, each with their account, in one statement (the event page
    names them all), kept as ``event.attendees``."""
    attendees = db.session.scalars(select(Attendee).where(Attendee.event_id == event.id)
                                   .options(joinedload(Attendee.user))
                                   .order_by(Attendee.id)).all()
    set_committed_value(event, "attendees", list(attendees))
    return list(attendees)


def answers_at(event: Event, occurrence: datetime | None) -> dict[int, Answer]:
    """Each invited person's answer for one occurrence (their series answer unless they gave
    another for it)."""
    found = {attendee.user_id: attendee.answer for attendee in event.attendees}
    if occurrence is not None:
        for user_id, given in db.session.execute(
                select(OccurrenceAnswer.user_id, OccurrenceAnswer.answer).where(
                    OccurrenceAnswer.event_id == event.id,
                    OccurrenceAnswer.occurrence == occurrence)):
            found[user_id] = given
    return found


def _when(event: Event) -> str:
    if event.all_day:
        text = format_date(event.starts_on.date(), weekday=True)
    else:
        text = f"{format_date(event.starts_on.date(), weekday=True)} à " \
               f"{event.starts_on:%H:%M}".replace(":", " h ", 1)
    if event.rrule:
        text += f" ({event.recurrence_text.lower()})"
    return text + (f", {event.location}" if event.location else "")


def _notify_attendees(event: Event, by: User, kind: str, title: str, url: str | None = None) -> None:
    people = [a.user for a in event.attendees if a.user_id != by.id
              and a.answer != Answer.DECLINED]
    if people:
        notify(people, kind, title, url=path_for("agenda.event", event_id=event.id)
               if url is None else url, body=_when(event), actor=by)


def _attach(event: Event, files, by: User) -> None:
    for file in files:
        event.attachments.append(EventAttachment(file=uploads.take(file, by=by)))


@unit_of_work
def remove_attachment(attachment: EventAttachment) -> None:
    attachment.event.updated_at = utcnow()
    db.session.delete(attachment)


# --- rooms and equipment -----------------------------------------------------------------------


@unit_of_work
def save_resource(organisation: Organisation, *, by: User, name: str, kind: ResourceKind,
                  description: str = "", capacity: int | None = None,
                  resource: Resource | None = None, active: bool = True) -> Resource:
    if not access.can_manage_resources(by, organisation):
        raise AgendaError("Seuls les administrateurs de l'organisation gèrent ses salles et "
                          "son matériel.")
    name = " ".join((name or "").split())
    if not name:
        raise AgendaError("Indiquez le nom de la salle ou du matériel.", "name")
    if capacity is not None and not 0 < capacity < 100_000:
        raise AgendaError("La capacité est un nombre de places, de 1 à 99 999.", "capacity")
    if resource is None:
        resource = Resource(organisation=organisation)
        db.session.add(resource)
    resource.name, resource.kind, resource.description = name[:200], kind, description or ""
    resource.capacity, resource.active = capacity, active
    audit.record("agenda.resource_saved", actor=by, organisation=organisation, target=name)
    return resource


def resources_of(organisation: Organisation) -> list[Resource]:
    return sorted(db.session.scalars(select(Resource).where(
        Resource.organisation_id == organisation.id)).all(),
        key=lambda r: (not r.active, collation_key(r.name)))


def _book(event: Event, resources, by: User) -> None:
    """Hold ``resources`` for every occurrence of ``event`` (up to ``BOOKING_HORIZON`` ahead),
    replacing what it held; refused, naming the first conflict, if one is taken then."""
    wanted = {resource.id: resource for resource in resources}
    db.session.execute(delete(Booking).where(Booking.event_id == event.id))
    if not wanted:
        return
    for resource in wanted.values():
        if not (access.can_book(by, resource)
                or any(b.resource_id == resource.id for b in event.bookings)):
            raise AgendaError(f"Vous ne pouvez pas réserver « {resource.name} ».", "resources")
    after = event.starts_on - timedelta(days=1)
    slots = occurrences(event, after, max(event.starts_on, recurrence.to_local(utcnow()))
                        + BOOKING_HORIZON)
    # One resource after the other, in a fixed order, each locked for the rest of the
    # transaction: a second booking of the same resource waits, then sees the first.
    for resource_id in sorted(wanted):
        resource = db.session.scalar(select(Resource).where(Resource.id == resource_id)
                                     .with_for_update())
        for start, begins, ends, _ in slots:
            starts_utc, ends_utc = recurrence.to_utc(begins), recurrence.to_utc(ends)
            clash = db.session.scalar(
                select(Booking).where(Booking.resource_id == resource_id,
                                      Booking.event_id != event.id,
                                      Booking.starts_utc < ends_utc,
                                      Booking.ends_utc > starts_utc).limit(1))
            if clash is not None:
                raise AgendaError(
                    f"« {resource.name} » est déjà réservé(e) le "
                    f"{format_datetime(clash.starts_utc)} (« {clash.event.title} ») : "
                    "choisissez un autre créneau ou une autre ressource.", "resources")
            db.session.add(Booking(resource_id=resource_id, event_id=event.id,
                                   occurrence=start, starts_utc=starts_utc, ends_utc=ends_utc))
    db.session.flush()


# The resources each person may book, as the event form offers them, are kept by each process
# while no resource and no organisation changes (core/generations.py).
RESOURCES = "resources"
generations.watch(RESOURCES, Resource)


def resource_label(resource: Resource) -> str:
    """« Salle du conseil (salle, Agen) »: a resource as the event form names it."""
    return f"{resource.name} ({resource.kind.label.lower()}, {resource.organisation.name})"


def bookable_choices(user) -> tuple[tuple[int, str], ...]:
    """The resources ``user`` may book (``access.bookable_resources``), by name, as (id,
    label); the same for whoever belongs to the same organisations, kept until a resource or
    an organisation changes."""
    organisations = access.booking_organisations(user)
    return generations.kept((RESOURCES, ORGANISATIONS), ("bookable", organisations), lambda: tuple(
        (resource.id, resource_label(resource)) for resource in db.session.scalars(
            select(Resource).where(access.bookable_resources_of(organisations))
            .options(joinedload(Resource.organisation)).order_by(Resource.name))))


def bookings_between(resource: Resource, after: datetime, before: datetime) -> list[Booking]:
    """The resource's bookings in the period, each with its event and the event's space (whom
    the resource's page asks whether the viewer may see it), in one statement."""
    return db.session.scalars(
        select(Booking).where(Booking.resource_id == resource.id,
                              Booking.starts_utc < recurrence.to_utc(before),
                              Booking.ends_utc > recurrence.to_utc(after))
        .options(joinedload(Booking.event).joinedload(Event.space))
        .order_by(Booking.starts_utc)).all()


# --- settings, feeds, reminders ----------------------------------------------------------------


def settings_for(user: User) -> AgendaSettings:
    return db.session.get(AgendaSettings, user.id) or AgendaSettings(user_id=user.id,
                                                                      reminder=Reminder.NONE)


@unit_of_work
def set_reminder(user: User, reminder: Reminder) -> None:
    settings = db.session.get(AgendaSettings, user.id)
    if settings is None:
        settings = AgendaSettings(user_id=user.id)
        db.session.add(settings)
    settings.reminder = reminder


@unit_of_work
def create_feed(user: User, *, label: str = "", with_deadlines: bool = False) -> CalendarFeed:
    if len(feeds_of(user)) >= 10:
        raise AgendaError("Vous avez déjà 10 adresses d'abonnement : révoquez-en une d'abord.")
    feed = CalendarFeed(user=user, token=secrets.token_urlsafe(32),
                        label=" ".join((label or "").split())[:100] or "Mon agenda",
                        with_deadlines=with_deadlines)
    db.session.add(feed)
    audit.record("agenda.feed_created", actor=user, target=user.email)
    return feed


@unit_of_work
def revoke_feed(feed: CalendarFeed, *, by: User) -> None:
    if feed.user_id != by.id:
        raise AgendaError("Cette adresse n'est pas la vôtre.")
    db.session.delete(feed)
    audit.record("agenda.feed_revoked", actor=by, target=by.email)


def feeds_of(user: User) -> list[CalendarFeed]:
    return db.session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == user.id)
                              .order_by(CalendarFeed.created_at)).all()


@dataclass
class FeedEvent:
    """An event as a feed writes it (``ical.event_lines`` reads the same names of an ``Event``)."""
    id: int
    uid: str
    title: str
    location: str
    description_text: str
    all_day: bool
    starts_on: datetime
    ends_on: datetime
    rrule: str | None
    sequence: int
    updated_at: datetime
    space_id: int | None
    space_name: str | None
    changes: list = field(default_factory=list)

    @property
    def duration(self) -> timedelta:
        return self.ends_on - self.starts_on


def feed_contents(feed: CalendarFeed, *, days_before: int = 366) -> tuple[list[FeedEvent], list]:
    """What a subscription feed lists: every event its person may see now in their agenda
    (their own, their spaces', their invitations) that is not over for more than a year, and
    the dated items of other domains for the coming year (the deadlines only if asked)."""
    person = feed.user
    now = utcnow()
    _mark_read(feed, now)
    member_ids = sorted(access.reach(person).member_ids) or [-1]
    invited = select(Attendee.event_id).where(Attendee.user_id == person.id)
    listed = and_(access.visible_events(person),
                  (Event.space_id.is_(None)) | Event.space_id.in_(member_ids)
                  | Event.id.in_(invited),
                  (Event.last_utc.is_(None))
                  | (Event.last_utc >= now - timedelta(days=days_before)))
    # Plain rows of the columns a feed writes, and the changed occurrences of its series in one
    # statement: a feed holds thousands of events, which ORM objects would take longer to load
    # than to write.
    events = [FeedEvent(*row) for row in db.session.execute(
        select(Event.id, Event.uid, Event.title, Event.location, Event.description_text,
               Event.all_day, Event.starts_on, Event.ends_on, Event.rrule, Event.sequence,
               Event.updated_at, Event.space_id, Space.name)
        .outerjoin(Space, Space.id == Event.space_id).where(listed)
        .order_by(Event.first_utc, Event.id))]
    by_id = {event.id: event for event in events}
    for change in db.session.execute(
            select(EventChange.event_id, EventChange.occurrence, EventChange.cancelled,
                   EventChange.starts_on, EventChange.ends_on, EventChange.title,
                   EventChange.location)
            .join(Event, Event.id == EventChange.event_id)
            .where(listed, Event.rrule.is_not(None)).order_by(EventChange.occurrence)):
        by_id[change.event_id].changes.append(change)
    after = recurrence.to_local(now) - timedelta(days=31)
    entries = [entry for _, given in hooks.calendar_items(
        person, after, after + timedelta(days=400), None, deadlines=feed.with_deadlines)
        for entry in given]
    return events, entries


@unit_of_work
def _mark_read(feed: CalendarFeed, now: datetime) -> None:
    feed.last_used_at = now


def feed_by_token(token: str) -> CalendarFeed | None:
    if not token or len(token) > 60:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    if feed is None or not feed.user.active:
        return None
    return feed


REMINDER_DELAYS = {Reminder.HOUR: timedelta(hours=1), Reminder.DAY: timedelta(days=1)}


def send_reminders(now: datetime | None = None) -> int:
    """Mail each person who asked for reminders the events that start within their delay:
    their own, those of their spaces they are invited to and did not decline. One mail per
    occurrence and person, ever (``ReminderSent``). Run by the worker."""
    now = now or utcnow()
    sent = 0
    for settings in db.session.scalars(select(AgendaSettings).where(
            AgendaSettings.reminder != Reminder.NONE)).all():
        person = db.session.get(User, settings.user_id)
        if person is None or not person.active:
            continue
        delay = REMINDER_DELAYS[settings.reminder]
        after, before = recurrence.to_local(now), recurrence.to_local(now + delay)
        attending = select(Attendee.event_id).where(Attendee.user_id == person.id,
                                                    Attendee.answer != Answer.DECLINED)
        where = and_(access.visible_events(person),
                     (Event.owner_id == person.id) | Event.id.in_(attending))
        events = db.session.scalars(select(Event).where(
            where, Event.first_utc < now + delay,
            (Event.last_utc.is_(None)) | (Event.last_utc >= now))).all()
        for event in events:
            for start, begins, _, _ in occurrences(event, after, before):
                if begins < after:
                    continue
                done = db.session.scalar(select(ReminderSent.id).where(
                    ReminderSent.event_id == event.id, ReminderSent.user_id == person.id,
                    ReminderSent.occurrence == start))
                if done is not None:
                    continue
                with db.session.begin_nested():
                    db.session.add(ReminderSent(event_id=event.id, user_id=person.id,
                                                occurrence=start))
                queue(person.email, f"Rappel : {event.title}", "agenda_reminder",
                      person=person, event=event, begins=begins,
                      url=absolute_url("agenda.event", event_id=event.id))
                sent += 1
    db.session.commit()
    return sent


# --- iCalendar import ---------------------------------------------------------------------------


@unit_of_work
def import_ics(data: bytes, *, by: User, space: Space | None = None) -> list[Event]:
    """Every event of an iCalendar file into one calendar, or none (``ical.ImportRefused``
    names every event that cannot be kept: unreadable, refused, or already in the agenda)."""
    if not access.can_add_event(by, space):
        raise AgendaError("Vous ne pouvez pas ajouter d'événement à cet agenda.")
    found = ical.read(data)
    taken = set(db.session.scalars(select(Event.uid).where(
        Event.uid.in_([item.uid for item in found]))))
    problems, events = [], []
    for item in found:
        if item.uid in taken:
            problems.append(f"« {item.title} » est déjà dans l'agenda (importé auparavant)")
            continue
        try:
            with db.session.begin_nested():
                event = create_event(EventData(
                    title=item.title, starts_on=item.starts_on, ends_on=item.ends_on,
                    all_day=item.all_day, location=item.location, description=item.description,
                    rrule=item.rrule), by=by, space=space, uid=item.uid, announce=False)
                for occurrence in item.cancelled:
                    event.changes.append(EventChange(occurrence=occurrence, cancelled=True))
                for occurrence, begins, ends, title, location in item.moved:
                    event.changes.append(EventChange(occurrence=occurrence, starts_on=begins,
                                                     ends_on=ends, title=title,
                                                     location=location))
                _set_bounds(event)
                events.append(event)
        except AgendaError as error:
            problems.append(f"« {item.title} » : {error}")
    if problems:
        raise ical.ImportRefused(problems)
    if space is not None and events:
        record_activity(space, "a importé dans l'agenda", f"{len(events)} événement(s)",
                        actor=by, url=path_for("agenda.space_agenda", slug=space.slug))
    return events
