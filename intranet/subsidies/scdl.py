"""Granted subsidies as open data, in the SCDL « subventions » 2.1.1 format (décret 2017-779):
one row per beneficiary and grant, with the attribuant's SIRET. A grant is left out — and the
export page says which and why — when its attribuant or its beneficiary has no SIRET (the
SIRET an organisation gives in its deliberations' settings)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core import csvexport
from ..extensions import db
from ..publications.deliberations.models import DeliberationSettings
from .models import DossierState, SubsidyDossier

GRANTED = (DossierState.GRANTED, DossierState.CLOSED, DossierState.LAPSED)
COLUMNS = ["nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision",
           "nomBeneficiaire", "idBeneficiaire", "rnaBeneficiaire", "objet", "montant", "nature",
           "conditionsVersement", "datesPeriodeVersement", "idRAE", "notificationUE",
           "pourcentageSubvention", "dispositifAide"]


@dataclass
class LeftOut:
    dossier: SubsidyDossier
    reason: str


def _grant_date(dossier: SubsidyDossier):
    granted = [e.at for e in dossier.events if e.to_state == DossierState.GRANTED.value]
    return dossier.sitting_on or (granted[-1].date() if granted else None)


def rows(where=None) -> tuple[list[dict], list[LeftOut]]:
    """The export's rows and the grants it leaves out; ``where`` narrows the dossiers read (the
    export page lists only those the person sees: ``access.visible_dossiers``)."""
    query = select(SubsidyDossier).where(SubsidyDossier.state.in_(GRANTED))
    if where is not None:
        query = query.where(where)
    dossiers = db.session.scalars(
        query
        .options(selectinload(SubsidyDossier.events), selectinload(SubsidyDossier.payments))
        .order_by(SubsidyDossier.id)).all()
    sirets = dict(db.session.execute(select(DeliberationSettings.organisation_id,
                                            DeliberationSettings.siret)).all())
    found, left = [], []
    for dossier in dossiers:
        attribuant, beneficiary = dossier.aid.organisation, dossier.organisation
        if not sirets.get(attribuant.id):
            left.append(LeftOut(dossier, f"{attribuant.name} (attribuant) n'a pas de SIRET"))
            continue
        if not sirets.get(beneficiary.id):
            left.append(LeftOut(dossier, f"{beneficiary.name} (bénéficiaire) n'a pas de SIRET"))
            continue
        when = _grant_date(dossier)
        paid = sorted(p.paid_on for p in dossier.payments)
        period = (f"{paid[0].isoformat()}/{paid[-1].isoformat()}" if len(paid) > 1
                  else (paid or [when])[0].isoformat())
        found.append({
            "nomAttribuant": attribuant.name, "idAttribuant": sirets[attribuant.id],
            "dateConvention": when.isoformat(), "referenceDecision": f"DOSSIER-{dossier.id}",
            "nomBeneficiaire": beneficiary.name, "idBeneficiaire": sirets[beneficiary.id],
            "rnaBeneficiaire": "", "objet": dossier.title,
            "montant": f"{Decimal(dossier.amount_granted):.2f}", "nature": "aide en numéraire",
            "conditionsVersement": "échelonné" if len(paid) > 1 else "unique",
            "datesPeriodeVersement": period, "idRAE": "", "notificationUE": "non",
            "pourcentageSubvention": "1.00", "dispositifAide": dossier.aid.title})
    return found, left


def export_csv() -> str:
    found, _ = rows()
    return csvexport.render(COLUMNS, found)
