"""The agendas of the demo (``flask seed-demo``): dated from the day it is loaded, so that every
account finds its coming weeks filled — the council's sittings and committees, a commune's
events and its council room, a working group's monthly meeting, the CDG's training days,
personal appointments, invitations waiting for an answer."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ..core.timeutil import utcnow
from ..core.types import Role
from . import recurrence, services
from .models import Answer, Reminder, ResourceKind
from .services import EventData, Invitees, Scope


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


def _event(title, starts, hours=1.0, **fields) -> EventData:
    return EventData(title=title, starts_on=starts, ends_on=starts + timedelta(hours=hours),
                     **fields)


def seed(demo) -> None:
    today = recurrence.to_local(utcnow()).date()
    monday = today - timedelta(days=today.weekday())
    agen = demo.orgs["47001"]
    dgs_agen, secretary = demo["mairie@agen.fr"], demo["secretaire@agme-agnac.fr"]

    # Rooms and equipment of Agen's town hall, booked with its events.
    council_room = services.save_resource(
        agen, by=dgs_agen, name="Salle du conseil municipal", kind=ResourceKind.ROOM,
        capacity=60, description="Premier étage, accès par l'ascenseur. Sonorisation et écran.")
    meeting_room = services.save_resource(
        agen, by=dgs_agen, name="Salle de réunion du 2e étage", kind=ResourceKind.ROOM,
        capacity=12, description="Clés à l'accueil.")
    services.save_resource(agen, by=dgs_agen, name="Véhicule de service (Kangoo)",
                           kind=ResourceKind.VEHICLE, description="Réserver avec le carnet de bord.")
    projector = services.save_resource(agen, by=dgs_agen, name="Vidéoprojecteur portable",
                                       kind=ResourceKind.EQUIPMENT)
    # Agmé's one room, which its secretary books for the commune's meetings.
    services.save_resource(demo.orgs["47002"], by=secretary, name="Salle des associations",
                           kind=ResourceKind.ROOM, capacity=30,
                           description="Rez-de-chaussée de la mairie. Clé au secrétariat.")

    agen_space = demo.space_of("47001")
    services.create_event(_event(
        "Conseil municipal", _at(monday + timedelta(days=10), 18, 30), 3,
        location="Hôtel de ville, salle du conseil",
        description="Ordre du jour : décision modificative n° 2, tarifs de la cantine, "
                    "convention avec l'Agglomération pour l'instruction du droit des sols."),
        by=dgs_agen, space=agen_space, resources=[council_room])
    staff = services.create_event(_event(
        "Réunion de direction", _at(monday, 9), 1.5, location="Salle de réunion du 2e étage",
        rrule="FREQ=WEEKLY;BYDAY=MO"), by=dgs_agen, space=agen_space,
        resources=[meeting_room])
    services.invite(staff, Invitees((demo["agent@agen.fr"],), "Invitation personnelle"),
                    by=dgs_agen)
    services.answer(staff, demo["agent@agen.fr"], Answer.ACCEPTED)
    services.delete_event(staff, by=dgs_agen, scope=Scope.ONE,
                          occurrence=_at(monday + timedelta(days=14), 9))   # a public holiday
    services.create_event(_event(
        "Permanence des élus", _at(monday + timedelta(days=5), 10), 2, location="Accueil de la mairie",
        rrule="FREQ=MONTHLY;BYDAY=1SA;COUNT=12"), by=dgs_agen, space=agen_space)
    services.create_event(_event(
        "Présentation du budget aux associations", _at(monday + timedelta(days=3), 14), 2,
        location="Salle de réunion du 2e étage"), by=dgs_agen, space=agen_space,
        resources=[meeting_room, projector])

    agme_space = demo.space_of("47002")
    council = services.create_event(_event(
        "Conseil municipal d'Agmé", _at(monday + timedelta(days=8), 20), 2,
        location="Mairie d'Agmé"), by=secretary, space=agme_space)
    services.create_event(EventData(
        title="Fermeture de la mairie (congés)", starts_on=_at(monday + timedelta(days=21), 0),
        ends_on=_at(monday + timedelta(days=26), 0), all_day=True), by=secretary, space=agme_space)
    services.create_event(_event("Rendez-vous avec le trésorier", _at(monday + timedelta(days=2), 11)),
                          by=secretary)
    services.invite(council, Invitees((demo["dgs@agglo-agen.fr"],), "Invitation personnelle"),
                    by=secretary)

    # A working group's monthly meeting, and the network's dates.
    secretaries = demo.groups["secretaries"]
    meeting = services.create_event(_event(
        "Rencontre mensuelle des secrétaires de mairie", _at(monday + timedelta(days=1), 14), 2.5,
        location="Siège de l'Agglomération d'Agen", rrule="FREQ=MONTHLY;BYDAY=1TU",
        description="Échanges de pratiques : état civil, urbanisme, paie. Chacun apporte ses "
                    "questions."), by=demo["dgs@agglo-agen.fr"], space=secretaries)
    services.invite(meeting, services.people_with_role(
        demo["dgs@agglo-agen.fr"], Role.ADMIN, epci=demo.orgs["200096956"]),
        Invitees((secretary,), "Membre du groupe"), by=demo["dgs@agglo-agen.fr"])
    services.answer(meeting, secretary, Answer.ACCEPTED)
    services.create_event(_event(
        "Journée de formation : la paie des agents contractuels", _at(monday + timedelta(days=16), 9), 7,
        location="Centre de gestion, Agen"), by=demo["admin@cdg47.fr"], space=demo.groups["hr"])
    services.create_event(EventData(
        title="Congrès départemental des maires", starts_on=_at(monday + timedelta(days=30), 0),
        ends_on=_at(monday + timedelta(days=31), 0), all_day=True,
        location="Parc des expositions, Agen"), by=demo["contact@amf47.fr"],
        space=demo.open_space)
    services.create_event(_event(
        "Comité de pilotage fibre", _at(monday + timedelta(days=9), 10), 2,
        location="Hôtel du Département"), by=demo["redacteur@cd47.fr"], space=demo.groups["digital"])
    departement = demo.space_of("departement")
    services.create_event(_event(
        "Commission permanente", _at(monday + timedelta(days=11), 10), 3,
        location="Hôtel du Département, salle Jasmin"), by=demo["admin@territoires47.fr"],
        space=departement)
    # Everyone else's own agenda has a date of its own.
    for email, title, offset, hour in (
            ("agent@cd47.fr", "Visite de chantier RD 813", 2, 9),
            ("agent@region-na.fr", "Comité de suivi du contrat de territoire", 4, 14),
            ("agent@prefecture47.fr", "Réunion du contrôle de légalité", 1, 10),
            ("rh@cdg47.fr", "Jury de concours adjoint administratif", 6, 9),
            ("admin@territoires47.fr", "Point hebdomadaire de la plateforme", 0, 16),
            ("redacteur@cd47.fr", "Bouclage du magazine départemental", 3, 11),
            ("contact@amf47.fr", "Rencontre avec le préfet", 7, 15),
            ("admin@cdg47.fr", "Conseil d'administration du CDG", 12, 10)):
        services.create_event(_event(title, _at(monday + timedelta(days=offset), hour)),
                              by=demo[email])
    services.set_reminder(secretary, Reminder.DAY)
