"""The centre de gestion's statistics of the job exchange, and their charts: each figure is
computed once, shown as an inline SVG (``core.charts``) and as the table with the same numbers,
and exported as CSV."""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..core.timeutil import to_paris, today_paris
from ..extensions import db
from ..publications.lifecycle import PublicationStatus
from .models import JobOffer, Outcome


@dataclass
class Figures:
    quarters: list[str]                              # « 2027 T1 », oldest first
    by_filiere: dict[str, Counter]                   # filière → quarter → offers published
    by_categorie: dict[str, Counter]                 # catégorie → quarter → offers published
    days_to_fill: list[int]                          # publication to « pourvue », per offer
    open_past_closing: list[JobOffer]

    @property
    def median_days_to_fill(self) -> float | None:
        return statistics.median(self.days_to_fill) if self.days_to_fill else None

    def totals(self, table: dict[str, Counter]) -> dict[str, int]:
        return {key: sum(counts.values()) for key, counts in table.items()}


def quarter(day: date) -> str:
    return f"{day.year} T{(day.month - 1) // 3 + 1}"


def figures(today: date | None = None) -> Figures:
    today = today or today_paris()
    offers = db.session.scalars(select(JobOffer).where(
        JobOffer.status != PublicationStatus.DRAFT, JobOffer.published_at.is_not(None))).all()
    by_filiere: dict[str, Counter] = {}
    by_categorie: dict[str, Counter] = {}
    quarters = set()
    fill = []
    for offer in offers:
        key = quarter(to_paris(offer.published_at).date())
        quarters.add(key)
        by_filiere.setdefault(offer.filiere or "non précisée", Counter())[key] += 1
        by_categorie.setdefault(offer.categorie or "non précisée", Counter())[key] += 1
        if offer.outcome == Outcome.FILLED and offer.ended_at is not None:
            fill.append((offer.ended_at - offer.published_at).days)
    past = [offer for offer in offers if offer.status == PublicationStatus.PUBLISHED
            and offer.closes_on is not None and offer.closes_on < today]
    return Figures(sorted(quarters), dict(sorted(by_filiere.items())),
                   dict(sorted(by_categorie.items())), sorted(fill),
                   sorted(past, key=lambda o: o.closes_on))


def csv_table(figures_: Figures) -> tuple[list[str], list[dict]]:
    """The statistics as CSV: columns, and one dict per line."""
    columns = ["indicateur", "valeur", *figures_.quarters, "total"]
    rows = []
    for name, table in (("filière", figures_.by_filiere), ("catégorie", figures_.by_categorie)):
        for key, counts in table.items():
            rows.append({"indicateur": name, "valeur": key, "total": sum(counts.values()),
                         **{q: counts[q] for q in figures_.quarters}})
    median = figures_.median_days_to_fill
    rows.append({"indicateur": "délai médian pour pourvoir (jours)",
                 "valeur": "" if median is None else median,
                 "total": len(figures_.days_to_fill)})
    rows.append({"indicateur": "offres encore en ligne après leur date limite",
                 "valeur": len(figures_.open_past_closing)})
    return columns, rows
