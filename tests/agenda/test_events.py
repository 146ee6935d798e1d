"""Events as their users meet them: the agenda's views, one occurrence or the following,
invitations and answers, rooms that are never booked twice."""
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from intranet.agenda import calendar, services
from intranet.agenda.models import Answer, Attendee, Booking, Event
from intranet.agenda.services import AgendaError, Invitees, Scope
from intranet.core.types import Visibility
from intranet.extensions import db
from intranet.notifications.models import Notification

from .. import factories
from ..helpers import count_queries, text
from .builders import epci_with_communes, event_data, town_hall


def test_a_secretary_adds_a_meeting_and_finds_it_in_every_view(client, login):
    world = town_hall()
    login(world["editor"])
    response = client.post("/agenda/nouveau", data={
        "espace": world["space"].slug, "title": "Commission des travaux",
        "start_date": "2027-03-15", "start_time": "14h30", "end_time": "16:00",
        "location": "Mairie", "description": "Ordre du jour : voirie.", "description_format": "text",
        "visibility": "", "repeat": "", "ends": "never", "monthly": "day", "scope": "one"})
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert (event.starts_on, event.ends_on) == (datetime(2027, 3, 15, 14, 30),
                                                datetime(2027, 3, 15, 16))
    for view in ("mois", "semaine", "jour", "liste"):
        page = text(client.get(f"/espaces/{world['space'].slug}/agenda?vue={view}&date=2027-03-15"))
        assert "Commission des travaux" in page, view
    mine = text(client.get("/agenda/?vue=semaine&date=2027-03-17"))
    assert "Commission des travaux" in mine and "14:30" in mine
    shown = text(client.get(f"/agenda/evenements/{event.id}"))
    assert "de 14 h 30" in shown and "Ordre du jour : voirie." in shown


def test_what_was_typed_comes_back_with_a_french_message(client, login):
    world = town_hall()
    login(world["editor"])
    response = client.post("/agenda/nouveau", data={
        "title": "Atelier", "start_date": "2027-03-15", "start_time": "14:00",
        "end_time": "13:00", "location": "Salle polyvalente", "repeat": "WEEKLY",
        "interval": "2", "ends": "never", "monthly": "day", "scope": "one"})
    page = text(response)
    assert response.status_code == 200
    assert "L'événement doit finir après son début." in page
    assert 'value="Salle polyvalente"' in response.text
    assert db.session.scalar(select(func.count(Event.id))) == 0
    nonsense = client.post("/agenda/nouveau", data={"title": "x", "start_date": "32/13/2027",
                                                     "start_time": "25h99"})
    assert nonsense.status_code == 200 and "Date invalide" in text(nonsense)


def test_editing_one_occurrence_then_this_and_following(client, login):
    world = town_hall()
    series = services.create_event(event_data(
        "Point hebdomadaire", datetime(2027, 3, 1, 10), rrule="FREQ=WEEKLY;COUNT=10"),
        by=world["editor"], space=world["space"])
    # One occurrence moved to the afternoon.
    login(world["editor"])
    response = client.post(f"/agenda/evenements/{series.id}/modifier?occurrence=20270308T1000", data={
        "title": "Point hebdomadaire (décalé)", "start_date": "2027-03-08", "start_time": "15:00",
        "end_time": "16:00", "repeat": "WEEKLY", "ends": "count", "count": "10", "monthly": "day",
        "scope": "one"})
    assert response.status_code == 302
    db.session.expire_all()
    found = calendar.occurrences(series, datetime(2027, 3, 1), datetime(2027, 6, 1))
    assert [b for _, b, _, _ in found][:3] == [datetime(2027, 3, 1, 10), datetime(2027, 3, 8, 15),
                                               datetime(2027, 3, 15, 10)]
    assert "Point hebdomadaire (décalé)" in text(client.get(
        f"/agenda/evenements/{series.id}?occurrence=20270308T1000"))
    # From the fifth on, the meeting moves to 11:00: the series is cut in two, 4 + 6.
    following = services.update_event(series, event_data(
        "Point hebdomadaire", datetime(2027, 3, 29, 11), rrule=series.rrule),
        by=world["editor"], scope=Scope.FOLLOWING, occurrence=datetime(2027, 3, 29, 10))
    before = calendar.occurrences(series, datetime(2027, 1, 1), datetime(2028, 1, 1))
    after = calendar.occurrences(following, datetime(2027, 1, 1), datetime(2028, 1, 1))
    assert len(before) == 4 and before[-1][1] == datetime(2027, 3, 22, 10)
    assert len(after) == 6 and [b for _, b, _, _ in after][0] == datetime(2027, 3, 29, 11)
    assert after[-1][1] == datetime(2027, 5, 3, 11)
    assert following.id != series.id and following.space_id == series.space_id


