"""Organisations: creation, update and CSV import (communes and EPCIs of the département)."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from ..core import audit, csvimport, identifiers
from ..core.csvimport import CsvImportError, CsvProblem
from ..core.text import unique_slug
from ..core.uow import unit_of_work
from ..extensions import db
from ..search import services as search
from ..spaces import services as spaces
from .models import Organisation, OrgKind, User

INSEE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$")

KIND_ALIASES = {
    "departement": OrgKind.DEPARTEMENT, "département": OrgKind.DEPARTEMENT,
    "region": OrgKind.REGION, "région": OrgKind.REGION,
    "prefecture": OrgKind.PREFECTURE, "préfecture": OrgKind.PREFECTURE,
    "association_maires": OrgKind.ASSOCIATION_MAIRES, "association des maires": OrgKind.ASSOCIATION_MAIRES,
    "centre_gestion": OrgKind.CENTRE_GESTION, "centre de gestion": OrgKind.CENTRE_GESTION,
    "cdg": OrgKind.CENTRE_GESTION, "commune": OrgKind.COMMUNE, "epci": OrgKind.EPCI,
    "ca": OrgKind.EPCI, "cc": OrgKind.EPCI, "cu": OrgKind.EPCI, "metropole": OrgKind.EPCI,
    "autre": OrgKind.OTHER,
}

# The INSEE « code officiel géographique » joined with the DGCL EPCI list
# (../shared/data/reference/communes-47.csv).
COG_COLUMNS = ["code_insee", "nom", "siren_commune", "siren_epci", "nom_epci"]
COG_OPTIONAL = ["nom_majuscules_ncc", "typecom", "code_departement", "code_region",
                "code_arrondissement", "code_canton", "nature_juridique_epci",
                "mode_financement_epci", "population_totale", "population_municipale"]
GENERIC_COLUMNS = ["type", "nom"]
GENERIC_OPTIONAL = ["code_insee", "siren", "siren_epci", "population", "email", "telephone",
                    "adresse", "description"]


class OrganisationError(ValueError):
    pass


def _slug_taken(slug: str) -> bool:
    return db.session.scalar(select(func.count()).where(Organisation.slug == slug)) > 0


@unit_of_work
def create_organisation(*, name: str, kind: OrgKind, by: User | None = None,
                        insee_code: str | None = None, siren: str | None = None,
                        epci: Organisation | None = None, population: int | None = None,
                        **details) -> Organisation:
    """A new organisation and its private space."""
    siren = identifiers.compact(siren) or None
    _check_codes(name, insee_code, siren, exclude_id=None)
    org = Organisation(slug=unique_slug(name, _slug_taken), name=name.strip(), kind=kind,
                       insee_code=insee_code or None, siren=siren or None, epci=epci,
                       population=population, **details)
    db.session.add(org)
    db.session.flush()
    spaces.ensure_organisation_space(org)
    if by is not None:
        audit.record("organisation.created", actor=by, organisation=org, target=org.name)
    return org


@unit_of_work
def update_organisation(org: Organisation, *, by: User, **fields) -> None:
    if "siren" in fields:
        fields["siren"] = identifiers.compact(fields["siren"]) or None
    _check_codes(fields.get("name", org.name), fields.get("insee_code"), fields.get("siren"),
                 exclude_id=org.id)
    renamed = fields.get("name") is not None and fields["name"].strip() != org.name
    for key, value in fields.items():
        setattr(org, key, value.strip() if isinstance(value, str) else value)
    for key in ("insee_code", "siren", "email", "phone", "address"):
        if getattr(org, key) == "":
            setattr(org, key, None)
    audit.record("organisation.updated", actor=by, organisation=org, target=org.name)
    if renamed:
        search.reindex_organisation(org)


def _check_codes(name: str, insee: str | None, siren: str | None, exclude_id: int | None) -> None:
    if not (name or "").strip():
        raise OrganisationError("Le nom est obligatoire.")
    if insee:
        if not INSEE_RE.match(insee):
            raise OrganisationError("Le code INSEE compte 5 caractères (ex. 47001).")
        other = db.session.scalar(select(Organisation).where(Organisation.insee_code == insee))
        if other is not None and other.id != exclude_id:
            raise OrganisationError(f"Le code INSEE {insee} est déjà celui de « {other.name} ».")
    if siren:
        problem = identifiers.siren_problem(siren)
        if problem:
            raise OrganisationError(problem)
        other = db.session.scalar(select(Organisation).where(Organisation.siren == siren))
        if other is not None and other.id != exclude_id:
            raise OrganisationError(f"Le SIREN {siren} est déjà celui de « {other.name} ».")


# --- CSV import -------------------------------------------------------------------------------------


@unit_of_work
def import_csv(data: bytes | str, by: User | None = None) -> dict[str, int]:
    """Import or update organisations from a CSV file; all or nothing.

    Two layouts are understood: the INSEE/DGCL communes file (communes and their EPCIs, as in
    ``communes-47.csv``) and a generic one (``type;nom;code_insee;siren;siren_epci;…``).
    Returns counts of created and updated organisations; raises CsvImportError otherwise.
    """
    text = csvimport.decode(data)
    header = text.splitlines()[0].lower() if text.strip() else ""
    if "siren_commune" in header:
        rows = csvimport.read(text, COG_COLUMNS, COG_OPTIONAL)
        planned = _plan_cog(rows)
    else:
        rows = csvimport.read(text, GENERIC_COLUMNS, GENERIC_OPTIONAL)
        planned = _plan_generic(rows)
    counts = _apply(planned)
    audit.record("organisations.imported", actor=by,
                 detail=f"{counts['created']} créées, {counts['updated']} mises à jour")
    return counts


def _int_or_problem(value: str, line: int, column: str, problems: list) -> int | None:
    if not value:
        return None
    try:
        number = int(value.replace(" ", "").replace("\u202f", ""))
    except ValueError:
        problems.append(CsvProblem(line, column, f"« {value} » n'est pas un nombre entier."))
        return None
    if number < 0:
        problems.append(CsvProblem(line, column, "le nombre ne peut pas être négatif."))
    return number


def _check_row_codes(line: int, insee: str | None, siren: str | None, insee_col: str,
                     siren_col: str, problems: list) -> None:
    if insee and not INSEE_RE.match(insee):
        problems.append(CsvProblem(line, insee_col, f"« {insee} » n'est pas un code INSEE "
                                                    "(5 caractères, ex. 47001)."))
    problem = identifiers.siren_problem(siren) if siren else None
    if problem:
        problems.append(CsvProblem(line, siren_col, f"« {siren} » : {problem}"))


def _plan_cog(rows: csvimport.CsvRows) -> list[dict]:
    problems: list[CsvProblem] = []
    epcis: dict[str, dict] = {}
    communes: list[dict] = []
    seen_insee: dict[str, int] = {}
    for line, row in rows.rows:
        insee, siren, siren_epci = row["code_insee"], row["siren_commune"], row["siren_epci"]
        if not row["nom"]:
            problems.append(CsvProblem(line, "nom", "le nom de la commune est vide."))
        _check_row_codes(line, insee, siren, "code_insee", "siren_commune", problems)
        if not insee:
            problems.append(CsvProblem(line, "code_insee", "le code INSEE est vide."))
        elif insee in seen_insee:
            problems.append(CsvProblem(line, "code_insee", f"code {insee} déjà présent "
                                                           f"ligne {seen_insee[insee]}."))
        seen_insee[insee] = line
        if siren_epci:
            _check_row_codes(line, None, siren_epci, "", "siren_epci", problems)
            if not row["nom_epci"]:
                problems.append(CsvProblem(line, "nom_epci", "nom de l'EPCI vide alors que "
                                                             "son SIREN est donné."))
            epcis.setdefault(siren_epci, {"kind": OrgKind.EPCI, "name": row["nom_epci"],
                                          "siren": siren_epci, "insee_code": None,
                                          "population": 0, "line": line})
        population = _int_or_problem(row.get("population_totale", ""), line,
                                     "population_totale", problems)
        if siren_epci in epcis and population:
            epcis[siren_epci]["population"] += population
        communes.append({"kind": OrgKind.COMMUNE, "name": row["nom"], "insee_code": insee,
                         "siren": siren or None, "epci_siren": siren_epci or None,
                         "population": population, "line": line})
    if problems:
        raise CsvImportError(problems)
    return list(epcis.values()) + communes


def _plan_generic(rows: csvimport.CsvRows) -> list[dict]:
    problems: list[CsvProblem] = []
    planned = []
    file_sirens = {row.get("siren") for _, row in rows.rows if row.get("siren")}
    for line, row in rows.rows:
        kind = KIND_ALIASES.get(row["type"].lower())
        if kind is None:
            problems.append(CsvProblem(line, "type", f"type « {row['type']} » inconnu (attendus : "
                                                     "departement, region, prefecture, "
                                                     "association_maires, centre_gestion, commune, "
                                                     "epci, autre)."))
        if not row["nom"]:
            problems.append(CsvProblem(line, "nom", "le nom est vide."))
        insee, siren = row.get("code_insee") or None, row.get("siren") or None
        _check_row_codes(line, insee, siren, "code_insee", "siren", problems)
        epci_siren = row.get("siren_epci") or None
        if epci_siren and epci_siren not in file_sirens and db.session.scalar(
                select(Organisation.id).where(Organisation.siren == epci_siren)) is None:
            problems.append(CsvProblem(line, "siren_epci", f"aucun EPCI de SIREN {epci_siren}, "
                                                           "ni dans le fichier ni dans la base."))
        population = _int_or_problem(row.get("population", ""), line, "population", problems)
        planned.append({"kind": kind, "name": row["nom"], "insee_code": insee, "siren": siren,
                        "epci_siren": epci_siren, "population": population, "line": line,
                        "email": row.get("email") or None, "phone": row.get("telephone") or None,
                        "address": row.get("adresse") or None,
                        "description": row.get("description") or ""})
    if problems:
        raise CsvImportError(problems)
    return planned


def _apply(planned: list[dict]) -> dict[str, int]:
    """Create or update every planned organisation (matched on SIREN, then INSEE code)."""
    counts = {"created": 0, "updated": 0}
    by_siren = {o.siren: o for o in db.session.scalars(
        select(Organisation).where(Organisation.siren.is_not(None)))}
    by_insee = {o.insee_code: o for o in db.session.scalars(
        select(Organisation).where(Organisation.insee_code.is_not(None)))}
    slugs = set(db.session.scalars(select(Organisation.slug)))

    def taken(slug):
        return slug in slugs

    pending_epci, created = [], []
    for item in planned:
        item = dict(item)
        item.pop("line")
        epci_siren = item.pop("epci_siren", None)
        org = (by_siren.get(item["siren"]) if item["siren"] else None) or \
              (by_insee.get(item["insee_code"]) if item["insee_code"] else None)
        if org is None:
            org = Organisation(slug=unique_slug(item["name"], taken), **item)
            slugs.add(org.slug)
            db.session.add(org)
            created.append(org)
            counts["created"] += 1
        else:
            for key, value in item.items():
                if value not in (None, ""):
                    setattr(org, key, value)
            counts["updated"] += 1
        if org.siren:
            by_siren[org.siren] = org
        if org.insee_code:
            by_insee[org.insee_code] = org
        if epci_siren:
            pending_epci.append((org, epci_siren))
    for org, epci_siren in pending_epci:
        org.epci = by_siren[epci_siren]
    db.session.flush()
    for org in created:
        spaces.ensure_organisation_space(org)
    return counts
