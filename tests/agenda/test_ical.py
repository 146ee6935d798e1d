"""iCalendar: one event, the subscription feed and the import, read back with the icalendar
package; a feed lists only what its person may see; a revoked address is gone."""
from datetime import date, datetime, timedelta, timezone

import icalendar
from sqlalchemy import func, select

from intranet.agenda import services
from intranet.agenda.models import Event
from intranet.agenda.services import Invitees, Scope
from intranet.core.types import Visibility
from intranet.extensions import db
from intranet.publications.deliberations.models import Assembly, Sitting

from .. import factories
from ..helpers import text
from .builders import event_data, town_hall


def _series(world):
    series = services.create_event(event_data(
        "Permanence des élus", datetime(2027, 3, 1, 10), 90,
        rrule="FREQ=WEEKLY;BYDAY=MO;UNTIL=20270531T235959", location="Mairie"),
        by=world["editor"], space=world["space"])
    services.delete_event(series, by=world["editor"], scope=Scope.ONE,
                          occurrence=datetime(2027, 3, 22, 10))
    services.update_event(series, event_data("Permanence (salle B)", datetime(2027, 4, 5, 14),
                                             rrule=series.rrule),
                          by=world["editor"], scope=Scope.ONE, occurrence=datetime(2027, 4, 5, 10))
    return series


def _events(data: bytes):
    calendar = icalendar.Calendar.from_ical(data)
    return calendar, list(calendar.walk("VEVENT"))


