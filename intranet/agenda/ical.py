"""iCalendar (RFC 5545), with the ``icalendar`` package: the export of events (one event, a
person's subscription feed) and the import of a file into a calendar.

Exported times carry ``TZID=Europe/Paris`` and the file its ``VTIMEZONE`` (the European rule
of daylight saving, in force since 1996); a series has its ``RRULE`` (``UNTIL`` in UTC, as the
RFC requires with a zoned start), its cancelled occurrences as ``EXDATE`` and each changed one
as a ``VEVENT`` of the same ``UID`` with a ``RECURRENCE-ID``. All-day events are dates.
Importing reads the same, all or nothing: any event the agenda cannot hold is named, and
nothing is imported.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import icalendar

from ..core.sanitize import to_text
from ..core.timeutil import utcnow
from ..core.urls import absolute, absolute_url
from . import recurrence
from .models import Event

PRODID = "-//Territoires//Agenda//FR"
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_EVENTS = 2_000
_PARIS_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Paris
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""


def _calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    calendar.add_component(icalendar.Timezone.from_ical(_PARIS_VTIMEZONE.replace("\n", "\r\n")))
    return calendar


def _zoned(local: datetime) -> datetime:
    return local.replace(tzinfo=recurrence.PARIS)


def _add_times(component, starts: datetime, ends: datetime, all_day: bool) -> None:
    if all_day:
        component.add("dtstart", starts.date())
        component.add("dtend", max(ends.date(), starts.date() + timedelta(days=1)))
    else:
        component.add("dtstart", _zoned(starts))
        component.add("dtend", _zoned(ends))


def _exported_rule(event: Event) -> str:
    parts = recurrence.parse(event.rrule)
    if "UNTIL" in parts:
        until = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%S")
        parts["UNTIL"] = (until.strftime("%Y%m%d") if event.all_day
                          else recurrence.to_utc(until).strftime("%Y%m%dT%H%M%SZ"))
    return ";".join(f"{name}={value}" for name, value in parts.items())


def event_components(event: Event, stamp: datetime) -> list[icalendar.Event]:
    main = icalendar.Event()
    main.add("uid", event.uid)
    main.add("dtstamp", stamp)
    main.add("last-modified", event.updated_at.replace(tzinfo=timezone.utc))
    main.add("sequence", event.sequence)
    main.add("summary", event.title)
    _add_times(main, event.starts_on, event.ends_on, event.all_day)
    if event.location:
        main.add("location", event.location)
    if event.description_html:
        main.add("description", to_text(event.description_html))
    main.add("url", absolute_url("agenda.event", event_id=event.id))
    if event.space_id is not None:
        main.add("categories", [event.space.name])
    main.add("class", "PUBLIC" if event.space_id is not None else "PRIVATE")
    components = [main]
    if event.rrule:
        main.add("rrule", icalendar.vRecur.from_ical(_exported_rule(event)))
        cancelled = [c.occurrence for c in event.changes if c.cancelled]
        if cancelled:
            main.add("exdate", [c.date() if event.all_day else _zoned(c) for c in cancelled])
        for change in event.changes:
            if change.cancelled:
                continue
            moved = icalendar.Event()
            moved.add("uid", event.uid)
            moved.add("dtstamp", stamp)
            moved.add("sequence", event.sequence)
            moved.add("recurrence-id", change.occurrence.date() if event.all_day
                      else _zoned(change.occurrence))
            moved.add("summary", change.title or event.title)
            begins = change.starts_on or change.occurrence
            _add_times(moved, begins, change.ends_on or begins + event.duration, event.all_day)
            if (change.location if change.location is not None else event.location):
                moved.add("location", change.location if change.location is not None
                          else event.location)
            components.append(moved)
    return components


def entry_component(entry, stamp: datetime) -> icalendar.Event:
    """A dated item of another domain (a sitting, a closing date): ``hooks.CalendarEntry``."""
    component = icalendar.Event()
    component.add("uid", entry.uid)
    component.add("dtstamp", stamp)
    component.add("summary", entry.title)
    _add_times(component, entry.starts, entry.ends, entry.all_day)
    if entry.location:
        component.add("location", entry.location)
    if entry.note:
        component.add("description", entry.note)
    component.add("url", absolute(entry.url))
    component.add("transp", "TRANSPARENT")
    return component


def export(events, name: str, entries=()) -> bytes:
    stamp = utcnow().replace(tzinfo=timezone.utc)
    calendar = _calendar(name)
    for event in events:
        for component in event_components(event, stamp):
            calendar.add_component(component)
    for entry in entries:
        calendar.add_component(entry_component(entry, stamp))
    return calendar.to_ical()


# --- import -------------------------------------------------------------------------------


class ImportRefused(ValueError):
    """The file cannot be imported: ``problems`` says why, event by event."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Imported:
    uid: str
    title: str
    location: str
    description: str
    all_day: bool
    starts_on: datetime
    ends_on: datetime
    rrule: str | None
    cancelled: list[datetime]
    moved: list[tuple[datetime, datetime, datetime, str | None, str | None]]


