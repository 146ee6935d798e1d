"""« Télécharger mes données »: one ZIP with everything the application holds about a person,
read from the registry (``registry.HOLDINGS``): a JSON file per kind of data, a CSV twin for a
spreadsheet, the bytes of the files they sent under their original names, and a README in
French that says what each file is. Nothing of anyone else's content: each file holds only the
rows the registry declares the person's, narrowed to the columns it names."""
from __future__ import annotations

import csv
import enum
import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, or_, select

from ..accounts.models import User
from ..core import uploads
from ..core.frdates import format_datetime
from ..core.models import StoredFile
from ..core.timeutil import utcnow
from ..extensions import db
from . import registry

PROFILE_FIELDS = ("id", "email", "first_name", "last_name", "function_label", "phone",
                  "show_email", "show_phone", "show_function", "is_platform_admin",
                  "created_at", "last_login_at")


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)   # a UUID, an interval…


def _secret(name: str) -> bool:
    return any(word in name for word in registry.SECRET_WORDS)


def rows_of(holding: registry.Holding, user_id: int) -> list[dict]:
    """The person's rows of one holding, as plain values (no secret, no other person's key
    beyond the ones the row names)."""
    table = db.metadata.tables[holding.table]
    columns = [table.c[name] for name in holding.columns] if holding.columns else \
        [c for c in table.columns if not _secret(c.name)]
    query = select(*columns).where(table.c[holding.column] == user_id)
    if holding.where is not None:
        query = query.where(holding.where(table))
    primary = list(table.primary_key.columns)
    query = query.order_by(*primary)
    return [{key: _plain(value) for key, value in row._mapping.items()}
            for row in db.session.execute(query)]


def rows_by_address(table_name: str, column: str, user: User) -> list[dict]:
    """Rows that hold the person's address but not their account (subscribed signed out)."""
    table = db.metadata.tables[table_name]
    columns = [c for c in table.columns if not _secret(c.name)]
    query = (select(*columns).where(func.lower(table.c[column]) == user.email.lower())
             .order_by(*table.primary_key.columns))
    if "user_id" in table.c:   # those tied to the account are in the account's own files
        query = query.where(or_(table.c.user_id.is_(None), table.c.user_id != user.id))
    return [{key: _plain(value) for key, value in row._mapping.items()}
            for row in db.session.execute(query)]


def profile(user: User) -> dict:
    return {name: _plain(getattr(user, name)) for name in PROFILE_FIELDS}


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
    return out.getvalue()


def _file_name(stored: StoredFile, taken: set[str]) -> str:
    name = uploads.clean_filename(stored.original_name) or f"fichier-{stored.id}"
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        stem, dot, ext = name.rpartition(".")
        candidate = f"{stem}-{number}.{ext}" if dot else f"{name}-{number}"
    taken.add(candidate)
    return f"fichiers/{candidate}"


def write(user: User, out) -> None:
    """Write the person's archive into the binary file ``out`` (a temporary file for a
    download: the files they sent need not fit in memory)."""
    site = current_app.config["SITE_NAME"]
    listed: list[tuple[str, str, int]] = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("profil.json", json.dumps(profile(user), ensure_ascii=False, indent=2))
        sections = [(h.section, h.label, rows_of(h, user.id)) for h in registry.exported()]
        sections += [(section, label, rows_by_address(table, column, user))
                     for table, column, section, label in registry.ADDRESS_COPIES]
        for section, label, rows in sections:
            if not rows:
                continue
            archive.writestr(f"{section}.json", json.dumps(rows, ensure_ascii=False, indent=2))
            archive.writestr(f"{section}.csv", _csv(rows))
            listed.append((section, label, len(rows)))
        taken: set[str] = set()
        files = db.session.scalars(select(StoredFile).where(StoredFile.uploaded_by_id == user.id)
                                   .order_by(StoredFile.id)).all()
        sent = 0
        for stored in files:
            try:
                data = uploads.read(stored)
            except OSError:
                continue
            archive.writestr(_file_name(stored, taken), data)
            sent += 1
        archive.writestr("LISEZMOI.txt", _readme(site, user, listed, sent))


def _readme(site: str, user: User, listed, files: int) -> str:
    lines = [f"Vos données personnelles sur {site}",
             "=" * 40, "",
             f"Archive préparée le {format_datetime(utcnow())} pour {user.full_name} "
             f"({user.email}).", "",
             "Elle contient ce que l'application conserve à votre sujet : votre profil, vos",
             "organisations et espaces, ce que vous avez écrit ou déposé, vos abonnements et",
             "préférences, et l'historique de vos connexions. Elle ne contient rien de ce que",
             "d'autres personnes ont écrit, même dans vos conversations ou vos espaces.", "",
             "Chaque rubrique est donnée deux fois : en JSON (pour un autre logiciel) et en CSV",
             "(à ouvrir avec un tableur ; séparateur point-virgule, encodage UTF-8).", "",
             "- profil.json : votre profil"]
    lines += [f"- {section}.json / .csv : {label} ({count})" for section, label, count in listed]
    if files:
        lines.append(f"- fichiers/ : les {files} fichier(s) que vous avez envoyés, sous leur nom "
                     "d'origine")
    lines += ["", "Les dates sont en temps universel (UTC).", "",
              "Pour corriger une information, modifiez votre profil ; pour toute question, voyez",
              "la page « Données personnelles » du site."]
    return "\n".join(lines) + "\n"
