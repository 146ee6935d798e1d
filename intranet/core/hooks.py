"""Extension points between domains, so that a domain shows its part of a shared page
without the page's domain importing it.

- ``register_organisation_section(template)``: a partial template included on every
  organisation's page (receives ``org``); it gets its data from template globals that its own
  blueprint registers with ``@bp.app_template_global()``, filtered through ``access``.
- ``register_header_counter(name, count)``: a number the header shows to a signed-in person
  (unread conversations, notifications). ``count(user_id)`` returns a SELECT of one number for
  the person ``user_id`` stands for (a bound parameter): every counter is read in one statement
  per page (``header_counters``), built once per process, and given to templates as ``name``.
"""
from __future__ import annotations

from typing import Callable

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import Integer, bindparam, select

from ..extensions import db

ORGANISATION_SECTIONS: list[str] = []
HEADER_COUNTERS: dict[str, Callable] = {}


def register_organisation_section(template: str) -> None:
    if template not in ORGANISATION_SECTIONS:
        ORGANISATION_SECTIONS.append(template)


def register_header_counter(name: str, count: Callable) -> None:
    HEADER_COUNTERS[name] = count
    _COUNTERS_STATEMENT.clear()


_COUNTERS_STATEMENT: list = []   # (names, statement), built at the first page that needs it


def _counters_statement():
    if not _COUNTERS_STATEMENT:
        person = bindparam("header_user", type_=Integer)
        names = tuple(HEADER_COUNTERS)
        _COUNTERS_STATEMENT.append((names, select(*(
            HEADER_COUNTERS[name](person).scalar_subquery().label(name) for name in names))))
    return _COUNTERS_STATEMENT[0]


def header_counters() -> dict[str, int]:
    """Context processor: every registered counter for the signed-in person, in one SELECT
    of scalar subqueries; zeros, without a query, for a visitor."""
    if not (has_request_context() and current_user.is_authenticated and HEADER_COUNTERS):
        return dict.fromkeys(HEADER_COUNTERS, 0)
    names, statement = _counters_statement()
    row = db.session.execute(statement, {"header_user": current_user.id}).one()
    return {name: value or 0 for name, value in zip(names, row)}
