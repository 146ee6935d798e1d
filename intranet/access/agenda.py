"""Agendas: who sees an event, who writes in a calendar, who books a room. Part of
``intranet.access``, which re-exports every name (callers import ``access``). Each SQL function
is the twin of a Python decision; tests/agenda/test_access.py checks they agree.

In words:
- an event of a person's own calendar (no space) is seen by its owner and the people invited
  to it, nobody else — not the platform admin;
- an event of a space is seen as any content of that space (its visibility, narrowed per event),
  and by the people invited to it;
- a space's calendar is written by its editors (an organisation's, the open space's) or by its
  members (a working group's); an event is changed by its owner while they may still write in
  its space, and by the space's editors; a personal event by its owner only;
- an organisation's rooms and equipment are seen and booked by its members, and managed by its
  administrators (not by the platform admin, who runs the platform, not a town hall's rooms).
"""
from __future__ import annotations

from flask_login import current_user
from sqlalchemy import Integer, and_, bindparam, false, or_, select

from ..agenda.models import Attendee, Event, Resource
from ..core.types import Role
from ..spaces.models import Space, SpaceKind
from . import (TEMPLATE_GLOBALS, ReachedSpace, _role_at_least, _signed_in, can_view,
               can_view_in_space, org_role, reach, register_own_decisions, visible_content)
from .bound import visible_content_bound


def is_invited(user, event: Event) -> bool:
    return _signed_in(user) and any(a.user_id == user.id for a in event.attendees)


def can_view_event(user, event: Event) -> bool:
    if event.space_id is None:
        return _signed_in(user) and (event.owner_id == user.id or is_invited(user, event))
    return can_view_in_space(user, event) or is_invited(user, event)


def can_add_event(user, space: Space | None) -> bool:
    """Write in a space's calendar (None: one's own calendar)."""
    if not _signed_in(user):
        return False
    if space is None:
        return True
    if space.archived or not can_view(user, space):
        return False
    return _role_at_least(user, space, _writer_role(space.kind))


def _writer_role(kind: SpaceKind) -> Role:
    """Who writes in a space's calendar: a working group's members, elsewhere its editors."""
    return Role.MEMBER if kind == SpaceKind.GROUP else Role.EDITOR


def writable_calendars(user) -> list[ReachedSpace]:
    """The spaces in whose calendar ``user`` may add an event, read from their ``reach``
    without a statement: the twin of ``can_add_event`` over their spaces (a member sees their
    spaces; the role is the one ``space_role`` gives)."""
    found = reach(user)
    if found is None:
        return []
    return [space for space in found.spaces if not space.archived and space.id in found.roles
            and found.roles[space.id].rank >= _writer_role(space.kind).rank]


def can_edit_event(user, event: Event) -> bool:
    if not _signed_in(user):
        return False
    if event.space_id is None:
        return event.owner_id == user.id
    space = event.space
    if not can_add_event(user, space):
        return False
    return event.owner_id == user.id or _role_at_least(user, space, Role.EDITOR)


def visible_events(user):
    """WHERE clause on ``Event``: twin of ``can_view_event``."""
    in_space = and_(Event.space_id.is_not(None), visible_content(user, Event))
    if not _signed_in(user):
        return in_space
    return or_(in_space,
               and_(Event.space_id.is_(None), Event.owner_id == user.id),
               Event.id.in_(select(Attendee.event_id).where(Attendee.user_id == user.id)))


def invited_bound():
    """SQL condition on ``Event``: the viewer (bound ``viewer_id``) is invited to it."""
    return Event.id.in_(select(Attendee.event_id).where(
        Attendee.user_id == bindparam("viewer_id", type_=Integer)))


def visible_events_bound():
    """``visible_events`` for a statement built once and run for anyone, the viewer in the
    bound parameters of ``content_viewer(user)`` (a visitor's ``viewer_id`` names no one, so
    only the content part admits a row)."""
    in_space = and_(Event.space_id.is_not(None), visible_content_bound(Event))
    return or_(in_space,
               and_(Event.space_id.is_(None),
                    Event.owner_id == bindparam("viewer_id", type_=Integer)),
               invited_bound())


def can_see_resources(user, organisation) -> bool:
    return _signed_in(user) and org_role(user, organisation) is not None


def can_book(user, resource: Resource) -> bool:
    return resource.active and _signed_in(user) and org_role(user, resource.organisation) is not None


def can_manage_resources(user, organisation) -> bool:
    return _signed_in(user) and org_role(user, organisation) == Role.ADMIN


def booking_organisations(user) -> tuple[int, ...]:
    """The organisations whose resources ``user`` may book (``can_book``: those they belong
    to), by id: the key under which the resources they may book are the same as another's."""
    if not _signed_in(user):
        return ()
    return tuple(sorted({m.organisation_id for m in user.memberships}))


def bookable_resources(user):
    """WHERE clause on ``Resource``: twin of ``can_book``."""
    return bookable_resources_of(booking_organisations(user))


def bookable_resources_of(organisations: tuple[int, ...]):
    """``bookable_resources`` of whoever ``booking_organisations`` gives ``organisations``."""
    if not organisations:
        return false()
    return and_(Resource.active.is_(True), Resource.organisation_id.in_(organisations))


register_own_decisions(Event, view=can_view_event, edit=can_edit_event)
TEMPLATE_GLOBALS.update({
    "can_add_event": lambda space=None: can_add_event(current_user._get_current_object(), space),
    "can_edit_event": lambda event: can_edit_event(current_user._get_current_object(), event),
    "can_see_resources": lambda org: can_see_resources(current_user._get_current_object(), org),
})
