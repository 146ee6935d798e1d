"""The agenda's decisions and their SQL twins (one for statements built once, the viewer in bound
parameters) agree, person by person and event by event; a sitting is in its organisation's
calendar with its agenda, never entered twice."""
from datetime import date, datetime, timedelta

from flask_login import AnonymousUserMixin
from sqlalchemy import select

from intranet import access
from intranet.agenda import calendar, services
from intranet.agenda.models import Event
from intranet.agenda.services import Invitees
from intranet.core.types import Role, Visibility
from intranet.extensions import db
from intranet.publications.deliberations.models import Assembly, Sitting
from intranet.spaces import services as spaces
from intranet.spaces.models import Space

from .. import factories
from .builders import event_data, town_hall


def test_can_view_event_and_visible_events_agree_for_everyone():
    world = town_hall()
    other = factories.make_org("Commune voisine")
    neighbour = factories.make_user(other, Role.ADMIN)
    group = factories.make_group(world["admin"], visibility=Visibility.NETWORK)
    closed = factories.make_group(neighbour, visibility=Visibility.MEMBERS)
    public = factories.make_group(neighbour, visibility=Visibility.PUBLIC)
    spaces.add_member(group, world["member"], by=world["admin"])
    events = [
        services.create_event(event_data("Privé de la mairie"), by=world["editor"],
                              space=world["space"]),
        services.create_event(event_data("Groupe, réseau"), by=world["admin"], space=group),
        services.create_event(event_data("Groupe, membres", visibility=Visibility.MEMBERS),
                              by=world["admin"], space=group),
        services.create_event(event_data("Groupe fermé"), by=neighbour, space=closed),
        services.create_event(event_data("Public"), by=neighbour, space=public),
        services.create_event(event_data("Perso du membre"), by=world["member"]),
        services.create_event(event_data("Perso de la voisine"), by=neighbour),
    ]
    invited = services.create_event(event_data("Fermé, avec invité"), by=neighbour, space=closed)
    services.invite(invited, Invitees((world["member"],), "test"), by=neighbour)
    events.append(invited)
    people = [None, world["admin"], world["editor"], world["member"], neighbour,
              factories.make_user(platform_admin=True), factories.make_user(other)]
    from flask_login import AnonymousUserMixin
    # the same filter for a statement built once (the agendas'), the viewer bound
    bound = select(Event.id).where(access.visible_events_bound())
    for person in people:
        viewer = person or AnonymousUserMixin()
        by_sql = set(db.session.scalars(select(Event.id).where(access.visible_events(viewer))))
        by_python = {e.id for e in events if access.can_view_event(viewer, e)}
        by_bound = set(db.session.scalars(bound, access.content_viewer(viewer)))
        assert by_sql == by_python == by_bound, person
        access.forget_roles()
    member_sees = {e.title for e in events if access.can_view_event(world["member"], e)}
    assert member_sees == {"Privé de la mairie", "Groupe, réseau", "Groupe, membres", "Public",
                           "Perso du membre", "Fermé, avec invité"}


def test_a_sitting_is_in_its_organisations_calendar_with_the_acts_examined():
    world = town_hall()
    day = date.today() + timedelta(days=5)
    sitting = Sitting(organisation=world["org"], assembly=list(Assembly)[0], sitting_date=day)
    db.session.add(sitting)
    db.session.commit()
    start = datetime.combine(day, datetime.min.time())
    shown = calendar.space_agenda(world["member"], world["space"], start, start + timedelta(days=1))
    sittings = [item for item in shown.items if item.kind == "sitting"]
    assert len(sittings) == 1 and sittings[0].all_day
    assert sittings[0].url == f"/deliberations/seances/{sitting.id}"
    mine = calendar.personal_agenda(world["member"], start, start + timedelta(days=1))
    assert [item.title for item in mine.items if item.kind == "sitting"] == [sittings[0].title]
    # Another commune's member does not see a sitting whose list is not online yet.
    outsider = factories.make_user(factories.make_org("Ailleurs"))
    other = calendar.space_agenda(outsider, world["space"], start, start + timedelta(days=1))
    assert not [item for item in other.items if item.kind == "sitting"]


def test_writable_calendars_are_the_spaces_where_can_add_event_holds():
    """The calendars a form offers (``access.writable_calendars``, read from the person's
    reach) are the spaces whose calendar ``can_add_event`` lets them write in, for each kind of
    person: an organisation's roles, a group's members and moderators, an archived group, the
    open space, the platform admin."""
    world = town_hall()
    other = factories.make_org("Commune voisine")
    neighbour = factories.make_user(other, Role.ADMIN)
    group = factories.make_group(world["admin"], visibility=Visibility.NETWORK)
    closed = factories.make_group(neighbour, visibility=Visibility.MEMBERS)
    archived = factories.make_group(world["admin"], name="Ancien groupe")
    spaces.add_member(group, world["member"], by=world["admin"])
    spaces.add_member(closed, world["editor"], role=Role.MODERATOR, by=neighbour)
    spaces.add_member(archived, world["member"], by=world["admin"])
    spaces.ensure_open_space()
    archived.archived = True
    db.session.commit()
    admin = factories.make_user(other, email="admin@territoires47.fr", platform_admin=True)
    everyone = [world["admin"], world["editor"], world["member"], neighbour, admin,
                factories.make_user()]
    all_spaces = db.session.scalars(select(Space)).all()
    for person in everyone:
        access.forget_roles()
        offered = {space.id for space in access.writable_calendars(person)}
        assert offered == {space.id for space in all_spaces
                           if access.can_add_event(person, space)}, person.email
    assert access.writable_calendars(AnonymousUserMixin()) == []
    member_offered = {space.id for space in access.writable_calendars(world["member"])}
    assert group.id in member_offered and archived.id not in member_offered
    assert world["space"].id not in member_offered            # an organisation's: its editors
    assert world["space"].id in {s.id for s in access.writable_calendars(world["editor"])}
