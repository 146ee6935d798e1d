"""The préfecture's acknowledgements of many acts at once, from a CSV: all or nothing, the
errors listed by line."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ... import access
from ...accounts.models import Organisation, User
from ...core import audit, csvimport
from ...core.fields import DATE_FORMATS
from ...core.uow import unit_of_work
from ...extensions import db
from ..lifecycle import PublicationStatus
from .models import Deliberation
from .services import DeliberationError, Problems, transmission_problems

ACK_COLUMNS = ["numero", "date_transmission", "identifiant_accuse"]


def _csv_date(text: str) -> date | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


@dataclass
class Acknowledged:
    deliberation: Deliberation
    transmitted_on: date
    acknowledgement_id: str


@unit_of_work
def import_acknowledgements(organisation: Organisation, data: bytes | str, *,
                            by: User) -> list[Acknowledged]:
    """Record the préfecture's acknowledgements of ``organisation``'s acts from a CSV file
    (``numero``, ``date_transmission``, ``identifiant_accuse``): every line, or none, with each
    problem named by its line and column."""
    if not access.can_edit_publication(by, organisation):
        raise DeliberationError("Seuls les rédacteurs et administrateurs de l'organisme "
                                "enregistrent les accusés de réception de ses actes.")
    parsed = csvimport.read(data, ACK_COLUMNS)
    numbers = {row["numero"] for _line, row in parsed.rows}
    acts = {act.number: act for act in db.session.scalars(
        select(Deliberation).where(Deliberation.organisation_id == organisation.id,
                                   Deliberation.number.in_(numbers)))}
    columns = {"number": "numero", "transmitted_on": "date_transmission",
               "acknowledgement_id": "identifiant_accuse"}
    problems: list[csvimport.CsvProblem] = []
    done: list[Acknowledged] = []
    seen: dict[str, int] = {}
    for line, row in parsed.rows:
        number, typed_date, ack = row["numero"], row["date_transmission"], row["identifiant_accuse"]
        found: Problems = []
        act = acts.get(number)
        if not number:
            found.append(("number", "indiquez le numéro de l'acte."))
        elif number in seen:
            found.append(("number", f"l'acte n° {number} est déjà à la ligne {seen[number]}."))
        elif act is None:
            found.append(("number", f"aucun acte n° {number} de {organisation.name}."))
        elif act.status == PublicationStatus.WITHDRAWN:
            found.append(("number", f"l'acte n° {number} est retiré : il ne peut plus être "
                                    "modifié."))
        seen.setdefault(number, line)
        transmitted_on = _csv_date(typed_date) if typed_date else None
        if not typed_date:
            found.append(("transmitted_on", "indiquez la date de transmission."))
        elif transmitted_on is None:
            found.append(("transmitted_on", f"date illisible « {typed_date[:20]} » : écrivez-la "
                                            "jj/mm/aaaa ou aaaa-mm-jj."))
        if not ack:
            found.append(("acknowledgement_id", "indiquez l'identifiant de l'accusé de "
                                                "réception."))
        if act is not None and transmitted_on is not None and ack:
            found += transmission_problems(act.sitting_date, transmitted_on, ack)
        problems += [csvimport.CsvProblem(line, columns.get(name), message)
                     for name, message in found]
        if not found:
            done.append(Acknowledged(act, transmitted_on, ack))
    if problems:
        raise csvimport.CsvImportError(problems)
    for item in done:
        item.deliberation.transmitted_on = item.transmitted_on
        item.deliberation.acknowledgement_id = item.acknowledgement_id
    audit.record("deliberation.acknowledgements_imported", actor=by, organisation=organisation,
                 target=organisation.name,
                 detail=f"{len(done)} actes : " + ", ".join(i.deliberation.number for i in done))
    return done
