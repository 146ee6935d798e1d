"""`flask aids …`: the aids directory's commands (the worker runs the same steps every hour)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

aids_cli = AppGroup("aids", help="Répertoire des aides.")


@aids_cli.command("alerts")
def send_alerts():
    """Envoyer les alertes dues (aides nouvelles ou modifiées) et supprimer les alertes jamais
    confirmées."""
    from . import alerts
    sent, purged = alerts.send_due(), alerts.purge_unconfirmed()
    click.echo(f"{sent} alerte(s) envoyée(s), {purged} alerte(s) non confirmée(s) supprimée(s).")
