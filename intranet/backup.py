"""Backups that restore: ``flask backup create`` and ``flask backup restore ARCHIVE``.

An archive (``territoires-YYYYMMDD-HHMMSS.tar.gz``) holds:

- ``manifest.json``: the format, when and from what it was made (SQLite or PostgreSQL, the
  schema, the Alembic revision), and the SHA-256 of every other member;
- the database: ``database.sqlite``, a copy made with SQLite's online backup (consistent while
  the application writes), or ``database.pgdump``, ``pg_dump``'s custom format;
- ``files/``: every stored file (the ``UPLOAD_DIR`` folder), byte for byte.

``restore`` reads the whole archive and refuses it, in French, when a member is missing,
unexpected or not what the manifest says (a damaged or truncated archive). It restores only
into an empty database and an empty upload folder — it never overwrites — then rebuilds the
search index from the restored database. Nothing here runs while requests are served by this
process: run it from the command line, with the application stopped for a restore.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from flask import current_app
from sqlalchemy import inspect, text

from .extensions import db

FORMAT = 1
MANIFEST = "manifest.json"


class BackupError(RuntimeError):
    """A backup that cannot be made or restored; the message, in French, says why."""


# --- where things are ---------------------------------------------------------------------------


def _upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def _sqlite_path() -> Path:
    return Path(db.engine.url.database)


def _pg_url_and_schema() -> tuple[str, str | None]:
    """The database's address as libpq reads it, and the schema the application uses when
    its address names one (``options=-csearch_path=…``)."""
    url = db.engine.url.set(drivername="postgresql")
    rendered = url.render_as_string(hide_password=False)
    options = parse_qs(urlsplit(rendered).query).get("options", [""])[0]
    schema = None
    for part in options.split():
        if part.startswith("-csearch_path="):
            schema = part.split("=", 1)[1].split(",")[0] or None
    return rendered, schema


def _revision() -> str:
    try:
        return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar() or ""
    except Exception:  # noqa: BLE001 - a database made by create_all has no Alembic table
        db.session.rollback()
        return ""


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


# --- making one ---------------------------------------------------------------------------------


def _dump_database(work: Path) -> str:
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        target = work / "database.sqlite"
        source = sqlite3.connect(_sqlite_path())
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)
        copy.close()
        source.close()
        return target.name
    url, schema = _pg_url_and_schema()
    target = work / "database.pgdump"
    command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
               f"--file={target}"] + ([f"--schema={schema}"] if schema else []) + [url]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"pg_dump a échoué : {done.stderr.strip()[:500]}")
    return target.name


def create(folder: Path) -> Path:
    """Write an archive of the database and of every stored file into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(timezone.utc)
    archive = folder / f"territoires-{now:%Y%m%d-%H%M%S}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="territoires-sauvegarde-") as temporary:
        work = Path(temporary)
        database = _dump_database(work)
        uploads = _upload_dir()
        files = sorted(p for p in uploads.rglob("*") if p.is_file()) if uploads.is_dir() else []
        manifest = {
            "format": FORMAT, "created_at": now.isoformat(),
            "database": db.engine.dialect.name,
            "schema": _pg_url_and_schema()[1] if db.engine.dialect.name == "postgresql" else None,
            "revision": _revision(),
            "members": {database: _digest(work / database),
                        **{f"files/{p.relative_to(uploads).as_posix()}": _digest(p)
                           for p in files}}}
        partial = archive.with_name(archive.name + ".partiel")
        with tarfile.open(partial, "w:gz") as tar:
            body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(body), int(now.timestamp())
            tar.addfile(info, io.BytesIO(body))
            tar.add(work / database, arcname=database)
            for path in files:
                tar.add(path, arcname=f"files/{path.relative_to(uploads).as_posix()}")
        os.replace(partial, archive)
    return archive


# --- reading and restoring one ------------------------------------------------------------------


