"""Subsidy dossiers of the demo (``flask seed-demo``): the Département's aids belong to a
programme its editor instructs; Agen's dossier for the school canteens is granted and partly
paid, Agmé's for its roads was sent back as incomplete."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..core.timeutil import today_paris
from ..extensions import db
from ..publications.aids.models import Aid
from . import services
from .models import PaymentKind
from .services import DossierData, PlanLine

PROGRAMME = "Solidarité territoriale"
PDF = (b"%PDF-1.4\n% Piece de demonstration\n1 0 obj << /Type /Catalog >> endobj\ntrailer << "
       b"/Root 1 0 R >>\n%%EOF\n")


def seed(demo) -> None:
    today = today_paris()
    council = demo["redacteur@cd47.fr"]
    aids = {aid.title: aid for aid in db.session.scalars(select(Aid).where(
        Aid.organisation_id == demo.orgs["departement"].id))}
    roads = aids["Aide aux travaux de voirie communale"]
    canteens = aids["Approvisionnement local des cantines scolaires"]
    for aid in (roads, canteens):
        aid.programme = PROGRAMME
        services.add_requirement(aid, "Délibération du conseil approuvant le projet", by=council)
        services.add_requirement(aid, "Devis ou estimation détaillée", by=council)
    services.assign_instructor(council.email, PROGRAMME)
    services.assign_instructor(demo["agent@cd47.fr"].email, PROGRAMME)

    def complete(dossier, by):
        for requirement in services.requirements_of(dossier.aid):
            services.add_document(dossier, (PDF, f"{requirement.label}.pdf"),
                                  requirement=requirement, by=by)
        services.submit(dossier, by=by)

    agen = demo["mairie@agen.fr"]
    canteen = services.create_dossier(canteens, demo.orgs["47001"], DossierData(
        title="Produits locaux à la cuisine centrale", communes="Agen",
        description="Passer à 50 % de produits de Lot-et-Garonne dans les repas scolaires.",
        cost_excl_vat="30 000", cost_incl_vat="31 650", amount_requested="12 000",
        schedule="Année scolaire en cours", contact="Cuisine centrale, 05 53 69 47 47",
        lines=[PlanLine("aid", "Département de Lot-et-Garonne", "12 000"),
               PlanLine("public", "Région Nouvelle-Aquitaine", "3 000"),
               PlanLine("own", "Commune d'Agen", "15 000")]), by=agen)
    complete(canteen, agen)
    services.start_review(canteen, by=council)
    services.propose(canteen, today - timedelta(days=20), by=council)
    services.grant(canteen, "10 000", conditions="Mentionner le soutien du Département.",
                   works_deadline=today + timedelta(days=300), by=council)
    services.record_payment(canteen, PaymentKind.ADVANCE, "3 000", today - timedelta(days=5),
                            by=council)

    agme = demo["secretaire@agme-agnac.fr"]
    road = services.create_dossier(roads, demo.orgs["47002"], DossierData(
        title="Réfection de la voie communale n° 3", communes="Agmé",
        description="Reprise de la chaussée sur 600 mètres.", cost_excl_vat="40 000",
        cost_incl_vat="48 000", amount_requested="12 000", schedule="Printemps prochain",
        contact="Mairie d'Agmé",
        lines=[PlanLine("aid", "Département de Lot-et-Garonne", "12 000"),
               PlanLine("own", "Commune d'Agmé", "28 000")]), by=agme)
    complete(road, agme)
    services.mark_incomplete(road, "Le devis n'est pas signé : joignez le devis signé de "
                                   "l'entreprise.", by=council)

    # The Agglomération asks for its roads of community interest: submitted, under review.
    dgs = demo["dgs@agglo-agen.fr"]
    agglo_roads = services.create_dossier(roads, demo.orgs["200096956"], DossierData(
        title="Voirie d'intérêt communautaire : zone d'activités de Boé", communes="Boé, Agen",
        description="Reprise des enrobés et des trottoirs de la zone d'activités.",
        cost_excl_vat="60 000", cost_incl_vat="72 000", amount_requested="18 000",
        schedule="Été prochain", contact="Service voirie de l'Agglomération",
        lines=[PlanLine("aid", "Département de Lot-et-Garonne", "18 000"),
               PlanLine("own", "CA Agglomération d'Agen", "42 000")]), by=dgs)
    complete(agglo_roads, dgs)
    services.start_review(agglo_roads, by=demo["agent@cd47.fr"])
