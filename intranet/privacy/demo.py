"""The demo's personal data (``flask seed-demo``): the commune of Agen's receptionist, leaving
his post, has asked for his account to be erased; the platform admin finds the request under
« Administration » → « Demandes d'effacement ». Every demo account can download its data from
« Mon profil » → « Mes données »."""
from __future__ import annotations

from ..demo import DEMO_PASSWORD
from . import services


def seed(demo) -> None:
    person = demo.people["agent@agen.fr"]
    services.request_erasure(
        person, password=DEMO_PASSWORD,
        note="Je quitte la mairie d'Agen à la fin du mois pour un poste dans le privé : merci "
             "de supprimer mon compte après mon départ. Mes réponses sur le forum peuvent "
             "rester.")