def test_deleting_one_occurrence_and_the_following(client, login):
    world = town_hall()
    series = services.create_event(event_data("Permanence", datetime(2027, 3, 1, 9),
                                              rrule="FREQ=DAILY;COUNT=5"),
                                   by=world["editor"], space=world["space"])
    login(world["editor"])
    client.post(f"/agenda/evenements/{series.id}/supprimer?occurrence=20270302T0900",
                data={"scope": "one"})
    client.post(f"/agenda/evenements/{series.id}/supprimer?occurrence=20270304T0900",
                data={"scope": "following"})
    db.session.expire_all()
    days = [b.day for _, b, _, _ in calendar.occurrences(series, datetime(2027, 1, 1),
                                                         datetime(2028, 1, 1))]
    assert days == [1, 3]
    assert client.get(f"/agenda/evenements/{series.id}?occurrence=20270302T0900").status_code == 404
    assert client.get(f"/agenda/evenements/{series.id}?occurrence=20270302T0915").status_code == 404


def test_a_personal_event_is_seen_by_its_owner_and_its_guests_only(client, login, new_client):
    world = town_hall()
    guest = factories.make_user(factories.make_org("Autre commune"))
    event = services.create_event(event_data("Rendez-vous médecin"), by=world["member"])
    assert access_sees(new_client(world["admin"]), event) is False
    assert access_sees(new_client(factories.make_user(platform_admin=True)), event) is False
    services.invite(event, Invitees((guest,), "Invitation personnelle"), by=world["member"])
    assert access_sees(new_client(guest), event) is True
    assert access_sees(new_client(world["member"]), event) is True


def access_sees(client, event) -> bool:
    response = client.get(f"/agenda/evenements/{event.id}")
    return response.status_code == 200 and event.title in response.text


def test_an_event_narrowed_to_members_stays_in_its_space():
    world = town_hall()
    group = factories.make_group(world["admin"], visibility=Visibility.NETWORK)
    outsider = factories.make_user(factories.make_org("Ailleurs"))
    event = services.create_event(event_data("Bureau restreint", visibility=Visibility.MEMBERS),
                                  by=world["admin"], space=group)
    open_event = services.create_event(event_data("Réunion ouverte"), by=world["admin"],
                                       space=group)
    seen = set(db.session.scalars(select(Event.title).where(
        services.access.visible_events(outsider))))
    assert seen == {"Réunion ouverte"}
    assert not services.access.can_view_event(outsider, event)
    assert services.access.can_view_event(outsider, open_event)


def test_an_invitation_to_the_admins_of_the_communes_of_an_epci_reaches_exactly_them(client, login):
    world = epci_with_communes()
    organiser = world["epci_admin"]
    event = services.create_event(event_data("Conférence des maires"), by=organiser)
    login(organiser)
    response = client.post(f"/agenda/evenements/{event.id}/invitations",
                           data={"role": "admin", "epci": world["epci"].slug})
    assert response.status_code == 302
    invited = set(db.session.scalars(select(Attendee.user_id).where(Attendee.event_id == event.id)))
    assert invited == {person.id for person in world["admins"]}
    labels = set(db.session.scalars(select(Attendee.invited_as)))
    assert labels == {"Administrateurs des communes de « Agglomération de test »"}
    notified = set(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "agenda.invitation")))
    assert notified == invited


