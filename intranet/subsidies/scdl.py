"""Granted subsidies as open data, in the SCDL « subventions » 2.1.1 format (décret 2017-779):
one row per beneficiary and grant, with the attribuant's SIRET. A grant is left out — and the
export page says which and why — when its attribuant or its beneficiary has no SIRET (the
SIRET an organisation gives in its deliberations' settings)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, func, not_, select, true
from sqlalchemy.orm import aliased, joinedload, selectinload

from ..accounts.models import Organisation
from ..core import csvexport
from ..extensions import db
from ..publications.aids.models import Aid
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
        .options(joinedload(SubsidyDossier.aid).joinedload(Aid.organisation),
                 joinedload(SubsidyDossier.organisation),
                 selectinload(SubsidyDossier.events), selectinload(SubsidyDossier.payments))
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


@dataclass
class Summary:
    exported: int                       # the rows of the export
    left: list[LeftOut]                 # the grants left out that the person sees


# The export page's statement: the two organisations of a grant and their deliberations'
# settings (where their SIRET is), aliased once for every request (an alias costs more to make
# than the statement it is used in).
_ATTRIBUANT, _BENEFICIARY = aliased(Organisation), aliased(Organisation)
_OF_ATTRIBUANT = aliased(DeliberationSettings)
_OF_BENEFICIARY = aliased(DeliberationSettings)
_ATTRIBUANT_HAS = func.coalesce(_OF_ATTRIBUANT.siret, "") != ""
_BENEFICIARY_HAS = func.coalesce(_OF_BENEFICIARY.siret, "") != ""


def _granted(*columns):
    return (select(*columns).select_from(SubsidyDossier)
            .join(Aid, Aid.id == SubsidyDossier.aid_id)
            .outerjoin(_OF_ATTRIBUANT, _OF_ATTRIBUANT.organisation_id == Aid.organisation_id)
            .outerjoin(_OF_BENEFICIARY,
                       _OF_BENEFICIARY.organisation_id == SubsidyDossier.organisation_id)
            .where(SubsidyDossier.state.in_(GRANTED)))


_EXPORTED = _granted(func.count().label("exported")).where(
    _ATTRIBUANT_HAS, _BENEFICIARY_HAS).subquery()


def summary(where) -> Summary:
    """What the export page says, in one statement: how many grants the export holds (the
    granted dossiers whose attribuant and beneficiary both have a SIRET, as ``rows`` finds
    them) and which of the grants ``where`` narrows to (``access.visible_dossiers``) it leaves
    out, with why. Only the dossiers' number and title are read (``LeftOut.dossier`` is a row
    with ``id`` and ``title``)."""
    left = (_granted(SubsidyDossier.id, SubsidyDossier.title,
                     _ATTRIBUANT.name.label("attribuant"), _BENEFICIARY.name.label("beneficiary"),
                     _ATTRIBUANT_HAS.label("attribuant_has"))
            .join(_ATTRIBUANT, _ATTRIBUANT.id == Aid.organisation_id)
            .join(_BENEFICIARY, _BENEFICIARY.id == SubsidyDossier.organisation_id)
            .where(where, not_(and_(_ATTRIBUANT_HAS, _BENEFICIARY_HAS))).subquery())
    # the count's one row, with each grant left out beside it (or none)
    rows = db.session.execute(select(_EXPORTED.c.exported, left).select_from(
        _EXPORTED.outerjoin(left, true())).order_by(left.c.id)).all()
    return Summary(rows[0].exported, [
        LeftOut(row, f"{row.beneficiary} (bénéficiaire) n'a pas de SIRET" if row.attribuant_has
                else f"{row.attribuant} (attribuant) n'a pas de SIRET")
        for row in rows if row.id is not None])


def export_csv() -> str:
    found, _ = rows()
    return csvexport.render(COLUMNS, found)
