"""The directory's demo content (``flask seed-demo``, called from ``demo_content.load``): the
demo people's functions from the controlled list and their choices of what the network sees,
the town halls' opening hours, and a few outside contacts, one shared with a working group."""
from __future__ import annotations

from ..accounts import organisations
from ..accounts import services as accounts
from ..accounts.models import function_from_text
from . import services

# email: (phone, show email, show phone)
PEOPLE = {
    "mairie@agen.fr": ("05 53 69 47 47", True, True),
    "agent@agen.fr": ("05 53 69 47 00", True, True),
    "secretaire@agme-agnac.fr": ("05 53 88 21 10", True, True),
    "dgs@agglo-agen.fr": ("05 53 69 60 60", True, False),
    "admin@cdg47.fr": ("05 53 48 00 70", True, False),
    "agent@prefecture47.fr": ("", False, False),
}

HOURS = {
    "47001": "Du lundi au vendredi : 8 h 30 – 17 h 30\nLe samedi : 9 h – 12 h (état civil)",
    "47002": "Mardi et jeudi : 9 h – 12 h\nVendredi : 14 h – 17 h",
    "47003": "Lundi et mercredi : 14 h – 18 h",
    "47004": "Du lundi au vendredi : 9 h – 12 h et 14 h – 17 h",
}

# organisation key, who keeps it, share with a group (key of ``demo.groups``), values
OUTSIDE = [
    ("47001", "mairie@agen.fr", "secretaries", {
        "name": "Cabinet Larroque Architectes", "company": "Larroque & associés",
        "trade": "Architecte du patrimoine", "email": "contact@larroque-architectes.fr",
        "phone": "05 53 47 12 34", "address": "12 rue des Juifs, 47000 Agen",
        "notes": "Rénovation de la salle des fêtes ; connaît bien les règles du secteur "
                 "sauvegardé."}),
    ("47001", "mairie@agen.fr", None, {
        "name": "École élémentaire Jean-Macé", "trade": "École publique",
        "email": "ce.0470001a@ac-bordeaux.fr", "phone": "05 53 66 20 20",
        "address": "4 rue Jean-Macé, 47000 Agen", "notes": "Directrice : Mme Sabatier."}),
    ("47002", "secretaire@agme-agnac.fr", None, {
        "name": "SARL Dubois Plomberie", "company": "SARL Dubois",
        "trade": "Plombier chauffagiste", "phone": "06 12 34 56 78",
        "notes": "Astreinte le week-end pour la salle communale."}),
]


def seed(demo) -> None:
    """Inside the demo's transaction, through the services."""
    for person in demo.people.values():
        kind, rest = function_from_text(person.function)
        phone, show_email, show_phone = PEOPLE.get(person.email, ("", True, False))
        accounts.update_profile(person, first_name=person.first_name,
                                last_name=person.last_name, function=rest,
                                function_kind=kind.value if kind else "", phone=phone,
                                shown={"show_email": show_email, "show_phone": show_phone,
                                       "show_function": True}, by=person)
    for key, hours in HOURS.items():
        org = demo.orgs[key]
        organisations.update_organisation(org, by=demo["admin@territoires47.fr"],
                                          opening_hours=hours)
    for key, email, group, values in OUTSIDE:
        services.save_outside_contact(None, organisation=demo.orgs[key], values=values,
                                      space=demo.groups[group] if group else None,
                                      by=demo[email])
