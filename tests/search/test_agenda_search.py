"""Events are found by whoever may see them, and by nobody else: a space's event by its
space's rule, a personal event by its owner and its guests only."""
from datetime import datetime, timedelta

from flask_login import AnonymousUserMixin

from intranet.agenda import services as agenda
from intranet.agenda.services import EventData, Invitees
from intranet.core.types import Role
from intranet.search import services as search
from intranet.search.backends import SearchRequest

from .. import factories


def _event(title, **fields):
    starts = datetime(2027, 3, 15, 10)
    return EventData(title=title, starts_on=starts, ends_on=starts + timedelta(hours=1), **fields)


def _titles(user, text):
    found = search.query(user or AnonymousUserMixin(), SearchRequest(text=text))
    return {hit.title for hit in found.hits}


def test_events_are_found_by_those_who_may_see_them(search_backend):
    org = factories.make_org("Layrac")
    editor = factories.make_user(org, Role.EDITOR)
    member = factories.make_user(org, Role.MEMBER)
    guest = factories.make_user(factories.make_org("Astaffort"))
    outsider = factories.make_user(factories.make_org("Nérac"), Role.ADMIN)
    agenda.create_event(_event("Commission hydrocurage des fossés", location="Mairie"),
                        by=editor, space=factories.org_space(org))
    personal = agenda.create_event(_event("Rendez-vous hydrocurage chez le notaire"), by=member)
    agenda.invite(personal, Invitees((guest,), "test"), by=member)
    search.drain()
    assert _titles(member, "hydrocurage") == {"Commission hydrocurage des fossés",
                                              "Rendez-vous hydrocurage chez le notaire"}
    assert _titles(editor, "hydrocurage") == {"Commission hydrocurage des fossés"}
    assert _titles(guest, "hydrocurage") == {"Rendez-vous hydrocurage chez le notaire"}
    assert _titles(outsider, "hydrocurage") == set()
    assert _titles(None, "hydrocurage") == set()
