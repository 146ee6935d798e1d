"""The news of the spaces (« Quoi de neuf »): the lines a dashboard, a space's home, an
organisation's home and the landing page show.

They are read as plain rows (``ActivityLine``: what a line shows of the activity, its space and
its author), by statements built once per process with the viewer in bound parameters
(``access.visible_content_bound``), and drawn in Python (``activity_list``, the templates'
global): a dashboard shows 40 lines, and as ORM objects drawn by a Jinja template they were a
third of its CPU time. What a line says is written by ``services.record_activity``.
"""
from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import NamedTuple

from markupsafe import Markup, escape
from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import aliased

from .. import access
from ..accounts.models import User
from ..core.frdates import format_relative
from ..core.timeutil import machine_readable, utcnow
from ..extensions import db
from .models import Activity, Space, SpaceKind


class ActivityLine(NamedTuple):
    """One line of news as it is shown."""
    summary: str
    url: str | None
    created_at: datetime
    space_name: str
    actor_name: str | None      # the author's full name; None when unknown or deleted


@cache
def _statement(where: str):
    """The latest lines the viewer may read (``content_viewer``), of the spaces given as
    ``spaces`` (``where="spaces"``) or of the one space ``space_id`` (``where="space"``)."""
    space, actor = aliased(Space), aliased(User)
    stmt = (select(Activity.summary, Activity.url, Activity.created_at, space.name,
                   actor.first_name, actor.last_name, actor.email)
            .join(space, space.id == Activity.space_id)
            .outerjoin(actor, actor.id == Activity.actor_id)
            .where(access.visible_content_bound(Activity)))
    if where == "spaces":
        stmt = stmt.where(Activity.space_id.in_(bindparam("spaces", expanding=True)))
    else:
        stmt = stmt.where(Activity.space_id == bindparam("space_id"))
    return (stmt.order_by(Activity.created_at.desc(), Activity.id.desc())
            .limit(bindparam("limit", type_=Integer)))


def _lines(where: str, user, limit: int, **params) -> list[ActivityLine]:
    rows = db.session.execute(_statement(where),
                              {**access.content_viewer(user), "limit": limit, **params})
    return [ActivityLine(summary, url, created_at, space_name,
                         None if email is None else f"{first} {last}".strip() or email)
            for summary, url, created_at, space_name, first, last, email in rows]


def dashboard_activity(user: User, limit: int = 40) -> list[ActivityLine]:
    """« Quoi de neuf dans mes espaces »: the news of the spaces the user is a member of."""
    return _lines("spaces", user, limit, spaces=access.member_space_ids(user))


def space_activity(user, space: Space, limit: int = 30) -> list[ActivityLine]:
    """A space's news that ``user`` (None: a visitor) may read."""
    return _lines("space", user, limit, space_id=space.id)


def public_activity(limit: int = 10) -> list[ActivityLine]:
    """The open space's public news, for the landing page."""
    open_space = db.session.scalar(select(Space).where(Space.kind == SpaceKind.OPEN))
    return space_activity(None, open_space, limit=limit) if open_space else []


def activity_list(lines: list[ActivityLine]) -> Markup:
    """The lines as a list: the summary (a link to what it announces), the space and the
    author, and when (« il y a 5 minutes », the exact time in ``datetime``). Every value is
    escaped here, as a template would."""
    now = utcnow()
    out = ['<ul class="activity">']
    for line in lines:
        summary = escape(line.summary)
        if line.url:
            summary = f'<a href="{escape(line.url)}">{summary}</a>'
        actor = f" · {escape(line.actor_name)}" if line.actor_name else ""
        out.append(f"  <li>\n    <strong>{summary}</strong><br>\n"
                   f'    <span class="muted">{escape(line.space_name)}{actor}</span>\n'
                   f'    · <time datetime="{machine_readable(line.created_at)}">'
                   f"{escape(format_relative(line.created_at, now))}</time>\n  </li>")
    out.append("</ul>")
    return Markup("\n".join(out))
