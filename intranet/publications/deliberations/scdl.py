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

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ...accounts.models import Organisation
from ...core import csvexport
from ...core.text import of
from ...core.types import Visibility
from ...core.urls import absolute_url
from ...extensions import db
from ..lifecycle import PublicationStatus
from .models import SCDL_NATURES, Deliberation, DeliberationSettings
from .listing import apply_filters

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


def _prefecture(act: Deliberation) -> str:
    return prefecture_id() if act.transmitted_on else ""


# The export, described once: each SCDL column, in the schema's order, and how it is read from
# an act (and its organisation's SIRET). A new column is one line here.
EXPORT = (
    ("COLL_NOM", lambda act, siret: act.organisation.name),
    ("COLL_SIRET", lambda act, siret: siret),
    ("DELIB_ID", lambda act, siret: act.number),
    ("DELIB_DATE", lambda act, siret: act.sitting_date.isoformat()),
    ("DELIB_MATIERE_CODE", lambda act, siret: act.matiere.code),
    ("DELIB_MATIERE_NOM", lambda act, siret: act.matiere.scdl_name),
    ("DELIB_OBJET", lambda act, siret: " ".join(act.subject.split())),
    ("BUDGET_ANNEE", lambda act, siret: act.budget_year or ""),
    ("BUDGET_NOM", lambda act, siret: act.budget_name or ""),
    ("PREF_ID", lambda act, siret: _prefecture(act)),
    ("PREF_DATE", lambda act, siret: act.transmitted_on.isoformat() if act.transmitted_on else ""),
    ("VOTE_EFFECTIF", lambda act, siret: _number(act.members_in_office)),
    ("VOTE_REEL", lambda act, siret: _number(act.votes_cast)),
    ("VOTE_POUR", lambda act, siret: _number(act.votes_for)),
    ("VOTE_CONTRE", lambda act, siret: _number(act.votes_against)),
    ("VOTE_ABSTENTION", lambda act, siret: _number(act.abstentions)),
    ("DELIB_URL", lambda act, siret: absolute_url("deliberations.act_pdf", deliberation_id=act.id)),
)
COLUMNS = tuple(name for name, _ in EXPORT)


def row(deliberation: Deliberation, siret: str) -> dict[str, str]:
    return {name: read(deliberation, siret) for name, read in EXPORT}


def export_csv(filters) -> str:
    return csvexport.render(COLUMNS, (row(deliberation, siret) for deliberation, siret
                                      in db.session.execute(export_query(filters))))


# --- what the export leaves out, and why -------------------------------------------------------


@dataclass
class LeftOut:
    """Published acts the export does not hold, for one reason."""
    reason: str
    count: int
    organisations: list[tuple[Organisation, int]] = field(default_factory=list)


def report(filters) -> tuple[int, list[LeftOut]]:
    """How many acts the export holds, and the published acts it leaves out, by reason (the
    same filters as the list). Acts reserved to the network and acts that are not votes of an
    assembly are left out by the schema; acts of an organisation without a SIRET because the
    schema requires it (its admins can record it)."""
    public = Deliberation.visibility == Visibility.PUBLIC
    scdl = Deliberation.nature.in_(SCDL_NATURES)
    # the published acts counted once, by what the export does with them (``export_query``
    # holds the first)
    included, network, other_natures = db.session.execute(apply_filters(
        select(func.count().filter(public, scdl, DeliberationSettings.siret.is_not(None)),
               func.count().filter(Deliberation.visibility != Visibility.PUBLIC),
               func.count().filter(public, Deliberation.nature.not_in(SCDL_NATURES)))
        .select_from(Deliberation)
        .outerjoin(DeliberationSettings,
                   DeliberationSettings.organisation_id == Deliberation.organisation_id)
        .where(Deliberation.status == PublicationStatus.PUBLISHED), filters)).one()
    left: list[LeftOut] = []
    if network:
        left.append(LeftOut("réservés aux personnes connectées : l'open data ne publie que les "
                            "actes publics", network))
    if other_natures:
        left.append(LeftOut("arrêtés, contrats et autres actes : le jeu de données SCDL « "
                            "délibérations » ne contient que les délibérations et les documents "
                            "budgétaires", other_natures))
    no_siret = db.session.execute(
        apply_filters(select(Organisation, func.count(Deliberation.id))
                      .join(Deliberation, Deliberation.organisation_id == Organisation.id)
                      .outerjoin(DeliberationSettings,
                                 DeliberationSettings.organisation_id == Organisation.id)
                      .where(Deliberation.status == PublicationStatus.PUBLISHED,
                             Deliberation.visibility == Visibility.PUBLIC,
                             Deliberation.nature.in_(SCDL_NATURES),
                             DeliberationSettings.siret.is_(None)), filters)
        .group_by(Organisation.id).order_by(Organisation.name)).all()
    if no_siret:
        left.append(LeftOut("le SIRET de l'organisation n'est pas renseigné (le schéma SCDL "
                            "l'exige) : ses administrateurs peuvent le saisir dans les réglages "
                            "des délibérations",
                            sum(count for _, count in no_siret), [tuple(r) for r in no_siret]))
    return included, left


def missing_from_export(deliberation: Deliberation, settings: DeliberationSettings | None
                        ) -> str | None:
    """Why this act (once published) will not be in the open-data export because of something
    its organisation can fix, or None."""
    if (deliberation.nature in SCDL_NATURES and deliberation.visibility == Visibility.PUBLIC
            and (settings is None or not settings.siret)):
        return (f"Cet acte ne figurera pas dans l'export open data (format SCDL) : le SIRET "
                f"{of(deliberation.organisation.name)} n'est pas renseigné.")
    return None
