"""Command-line interface: `flask <command>`. Heavy imports stay inside the commands."""
from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

DATA_DIR = Path(__file__).resolve().parent / "data"

import_cli = AppGroup("import", help="Importer des données (CSV).")
mail_cli = AppGroup("mail", help="Envoi des courriels de la file d'attente.")
search_cli = AppGroup("search", help="Index de recherche.")
notifications_cli = AppGroup("notifications", help="Notifications.")


@notifications_cli.command("digest")
def notifications_digest():
    """Envoyer le résumé quotidien (à lancer chaque jour, par exemple à 7 h)."""
    from .notifications import services
    sent = services.send_digests()
    click.echo(f"{sent} résumé(s) mis en file d'envoi.")


def _imported(run, *refusals):
    """Run an import; a refused file (a ``CsvImportError`` or one of ``refusals``) lists its
    problems on stderr and exits 1: nothing was imported."""
    from .core.csvimport import CsvImportError
    try:
        return run()
    except (CsvImportError, *refusals) as exc:
        click.echo("Fichier refusé, rien n'a été importé :", err=True)
        for problem in getattr(exc, "problems", [exc]):
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(1) from exc


@import_cli.command("organisations")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_organisations(path: Path):
    """Importer ou mettre à jour des organisations depuis un CSV."""
    from .accounts import organisations
    from .spaces.services import ensure_open_space
    ensure_open_space()
    counts = _imported(lambda: organisations.import_csv(path.read_bytes()))
    click.echo(f"{counts['created']} organisations créées, {counts['updated']} mises à jour.")


@import_cli.command("users")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", "by_email", required=True, help="Adresse de l'administrateur qui importe.")
def import_users(path: Path, by_email: str):
    """Créer des comptes depuis un CSV (chacun reçoit une invitation)."""
    from .accounts import services
    admin = services.find_user(by_email)
    if admin is None or not admin.is_platform_admin:
        raise click.ClickException(f"{by_email} n'est pas administrateur de la plateforme.")
    count = _imported(lambda: services.import_users(path.read_bytes(), by=admin))
    click.echo(f"{count} comptes créés.")


@import_cli.command("nomenclature")
@click.argument("name")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_nomenclature(name: str, path: Path):
    """Importer une nomenclature des achats (code;libelle;parent, ou le fichier CPV 2008)."""
    from .publications.procurement import services
    started = time.perf_counter()
    result = _imported(lambda: services.import_nomenclature(name, path.read_bytes()),
                       services.NomenclatureError)
    click.echo(f"« {name} » : {result['total']} codes ({result['added']} ajoutés, "
               f"{result['changed']} modifiés, {result['removed']} supprimés) "
               f"en {time.perf_counter() - started:.1f} s.")


@mail_cli.command("worker")
@click.option("--once", is_flag=True, help="Envoyer ce qui est dû puis s'arrêter.")
@click.option("--interval", default=5.0, show_default=True, help="Secondes entre deux passages.")
def mail_worker(once: bool, interval: float):
    """Envoyer les courriels de la file d'attente (avec nouvelles tentatives)."""
    from .mail import services
    while True:
        delivery = services.send_due()
        if any(delivery):
            click.echo(delivery.summary() + ".")
        if once:
            return
        time.sleep(interval)


@search_cli.command("reindex")
@click.option("--procs", default=min(2, os.cpu_count() or 1), show_default=True,
              help="Processus d'indexation (Whoosh).")
def search_reindex(procs: int):
    """Reconstruire tout l'index depuis la base de données."""
    from .search import services
    total = services.countable()
    started = time.perf_counter()
    with click.progressbar(length=total, label="Indexation") as bar:
        count = services.reindex(progress=bar.update, procs=procs)
    elapsed = time.perf_counter() - started
    click.echo(f"{count} documents indexés en {elapsed:.1f} s "
               f"({count / elapsed if elapsed else 0:.0f} documents/s).")


