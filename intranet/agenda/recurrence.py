"""Times and recurrence of events: Europe/Paris wall-clock times, RFC 5545 rules.

An event is stored as what its organiser chose on the clock of the town hall: a naive local
start and end (``Event.starts_on``/``ends_on``). A weekly meeting at 10:00 therefore stays at
10:00 local across both daylight-saving changes; its UTC instant (for the feeds, reminders and
the database's range filter) is computed from the local time with the zone's rules of that day.

A rule is an RRULE value (``FREQ=WEEKLY;BYDAY=MO;UNTIL=…``) read by ``dateutil``. Its
``UNTIL`` is stored as a local wall-clock time (without ``Z``), like the start; the iCalendar
export writes it in UTC as RFC 5545 requires with a ``TZID`` start. ``Rule`` is the part of
RFC 5545 the event form edits (frequency, interval, week days, « the second Tuesday », until a
date or a number of times); an imported rule outside it is kept and expanded as it is.

Expanding is always bounded: by the range asked for, and by ``MAX_OCCURRENCES`` per event and
``MAX_STEPS`` steps of the rule per request, so that a rule with no end, or one that starts in
1970, costs the same as any other.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from dateutil.rrule import rrulestr
from zoneinfo import ZoneInfo

from ..core.frdates import format_date
from ..core.types import LabelledEnum

PARIS = ZoneInfo("Europe/Paris")
MAX_OCCURRENCES = 400      # occurrences of one event in one view or feed
MAX_STEPS = 20_000         # steps of one rule walked in one request
MAX_COUNT = 1_000          # COUNT accepted in a rule
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_LABELS = dict(zip(WEEKDAYS, ("lundi", "mardi", "mercredi", "jeudi", "vendredi",
                                     "samedi", "dimanche")))
POSITION_LABELS = {1: "premier", 2: "deuxième", 3: "troisième", 4: "quatrième", -1: "dernier"}


class RuleError(ValueError):
    """A rule that cannot be kept: the message says why, in French."""


class Frequency(LabelledEnum):
    DAILY = "DAILY", "Tous les jours"
    WEEKLY = "WEEKLY", "Toutes les semaines"
    MONTHLY = "MONTHLY", "Tous les mois"
    YEARLY = "YEARLY", "Tous les ans"


UNIT_LABELS = {Frequency.DAILY: ("jour", "jours"), Frequency.WEEKLY: ("semaine", "semaines"),
               Frequency.MONTHLY: ("mois", "mois"), Frequency.YEARLY: ("an", "ans")}
_KNOWN_PARTS = {"FREQ", "INTERVAL", "UNTIL", "COUNT", "BYDAY", "BYMONTHDAY", "BYMONTH",
                "BYSETPOS", "WKST", "BYYEARDAY", "BYWEEKNO"}
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")


# --- local time and UTC -----------------------------------------------------------------------


def to_utc(local: datetime) -> datetime:
    """The naive UTC instant of a Europe/Paris wall-clock time (a time that the spring change
    skips is read with the offset before the change, as RFC 5545 says)."""
    return local.replace(tzinfo=PARIS).astimezone(timezone.utc).replace(tzinfo=None)


def to_local(utc: datetime) -> datetime:
    return utc.replace(tzinfo=timezone.utc).astimezone(PARIS).replace(tzinfo=None)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time())


# --- the form's rule ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    freq: Frequency
    interval: int = 1
    weekdays: tuple[str, ...] = ()     # WEEKLY: the days; MONTHLY with ``position``: one day
    position: int | None = None        # MONTHLY: 1–4 or -1 (« the last »), with one weekday
    until: date | None = None          # the last day an occurrence may start (inclusive)
    count: int | None = None

    def value(self) -> str:
        parts = [f"FREQ={self.freq.value}"]
        if self.interval > 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.weekdays:
            prefix = str(self.position) if self.position else ""
            parts.append("BYDAY=" + ",".join(prefix + day for day in self.weekdays))
        if self.until:
            parts.append("UNTIL=" + self.until.strftime("%Y%m%dT235959"))
        elif self.count:
            parts.append(f"COUNT={self.count}")
        return ";".join(parts)

    def describe(self) -> str:
        """« Toutes les 2 semaines, le lundi et le jeudi, jusqu'au 30 juin 2027 »."""
        one, many = UNIT_LABELS[self.freq]
        if self.interval == 1:
            text = self.freq.label
        else:
            text = f"Tous les {self.interval} {many}" if self.freq != Frequency.WEEKLY \
                else f"Toutes les {self.interval} {many}"
        if self.weekdays and self.position:
            text += f", le {POSITION_LABELS[self.position]} {WEEKDAY_LABELS[self.weekdays[0]]} du mois"
        elif self.weekdays:
            days = [WEEKDAY_LABELS[d] for d in self.weekdays]
            text += ", le " + (" et le ".join(days) if len(days) < 3
                               else ", le ".join(days[:-1]) + " et le " + days[-1])
        if self.until:
            text += f", jusqu'au {format_date(self.until)}"
        elif self.count:
            text += f", {self.count} fois"
        return text


