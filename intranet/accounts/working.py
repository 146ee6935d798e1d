"""« Vous travaillez pour » : the organisation a person is working for right now.

A commune secretary often serves several communes. The header shows which one she is working
for and lets her switch; the choice is kept in her session (``SESSION_KEY``) and decides what
the application offers first: the organisation a new act, aid, notice or press release is
published for, and the first organisation of her menu and dashboard. It never widens what she
may do: only an organisation she is a member of can be chosen, and every decision stays with
``access``.
"""
from __future__ import annotations

from flask import session

from ..core.text import french_sorted
from .models import Organisation

SESSION_KEY = "working_for"


def my_organisations(user) -> list[Organisation]:
    """The organisations ``user`` is a member of, in French order (the session's person has
    them loaded with the person: no statement)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return french_sorted((m.organisation for m in user.memberships), key=lambda org: org.name)


def working_organisation(user, organisations: list[Organisation] | None = None
                         ) -> Organisation | None:
    """The organisation ``user`` works for: the one chosen in this session if still theirs,
    else the first of theirs in French order; None for a person without organisation."""
    organisations = my_organisations(user) if organisations is None else organisations
    chosen = session.get(SESSION_KEY)
    for org in organisations:
        if org.id == chosen:
            return org
    return organisations[0] if organisations else None


def work_for(user, organisation_id) -> Organisation | None:
    """Switch ``user`` to the organisation ``organisation_id`` (an int or its text); None, and
    nothing changed, when it is not one of theirs."""
    for org in my_organisations(user):
        if str(org.id) == str(organisation_id).strip():
            session[SESSION_KEY] = org.id
            return org
    return None


def first_for(user, organisations: list[Organisation]) -> list[Organisation]:
    """``organisations`` with the one ``user`` works for first (the default of a chooser)."""
    current = working_organisation(user)
    if current is None:
        return list(organisations)
    return sorted(organisations, key=lambda org: org.id != current.id)
