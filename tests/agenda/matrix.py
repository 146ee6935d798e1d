"""Organisation A's agenda for the route matrix: an event of its private space, a series with a
changed occurrence, a personal event, an event narrowed to a group's members, a room, a file."""
from datetime import datetime, timedelta

from intranet.agenda import services
from intranet.agenda.models import ResourceKind
from intranet.agenda.services import EventData, Scope
from intranet.core.types import Visibility

from ..route_world import private_file


def _data(title, starts=datetime(2027, 3, 15, 10), **fields):
    return EventData(title=title, starts_on=starts, ends_on=starts + timedelta(hours=1), **fields)


def build(world):
    admin, secret = world["a_admin"], world["CONTENT"]
    # Its name is in the audit log, which the platform admin reads: the description is private.
    room = services.save_resource(world["org_a"], by=admin, name="Salle des mariages",
                                  kind=ResourceKind.ROOM, description=f"Clés {secret}")
    event = services.create_event(
        _data(f"Conseil {secret}", location=f"Salle {secret}", description=f"Ordre {secret}"),
        by=admin, space=world["a_space"], resources=[room],
        files=[(private_file(world), f"ordre-du-jour-{secret}.pdf")])
    series = services.create_event(_data(f"Permanence {secret}", rrule="FREQ=WEEKLY;COUNT=8"),
                                   by=admin, space=world["a_group"])
    services.update_event(series, _data(f"Permanence déplacée {secret}",
                                        datetime(2027, 3, 22, 15), rrule=series.rrule),
                          by=admin, scope=Scope.ONE, occurrence=datetime(2027, 3, 22, 10))
    personal = services.create_event(_data(f"Rendez-vous {secret}"), by=admin)
    narrowed = services.create_event(_data(f"Bureau {secret}", visibility=Visibility.MEMBERS),
                                     by=admin, space=world["network_group"])
    feed = services.create_feed(admin, label=f"Téléphone {secret}")
    world["insider_urls"] += [f"/agenda/evenements/{event.id}",
                              f"/espaces/{world['a_space'].slug}/agenda?vue=semaine&date=2027-03-15"]
    world["private_files"].append(
        f"/agenda/evenements/{event.id}/pieces/{event.attachments[0].id}")
    return {
        ("agenda", "slug"): [world["a_space"].slug, world["a_group"].slug, world["org_a"].slug],
        ("agenda", "event_id"): [event.id, series.id, personal.id, narrowed.id],
        ("agenda", "attachment_id"): [event.attachments[0].id],
        ("agenda", "resource_id"): [room.id],
        ("agenda", "feed_id"): [feed.id],
        ("agenda", "token"): ["jeton-inconnu"],
    }
