"""`flask jobs …`: the job exchange's commands (the worker runs the same steps every hour)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Bourse de l'emploi.")


@jobs_cli.command("purge")
def purge():
    """Supprimer les candidatures dont la durée de conservation est passée (et leurs fichiers)."""
    from . import services
    click.echo(f"{services.purge()} candidature(s) supprimée(s).")


@jobs_cli.command("close")
def close():
    """Clôturer les offres dont la date limite de candidature est passée."""
    from . import services
    click.echo(f"{services.close_due()} offre(s) clôturée(s).")