def _local(value, *, what: str, name: str) -> tuple[datetime, bool]:
    """A DTSTART/DTEND value as a Paris wall-clock time, and whether it was a date."""
    if isinstance(value, datetime):
        if value.tzinfo is None:       # floating time: read as local time, RFC 5545 §3.3.5
            return value, False
        return recurrence.to_local(value.astimezone(timezone.utc).replace(tzinfo=None)), False
    if isinstance(value, date):
        return datetime.combine(value, time()), True
    raise ValueError(f"« {name} » : {what} illisible")


def read(data: bytes) -> list[Imported]:
    """The events of an iCalendar file, or ``ImportRefused`` naming every problem."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused([f"le fichier dépasse {MAX_IMPORT_BYTES // 1024 // 1024} Mo"])
    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except (ValueError, IndexError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise ImportRefused([f"ce n'est pas un fichier iCalendar lisible ({error})"[:300]])
    problems: list[str] = []
    found: dict[str, Imported] = {}
    overrides = []
    components = [c for calendar in calendars for c in calendar.walk("VEVENT")]
    if not components:
        raise ImportRefused(["le fichier ne contient aucun événement (VEVENT)"])
    if len(components) > MAX_IMPORT_EVENTS:
        raise ImportRefused([f"le fichier contient plus de {MAX_IMPORT_EVENTS} événements"])
    for number, component in enumerate(components, start=1):
        name = str(component.get("summary", "")).strip() or f"événement n° {number}"
        try:
            uid = str(component.get("uid") or "").strip()
            if not uid:
                raise ValueError(f"« {name} » n'a pas d'identifiant (UID)")
            if "dtstart" not in component:
                raise ValueError(f"« {name} » n'a pas de date de début (DTSTART)")
            starts, all_day = _local(component.decoded("dtstart"), what="la date de début",
                                     name=name)
            if "dtend" in component:
                ends, _ = _local(component.decoded("dtend"), what="la date de fin", name=name)
            elif "duration" in component:
                ends = starts + component.decoded("duration")
            else:
                ends = starts + (timedelta(days=1) if all_day else timedelta())
            if ends < starts:
                raise ValueError(f"« {name} » finit avant de commencer")
            if "recurrence-id" in component:
                original, _ = _local(component.decoded("recurrence-id"),
                                     what="l'occurrence modifiée", name=name)
                overrides.append((uid, original, starts, ends,
                                  str(component.get("summary") or "") or None,
                                  str(component["location"]) if "location" in component else None))
                continue
            rule = None
            if "rrule" in component:
                rule = component["rrule"].to_ical().decode()
                try:
                    rule = recurrence.normalised(rule, starts)
                except recurrence.RuleError as error:
                    raise ValueError(f"« {name} » : {error}") from error
            cancelled = []
            for exdate in component.get("exdate", []) if isinstance(component.get("exdate"), list) \
                    else [component.get("exdate")] if component.get("exdate") else []:
                for value in exdate.dts:
                    cancelled.append(_local(value.dt, what="une date exclue", name=name)[0])
            if uid in found:
                raise ValueError(f"« {name} » apparaît deux fois (UID {uid})")
            found[uid] = Imported(
                uid=uid[:255], title=(str(component.get("summary") or "").strip() or "Sans titre")[:200],
                location=str(component.get("location") or "")[:300],
                description=str(component.get("description") or ""), all_day=all_day,
                starts_on=starts, ends_on=ends, rrule=rule, cancelled=cancelled, moved=[])
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            problems.append(str(error) if str(error).startswith("«")
                            else f"« {name} » : {error}")
    for uid, original, starts, ends, title, location in overrides:
        if uid not in found:
            problems.append(f"une occurrence modifiée (RECURRENCE-ID) renvoie à l'événement "
                            f"{uid}, absent du fichier")
        else:
            found[uid].moved.append((original, starts, ends, title, location))
    if problems:
        raise ImportRefused(problems)
    return list(found.values())