@search_cli.command("worker")
@click.option("--once", is_flag=True, help="Appliquer ce qui est en attente puis s'arrêter.")
@click.option("--interval", default=0.5, show_default=True)
def search_worker(once: bool, interval: float):
    """Appliquer les changements en attente à l'index (un seul écrivain)."""
    _check_index()
    _loop([_search_round], once, interval)


@click.command("worker")
@click.option("--once", is_flag=True, help="Un seul passage puis s'arrêter.")
@click.option("--interval", default=0.5, show_default=True)
def worker(once: bool, interval: float):
    """Le service de fond : index de recherche, courriels, rappels de l'agenda, fichiers en
    attente expirés et durées de conservation des données personnelles (un processus suffit)."""
    _check_index()
    _loop([_search_round, _lists_round, _reminders_round, _jobs_round, _aids_round, _ads_round,
           _subsidies_round, _saved_searches_round, _mail_round, _pending_round,
           _privacy_round, _list_bounces_round, _documents_round], once, interval)


def _jobs_round():
    """Once an hour (each step does its work once a day): offers past their closing date are
    closed, publishers reminded a week before, saved searches mailed, old applications purged."""
    from .jobs import services
    done = {"clôturée(s)": services.close_due(), "rappel(s)": services.remind_publishers(),
            "alerte(s)": services.send_alerts(), "candidature(s) supprimée(s)": services.purge()}
    if any(done.values()):
        click.echo("emploi : " + ", ".join(f"{n} {what}" for what, n in done.items() if n))


def _aids_round():
    """Once an hour (each alert mails at most once a day or a week): aid alerts mailed, those
    never confirmed deleted."""
    from .publications.aids import alerts
    sent, purged = alerts.send_due(), alerts.purge_unconfirmed()
    if sent or purged:
        click.echo(f"aides : {sent} alerte(s) envoyée(s), {purged} alerte(s) non confirmée(s) "
                   f"supprimée(s)")


def _saved_searches_round():
    """Once an hour (each saved search mails at most once a day or a week): the new results
    of saved searches, searched as their owner, mailed."""
    from .search import saved
    sent = saved.send_due()
    if sent:
        click.echo(f"recherche : {sent} recherche(s) enregistrée(s) envoyée(s)")


def _subsidies_round():
    """Once an hour (each dossier is reminded once): grants whose works deadline is a month away
    are reminded to their applicant; those past it without a balance lapse."""
    from .subsidies import services
    reminded, lapsed = services.lapse_due()
    if reminded or lapsed:
        click.echo(f"subventions : {reminded} rappel(s), {lapsed} dossier(s) caduc(s)")


def _privacy_round():
    """Once a day: audit lines and ended sign-in sessions past their retention period go."""
    from .privacy import services
    lines, sessions = services.apply_retention()
    if lines or sessions:
        click.echo(f"données personnelles : {lines} ligne(s) du journal, {sessions} session(s) "
                   "terminée(s) supprimée(s)")


def _reminders_round():
    from .agenda import services
    sent = services.send_reminders()
    if sent:
        click.echo(f"agenda : {sent} rappel(s) mis en file d'envoi")


def _ads_round():
    from .ads import services
    reminded, expired = services.send_expiry_reminders(), services.note_expired()
    if reminded:
        click.echo(f"annonces : {reminded} rappel(s) de fin mis en file d'envoi")
    if expired:
        click.echo(f"annonces : {expired} annonce(s) arrivée(s) à échéance")


def _pending_round():
    from .core import pending
    purged = pending.purge()
    if purged:
        click.echo(f"fichiers en attente : {purged} expiré(s) supprimé(s)")


def _documents_round():
    """Once an hour: what has stayed in a space's bin longer than DOCUMENTS_BIN_RETENTION_DAYS
    is deleted for good, with its files."""
    from .documents import services
    purged = services.purge_bins()
    if purged:
        click.echo(f"corbeilles : {purged} élément(s) supprimé(s) définitivement")


def _lists_round():
    from .lists import fanout
    queued = fanout.worker_round()
    if queued:
        click.echo(f"listes : {queued} courriel(s) mis en file d'envoi")


