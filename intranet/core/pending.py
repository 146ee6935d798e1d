"""Pending files: what a person attached to a form that was refused.

A refused form (a validation error, a refusal by the service) must not make the person choose
their files again. The view keeps the files sent with it (``keep``); the form, shown again,
lists them (« déjà joint : devis.pdf », macro ``pending_files`` in ``_macros.html``) and carries
their ids in hidden inputs named ``PENDING_FIELD``; a ticked ``REMOVE_FIELD`` box drops one. On
the next submission ``carried`` gives the files still carried — only the person's own: another
person's id is a 404 — and the accepted change takes their stored files through
``uploads.take`` (``uploads.adopt``), which ends their pending state in the same transaction:
the file is moved, never sent or written again.

A view does all of this through one ``Submission``: ``files(name)`` for the service, ``kept()``
for the form shown again.

Pending files are bounded per person (``PENDING_UPLOAD_MAX_BYTES``) and in age
(``PENDING_UPLOAD_MAX_AGE``): ``claim`` ignores older ones and the worker's round ``purge``
deletes them, files included.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable, Iterable

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import func, select

from ..extensions import db
from . import csrf, uploads
from .models import PendingUpload, StoredFile
from .timeutil import utcnow
from .uow import unit_of_work

PENDING_FIELD = "fichier_en_attente"
REMOVE_FIELD = "retirer_fichier"


Sent = uploads.Sent     # a file as read from the request, before any check


def sent(files) -> list[Sent]:
    """The files of a file field (one ``FileStorage``, a list of them, or None), read once;
    empty inputs are left out."""
    if files is None:
        return []
    if not isinstance(files, (list, tuple)):
        files = [files]
    result = []
    for storage in files:
        if storage is None or isinstance(storage, str) or not getattr(storage, "filename", ""):
            continue
        storage.stream.seek(0)
        result.append(Sent(storage.read(), storage.filename))
        storage.stream.seek(0)
    return result


def _ids(values: Iterable[str]) -> list[int]:
    ids = []
    for value in values:
        value = (value or "").strip()
        if value.isdigit() and len(value) < 10:
            ids.append(int(value))
    return ids


def _oldest_kept() -> datetime:
    return utcnow() - current_app.config["PENDING_UPLOAD_MAX_AGE"]


def _size_message(limit: int) -> str:
    return (f"Les fichiers joints en attente dépassent {limit // (1024 * 1024)} Mo : "
            "retirez-en un ou envoyez le formulaire sans nouveau fichier.")


@unit_of_work
def keep(files: Iterable[Sent], user, *, field: str = "",
         allowed: tuple[str, ...] = uploads.DOCUMENTS) -> list[PendingUpload]:
    """Keep, for ``user``, the files of a refused form. A file the form would refuse anyway
    (type, size, content) is not kept: its error is the form's. Raise ``UploadError`` when the
    person's pending files would pass ``PENDING_UPLOAD_MAX_BYTES``; then nothing is kept."""
    if csrf.read_only():      # a form shown again after its token expired writes nothing
        return []
    files = [f for f in files if uploads.acceptable(f.data, f.filename, allowed=allowed)]
    if not files:
        return []
    limit = current_app.config["PENDING_UPLOAD_MAX_BYTES"]
    held = db.session.scalar(select(func.coalesce(func.sum(PendingUpload.size), 0))
                             .where(PendingUpload.owner_id == user.id)) or 0
    if held + sum(len(f.data) for f in files) > limit:
        raise uploads.UploadError(_size_message(limit))
    kept = []
    for sent_file in files:
        stored = uploads.store(sent_file.data, sent_file.filename, allowed=allowed, by=user)
        row = PendingUpload(owner_id=user.id, file=stored, field=field,
                            original_name=stored.original_name, size=stored.size)
        db.session.add(row)
        kept.append(row)
    return kept


