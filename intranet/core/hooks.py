"""Extension points between domains, so that a domain shows its part of a shared page
without the page's domain importing it.

- ``register_organisation_section(template)``: a partial template included on every
  organisation's page (receives ``org``); it gets its data from template globals that its own
  blueprint registers with ``@bp.app_template_global()``, filtered through ``access``.
- ``register_header_counter(name, count)``: a number the header shows to a signed-in person
  (unread conversations, notifications). ``count(user_id)`` returns a SELECT of one number for
  the person ``user_id`` stands for (a bound parameter): every counter is read in one statement
  per page (``header_counters``), built once per process, and given to templates as ``name``.
- ``register_header_param(name, value)``: a bound parameter ``name`` that a counter's SELECT
  may use besides the person's id, e.g. an expanding list of space ids; ``value(user)`` gives
  it from what the request already knows (``access.reach``), so it costs no statement. The
  user loader reads the counters with the person (``loader_columns``, below), so a counter's
  SELECT must also work with ``count(User.id)``, correlated.
- ``register_header_value(name, value)``: a value every page shows, the same for everyone (the
  footer's accessibility level). ``value()`` returns a SELECT of that value; on a signed-in page
  it is read in the counters' statement, and ``header_value(name)`` returns it from there
  (elsewhere, a visitor's page or a command, it reads it alone).
- ``register_calendar_source(key, label, rows, entries, deadline=False)``: dated items a domain
  shows in the agendas (an assembly's sittings, the closing dates of aids). ``rows(user, after,
  before, space)`` returns a SELECT of ``calendar_columns(…)`` and its bound parameters (or
  None: nothing to read) of the items between two local times that ``user`` may see (those of
  ``space``'s calendar when it is given, else those of ``user``'s own agenda), filtered as the
  domain filters them through ``access``; the SELECT is built once per process, everything
  that depends on the person or the period in the parameters, whose names the source makes its
  own (``offres_user``…) unless they mean the same for every source (``access.content_viewer``'s,
  ``calendar_period``'s). ``entries(user, rows)`` turns the rows read into ``CalendarEntry``
  items (and may still leave out those a Python decision refuses). Every source's SELECT is
  read in one ``UNION ALL`` per page (``calendar_items``), built once per set of sources. A
  ``deadline`` source is what a person must meet, offered as an option of the subscription
  feeds (DESIGN §8, « Deadlines »).
  ``whole_day`` makes the entry of a date (a closing date, a deadline, a sitting).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Callable

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import (Date, DateTime, Integer, Text, bindparam, cast, event, literal_column,
                        null, select, type_coerce, union_all)
from sqlalchemy.orm import Session

from ..extensions import db

ORGANISATION_SECTIONS: list[str] = []
HEADER_COUNTERS: dict[str, Callable] = {}
HEADER_VALUES: dict[str, Callable] = {}
HEADER_PARAMS: dict[str, Callable] = {}


def register_organisation_section(template: str) -> None:
    if template not in ORGANISATION_SECTIONS:
        ORGANISATION_SECTIONS.append(template)


def register_header_counter(name: str, count: Callable) -> None:
    HEADER_COUNTERS[name] = count
    _COUNTERS_STATEMENT.clear()


def register_header_param(name: str, value: Callable) -> None:
    HEADER_PARAMS[name] = value


def register_header_value(name: str, value: Callable) -> None:
    HEADER_VALUES[name] = value
    _COUNTERS_STATEMENT.clear()
    _VALUE_STATEMENTS.pop(name, None)


_COUNTERS_STATEMENT: list = []   # (names, statement), built at the first page that needs it
_VALUE_STATEMENTS: dict = {}     # a header value's statement alone, built once per process


def _counters_statement():
    if not _COUNTERS_STATEMENT:
        person = bindparam("header_user", type_=Integer)
        names = tuple(HEADER_COUNTERS)
        columns = [HEADER_COUNTERS[name](person).scalar_subquery().label(name) for name in names]
        columns += [HEADER_VALUES[name]().scalar_subquery().label(name) for name in HEADER_VALUES]
        _COUNTERS_STATEMENT.append((names, select(*columns)))
    return _COUNTERS_STATEMENT[0]


def header_counters() -> dict[str, int]:
    """Context processor: every registered counter for the signed-in person, in one SELECT
    of scalar subqueries; zeros, without a query, for a visitor. When the user loader read
    them with the person (``loader_columns``) and the request has written nothing since, they
    are taken from there: no statement."""
    if not (has_request_context() and current_user.is_authenticated and HEADER_COUNTERS):
        return dict.fromkeys(HEADER_COUNTERS, 0)
    names, statement = _counters_statement()
    row = g.get("_header_read_with_person")
    if row is None or g.get("_request_wrote"):
        params = {name: value(current_user) for name, value in HEADER_PARAMS.items()}
        row = db.session.execute(statement, {"header_user": current_user.id, **params}).one()
        _keep_params(params)
    g._header_values = dict(zip(HEADER_VALUES, row[len(names):]))
    return {name: value or 0 for name, value in zip(names, row)}


# --- the counters read with the person -------------------------------------------------------
# The user loader's statement may carry the counters too (``loader_columns``): those of the
# person alone need nothing more, those with parameters (the spaces whose pages one approves)
# take the values this session's previous page computed, kept with the « access » token they
# were computed under (``core/generations.py``). They are used only when the loader read that
# same token (nothing they depend on has changed) and the request has written nothing before
# the page is drawn (reading a conversation marks it read): else the counters' own statement
# runs, as on a session's first page in a process.

_KEPT_PARAMS: dict[str, tuple[str, dict]] = {}   # session digest → (token, parameters)
KEPT_PARAMS_MAX = 2_000


def loader_columns(person) -> list:
    """The counters and header values as scalar subqueries of ``person`` (the loader's
    ``User.id`` column), in the order ``header_counters`` reads them."""
    return ([HEADER_COUNTERS[name](person).scalar_subquery() for name in HEADER_COUNTERS]
            + [HEADER_VALUES[name]().scalar_subquery() for name in HEADER_VALUES])


def loader_params(session_digest: str) -> dict:
    kept = _KEPT_PARAMS.get(session_digest)
    return kept[1] if kept is not None else {name: [-1] for name in HEADER_PARAMS}


def read_with_person(session_digest: str, token: str | None, values) -> None:
    """The loader's counters (``values``), kept for this request's header if the parameters
    they were read with are still true (``token``: the « access » token the loader read)."""
    g._header_session = (session_digest, token)
    kept = _KEPT_PARAMS.get(session_digest)
    params_hold = not HEADER_PARAMS or (kept is not None and kept[0] == token)
    if token is not None and params_hold and \
            len(values) == len(HEADER_COUNTERS) + len(HEADER_VALUES):
        g._header_read_with_person = tuple(values)


def _keep_params(params: dict) -> None:
    digest, token = g.get("_header_session", (None, None))
    if digest is None or token is None or g.get("_request_wrote"):
        return
    if len(_KEPT_PARAMS) >= KEPT_PARAMS_MAX:
        _KEPT_PARAMS.clear()
    _KEPT_PARAMS[digest] = (token, params)


def forget_kept_params() -> None:
    _KEPT_PARAMS.clear()


@event.listens_for(Session, "after_flush")
def _wrote(session, flush_context) -> None:
    if has_request_context():
        g._request_wrote = True


@event.listens_for(Session, "do_orm_execute")
def _wrote_in_bulk(state) -> None:
    if has_request_context() and (state.is_insert or state.is_update or state.is_delete):
        g._request_wrote = True


def header_value(name: str):
    """A registered header value: as the counters' statement read it on this page, or else
    read alone (a visitor's page, a command, a page with no template yet)."""
    if has_request_context() and name in g.get("_header_values", ()):
        return g._header_values[name]
    if name not in _VALUE_STATEMENTS:
        _VALUE_STATEMENTS[name] = HEADER_VALUES[name]()
    return db.session.scalar(_VALUE_STATEMENTS[name])


@dataclass(frozen=True)
class CalendarEntry:
    title: str
    starts: datetime          # Europe/Paris wall-clock time
    ends: datetime
    all_day: bool
    url: str
    uid: str                  # stable, for the iCalendar feeds
    location: str = ""
    kind: str = ""
    note: str = ""


def whole_day(day: date, *, title: str, url: str, uid: str, kind: str = "deadline",
              note: str = "") -> CalendarEntry:
    """An entry for the whole of ``day``: a closing date, a deadline, a sitting."""
    starts = datetime.combine(day, time())
    return CalendarEntry(title=title, starts=starts, ends=starts + timedelta(days=1),
                         all_day=True, url=url, uid=uid, kind=kind, note=note)


# --- calendar sources -------------------------------------------------------------------------
# Each source gives a SELECT of the same labelled columns, so that all of them are read in one
# statement: ``calendar_columns`` fills the ones a source does not use with typed NULLs.

CALENDAR_COLUMNS = {"id": Integer, "ref": Integer, "day": Date, "other_day": Date,
                    "moment": DateTime, "title": Text, "name": Text, "text": Text}


def calendar_columns(**given) -> list:
    """The columns of a calendar source's SELECT, in ``CALENDAR_COLUMNS``' order: ``id`` (the
    item's), ``ref`` (another id), ``day`` (the date the rows are ordered by), ``other_day``,
    ``moment``, ``title``, ``name``, ``text``; those not given are NULL."""
    unknown = set(given) - set(CALENDAR_COLUMNS)
    if unknown:
        raise ValueError(f"unknown calendar columns: {sorted(unknown)}")
    return [type_coerce(given[name], kind).label(name) if name in given
            else cast(null(), kind).label(name)
            for name, kind in CALENDAR_COLUMNS.items()]


@dataclass(frozen=True)
class CalendarSource:
    label: str
    rows: Callable            # (user, after, before, space) -> SELECT of calendar_columns | None
    entries: Callable         # (user, rows) -> list[CalendarEntry]
    deadline: bool = False


CALENDAR_SOURCES: dict[str, CalendarSource] = {}


def register_calendar_source(key: str, label: str, rows: Callable, entries: Callable, *,
                             deadline: bool = False) -> None:
    CALENDAR_SOURCES[key] = CalendarSource(label, rows, entries, deadline)


def calendar_source_labels() -> list[tuple[str, str]]:
    return [(key, source.label) for key, source in CALENDAR_SOURCES.items()]


_SOURCE_COLUMNS: list = []


def _source_column(position: int):
    while len(_SOURCE_COLUMNS) <= position:
        _SOURCE_COLUMNS.append(literal_column(str(len(_SOURCE_COLUMNS)), Integer).label("source"))
    return _SOURCE_COLUMNS[position]


def calendar_period(after: datetime, before: datetime) -> dict:
    """The bound parameters of a period that every calendar source may use: its first day
    (``calendar_from``) and the day after its end (``calendar_to``, excluded)."""
    return {"calendar_from": after.date(), "calendar_to": before.date()}


# per set of sources read together ((position, SELECT) of each): their UNION ALL, ordered
_UNIONS: dict[tuple, object] = {}


def _union(parts: tuple):
    if parts not in _UNIONS:
        selects = [query.add_columns(_source_column(position)) for position, query in parts]
        union = union_all(*selects) if len(selects) > 1 else selects[0]
        columns = union.selected_columns
        _UNIONS[parts] = union.order_by(columns.source, columns.day, columns.id)
    return _UNIONS[parts]


def calendar_items(user, after: datetime, before: datetime, space=None, *,
                   deadlines: bool = True, keys=None) -> list[tuple[str, list[CalendarEntry]]]:
    """Each source's entries (``keys``: these sources only), in the order they were
    registered: every source's SELECT read in one ``UNION ALL``, ordered by source, day and
    id; then each source turns its rows into entries."""
    chosen = [(key, source) for key, source in CALENDAR_SOURCES.items()
              if (deadlines or not source.deadline) and (keys is None or key in keys)]
    parts, params = [], calendar_period(after, before)
    for position, (key, source) in enumerate(chosen):
        given = source.rows(user, after, before, space)
        if given is not None:
            query, own = given
            parts.append((position, query))
            for name, value in own.items():
                if params.setdefault(name, value) != value:
                    raise ValueError(f"calendar source {key!r}: its parameter {name!r} is "
                                     "another source's, with another value")
    rows: list[list] = [[] for _ in chosen]
    if parts:
        for row in db.session.execute(_union(tuple(parts)), params).all():
            rows[row.source].append(row)
    return [(key, source.entries(user, found) if found else [])
            for (key, source), found in zip(chosen, rows)]
