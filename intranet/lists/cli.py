"""`flask lists …`: the mail listener of the lists and reply-by-email, and the fan-out."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from . import fanout

lists_cli = AppGroup("lists", help="Listes de diffusion : réception du courrier, distribution.")


@lists_cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8025, show_default=True, type=int)
@click.option("--lmtp", is_flag=True, help="Parler LMTP (derrière Postfix) au lieu de SMTP.")
@click.option("--max-size", type=int, default=None,
              help="Taille maximale d'un message, en octets (LISTS_MAX_MESSAGE_BYTES).")
def serve(host, port, lmtp, max_size):
    """Recevoir le courrier des listes et les réponses par courriel (SMTP/LMTP)."""
    import logging
    import time

    from .listener import make_controller
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's dialogue trace
    app = current_app._get_current_object()
    controller = make_controller(app, host, port, lmtp=lmtp, max_bytes=max_size)
    controller.start()
    click.echo(f"Écoute {'LMTP' if lmtp else 'SMTP'} sur {host}:{port} "
               f"(domaine {app.config['LISTS_DOMAIN']}) ; Ctrl-C pour arrêter.")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


@lists_cli.command("fanout")
def fanout_command():
    """Distribuer les messages en attente (ce que fait aussi `flask worker`)."""
    queued = fanout.worker_round()
    click.echo(f"{queued} courriel(s) mis en file d'envoi.")