def parse(value: str | None) -> dict[str, str]:
    """The parts of an RRULE value, upper-cased, checked for what this application accepts."""
    if not value:
        return {}
    parts: dict[str, str] = {}
    for chunk in value.strip().removeprefix("RRULE:").split(";"):
        if not chunk:
            continue
        name, sep, part = chunk.partition("=")
        name = name.strip().upper()
        if not sep or not part.strip():
            raise RuleError(f"la partie « {chunk} » de la règle de répétition est incomplète")
        if name not in _KNOWN_PARTS:
            raise RuleError(f"la règle de répétition utilise « {name} », que l'agenda ne gère pas")
        parts[name] = part.strip().upper()
    if parts.get("FREQ") not in Frequency._value2member_map_:
        raise RuleError("une répétition doit être quotidienne, hebdomadaire, mensuelle ou "
                        f"annuelle (reçu : « {parts.get('FREQ', '')} »)")
    if "COUNT" in parts and "UNTIL" in parts:
        raise RuleError("une répétition a une date de fin ou un nombre de fois, pas les deux")
    for name in ("INTERVAL", "COUNT"):
        if name in parts and not (parts[name].isdigit() and 0 < int(parts[name])):
            raise RuleError(f"« {name}={parts[name]} » n'est pas un nombre positif")
    if int(parts.get("COUNT", 1)) > MAX_COUNT:
        raise RuleError(f"une répétition compte au plus {MAX_COUNT} fois")
    if int(parts.get("INTERVAL", 1)) > 999:
        raise RuleError("l'intervalle d'une répétition est au plus 999")
    for day in filter(None, parts.get("BYDAY", "").split(",")):
        if not _BYDAY.match(day):
            raise RuleError(f"« {day} » n'est pas un jour de la semaine")
    return parts


def normalised(value: str | None, start: datetime) -> str | None:
    """The rule as stored: checked, UNTIL as a local wall-clock time (an UTC ``…Z`` or a date
    converted), and proved expandable from ``start``; None for no rule."""
    parts = parse(value)
    if not parts:
        return None
    if "UNTIL" in parts:
        parts["UNTIL"] = _local_until(parts["UNTIL"]).strftime("%Y%m%dT%H%M%S")
    text = ";".join(f"{name}={part}" for name, part in parts.items())
    try:
        rrulestr(text, dtstart=start)
    except (ValueError, TypeError) as error:
        raise RuleError(f"la règle de répétition « {value} » est invalide") from error
    return text


def _local_until(value: str) -> datetime:
    try:
        if len(value) == 8:
            return datetime.strptime(value, "%Y%m%d").replace(hour=23, minute=59, second=59)
        if value.endswith("Z"):
            return to_local(datetime.strptime(value, "%Y%m%dT%H%M%SZ"))
        return datetime.strptime(value, "%Y%m%dT%H%M%S")
    except ValueError as error:
        raise RuleError(f"la date de fin de répétition « {value} » est invalide") from error


def as_rule(value: str | None) -> Rule | None:
    """The form's ``Rule`` for a stored value, or None when it has none or when the form cannot
    show it (an imported rule: kept as it is)."""
    parts = parse(value) if value else {}
    if not parts or set(parts) - {"FREQ", "INTERVAL", "UNTIL", "COUNT", "BYDAY"}:
        return None
    weekdays, position = [], None
    for day in filter(None, parts.get("BYDAY", "").split(",")):
        prefix, name = _BYDAY.match(day).groups()
        if prefix:
            if position is not None or int(prefix) not in POSITION_LABELS:
                return None
            position = int(prefix)
        weekdays.append(name)
    if position is not None and (len(weekdays) != 1 or parts["FREQ"] != "MONTHLY"):
        return None
    until = _local_until(parts["UNTIL"]).date() if "UNTIL" in parts else None
    return Rule(Frequency(parts["FREQ"]), int(parts.get("INTERVAL", 1)), tuple(weekdays),
                position, until, int(parts["COUNT"]) if "COUNT" in parts else None)


def describe(value: str | None) -> str:
    rule = as_rule(value)
    if rule is not None:
        return rule.describe()
    return f"Répétition personnalisée ({value})" if value else ""


def with_until(value: str, last_start: datetime) -> str:
    """The rule cut so that its last occurrence starts at ``last_start`` at the latest."""
    parts = parse(value)
    parts.pop("COUNT", None)
    parts["UNTIL"] = last_start.strftime("%Y%m%dT%H%M%S")
    return ";".join(f"{name}={part}" for name, part in parts.items())


def with_count(value: str, count: int) -> str:
    parts = parse(value)
    parts.pop("UNTIL", None)
    parts["COUNT"] = str(count)
    return ";".join(f"{name}={part}" for name, part in parts.items())


# --- expansion ------------------------------------------------------------------------------------


def starts(value: str | None, first: datetime, after: datetime, before: datetime,
           limit: int = MAX_OCCURRENCES) -> list[datetime]:
    """Local starts of the occurrences of a rule from ``first`` that fall in
    ``[after, before)``: at most ``limit``, after at most ``MAX_STEPS`` steps of the rule."""
    if not value:
        return [first] if after <= first < before else []
    found = []
    for steps, start in enumerate(rrulestr(value, dtstart=first)):
        if start >= before or steps >= MAX_STEPS or len(found) >= limit:
            break
        if start >= after:
            found.append(start)
    return found


def last_start(value: str | None, first: datetime) -> datetime | None:
    """The start of the last occurrence, or None for a rule with no end."""
    if not value:
        return first
    parts = parse(value)
    if "UNTIL" not in parts and "COUNT" not in parts:
        return None
    last = None
    for steps, start in enumerate(rrulestr(value, dtstart=first)):
        if steps >= MAX_STEPS:
            break
        last = start
    return last or first


def count_before(value: str, first: datetime, occurrence: datetime) -> int:
    """How many occurrences start before ``occurrence``."""
    return len(starts(value, first, first, occurrence, limit=MAX_COUNT + 1))


def is_occurrence(value: str | None, first: datetime, occurrence: datetime) -> bool:
    return bool(starts(value, first, occurrence, occurrence + timedelta(seconds=1), limit=1))