def test_an_exported_series_reads_back_with_its_zone_rule_exception_and_moved_occurrence(client, login):
    world = town_hall()
    series = _series(world)
    login(world["member"])
    response = client.get(f"/agenda/evenements/{series.id}/evenement.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar, events = _events(response.data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    main = next(e for e in events if "RECURRENCE-ID" not in e)
    moved = next(e for e in events if "RECURRENCE-ID" in e)
    start = main.decoded("DTSTART")
    assert start.tzinfo is not None and str(start.tzinfo) == "Europe/Paris"
    assert main["DTSTART"].params["TZID"] == "Europe/Paris"
    assert (start.hour, start.minute) == (10, 0)
    rule = main["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["MO"]
    until = rule["UNTIL"][0]
    assert until.tzinfo is not None and until.utcoffset() == timedelta(0)   # UTC, RFC 5545
    assert until == datetime(2027, 5, 31, 21, 59, 59, tzinfo=timezone.utc)  # 23:59:59 CEST
    assert [d.dt.replace(tzinfo=None) for d in main["EXDATE"].dts] == [datetime(2027, 3, 22, 10)]
    assert moved.decoded("RECURRENCE-ID").replace(tzinfo=None) == datetime(2027, 4, 5, 10)
    assert moved.decoded("DTSTART").replace(tzinfo=None) == datetime(2027, 4, 5, 14)
    assert str(moved["SUMMARY"]) == "Permanence (salle B)"
    assert str(main["UID"]) == str(moved["UID"]) == series.uid


def test_an_exported_file_imports_back_as_the_same_series(client, login):
    world = town_hall()
    series = _series(world)
    login(world["member"])
    exported = client.get(f"/agenda/evenements/{series.id}/evenement.ics").data
    db.session.delete(series)
    db.session.commit()
    response = client.post("/agenda/importer", data={
        "calendar": "", "file": (__import__("io").BytesIO(exported), "agenda.ics")})
    assert response.status_code == 302
    again = db.session.scalar(select(Event))
    assert again.space_id is None and again.owner_id == world["member"].id
    assert again.starts_on == datetime(2027, 3, 1, 10) and again.ends_on == datetime(2027, 3, 1, 11, 30)
    assert again.rrule == "FREQ=WEEKLY;UNTIL=20270531T235959;BYDAY=MO" or \
        set(again.rrule.split(";")) == {"FREQ=WEEKLY", "UNTIL=20270531T235959", "BYDAY=MO"}
    changes = {(c.occurrence, c.cancelled, c.starts_on) for c in again.changes}
    assert changes == {(datetime(2027, 3, 22, 10), True, None),
                       (datetime(2027, 4, 5, 10), False, datetime(2027, 4, 5, 14))}
    # The same file again: refused as a whole, naming the event already there.
    twice = client.post("/agenda/importer", data={
        "calendar": "", "file": (__import__("io").BytesIO(exported), "agenda.ics")})
    assert twice.status_code == 200 and "est déjà dans l'agenda" in text(twice)
    assert db.session.scalar(select(func.count(Event.id))) == 1


BROKEN = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//\r
BEGIN:VEVENT\r
UID:good-1\r
DTSTAMP:20270101T000000Z\r
DTSTART;TZID=Europe/Paris:20270310T090000\r
DTEND;TZID=Europe/Paris:20270310T100000\r
SUMMARY:Bonne r\xc3\xa9union\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:bad-1\r
DTSTAMP:20270101T000000Z\r
DTSTART:20270311T090000Z\r
SUMMARY:Toutes les secondes\r
RRULE:FREQ=SECONDLY\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:bad-2\r
DTSTAMP:20270101T000000Z\r
SUMMARY:Sans date\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_a_broken_file_says_what_is_wrong_and_imports_nothing(client, login):
    world = town_hall()
    login(world["editor"])
    response = client.post("/agenda/importer", data={
        "calendar": world["space"].slug, "file": (__import__("io").BytesIO(BROKEN), "x.ics")})
    page = text(response)
    assert response.status_code == 200 and "rien n'a été importé" in page
    assert "« Toutes les secondes »" in page and "quotidienne, hebdomadaire" in page
    assert "« Sans date » n'a pas de date de début" in page
    assert db.session.scalar(select(func.count(Event.id))) == 0
    for junk in (b"", b"pas un agenda", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", b"\xff\xfe\x00"):
        answer = client.post("/agenda/importer", data={
            "calendar": "", "file": (__import__("io").BytesIO(junk), "x.ics")})
        assert answer.status_code == 200, junk
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_the_feed_lists_what_its_person_sees_and_nothing_else(client, login, new_client):
    world = town_hall()
    secret_org = factories.make_org("Commune voisine")
    secret_admin = factories.make_user(secret_org, factories.Role.ADMIN)
    secret_space = factories.org_space(secret_org)
    services.create_event(event_data("Réunion secrète de la voisine"), by=secret_admin,
                          space=secret_space)
    services.create_event(event_data("Rendez-vous personnel de la voisine"), by=secret_admin)
    group = factories.make_group(world["admin"], visibility=Visibility.NETWORK)
    services.create_event(event_data("Groupe réservé", visibility=Visibility.MEMBERS),
                          by=world["admin"], space=group)
    _series(world)
    mine = services.create_event(event_data("Ma réunion", datetime(2027, 3, 2, 9)),
                                 by=world["member"])
    invited = services.create_event(event_data("Invitation de la voisine"), by=secret_admin)
    services.invite(invited, Invitees((world["member"],), "test"), by=secret_admin)
    db.session.add(Sitting(organisation=world["org"], assembly=list(Assembly)[0],
                           sitting_date=date.today() + timedelta(days=10)))
    db.session.commit()
    feed = services.create_feed(world["member"], label="Téléphone")
    token, feed_id = feed.token, feed.id
    response = new_client().get(f"/agenda/flux/{token}.ics")
    assert response.status_code == 200
    _, events = _events(response.data)
    titles = {str(e["SUMMARY"]) for e in events}
    assert {"Permanence des élus", "Permanence (salle B)", mine.title,
            "Invitation de la voisine"} <= titles
    assert any(t.endswith("— Commune de Layrac") for t in titles)   # the sitting, all day
    assert not titles & {"Réunion secrète de la voisine", "Rendez-vous personnel de la voisine",
                         "Groupe réservé"}
    # Revoked: the address is gone.
    login(world["member"])
    assert client.post(f"/agenda/abonnements/{feed_id}/revoquer").status_code == 302
    assert new_client().get(f"/agenda/flux/{token}.ics").status_code == 404
    assert new_client().get("/agenda/flux/pas-un-jeton.ics").status_code == 404


def test_commas_semicolons_accents_and_long_lines_read_back_as_written(client, login):
    world = town_hall()
    title = "Réunion : voirie, éclairage; « fossés » \\ et assainissement " + "é" * 80
    event = services.create_event(event_data(
        title[:200], location="Salle 2, mairie; entrée côté église",
        description="Ligne un,\nligne deux; fin."), by=world["editor"], space=world["space"])
    login(world["member"])
    data = client.get(f"/agenda/evenements/{event.id}/evenement.ics").data
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    _, (read,) = _events(data)
    assert str(read["SUMMARY"]) == event.title
    assert str(read["LOCATION"]) == "Salle 2, mairie; entrée côté église"
    assert str(read["DESCRIPTION"]).split() == ["Ligne", "un,", "ligne", "deux;", "fin."]
