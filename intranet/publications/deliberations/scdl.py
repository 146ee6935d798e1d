"""The SCDL « délibérations » export (schema 2.1.5, ``scdl-deliberations-2.1.5.schema.json``).

One row per published, public act adopted by an assembly (natures « délibération » and
« document budgétaire »), columns in the schema's order, dates as AAAA-MM-JJ, UTF-8, comma.

- ``COLL_SIRET`` is required (14 digits): only organisations whose admins recorded their SIRET
  (deliberation settings) are exported — a SIRET cannot be derived from a SIREN.
- ``DELIB_MATIERE_NOM`` is the ``matiere_nom_scdl`` column of ``actes-matieres.csv``.
- ``VOTE_REEL`` is the number of members who took part in the vote (for + against +
  abstentions), as the schema's « sum-columns-value » check requires; the members present are
  shown on the act's page.
- ``PREF_ID`` is the préfecture of the département (« PREF047 ») once the act was transmitted;
  ``PREF_DATE`` the date of transmission.
"""
from __future__ import annotations


from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...core import csvexport
from ..lifecycle import PublicationStatus
from ...core.urls import absolute_url
from ...extensions import db
from ...core.types import Visibility
from .models import SCDL_NATURES, Deliberation, DeliberationSettings
from .services import apply_filters

COLUMNS = ("COLL_NOM", "COLL_SIRET", "DELIB_ID", "DELIB_DATE", "DELIB_MATIERE_CODE",
           "DELIB_MATIERE_NOM", "DELIB_OBJET", "BUDGET_ANNEE", "BUDGET_NOM", "PREF_ID",
           "PREF_DATE", "VOTE_EFFECTIF", "VOTE_REEL", "VOTE_POUR", "VOTE_CONTRE",
           "VOTE_ABSTENTION", "DELIB_URL")


def export_query(filters):
    """Open data: published *public* acts only, whoever asks (never drafts, never network-only)."""
    stmt = (select(Deliberation, DeliberationSettings.siret)
            .join(DeliberationSettings,
                  DeliberationSettings.organisation_id == Deliberation.organisation_id)
            .where(Deliberation.status == PublicationStatus.PUBLISHED,
                   Deliberation.visibility == Visibility.PUBLIC,
                   Deliberation.nature.in_(SCDL_NATURES),
                   DeliberationSettings.siret.is_not(None)))
    return (apply_filters(stmt, filters)
            .options(joinedload(Deliberation.organisation))
            .order_by(Deliberation.sitting_date, Deliberation.organisation_id,
                      Deliberation.number))


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def prefecture_id() -> str:
    code = current_app.config["DEPARTEMENT_CODE"]
    return f"PREF{code.zfill(3)}"


def row(deliberation: Deliberation, siret: str) -> dict[str, str]:
    matiere = deliberation.matiere
    transmitted = deliberation.transmitted_on
    return {
        "COLL_NOM": deliberation.organisation.name,
        "COLL_SIRET": siret,
        "DELIB_ID": deliberation.number,
        "DELIB_DATE": deliberation.sitting_date.isoformat(),
        "DELIB_MATIERE_CODE": matiere.code,
        "DELIB_MATIERE_NOM": matiere.scdl_name,
        "DELIB_OBJET": " ".join(deliberation.subject.split()),
        "BUDGET_ANNEE": deliberation.budget_year or "",
        "BUDGET_NOM": deliberation.budget_name or "",
        "PREF_ID": prefecture_id() if transmitted else "",
        "PREF_DATE": transmitted.isoformat() if transmitted else "",
        "VOTE_EFFECTIF": _number(deliberation.members_in_office),
        "VOTE_REEL": _number(deliberation.votes_cast),
        "VOTE_POUR": _number(deliberation.votes_for),
        "VOTE_CONTRE": _number(deliberation.votes_against),
        "VOTE_ABSTENTION": _number(deliberation.abstentions),
        "DELIB_URL": absolute_url("deliberations.act_pdf", deliberation_id=deliberation.id),
    }


def export_csv(filters) -> str:
    return csvexport.render(COLUMNS, (row(deliberation, siret) for deliberation, siret
                                      in db.session.execute(export_query(filters))))