def _list_bounces_round():
    """Once a day: list bounces older than LISTS_BOUNCE_RETENTION_DAYS forgotten (scores decay)."""
    from .lists import upkeep
    forgotten = upkeep.forget_old_bounces()
    if forgotten:
        click.echo(f"listes : {forgotten} erreur(s) de distribution ancienne(s) oubliée(s)")


def _check_index() -> None:
    """At start: an index damaged while nothing ran is rebuilt by the first round."""
    from .search import services
    if not services.check():
        click.echo("index : endommagé, il sera reconstruit depuis la base")


def _search_round():
    from .search import services
    from .search.backends import BusyError
    rebuilt = services.repair()
    if rebuilt is not None:
        click.echo(f"index : reconstruit depuis la base ({rebuilt} documents)")
    try:
        done = services.drain()
    except BusyError:
        return  # another writer holds the index: next round
    if done:
        click.echo(f"index : {done} changement(s) appliqué(s)")


def _mail_round():
    from .mail import services
    started = time.monotonic()
    while True:  # full batches sent (a list's fan-out): keep going, a few seconds at most
        delivery = services.send_due()
        if any(delivery):
            click.echo(f"courriels : {delivery.summary()}")
        if delivery.failed or sum(delivery) < 100 or time.monotonic() - started > 9:
            return


def _run_round(round_) -> None:
    """A round, run once more on a new connection if the database connection it was given had
    died since the last round (PostgreSQL restarted: core/reconnect.py); what it did before
    was rolled back."""
    from sqlalchemy.exc import DBAPIError

    from .extensions import db
    try:
        round_()
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        db.session.rollback()
        round_()


def _loop(rounds, once: bool, interval: float):
    from .extensions import db
    # Rounds that need not run every pass: seconds between two of their runs.
    every, last = {_mail_round: 5.0, _pending_round: 60.0, _reminders_round: 60.0,
                   _jobs_round: 3600.0, _aids_round: 3600.0, _ads_round: 60.0,
                   _subsidies_round: 3600.0, _privacy_round: 86400.0,
                   _list_bounces_round: 86400.0, _documents_round: 3600.0,
                   _saved_searches_round: 3600.0}, {}
    while True:
        for round_ in rounds:
            if round_ in every:
                if time.monotonic() - last.get(round_, -every[round_]) < every[round_] \
                        and not once:
                    continue
                last[round_] = time.monotonic()
            try:
                _run_round(round_)
            except Exception as exc:  # keep serving; the failed work stays queued
                db.session.rollback()
                click.echo(f"erreur : {type(exc).__name__}: {exc}", err=True)
        db.session.remove()
        if once:
            return
        time.sleep(interval)


@click.command("create-admin")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--first-name", default="")
@click.option("--last-name", default="Administrateur")
def create_admin(email: str, password: str, first_name: str, last_name: str):
    """Créer (ou promouvoir) un administrateur de la plateforme."""
    from .accounts import services
    try:
        user = services.make_platform_admin(email, password, first_name=first_name,
                                            last_name=last_name)
    except services.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{user.email} est administrateur de la plateforme.")


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Ajouter les données même si la base n'est pas vide.")
@click.option("--quiet", is_flag=True, help="Ne pas lister les comptes (make run les affiche "
                                            "une fois le serveur prêt).")
def seed_demo(force: bool, quiet: bool):
    """Charger les données de démonstration (organisations du 47, comptes, contenus)."""
    from .demo import seed
    if seed(DATA_DIR / "communes-47.csv", force=force):
        click.echo("Données de démonstration chargées.")
    else:
        click.echo("Données de démonstration déjà présentes.")
    if not quiet:
        _echo_accounts()