def test_the_organiser_invites_from_a_page_of_its_own_and_keeps_what_they_typed(client, login):
    world = epci_with_communes()
    organiser = world["epci_admin"]
    event = services.create_event(event_data("Conférence des maires"), by=organiser)
    login(organiser)
    shown = client.get(f"/agenda/evenements/{event.id}")
    # The event page links to the form; it does not build its lists of organisations.
    assert "Inviter des personnes" in text(shown)
    assert 'name="epci"' not in shown.text
    form = client.get(f"/agenda/evenements/{event.id}/invitations")
    assert form.status_code == 200
    assert f'<option value="{world["epci"].slug}">' in form.text
    refused = client.post(f"/agenda/evenements/{event.id}/invitations",
                          data={"people": "personne.inconnue@exemple.fr, Quelqu'un d'autre"})
    assert refused.status_code == 200
    assert "personne.inconnue@exemple.fr, Quelqu&#39;un d&#39;autre" in refused.text
    assert db.session.scalar(select(func.count(Attendee.id))) == 0
    nobody = client.post(f"/agenda/evenements/{event.id}/invitations", data={"people": " "})
    assert "Indiquez qui inviter" in text(nobody)
    unknown = client.post(f"/agenda/evenements/{event.id}/invitations",
                          data={"role": "admin", "epci": "pas-une-organisation"})
    assert unknown.status_code == 200 and "Choisissez l'organisation" in text(unknown)


def test_only_the_organiser_reaches_the_invitation_form(client, login):
    world = town_hall()
    event = services.create_event(event_data("Commission"), by=world["editor"],
                                  space=world["space"])
    login(world["member"])
    assert "Inviter des personnes" not in text(client.get(f"/agenda/evenements/{event.id}"))
    # a member sees the space's event but may not change it: 403
    assert client.get(f"/agenda/evenements/{event.id}/invitations").status_code == 403
    # someone else's personal event is not even seen: 404
    personal = services.create_event(event_data("Rendez-vous"), by=world["editor"])
    assert client.get(f"/agenda/evenements/{personal.id}/invitations").status_code == 404


def test_answers_per_occurrence_and_for_the_series(client, login):
    world = town_hall()
    series = services.create_event(event_data("Formation", datetime(2027, 3, 1, 9),
                                              rrule="FREQ=WEEKLY;COUNT=4"),
                                   by=world["admin"], space=world["space"])
    services.invite(series, Invitees((world["member"],), "Invitation personnelle"),
                    by=world["admin"])
    login(world["member"])
    client.post(f"/agenda/evenements/{series.id}/reponse", data={"answer": "accepted",
                                                                  "for_series": "series"})
    client.post(f"/agenda/evenements/{series.id}/reponse?occurrence=20270308T0900",
                data={"answer": "declined", "for_series": "one"})
    assert services.answers_at(series, datetime(2027, 3, 1, 9))[world["member"].id] == Answer.ACCEPTED
    assert services.answers_at(series, datetime(2027, 3, 8, 9))[world["member"].id] == Answer.DECLINED
    page = text(client.get(f"/agenda/evenements/{series.id}?occurrence=20270308T0900"))
    assert "Ne participe pas : 1" in page


def test_a_busy_guest_is_named_before_saving(client, login):
    world = town_hall()
    services.create_event(event_data("Conseil d'école", datetime(2027, 3, 15, 10)),
                          by=world["member"])
    login(world["editor"])
    form = {"title": "Réunion de service", "start_date": "2027-03-15", "start_time": "10:30",
            "end_time": "11:30", "people": world["member"].email, "repeat": "",
            "ends": "never", "monthly": "day", "scope": "one"}
    warned = client.post("/agenda/nouveau", data=form)
    assert warned.status_code == 200
    assert world["member"].full_name in text(warned) and "Déjà occupé" in text(warned)
    assert "Conseil d'école" not in text(warned)     # free/busy: never the titles
    saved = client.post("/agenda/nouveau", data=form | {"confirm_busy": "y"})
    assert saved.status_code == 302


