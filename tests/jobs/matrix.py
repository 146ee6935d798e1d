"""Organisation A's job exchange for the route matrix: a draft offer with its document, a
published one and an application (personal data: A's admins and a centre de gestion only), a
saved search of A's admin."""
from datetime import timedelta

from intranet.core.timeutil import today_paris, utcnow
from intranet.jobs import services
from intranet.jobs.services import OfferData
from intranet.publications import publishing
from intranet.publications.lifecycle import PublicationStatus

from ..route_world import private_file


def build(world):
    admin, secret = world["a_admin"], world["CONTENT"]
    draft = services.create_offer(world["org_a"], OfferData(
        title=f"Poste {secret}", missions=f"Missions {secret}"), by=admin)
    offer = services.create_offer(world["org_a"], OfferData(title="Agent d'accueil"), by=admin)
    publishing.attach(draft, (private_file(world), "fiche.pdf"), by=admin)
    offer.status = PublicationStatus.PUBLISHED    # complete or not, as if online
    offer.closes_on = today_paris() + timedelta(days=40)
    offer.published_at = utcnow()
    application = services.apply(offer, name=f"Candidat {secret}", email="candidat@exemple.fr",
                                 message=f"Message {secret}",
                                 cv=(private_file(world), "cv.pdf"), user=world["a_member"])
    alert = services.save_alert(admin, "filiere=technique", f"Recherche {secret}")
    world["insider_urls"] += [f"/emplois/{draft.id}"]
    world["private_files"] += [f"/emplois/candidatures/{application.id}/cv"]
    return {
        ("jobs", "offer_id"): [draft.id, offer.id],
        ("jobs", "document_id"): [draft.documents[0].id],
        ("jobs", "application_id"): [application.id],
        ("jobs", "which"): ["cv", "lettre"],
        ("jobs", "alert_id"): [alert.id],
        ("jobs", "token"): ["jeton-inconnu"],
    }