def verify(archive: Path, into: Path) -> dict:
    """Unpack ``archive`` into ``into`` and check it against its manifest; the manifest, or
    ``BackupError`` saying what is wrong."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar.getmembers():
                if not (member.isfile() or member.isdir()):
                    raise BackupError(f"L'archive contient un élément inattendu : {member.name}.")
            tar.extractall(into, filter="data")
    except (tarfile.TarError, EOFError, OSError, ValueError, zlib.error) as exc:
        # zlib.error: a damaged byte inside a member's compressed data (tarfile wraps it only
        # when the damage is in the first block it reads)
        raise BackupError(f"L'archive est illisible ou incomplète ({exc}) : elle n'a pas été "
                          "restaurée.") from exc
    try:
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
        members = dict(manifest["members"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError("L'archive n'a pas de manifeste lisible : ce n'est pas une "
                          "sauvegarde de Territoires, ou elle est abîmée.") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Format d'archive inconnu : {manifest.get('format')!r}.")
    found = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()} - {MANIFEST}
    if found != set(members):
        missing, extra = sorted(set(members) - found), sorted(found - set(members))
        raise BackupError("L'archive ne correspond pas à son manifeste "
                          f"(manquant : {', '.join(missing[:5]) or 'rien'} ; en trop : "
                          f"{', '.join(extra[:5]) or 'rien'}) : elle n'a pas été restaurée.")
    damaged = [name for name, digest in members.items() if _digest(into / name) != digest]
    if damaged:
        raise BackupError(f"{len(damaged)} élément(s) de l'archive sont abîmés (par exemple "
                          f"{damaged[0]}) : elle n'a pas été restaurée.")
    return manifest


def _database_is_empty() -> bool:
    db.session.remove()
    if db.engine.dialect.name == "sqlite":
        path = _sqlite_path()
        if not path.exists() or path.stat().st_size == 0:
            return True
        with db.engine.connect() as connection:
            return not inspect(connection).get_table_names()
    _, schema = _pg_url_and_schema()
    with db.engine.connect() as connection:
        return not connection.execute(text(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = :schema"),
            {"schema": schema or "public"}).scalar()


def _drop_empty_schema() -> None:
    """The dump of a schema creates it: an empty one of the same name goes first."""
    _, schema = _pg_url_and_schema()
    if schema:
        with db.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}"'))


def _uploads_are_empty() -> bool:
    uploads = _upload_dir()
    return not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))


def restore(archive: Path) -> dict:
    """Restore ``archive`` into the empty database and upload folder, then rebuild the search
    index. The manifest, or ``BackupError`` (nothing was changed)."""
    with tempfile.TemporaryDirectory(prefix="territoires-restauration-") as temporary:
        work = Path(temporary)
        manifest = verify(archive, work)
        if manifest["database"] != db.engine.dialect.name:
            raise BackupError(f"Cette sauvegarde vient d'une base {manifest['database']} ; "
                              f"l'application est configurée pour {db.engine.dialect.name}.")
        if not _database_is_empty():
            raise BackupError("La base de données n'est pas vide : la restauration n'écrase "
                              "rien. Restaurez dans une base neuve.")
        if not _uploads_are_empty():
            raise BackupError(f"Le dossier des fichiers ({_upload_dir()}) n'est pas vide : la "
                              "restauration n'écrase rien.")
        db.session.remove()
        db.engine.dispose()
        if manifest["database"] == "sqlite":
            target = _sqlite_path()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work / "database.sqlite", target)
        else:
            _drop_empty_schema()
            db.engine.dispose()
            url, _ = _pg_url_and_schema()
            done = subprocess.run(["pg_restore", "--no-owner", "--no-privileges",
                                   "--exit-on-error", f"--dbname={url}",
                                   str(work / "database.pgdump")],
                                  capture_output=True, text=True)
            if done.returncode:
                raise BackupError(f"pg_restore a échoué : {done.stderr.strip()[:500]}")
        files = work / "files"
        if files.is_dir():
            shutil.copytree(files, _upload_dir(), dirs_exist_ok=True)
    from .search import services as search
    search.forget_backend(current_app._get_current_object())
    manifest["indexed"] = search.reindex()
    return manifest
