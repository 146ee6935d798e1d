"""Saved searches of the demo (``flask seed-demo``): Agen's director follows the network
forum's budget discussions every week; Agmé-et-Agnac's secretary follows the fibre rollout in
the digital group every day, since January (« Mes recherches enregistrées »)."""
from __future__ import annotations

from urllib.parse import urlencode

from sqlalchemy import select

from ..core.alerts import AlertFrequency
from ..extensions import db
from ..forums.models import Forum
from . import saved


def seed(demo) -> None:
    common = db.session.scalar(select(Forum).where(
        Forum.space_id == demo.open_space.id, Forum.name == "Questions entre collectivités"))
    saved.save(demo["mairie@agen.fr"],
               urlencode({"q": "budget primitif", "forum": common.id}), AlertFrequency.WEEKLY,
               label="Budget primitif dans le forum du réseau")
    saved.save(demo["secretaire@agme-agnac.fr"],
               urlencode({"q": "fibre", "espace": demo.groups["digital"].slug,
                          "du": "2026-01-01"}),
               AlertFrequency.DAILY, label="La fibre dans le groupe « Numérique et territoires »")
