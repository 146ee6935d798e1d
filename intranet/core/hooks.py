"""Extension points between domains, so that a domain shows its part of a shared page
without the page's domain importing it.

- ``register_organisation_section(template)``: a partial template included on every
  organisation's page (receives ``org``); it gets its data from template globals that its own
  blueprint registers with ``@bp.app_template_global()``, filtered through ``access``.
- ``register_header_counter(name, count)``: a number the header shows to a signed-in person
  (unread conversations, notifications). ``count(user_id)`` returns a SELECT of one number for
  the person ``user_id`` stands for (a bound parameter): every counter is read in one statement
  per page (``header_counters``), built once per process, and given to templates as ``name``.
- ``register_header_value(name, value)``: a value every page shows, the same for everyone (the
  footer's accessibility level). ``value()`` returns a SELECT of that value; on a signed-in page
  it is read in the counters' statement, and ``header_value(name)`` returns it from there
  (elsewhere, a visitor's page or a command, it reads it alone).
"""
from __future__ import annotations

from typing import Callable

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import Integer, bindparam, select

from ..extensions import db

ORGANISATION_SECTIONS: list[str] = []
HEADER_COUNTERS: dict[str, Callable] = {}
HEADER_VALUES: dict[str, Callable] = {}


def register_organisation_section(template: str) -> None:
    if template not in ORGANISATION_SECTIONS:
        ORGANISATION_SECTIONS.append(template)


def register_header_counter(name: str, count: Callable) -> None:
    HEADER_COUNTERS[name] = count
    _COUNTERS_STATEMENT.clear()


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
    of scalar subqueries; zeros, without a query, for a visitor."""
    if not (has_request_context() and current_user.is_authenticated and HEADER_COUNTERS):
        return dict.fromkeys(HEADER_COUNTERS, 0)
    names, statement = _counters_statement()
    row = db.session.execute(statement, {"header_user": current_user.id}).one()
    g._header_values = dict(zip(HEADER_VALUES, row[len(names):]))
    return {name: value or 0 for name, value in zip(names, row)}


def header_value(name: str):
    """A registered header value: as the counters' statement read it on this page, or else
    read alone (a visitor's page, a command, a page with no template yet)."""
    if has_request_context() and name in g.get("_header_values", ()):
        return g._header_values[name]
    if name not in _VALUE_STATEMENTS:
        _VALUE_STATEMENTS[name] = HEADER_VALUES[name]()
    return db.session.scalar(_VALUE_STATEMENTS[name])
