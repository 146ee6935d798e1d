"""The territorial civil service's vocabulary (filières, cadres d'emplois, catégories, grades),
read once per process from ``data/fpt-filieres-cadres-grades.csv`` — or from the corrected
copy a platform admin names in ``JOBS_GRADES_CSV`` (the shipped list is a transcription, not an
official dataset)."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import current_app

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "fpt-filieres-cadres-grades.csv"
CATEGORIES = ("A+", "A", "B", "C")


@dataclass(frozen=True)
class Cadre:
    filiere: str
    name: str
    categorie: str
    grades: tuple[str, ...]       # in ascending order

    @property
    def label(self) -> str:
        return f"{self.name} (catégorie {self.categorie})"


@lru_cache(maxsize=4)
def _read(path: str) -> dict[str, Cadre]:
    cadres: dict[str, dict] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            entry = cadres.setdefault(row["cadre_emplois"], {
                "filiere": row["filiere"], "categorie": row["categorie"], "grades": []})
            entry["grades"].append((int(row["rang_grade"]), row["grade"]))
    return {name: Cadre(entry["filiere"], name, entry["categorie"],
                        tuple(grade for _, grade in sorted(entry["grades"])))
            for name, entry in cadres.items()}


def cadres() -> dict[str, Cadre]:
    return _read(str(current_app.config.get("JOBS_GRADES_CSV") or SHIPPED))


def filieres() -> list[str]:
    return sorted({cadre.filiere for cadre in cadres().values()})


def cadre(name: str | None) -> Cadre | None:
    return cadres().get(name or "")

