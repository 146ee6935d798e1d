"""Small builders for the deliberations tests (each commits, so requests see the data)."""
from __future__ import annotations

import io
from datetime import date, timedelta

from intranet.core import identifiers
from intranet.core.timeutil import utcnow
from intranet.extensions import db
from intranet.publications.deliberations import services
from intranet.publications.deliberations.models import ActNature, Assembly, today_paris
from intranet.core.types import Visibility

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def act_data(number: str = "2025_001", subject: str = "Rénovation de l'école", **fields):
    values = dict(nature=ActNature.DELIBERATION, number=number,
                  assembly=Assembly.MUNICIPAL_COUNCIL,
                  sitting_date=today_paris() - timedelta(days=3), subject=subject,
                  matiere_code="8.1", signatory_name="Marie Durand",
                  signatory_function="Maire", visibility=Visibility.PUBLIC)
    values.update(fields)
    return services.ActData(**values)


def make_act(org, by, *, publish: bool = False, pdf: bool = True, annexes: int = 0,
             annex_name: str = "annexe", pdf_bytes: bytes = PDF, **fields):
    deliberation = services.create_deliberation(
        org, act_data(**fields), by=by,
        act_pdf=services.Upload(pdf_bytes, "acte.pdf") if pdf else None,
        annexes=[services.Upload(pdf_bytes, f"{annex_name}-{i + 1}.pdf") for i in range(annexes)])
    if publish:
        services.publish(deliberation, by=by)
    return deliberation


def age(deliberation, days: int) -> None:
    """Pretend the act was put online ``days`` ago."""
    deliberation.published_at = utcnow() - timedelta(days=days)
    db.session.commit()


def form(**overrides) -> dict:
    """What the « Nouvel acte » form posts for a valid deliberation."""
    values = {
        "nature": "deliberation", "number": "2025_014", "assembly": "conseil_departemental",
        "sitting_date": (today_paris() - timedelta(days=2)).isoformat(),
        "subject": "Aide aux bibliothèques rurales", "matiere": "8.9",
        "body": "Le conseil **approuve** le programme.",
        "members_in_office": "42", "members_present": "40", "votes_for": "35",
        "votes_against": "3", "abstentions": "2", "signatory_name": "Sophie Borderie",
        "signatory_function": "Présidente du conseil départemental", "visibility": "public",
        "act_pdf": (io.BytesIO(PDF), "deliberation.pdf"),
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def last_year() -> date:
    return today_paris().replace(year=today_paris().year - 1)


def valid_siret(first13: str = "2147019560001") -> str:
    """A SIRET with a correct Luhn key, from its first 13 digits."""
    for last in "0123456789":
        if identifiers.siret_is_valid(first13 + last):
            return first13 + last
    raise AssertionError("no Luhn key")
