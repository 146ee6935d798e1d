"""The ACTES classification (matières and sous-matières), read once from
``intranet/data/actes-matieres.csv`` (a copy of the shared reference file, never retyped)."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PATH = Path(__file__).resolve().parents[2] / "data" / "actes-matieres.csv"


@dataclass(frozen=True)
class Matiere:
    code: str            # « 8.4 » (level 2) or « 8 » (level 1)
    level: int
    parent: str | None
    label: str           # « Aménagement du territoire »
    scdl_name: str       # « domaines de compétences par thèmes/aménagement du territoire »

    @property
    def display(self) -> str:
        return f"{self.code} {self.label}"


@cache
def _load() -> dict[str, Matiere]:
    with PATH.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: Matiere(code=row["code"], level=int(row["niveau"]),
                                     parent=row["parent"] or None, label=row["libelle"],
                                     scdl_name=row["matiere_nom_scdl"])
                for row in csv.DictReader(handle)}


def get(code: str | None) -> Matiere | None:
    return _load().get(code or "")


def themes() -> list[Matiere]:
    """Level-1 matières, in the file's order."""
    return [m for m in _load().values() if m.level == 1]


def sub_matieres(theme_code: str) -> list[Matiere]:
    return [m for m in _load().values() if m.parent == theme_code]


def is_sub_matiere(code: str | None) -> bool:
    """An act is classified at level 2 (the SCDL's DELIB_MATIERE_CODE)."""
    matiere = get(code)
    return matiere is not None and matiere.level == 2


def grouped_choices() -> dict[str, dict[str, str]]:
    """Level-2 choices grouped by level 1, for a SelectField with optgroups."""
    return {theme.display: {m.code: m.display for m in sub_matieres(theme.code)}
            for theme in themes()}
