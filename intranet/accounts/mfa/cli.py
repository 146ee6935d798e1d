"""`flask accounts totp-code EMAIL`: the code a person's authenticator app shows now. For the
demo (its admins share a known secret, printed by `flask demo-welcome`) and for support on the
server itself: whoever runs it already holds the database and its secrets."""
from __future__ import annotations

import click
from flask.cli import AppGroup

accounts_cli = AppGroup("accounts", help="Comptes (second facteur).")


@accounts_cli.command("totp-code")
@click.argument("email")
def totp_code(email: str):
    """Afficher le code du moment de l'application d'authentification d'une personne
    (démonstration, assistance)."""
    from ..services import find_user
    from . import services
    user = find_user(email)
    code = services.current_code(user) if user is not None else None
    if code is None:
        raise click.ClickException(f"{email} n'a pas d'application d'authentification "
                                   "enregistrée.")
    click.echo(code)
