"""What an agenda shows for a period: the occurrences of the events a person may see, with the
items other domains add (sittings of assemblies, closing dates), colour-coded by calendar.

Events are read in one statement, filtered in SQL (``access.visible_events``) and by their UTC
bounds, as plain rows of the columns an agenda shows with their changed occurrences (an outer
join); their series are expanded in Python for the period only (``recurrence.starts``:
bounded). Other domains add items through ``core.hooks.register_calendar_source``, all of them
read in one more statement (``hooks.calendar_items``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import DateTime, Integer, and_, bindparam, or_, select

from .. import access
from ..core import hooks
from ..core.urls import path_for
from ..extensions import db
from ..spaces.models import Space
from . import recurrence
from .models import Answer, Attendee, Event, EventChange, occurrence_key

PERSONAL, INVITED = "perso", "invitations"
COLOURS = 8      # static/css/site.css: .cal-0 … .cal-7


@dataclass
class Source:
    """One calendar shown in an agenda, as its filter offers it."""
    key: str
    label: str
    colour: int


class Change(NamedTuple):
    """A changed occurrence, as an agenda reads it (``EventChange``'s columns)."""
    occurrence: datetime
    cancelled: bool
    starts_on: datetime | None
    ends_on: datetime | None
    title: str | None
    location: str | None


@dataclass(slots=True)
class Shown:
    """The columns of an event that an agenda reads, with its changed occurrences: a plain row,
    not an ``Event`` (an agenda page loads no ORM object for its events)."""
    id: int
    space_id: int | None
    owner_id: int
    title: str
    location: str
    all_day: bool
    starts_on: datetime
    ends_on: datetime
    rrule: str | None
    invited: bool = False
    changes: list[Change] = field(default_factory=list)

    @property
    def duration(self) -> timedelta:
        return self.ends_on - self.starts_on


@dataclass
class Item:
    title: str
    starts: datetime          # local wall-clock time
    ends: datetime
    all_day: bool
    source: Source
    url: str
    location: str = ""
    event: Shown | None = None
    occurrence: datetime | None = None
    kind: str = "event"       # or "sitting", "deadline"…: an item another domain gives
    note: str = ""

    @property
    def days(self) -> list[date]:
        """The days it covers (an all-day event ends at midnight after its last day)."""
        last = (self.ends - timedelta(seconds=1)).date() if self.ends > self.starts \
            else self.starts.date()
        return [self.starts.date() + timedelta(days=n)
                for n in range((last - self.starts.date()).days + 1)]


@dataclass
class Agenda:
    sources: list[Source]
    items: list[Item] = field(default_factory=list)
    _by_day: dict | None = field(default=None, repr=False, compare=False)

    def on(self, day: date) -> list[Item]:
        """The items of ``day``, in the agenda's order (the days indexed at the first call)."""
        if self._by_day is None:
            self._by_day = {}
            for item in self.items:
                for covered in item.days:
                    self._by_day.setdefault(covered, []).append(item)
        return self._by_day.get(day, [])


def occurrences(event: Event, after: datetime, before: datetime):
    """(occurrence, start, end, change) of ``event`` overlapping ``[after, before)``, local times,
    cancelled ones left out, moved ones where they were moved to."""
    duration = event.duration
    found = []
    changes = {change.occurrence: change for change in event.changes}
    for start in recurrence.starts(event.rrule, event.starts_on, after - duration, before):
        change = changes.pop(start, None)
        found.append((start, change))
    for key, change in changes.items():   # moved here from another period
        if not change.cancelled and change.starts_on and change.starts_on < before \
                and change.ends_on > after and recurrence.is_occurrence(event.rrule,
                                                                        event.starts_on, key):
            found.append((key, change))
    result = []
    for start, change in found:
        if change is not None and change.cancelled:
            continue
        begins = change.starts_on if change and change.starts_on else start
        ends = change.ends_on if change and change.ends_on else begins + duration
        if begins < before and (ends > after or (ends == begins and begins >= after)):
            result.append((start, begins, ends, change))
    return sorted(result, key=lambda row: row[1])


def event_items(events, after: datetime, before: datetime, source_of) -> list[Item]:
    items = []
    for event in events:
        source = source_of(event)
        if source is None:
            continue
        url = path_for("agenda.event", event_id=event.id)
        for start, begins, ends, change in occurrences(event, after, before):
            items.append(Item(
                title=(change.title if change and change.title else event.title),
                starts=begins, ends=ends, all_day=event.all_day, source=source,
                url=f"{url}?occurrence={occurrence_key(start)}" if event.rrule else url,
                location=(change.location if change and change.location is not None
                          else event.location), event=event, occurrence=start))
    return items


_SHOWN = (Event.id, Event.space_id, Event.owner_id, Event.title, Event.location, Event.all_day,
          Event.starts_on, Event.ends_on, Event.rrule)
_CHANGE = (EventChange.occurrence, EventChange.cancelled, EventChange.starts_on,
           EventChange.ends_on, EventChange.title, EventChange.location)
_EVENTS = (select(*_SHOWN, *_CHANGE).outerjoin(EventChange, EventChange.event_id == Event.id)
           .order_by(Event.starts_on, Event.id, EventChange.occurrence))   # built once


def _events_between(where, after: datetime, before: datetime, invited=None) -> list[Shown]:
    """The events of ``where`` that may have an occurrence in ``[after, before)``, with their
    changes, in one statement (``invited``: a condition read as each event's ``invited``)."""
    query = _EVENTS if invited is None else _EVENTS.add_columns(invited.label("invited"))
    return _read_events(query.where(where, _IN_PERIOD), {}, after, before, invited is not None)


# an event that may have an occurrence in the period (bound: its start and end, in UTC)
_IN_PERIOD = and_(Event.first_utc < bindparam("period_end_utc", type_=DateTime),
                  or_(Event.last_utc.is_(None),
                      Event.last_utc >= bindparam("period_start_utc", type_=DateTime)))


def _read_events(query, params: dict, after: datetime, before: datetime,
                 invited: bool) -> list[Shown]:
    """The events ``query`` reads (``_EVENTS``' columns, then ``invited`` if asked, and
    ``_IN_PERIOD``), each with its changes."""
    params = {**params, "period_start_utc": recurrence.to_utc(after),
              "period_end_utc": recurrence.to_utc(before)}
    shown, width = len(_SHOWN), len(_SHOWN) + len(_CHANGE)
    events: list[Shown] = []
    last = None
    for row in db.session.execute(query, params).all():   # fetched at once, not row by row
        if last is None or last.id != row[0]:
            last = Shown(*row[:shown], invited=invited and bool(row[width]))
            events.append(last)
        if row[shown] is not None:
            last.changes.append(Change(*row[shown:width]))
    return events


# « Mon agenda »: the events the person may see that are their own, of their (not archived)
# member spaces, or they are invited to; built once, the person in access.content_viewer's
# bound parameters and their spaces in ``agenda_spaces``
_PERSONAL_EVENTS = _EVENTS.add_columns(access.invited_bound().label("invited")).where(
    access.visible_events_bound(),
    or_(Event.space_id.is_(None),
        Event.space_id.in_(bindparam("agenda_spaces", expanding=True)),
        access.invited_bound()),
    _IN_PERIOD)
# a space's calendar: the events of ``agenda_space`` the person may see, built once
_SPACE_EVENTS = _EVENTS.where(access.visible_events_bound(),
                              Event.space_id == bindparam("agenda_space", type_=Integer),
                              _IN_PERIOD)


def _sorted(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda item: (item.starts.date(), not item.all_day, item.starts,
                                           item.title))


def personal_agenda(user, after: datetime, before: datetime, shown: set[str] | None = None) -> Agenda:
    """« Mon agenda »: my own calendar, my spaces' calendars and the events I am invited to,
    with what other domains add for me; ``shown`` keeps only these sources' keys."""
    spaces = [space for space in access.reach(user).spaces if not space.archived]
    sources = [Source(PERSONAL, "Mon agenda", 0), Source(INVITED, "Mes invitations", 1)]
    by_space = {}
    for position, space in enumerate(spaces):
        by_space[space.id] = Source(f"espace-{space.slug}", space.name, 2 + position % (COLOURS - 2))
        sources.append(by_space[space.id])
    sources += [Source(key, label, 2 + (len(spaces) + n) % (COLOURS - 2))
                for n, (key, label) in enumerate(hooks.calendar_source_labels())]
    keep = {source.key for source in sources} if not shown else shown
    member_ids = list(by_space)

    def source_of(event: Shown) -> Source | None:
        if event.space_id is None and event.owner_id == user.id:
            source = sources[0]
        elif event.space_id in by_space:
            source = by_space[event.space_id]
        elif event.invited:
            source = sources[1]
        else:
            return None
        return source if source.key in keep else None

    events = _read_events(_PERSONAL_EVENTS, {**access.content_viewer(user),
                                             "agenda_spaces": member_ids or [-1]},
                          after, before, True)
    items = event_items(events, after, before, source_of)
    items += _hook_items(user, after, before, None, sources, keep)
    return Agenda(sources=sources, items=_sorted(items))


def space_agenda(user, space: Space, after: datetime, before: datetime) -> Agenda:
    source = Source(f"espace-{space.slug}", space.name, 2)
    sources = [source] + [Source(key, label, 3 + n % (COLOURS - 3))
                          for n, (key, label) in enumerate(hooks.calendar_source_labels())]
    events = _read_events(_SPACE_EVENTS, {**access.content_viewer(user), "agenda_space": space.id},
                          after, before, False)
    items = event_items(events, after, before, lambda e: source)
    items += _hook_items(user, after, before, space, sources, {s.key for s in sources})
    return Agenda(sources=sources, items=_sorted(items))


def _hook_items(user, after, before, space, sources, keep) -> list[Item]:
    """The items of the other domains' sources that are shown (``keep``): only those are read."""
    by_key = {source.key: source for source in sources if source.key in keep}
    items = []
    for key, given in hooks.calendar_items(user, after, before, space, keys=by_key):
        items.extend(Item(title=g.title, starts=g.starts, ends=g.ends, all_day=g.all_day,
                          source=by_key[key], url=g.url, location=g.location, kind=g.kind,
                          note=g.note) for g in given)
    return items


def busy(people_ids, after: datetime, before: datetime, *, ignore_event: int | None = None):
    """{person id: [(start, end, answer)]}: when each person is taken — their own events and
    the events they accepted or may attend — titles left out (free/busy)."""
    if not people_ids:
        return {}
    taken: dict[int, list] = {person: [] for person in people_ids}
    attending = (select(Attendee.event_id, Attendee.user_id)
                 .where(Attendee.user_id.in_(people_ids),
                        Attendee.answer.in_([Answer.ACCEPTED, Answer.TENTATIVE,
                                             Answer.NEEDS_ACTION])))
    pairs = db.session.execute(attending).all()
    owned = Event.owner_id.in_(people_ids)
    where = or_(owned, Event.id.in_({event_id for event_id, _ in pairs} or {-1}))
    if ignore_event is not None:
        where = where & (Event.id != ignore_event)
    whose: dict[int, set[int]] = {}
    for event_id, person in pairs:
        whose.setdefault(event_id, set()).add(person)
    for event in _events_between(where, after, before):
        people = set(whose.get(event.id, ())) | ({event.owner_id} & set(people_ids))
        for _, begins, ends, _ in occurrences(event, after, before):
            for person in people:
                taken[person].append((begins, ends))
    return {person: sorted(slots) for person, slots in taken.items()}
