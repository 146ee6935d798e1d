"""The centre de gestion's statistics of the job exchange, and their charts: each figure is
computed once, shown as an inline SVG drawn here (no script, no library) and as the table with
the same numbers, and exported as CSV."""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape
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


COLOURS = ("#0b4f8a", "#8a5a00", "#17522b", "#6b3fa0", "#8a1c12", "#00666b", "#9c2a6b", "#4a4a4a")


def bar_chart(table: dict[str, Counter], quarters: list[str], *, title: str, ident: str) -> Markup:
    """Stacked horizontal bars, one per quarter, one colour per row of ``table``, with its
    legend; ``role="img"`` named by its title and described by the table that follows it."""
    width, bar, gap, left = 640, 22, 10, 80
    keys = list(table)
    totals = {q: sum(table[k][q] for k in keys) for q in quarters}
    peak = max(totals.values(), default=0) or 1
    scale = (width - left - 40) / peak
    height = len(quarters) * (bar + gap) + 30 + 20 * ((len(keys) + 2) // 3)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" aria-labelledby="{ident}-titre" aria-describedby="{ident}-table" '
             f'class="chart"><title id="{ident}-titre">{escape(title)}</title>']
    for row, q in enumerate(quarters):
        y = row * (bar + gap) + 10
        parts.append(f'<text x="0" y="{y + bar - 6}" font-size="13">{escape(q)}</text>')
        x = left
        for n, key in enumerate(keys):
            value = table[key][q]
            if value:
                w = value * scale
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" '
                             f'fill="{COLOURS[n % len(COLOURS)]}"/>')
                x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + bar - 6}" font-size="13">{totals[q]}</text>')
    y = len(quarters) * (bar + gap) + 20
    for n, key in enumerate(keys):
        column, line = n % 3, n // 3
        cx, cy = column * 210, y + line * 20
        parts.append(f'<rect x="{cx}" y="{cy}" width="12" height="12" '
                     f'fill="{COLOURS[n % len(COLOURS)]}"/>'
                     f'<text x="{cx + 18}" y="{cy + 11}" font-size="12">{escape(key)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


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
