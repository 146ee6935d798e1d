"""The job exchange of the demo (``flask seed-demo``): offers of Agen, the Agglomération and the
centre de gestion, online for the coming weeks, a filled one of last season (for the
statistics), applications to follow, a followed offer and a saved search."""
from __future__ import annotations

from datetime import timedelta

from ..core.timeutil import today_paris, utcnow
from ..core.types import Visibility
from ..extensions import db
from . import services
from .models import ApplicationStatus, Outcome
from .services import OfferData, month_after

CV = (b"%PDF-1.4\n% CV de demonstration\n1 0 obj << /Type /Catalog >> endobj\ntrailer << "
      b"/Root 1 0 R >>\n%%EOF\n")


def seed(demo) -> None:
    today = today_paris()
    closes = month_after(today) + timedelta(days=10)
    agen, agglo, cdg = demo.orgs["47001"], demo.orgs["200096956"], demo.orgs["cdg47"]

    def offer(org, by, **fields):
        defaults = dict(vacancy_date=today + timedelta(days=45), closes_on=closes,
                        origin="vacancy", employment="permanent",
                        place=org if org.kind.value == "commune" else agen,
                        visibility=Visibility.PUBLIC,
                        how_to_apply="Lettre de motivation et CV, en ligne sur cette page.")
        data = OfferData(**(defaults | fields))
        made = services.create_offer(org, data, by=by)
        services.publish(made, by=by)
        return made

    secretary = offer(
        agen, demo["mairie@agen.fr"], title="Secrétaire de mairie (état civil et élections)",
        service="Direction de la population", filiere="administrative",
        cadre="Rédacteurs territoriaux", grades=["rédacteur", "rédacteur principal de 2e classe"],
        missions="Instruire les dossiers d'état civil, préparer les élections, accueillir le "
                 "public et encadrer deux agents.",
        profile="Connaissance de l'état civil et du logiciel métier ; sens du service public.",
        salary="Grille indiciaire, RIFSEEP, CNAS, titres-restaurant", salary_min=2100,
        salary_max=2600, contact_name="Camille Dupuy, directrice générale des services",
        contact_email="recrutement@agen.fr")
    offer(agen, demo["mairie@agen.fr"], title="Agent des espaces verts (contrat saisonnier)",
          service="Centre technique municipal", filiere="technique",
          cadre="Adjoints techniques territoriaux", grades=["adjoint technique"],
          employment="contract", contract_basis="L332-23-2", full_time=False, hours_per_week=28,
          missions="Entretien des parcs et des massifs de la ville pendant la saison.",
          profile="Permis B ; une première expérience en espaces verts est appréciée.",
          specific_conditions="Travail un week-end sur deux en juillet et août.")
    offer(agglo, demo["dgs@agglo-agen.fr"], title="Instructeur des autorisations d'urbanisme",
          service="Service commun d'instruction du droit des sols", filiere="administrative",
          cadre="Rédacteurs territoriaux", grades=["rédacteur", "rédacteur principal de 1re classe"],
          missions="Instruire les permis de construire et les déclarations préalables des 44 "
                   "communes de l'agglomération.",
          profile="Maîtrise du code de l'urbanisme et du PLUi.")
    offer(cdg, demo["admin@cdg47.fr"], title="Conseiller en prévention des risques professionnels",
          service="Pôle santé au travail", filiere="technique", cadre="Ingénieurs territoriaux",
          grades=["ingénieur"], missions="Accompagner les collectivités affiliées dans leur "
          "document unique et leurs plans de prévention.", profile="Formation en prévention.")
    # Last season's post, filled: the centre de gestion's statistics have a delay to show.
    filled = offer(agen, demo["mairie@agen.fr"], title="Agent d'accueil de la mairie",
                   service="Accueil", filiere="administrative",
                   cadre="Adjoints administratifs territoriaux", grades=["adjoint administratif"],
                   missions="Accueillir le public et orienter les demandes.",
                   profile="Sens du contact.")
    filled.published_at = utcnow() - timedelta(days=120)
    db.session.commit()
    services.end(filled, Outcome.FILLED, by=demo["mairie@agen.fr"])
    filled.ended_at = utcnow() - timedelta(days=75)
    db.session.commit()

    first = services.apply(secretary, name="Martine Lafon", email="secretaire@agme-agnac.fr",
                           message="Secrétaire de mairie depuis huit ans, je souhaite rejoindre "
                                   "une commune plus grande.", cv=(CV, "cv-martine-lafon.pdf"),
                           user=demo["secretaire@agme-agnac.fr"])
    services.set_status(first, ApplicationStatus.SHORTLISTED, by=demo["mairie@agen.fr"])
    services.apply(secretary, name="Julien Marty", email="agent@cd47.fr",
                   cv=(CV, "cv-julien-marty.pdf"), user=demo["agent@cd47.fr"])
    services.follow(secretary, demo["agent@agen.fr"])
    services.save_alert(demo["agent@region-na.fr"], "filiere=technique", "Postes techniques")