def test_a_room_is_never_booked_twice_and_the_refusal_is_in_french(client, login):
    world = town_hall()
    room = world["room"]
    services.create_event(event_data("Conseil municipal", datetime(2027, 3, 15, 18), 120),
                          by=world["admin"], space=world["space"], resources=[room])
    login(world["editor"])
    response = client.post("/agenda/nouveau", data={
        "espace": world["space"].slug, "title": "Répétition chorale", "start_date": "2027-03-15",
        "start_time": "19:00", "end_time": "20:00", "resources": str(room.id), "repeat": "",
        "ends": "never", "monthly": "day", "scope": "one"})
    page = text(response)
    assert response.status_code == 200
    assert "« Salle du conseil » est déjà réservé(e)" in page and "Conseil municipal" in page
    assert db.session.scalar(select(func.count(Event.id))) == 1
    # Right after, the room is free: booked. A weekly series books every occurrence.
    services.create_event(event_data("Chorale", datetime(2027, 3, 15, 20),
                                     rrule="FREQ=WEEKLY;COUNT=5"),
                          by=world["editor"], space=world["space"], resources=[room])
    assert db.session.scalar(select(func.count(Booking.id))) == 1 + 5
    week = text(client.get(f"/organisations/{world['org'].slug}/ressources/{room.id}"
                           "?vue=semaine&date=2027-03-15"))
    assert "18:00–20:00" in week and "Chorale" in week


def test_a_rooms_week_and_an_events_page_read_their_bookings_in_a_constant_number_of_statements(
        new_client):
    world = town_hall()
    room = world["room"]
    first = services.create_event(event_data("Conseil municipal", datetime(2027, 3, 15, 18)),
                                  by=world["admin"], space=world["space"], resources=[room])
    client = new_client(world["editor"])
    week = (f"/organisations/{world['org'].slug}/ressources/{room.id}"
            "?vue=semaine&date=2027-03-15")
    event_page = f"/agenda/evenements/{first.id}"
    counts = (count_queries(client, week), count_queries(client, event_page))
    for day in range(16, 20):
        services.create_event(event_data(f"Permanence du {day}", datetime(2027, 3, day, 9)),
                              by=world["admin"], space=world["space"], resources=[room])
    assert (count_queries(client, week), count_queries(client, event_page)) == counts
    assert "Permanence du 19" in text(client.get(week))
    assert "Salle du conseil" in text(client.get(event_page))


def test_two_bookings_racing_for_the_same_room_on_postgresql(data_app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("la course entre deux réservations se teste sur PostgreSQL")
    world = town_hall()
    ids = {"room": world["room"].id, "space": world["space"].id,
           "people": [world["admin"].id, world["editor"].id]}
    barrier, outcomes = threading.Barrier(2), []

    def book(person_id):
        with data_app.app_context():
            from intranet.accounts.models import User
            from intranet.agenda.models import Resource
            from intranet.spaces.models import Space
            person = db.session.get(User, person_id)
            room = db.session.get(Resource, ids["room"])
            space = db.session.get(Space, ids["space"])
            barrier.wait()
            try:
                services.create_event(event_data(f"Réunion {person_id}", datetime(2027, 5, 3, 14)),
                                      by=person, space=space, resources=[room])
                outcomes.append("booked")
            except AgendaError as error:
                outcomes.append(str(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=book, args=(pid,)) for pid in ids["people"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes)[0] == "booked" and "déjà réservé" in sorted(outcomes)[1]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Booking.id))) == 1


def test_reminders_are_mailed_once_at_the_chosen_delay():
    from intranet.agenda.models import Reminder
    from intranet.core.timeutil import utcnow
    from intranet.mail.models import OutboxMessage
    from intranet.agenda import recurrence
    world = town_hall()
    services.set_reminder(world["member"], Reminder.DAY)
    soon = recurrence.to_local(utcnow()).replace(microsecond=0, second=0) + timedelta(hours=5)
    services.create_event(event_data("Visite de chantier", soon), by=world["member"])
    later = soon + timedelta(days=3)
    services.create_event(event_data("Plus tard", later), by=world["member"])
    assert services.send_reminders() == 1
    assert services.send_reminders() == 0
    subjects = db.session.scalars(select(OutboxMessage.subject)).all()
    assert subjects == ["Rappel : Visite de chantier"]


def test_platform_members_without_rights_cannot_write_in_a_space_calendar(client, login):
    world = town_hall()
    login(world["member"])
    response = client.get(f"/agenda/nouveau?espace={world['space'].slug}")
    assert response.status_code == 403
    with pytest.raises(AgendaError):
        services.create_event(event_data(), by=world["member"], space=world["space"])
    assert db.session.scalar(select(func.count(Event.id))) == 0