def claim(ids: Iterable[int], user) -> list[PendingUpload]:
    """The pending files ``ids`` that ``user`` may use, in their order: a file of another
    person is a 404; one that expired or is gone is left out (nothing to show)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    rows = db.session.scalars(select(PendingUpload).where(PendingUpload.id.in_(ids))).all()
    if any(row.owner_id != user.id for row in rows):
        abort(404)
    oldest = _oldest_kept()
    by_id = {row.id: row for row in rows if row.created_at >= oldest}
    return [by_id[i] for i in ids if i in by_id]


@unit_of_work
def discard(ids: Iterable[int], user) -> None:
    """Drop pending files of ``user`` (« retirer »), their files included; another person's id
    is a 404. A form shown again after its token expired drops nothing (it writes nothing)."""
    rows = claim(ids, user)
    if csrf.read_only():
        return
    for row in rows:
        _delete(row)


def _delete(row: PendingUpload) -> None:
    stored = row.file
    db.session.delete(row)
    db.session.delete(stored)
    uploads.discard_after_commit([stored])


@unit_of_work
def purge(older_than: timedelta | None = None) -> int:
    """Delete the pending files older than ``older_than`` (PENDING_UPLOAD_MAX_AGE by default),
    their stored files included; return how many."""
    age = current_app.config["PENDING_UPLOAD_MAX_AGE"] if older_than is None else older_than
    rows = db.session.scalars(select(PendingUpload)
                              .where(PendingUpload.created_at < utcnow() - age)).all()
    for row in rows:
        _delete(row)
    return len(rows)


def carried(user) -> list[PendingUpload]:
    """The pending files the submitted form carries, less those ticked « retirer » (dropped
    now). For views, on a POST."""
    removed = set(_ids(request.form.getlist(REMOVE_FIELD)))
    if removed:
        discard(removed, user)
    return claim([i for i in _ids(request.form.getlist(PENDING_FIELD)) if i not in removed],
                 user)


def files_of(rows: Iterable[PendingUpload], field: str) -> list[StoredFile]:
    """The stored files of the carried rows chosen in ``field``."""
    return [row.file for row in rows if row.field == field]


class Submission:
    """The files of one submission of a form with file fields: the view's side of pending
    files, written once. ``fields``: each file field's name and the types the form accepts
    there; ``single``: the fields that hold one file, where a file sent now replaces the one
    carried.

    Made on a POST, it reads the files the form carries (``carried``: a ticked « retirer »
    drops one; another person's id is a 404). ``files(name)`` gives the accepted change what
    to take for a field: the carried files (``StoredFile``) then those sent now (``Sent``),
    both taken by ``uploads.take``. After a refusal, ``kept()`` keeps the files sent now for
    the person and returns every pending file the form shown again lists as « déjà joint »."""

    def __init__(self, form, fields: dict[str, tuple[str, ...]], *, single: Iterable[str] = (),
                 user=None, accept: Callable[[Sent], bool] | None = None):
        # ``accept``: a finer check than the type's (photos: is it really an image?); a file
        # it refuses is not kept, since the form shown again says why.
        self.form, self.fields, self.single, self.accept = form, fields, set(single), accept
        self.user = user if user is not None else current_user
        self.posted = request.method == "POST"
        self.carried = carried(self.user) if self.posted else []
        self._sent: dict[str, list[Sent]] = {}

    def sent(self, name: str) -> list[Sent]:
        """The files sent now in the field ``name`` (read once)."""
        if name not in self._sent:
            self._sent[name] = sent(getattr(self.form, name).data) if self.posted else []
        return self._sent[name]

    def files(self, name: str) -> list:
        """What the accepted change takes for the field ``name``."""
        new, held = self.sent(name), files_of(self.carried, name)
        if name in self.single:
            return (new or held)[:1]
        return [*held, *new]

    def file(self, name: str):
        """``files(name)`` of a one-file field: the file, or None."""
        return next(iter(self.files(name)), None)

    def kept(self) -> list[PendingUpload]:
        """After a refusal: the files sent now, kept for the person, with those carried. A
        file sent in a one-file field drops the one carried there. When the person's bound
        would be passed, the field says so and its new files are not kept. A form shown again
        after its token expired keeps and drops nothing: it lists what it carried."""
        if not self.posted or csrf.read_only():
            return list(self.carried)
        result = list(self.carried)
        for name, allowed in self.fields.items():
            new = [f for f in self.sent(name) if self.accept is None or self.accept(f)]
            if not new:
                continue
            if name in self.single:
                replaced = [p for p in result if p.field == name]
                if replaced:
                    discard([p.id for p in replaced], self.user)
                    result = [p for p in result if p.field != name]
            try:
                result += keep(new, self.user, field=name, allowed=allowed)
            except uploads.UploadError as exc:
                field = getattr(self.form, name)
                field.errors = [*field.errors, str(exc)]
        return result
