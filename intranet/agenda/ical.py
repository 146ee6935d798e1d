"""iCalendar (RFC 5545), with the ``icalendar`` package: the export of events (one event, a
person's subscription feed) and the import of a file into a calendar.

Exported times carry ``TZID=Europe/Paris`` and the file its ``VTIMEZONE`` (the European rule
of daylight saving, in force since 1996); a series has its ``RRULE`` (``UNTIL`` in UTC, as the
RFC requires with a zoned start), its cancelled occurrences as ``EXDATE`` and each changed one
as a ``VEVENT`` of the same ``UID`` with a ``RECURRENCE-ID``. All-day events are dates. The
export is written line by line (escaping and folding of RFC 5545 §3.1 and §3.3.11): a feed
holds thousands of events, which the package's objects would take seconds to write; every test
reads the exports back with the package.
Importing reads the same, all or nothing: any event the agenda cannot hold is named, and
nothing is imported.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import icalendar

from ..core.timeutil import utcnow
from ..core.urls import absolute, path_for
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


# --- export: written line by line (the icalendar package's objects cost 2 ms an event, and a
# feed holds thousands; the tests read every export back with that package) ------------------

CRLF = "\r\n"


def _text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks escaped."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: str) -> str:
    """Lines longer than 75 octets folded (§3.1), never inside a UTF-8 character."""
    if len(line) <= 75 and line.isascii():
        return line
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current, size = [], [], 0
    for char in line:
        width = len(char.encode())
        if size + width > (75 if not parts else 74):
            parts.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def _utc(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def _when(name: str, local: datetime, all_day: bool) -> str:
    if all_day:
        return f"{name};VALUE=DATE:{local:%Y%m%d}"
    return f"{name};TZID=Europe/Paris:{local:%Y%m%dT%H%M%S}"


def _times(lines: list, starts: datetime, ends: datetime, all_day: bool) -> None:
    if all_day:
        ends = max(ends, starts + timedelta(days=1))
    lines += [_when("DTSTART", starts, all_day), _when("DTEND", ends, all_day)]


def _exported_rule(event: Event) -> str:
    parts = recurrence.parse(event.rrule)
    if "UNTIL" in parts:
        until = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%S")
        parts["UNTIL"] = (until.strftime("%Y%m%d") if event.all_day
                          else _utc(recurrence.to_utc(until)))
    return ";".join(f"{name}={value}" for name, value in parts.items())


def _event_url() -> str:
    """The absolute address of an event, as a pattern (built once per export)."""
    return absolute(path_for("agenda.event", event_id=123456789)).replace("123456789", "{}")


def event_lines(event: Event, stamp: str, url: str | None = None) -> list[str]:
    """The VEVENTs of one event: the series, and each changed occurrence (RECURRENCE-ID)."""
    lines = ["BEGIN:VEVENT", f"UID:{_text(event.uid)}", f"DTSTAMP:{stamp}",
             f"LAST-MODIFIED:{_utc(event.updated_at)}", f"SEQUENCE:{event.sequence}",
             f"SUMMARY:{_text(event.title)}"]
    _times(lines, event.starts_on, event.ends_on, event.all_day)
    if event.location:
        lines.append(f"LOCATION:{_text(event.location)}")
    if event.description_text:
        lines.append(f"DESCRIPTION:{_text(event.description_text)}")
    lines.append(f"URL:{(url or _event_url()).format(event.id)}")
    if event.space_id is not None:
        lines.append(f"CATEGORIES:{_text(event.space_name)}")
    lines.append("CLASS:PUBLIC" if event.space_id is not None else "CLASS:PRIVATE")
    moved = []
    if event.rrule:
        lines.append(f"RRULE:{_exported_rule(event)}")
        cancelled = [change.occurrence for change in event.changes if change.cancelled]
        if cancelled:
            values = ",".join(f"{c:%Y%m%d}" if event.all_day else f"{c:%Y%m%dT%H%M%S}"
                              for c in cancelled)
            lines.append(("EXDATE;VALUE=DATE:" if event.all_day
                          else "EXDATE;TZID=Europe/Paris:") + values)
        for change in event.changes:
            if change.cancelled:
                continue
            begins = change.starts_on or change.occurrence
            location = change.location if change.location is not None else event.location
            moved += ["BEGIN:VEVENT", f"UID:{_text(event.uid)}", f"DTSTAMP:{stamp}",
                      f"SEQUENCE:{event.sequence}",
                      _when("RECURRENCE-ID", change.occurrence, event.all_day),
                      f"SUMMARY:{_text(change.title or event.title)}"]
            _times(moved, begins, change.ends_on or begins + event.duration, event.all_day)
            if location:
                moved.append(f"LOCATION:{_text(location)}")
            moved.append("END:VEVENT")
    lines.append("END:VEVENT")
    return lines + moved


def entry_lines(entry, stamp: str) -> list[str]:
    """A dated item of another domain (a sitting, a closing date): ``hooks.CalendarEntry``."""
    lines = ["BEGIN:VEVENT", f"UID:{_text(entry.uid)}", f"DTSTAMP:{stamp}",
             f"SUMMARY:{_text(entry.title)}"]
    _times(lines, entry.starts, entry.ends, entry.all_day)
    if entry.location:
        lines.append(f"LOCATION:{_text(entry.location)}")
    if entry.note:
        lines.append(f"DESCRIPTION:{_text(entry.note)}")
    lines += [f"URL:{absolute(entry.url)}", "TRANSP:TRANSPARENT", "END:VEVENT"]
    return lines


def export(events, name: str, entries=()) -> bytes:
    stamp = _utc(utcnow())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{_text(name)}", "X-WR-TIMEZONE:Europe/Paris",
             *_PARIS_VTIMEZONE.strip().splitlines()]
    url = _event_url()
    for event in events:
        lines += event_lines(event, stamp, url)
    for entry in entries:
        lines += entry_lines(entry, stamp)
    lines.append("END:VCALENDAR")
    return (CRLF.join(map(_fold, lines)) + CRLF).encode()


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
