"""Uploaded files: checked (size, allow-listed type, content matching the type), stored under
instance/uploads with a random name, served with a fixed Content-Type and `nosniff`."""
from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from pathlib import Path
from typing import NamedTuple

from flask import Response, current_app, send_file
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from .models import PendingUpload, StoredFile

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# extension → (Content-Type, check of the first bytes, may be shown inline)
TYPES = {
    "pdf": ("application/pdf", lambda d: d.startswith(b"%PDF-"), True),
    "png": ("image/png", lambda d: d.startswith(b"\x89PNG\r\n\x1a\n"), True),
    "jpg": ("image/jpeg", lambda d: d.startswith(b"\xff\xd8\xff"), True),
    "jpeg": ("image/jpeg", lambda d: d.startswith(b"\xff\xd8\xff"), True),
    "gif": ("image/gif", lambda d: d[:6] in (b"GIF87a", b"GIF89a"), True),
    "webp": ("image/webp", lambda d: d[:4] == b"RIFF" and d[8:12] == b"WEBP", True),
    "odt": ("application/vnd.oasis.opendocument.text", lambda d: d.startswith(_ZIP), False),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", lambda d: d.startswith(_ZIP), False),
    "odp": ("application/vnd.oasis.opendocument.presentation", lambda d: d.startswith(_ZIP), False),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             lambda d: d.startswith(_ZIP), False),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             lambda d: d.startswith(_ZIP), False),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
             lambda d: d.startswith(_ZIP), False),
    "doc": ("application/msword", lambda d: d.startswith(_OLE), False),
    "xls": ("application/vnd.ms-excel", lambda d: d.startswith(_OLE), False),
    "csv": ("text/csv; charset=utf-8", lambda d: b"\x00" not in d[:4096], False),
    "txt": ("text/plain; charset=utf-8", lambda d: b"\x00" not in d[:4096], False),
}
IMAGES = ("png", "jpg", "jpeg", "gif", "webp")
DOCUMENTS = tuple(TYPES)


class UploadError(ValueError):
    """Refused upload, with a French message; nothing was stored."""


class Sent(NamedTuple):
    """A file as received (a form's field, a mail's part), before any check: also the pair
    ``(data, filename)``."""
    data: bytes
    filename: str


def _limit() -> int:
    return current_app.config["UPLOAD_MAX_BYTES"]


def _folder() -> Path:
    folder = Path(current_app.config["UPLOAD_DIR"]) / "files"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def clean_filename(name: str) -> str:
    """A displayable file name: no path, no control characters, at most 200 characters."""
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = "".join(c for c in name if c.isprintable() and c not in '<>:"/\\|?*').strip(". ")
    return name[:200] or "fichier"


def check(data: bytes, filename: str, *, allowed: tuple[str, ...] = DOCUMENTS) -> tuple[str, str]:
    """(clean name, extension) of a file that may be stored; raise UploadError otherwise."""
    name = clean_filename(filename)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not data:
        raise UploadError("Le fichier est vide.")
    if len(data) > _limit():
        raise UploadError(f"Le fichier « {name} » dépasse la taille autorisée "
                          f"({_limit() // (1024 * 1024)} Mo).")
    if extension not in allowed:
        kinds = ", ".join(sorted({e.upper() for e in allowed}))
        raise UploadError(f"Le type de fichier « .{extension or '?'} » n'est pas accepté. "
                          f"Types acceptés : {kinds}.")
    if not TYPES[extension][1](data):
        raise UploadError(f"Le contenu de « {name} » ne correspond pas à un fichier "
                          f".{extension} : il est peut-être endommagé ou mal nommé.")
    return name, extension


def acceptable(data: bytes, filename: str, *, allowed: tuple[str, ...] = DOCUMENTS) -> bool:
    """Whether ``store`` would accept the file (for files that arrive by mail: skipped, not
    refused, when they would not be)."""
    try:
        check(data, filename, allowed=allowed)
    except UploadError:
        return False
    return True


def store(data: bytes, filename: str, *, allowed: tuple[str, ...] = DOCUMENTS,
          by=None) -> StoredFile:
    """Check and store a file; add its row to the caller's transaction."""
    name, extension = check(data, filename, allowed=allowed)
    content_type = TYPES[extension][0]
    storage_name = secrets.token_hex(20)
    path = _folder() / storage_name
    write(path, data)
    stored = StoredFile(storage_name=storage_name, original_name=name, extension=extension,
                        content_type=content_type, size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(),
                        uploaded_by_id=getattr(by, "id", None))
    db.session.add(stored)
    return stored


