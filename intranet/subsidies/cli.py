"""`flask subsidies …`: the instructors, and the worker's step run by hand."""
from __future__ import annotations

import click
from flask.cli import AppGroup

subsidies_cli = AppGroup("subsidies", help="Subventions.")


@subsidies_cli.command("instructor")
@click.argument("email")
@click.argument("programme")
def instructor(email: str, programme: str):
    """Désigner EMAIL comme instructeur des dossiers du programme PROGRAMME."""
    from . import services
    from .services import SubsidyError
    try:
        services.assign_instructor(email, programme)
    except SubsidyError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{email} instruit désormais les dossiers du programme « {programme} ».")


@subsidies_cli.command("lapse")
def lapse():
    """Rappeler les travaux à finir dans le mois ; rendre caducs les dossiers dont le délai est
    passé sans solde."""
    from . import services
    reminded, lapsed = services.lapse_due()
    click.echo(f"{reminded} rappel(s), {lapsed} dossier(s) caduc(s).")