# What the demo shows, service by service (printed by ``demo-welcome``; tests/test_demo.py
# checks that every demo account finds content on each of these pages).
DEMO_TOUR = (
    ("/", "le tableau de bord : l'activité de ses espaces"),
    ("/agenda/", "l'agenda : séances, réunions, réservations de salles"),
    ("/annuaire", "l'annuaire des collectivités et de leurs agents"),
    ("/emplois/", "la bourse de l'emploi territorial"),
    ("/annonces/", "les petites annonces entre collectivités"),
    ("/subventions/", "les dossiers de subvention (et, pour redacteur@cd47.fr, leur instruction)"),
    ("/aides/", "le répertoire des aides"),
    ("/messages/", "la messagerie"),
)


def _echo_accounts() -> None:
    from .demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, accounts
    click.echo("Les administrateurs confirment chaque connexion par un second facteur : "
               "ajoutez à une application d'authentification (FreeOTP, Aegis, Google "
               f"Authenticator…) la clé {DEMO_TOTP_SECRET} (commune aux comptes "
               "administrateurs de la démonstration), ou lisez le code du moment avec "
               "« flask accounts totp-code ADRESSE ».")
    click.echo(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD}) :")
    for email, description in accounts():
        click.echo(f"  {email:<42} {description}")


def _wait_for(port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


@click.command("demo-welcome")
@click.option("--port", default=5000, show_default=True)
@click.option("--wait", default=60.0, show_default=True,
              help="Secondes à attendre que le serveur réponde.")
def demo_welcome(port: int, wait: float):
    """Attendre que le serveur de démonstration réponde, puis afficher son adresse et les
    comptes (les dernières lignes que voit la personne qui a lancé make run)."""
    from flask import current_app
    ready = _wait_for(port, wait)
    click.echo("")
    click.echo("=" * 72)
    if ready:
        click.echo(f"Territoires est prêt : http://127.0.0.1:{port}")
    else:
        click.echo(f"Le serveur ne répond pas encore sur le port {port} : voyez les messages "
                   f"ci-dessus.")
    if not current_app.config.get("MAIL_SERVER"):
        click.echo("Les courriels (invitations, mots de passe…) s'affichent dans ce terminal : "
                   "MAIL_SERVER n'est pas configuré.")
    click.echo("Chaque compte trouve du contenu dans chaque service, par exemple :")
    for path, what in DEMO_TOUR:
        click.echo(f"  http://127.0.0.1:{port}{path:<22} {what}")
    _echo_accounts()
    click.echo("Ctrl+C pour arrêter.")
    click.echo("=" * 72)


backup_cli = AppGroup("backup", help="Sauvegarder et restaurer la base et les fichiers.")


@backup_cli.command("create")
@click.option("--dossier", "folder", type=click.Path(file_okay=False),
              help="Où écrire l'archive (par défaut : instance/sauvegardes).")
def backup_create(folder: str | None):
    """Écrire une archive de la base de données et de tous les fichiers déposés."""
    from flask import current_app

    from . import backup
    target = Path(folder) if folder else Path(current_app.instance_path) / "sauvegardes"
    try:
        archive = backup.create(target)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Sauvegarde écrite : {archive} ({archive.stat().st_size / 1e6:.1f} Mo)")


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
def backup_restore(archive: str):
    """Restaurer une archive dans une base et un dossier de fichiers vides, puis reconstruire
    l'index de recherche."""
    from . import backup
    try:
        manifest = backup.restore(Path(archive))
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restauré : la sauvegarde du {manifest['created_at'][:19]} "
               f"({len(manifest['members']) - 1} fichier(s), {manifest['indexed']} documents "
               "indexés).")


def register_cli(app: Flask) -> None:
    from .accounts.mfa.cli import accounts_cli
    from .jobs.cli import jobs_cli
    from .publications.aids.cli import aids_cli
    from .lists.cli import lists_cli
    from .subsidies.cli import subsidies_cli
    for command in (import_cli, mail_cli, search_cli, notifications_cli, lists_cli, jobs_cli,
                    aids_cli, subsidies_cli, accounts_cli, backup_cli,
                    worker, create_admin, seed_demo, demo_welcome):
        app.cli.add_command(command)
