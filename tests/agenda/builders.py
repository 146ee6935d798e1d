"""Small worlds for the agenda's tests."""
from datetime import datetime, timedelta

from intranet.accounts.models import OrgKind
from intranet.agenda import services
from intranet.agenda.models import ResourceKind
from intranet.agenda.services import EventData
from intranet.core.types import Role

from .. import factories


def event_data(title="Réunion", starts=datetime(2027, 3, 15, 10), minutes=60, **fields):
    return EventData(title=title, starts_on=starts, ends_on=starts + timedelta(minutes=minutes),
                     **fields)


def town_hall():
    """A commune with an admin, an editor, a member, its space and its council room."""
    org = factories.make_org("Commune de Layrac")
    people = {role: factories.make_user(org, role, last_name=f"Agent-{role.value}")
              for role in (Role.ADMIN, Role.EDITOR, Role.MEMBER)}
    space = factories.org_space(org)
    room = services.save_resource(org, by=people[Role.ADMIN], name="Salle du conseil",
                                  kind=ResourceKind.ROOM, capacity=30)
    return {"org": org, "space": space, "room": room, "admin": people[Role.ADMIN],
            "editor": people[Role.EDITOR], "member": people[Role.MEMBER]}


def epci_with_communes():
    epci = factories.make_org("Agglomération de test", kind=OrgKind.EPCI)
    communes = [factories.make_org(f"Commune {n} de l'agglo", epci=epci) for n in range(3)]
    outside = factories.make_org("Commune hors agglo")
    admins = [factories.make_user(c, Role.ADMIN) for c in communes]
    members = [factories.make_user(c, Role.MEMBER) for c in communes]
    other_admin = factories.make_user(outside, Role.ADMIN)
    epci_admin = factories.make_user(epci, Role.ADMIN)
    return {"epci": epci, "communes": communes, "admins": admins, "members": members,
            "other_admin": other_admin, "epci_admin": epci_admin}