def adopt(stored: StoredFile, *, allowed: tuple[str, ...] = DOCUMENTS) -> StoredFile:
    """A file already stored (a pending file, ``core/pending.py``) taken as it is by the
    caller's change: its type is checked against ``allowed`` and it stops being pending in the
    caller's transaction (it stays pending if that rolls back). Nothing is written again."""
    if stored.extension not in allowed:
        kinds = ", ".join(sorted({e.upper() for e in allowed}))
        raise UploadError(f"Le type de fichier « .{stored.extension} » n'est pas accepté. "
                          f"Types acceptés : {kinds}.")
    db.session.execute(db.delete(PendingUpload).where(PendingUpload.file_id == stored.id))
    return stored


def take(upload, *, allowed: tuple[str, ...] = DOCUMENTS, by=None) -> StoredFile:
    """The stored file of an upload, for the caller's change: a file sent now (``Sent`` or a
    ``(data, filename)`` pair) is checked and stored; a pending file already stored
    (``StoredFile``, ``core/pending.py``) is adopted as it is. Raise ``UploadError``."""
    if isinstance(upload, StoredFile):
        return adopt(upload, allowed=allowed)
    data, filename = upload
    return store(data, filename, allowed=allowed, by=by)


# Files follow the transaction of the change that writes or removes them: a file written for
# a change that is rolled back is removed (nothing is left orphaned); a file whose row goes is
# removed once the change is committed (never before: a failed change keeps its files).

NO_ROOM = ("Le serveur n'a pas pu enregistrer le fichier (son disque est plein ou "
           "inaccessible) : rien n'a été enregistré. Réessayez plus tard, ou prévenez "
           "l'administrateur de la plateforme si cela se reproduit.")


def _put(handle, data: bytes) -> None:
    """Every byte of ``data`` into the open file (tests make it fail half-way)."""
    handle.write(data)
    handle.flush()
    os.fsync(handle.fileno())


def write(path: Path, data: bytes) -> None:
    """Write a file for the current transaction: removed again if it rolls back. The bytes go
    to a temporary name first, renamed once all are on disk, so that a full or unwritable
    disk leaves nothing half-written: the temporary file is removed and ``UploadError`` says
    so in French (the caller's change is then rolled back: the database is unchanged)."""
    partial = path.with_name(f".{path.name}.partiel")
    try:
        with open(partial, "wb") as handle:
            _put(handle, data)
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        current_app.logger.error("uploads: could not write %s: %s", path.name, exc)
        raise UploadError(NO_ROOM) from exc
    db.session.info.setdefault("written_files", []).append(path)


def remove_after_commit(path: Path) -> None:
    """Remove a file once the current transaction commits (kept if it rolls back)."""
    db.session.info.setdefault("files_to_remove", []).append(path)


def discard_after_commit(files) -> None:
    """Remove the files of rows the current transaction deletes, once it commits."""
    for stored in files:
        remove_stored_after_commit(stored.storage_name)


def remove_stored_after_commit(storage_name: str) -> None:
    """``discard_after_commit`` by the stored name, for a row deleted by a statement."""
    remove_after_commit(_folder() / storage_name)


@event.listens_for(Session, "after_rollback")
def _forget_written_files(session):
    for path in session.info.pop("written_files", []):
        path.unlink(missing_ok=True)
    session.info.pop("files_to_remove", None)


@event.listens_for(Session, "after_commit")
def _keep_written_files(session):
    session.info.pop("written_files", None)
    for path in session.info.pop("files_to_remove", []):
        path.unlink(missing_ok=True)


def read(stored: StoredFile) -> bytes:
    return (_folder() / stored.storage_name).read_bytes()


def text_of(stored: StoredFile) -> str:
    """The file's text for search, extracted once (by the index writer) and kept."""
    if not stored.text and stored.extension in ("pdf", "odt", "ods", "odp", "docx", "xlsx",
                                                "pptx", "txt", "csv"):
        from .textextract import extract
        try:
            stored.text = extract(read(stored), stored.extension) or " "
        except OSError:
            return ""
    return stored.text.strip()


def send(stored: StoredFile, *, download_name: str | None = None,
         inline: bool = False) -> Response:
    """The file as a download; call only after the owner object's access check."""
    _, _, may_inline = TYPES.get(stored.extension, ("", None, False))
    response = send_file(_folder() / stored.storage_name, mimetype=stored.content_type,
                         as_attachment=not (inline and may_inline),
                         download_name=download_name or stored.original_name,
                         conditional=True, etag=stored.sha256, max_age=0)
    # The stored type is complete ("text/csv; charset=utf-8"): send it as it is, since
    # send_file's mimetype would have a second charset appended to a text type.
    response.headers["Content-Type"] = stored.content_type
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-cache"
    return response
