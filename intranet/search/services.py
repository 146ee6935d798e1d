"""The search service: one interface whatever the backend.

- session hooks, ``index(obj)``, ``remove(obj)``: every change to a searchable object is
  queued in its own transaction (so a failed index write never loses it, and nothing is
  indexed before commit);
- ``process_queue``: the single writer applies queued changes in batches;
- ``query(user, request)``: permission filtering inside the backend's query, from the
  person's live spaces; objects with a pending change are left out until applied;
- ``reindex``: rebuild everything from the database.
"""
from __future__ import annotations

import gc
import os
import shutil
import warnings
from collections.abc import Callable
from dataclasses import replace

from flask import current_app
from sqlalchemy import delete, event, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from .. import access
from ..accounts.models import Organisation
from ..core.timeutil import utcnow
from ..extensions import db
from .backends import BusyError, IndexDamaged, QueryError, Results, Scope, SearchRequest
from .documents import SearchDocument, TYPE_LABELS, key_of, registered
from .models import SearchQueue

BATCH = 500
MAX_PENDING_MASK = 2000
MAX_PAGE = 10_000


# --- the backend of this application ---------------------------------------------------------


def backend():
    app = current_app._get_current_object()
    existing = app.extensions.get("search_backend")
    if existing is None:
        if app.config["SEARCH_BACKEND"] == "postgres":
            from .backends.postgres import PostgresBackend
            existing = PostgresBackend()
        else:
            from .backends.whoosh import WhooshBackend
            path = app.config["SEARCH_INDEX_DIR"] or os.path.join(app.instance_path, "search")
            existing = WhooshBackend(path, app.config["SEARCH_REFRESH_SECONDS"],
                                     app.config["SEARCH_CACHE_MB"])
        app.extensions["search_backend"] = existing
    return existing


# --- a damaged index ------------------------------------------------------------------------
# A file of the Whoosh index cut short or missing (a full disk, a crash, a restore gone wrong)
# is found when the application or the worker starts (``check``) or when a search fails:
# a marker file beside the index then tells every process that searches must wait, and the
# worker (``repair``) rebuilds the index from the database and removes the marker. The rest of
# the site never reads the index.


def _index_path() -> str:
    return current_app.config["SEARCH_INDEX_DIR"] or os.path.join(current_app.instance_path,
                                                                   "search")


def _marker() -> str:
    return _index_path().rstrip("/\\") + ".a-reconstruire"


def damaged() -> bool:
    """Whether the index is waiting to be rebuilt (any process may have found it damaged)."""
    return current_app.config["SEARCH_BACKEND"] != "postgres" and os.path.exists(_marker())


def mark_damaged(reason: str) -> None:
    """Searches answer « en cours de reconstruction » until the worker has rebuilt the index."""
    current_app.logger.error("search: the index is damaged and will be rebuilt: %s", reason)
    with open(_marker(), "w", encoding="utf-8") as marker:
        marker.write(f"{utcnow().isoformat()} {reason}\n")
    forget_backend(current_app._get_current_object())


def _let_go(exc: BaseException) -> str:
    """What a failed read of the index raised, in words; the files Whoosh had opened before
    failing (kept alive by the traceback's frames) are closed now, quietly, rather than left
    for the garbage collector to warn about later."""
    reason = f"{type(exc).__name__}: {exc}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        seen, current = set(), exc
        while current is not None and id(current) not in seen:   # the whole chain
            seen.add(id(current))
            current.__traceback__ = None
            current = current.__context__ or current.__cause__
        gc.collect()
    return reason


def check() -> bool:
    """Read a little of every file of the index (at start); a damaged one is marked for the
    worker to rebuild. True when the index is sound."""
    if current_app.config["SEARCH_BACKEND"] == "postgres" or damaged():
        return not damaged()
    try:
        backend().check()
    except Exception as exc:  # noqa: BLE001 - whatever a damaged file raises
        mark_damaged(_let_go(exc))
        return False
    return True


def repair() -> int | None:
    """The worker's step: if the index was found damaged, rebuild it from the database (the
    damaged files removed first) and let searches through again. Returns the number of
    documents, None when there was nothing to repair."""
    if not damaged():
        return None
    forget_backend(current_app._get_current_object())
    shutil.rmtree(_index_path(), ignore_errors=True)
    total = reindex()
    os.remove(_marker())
    return total


def forget_backend(app) -> None:
    """Drop the application's backend (its configuration changed): closes its files, the next
    use creates it anew."""
    existing = app.extensions.pop("search_backend", None)
    if existing is not None and hasattr(existing, "close"):
        existing.close()


def warm() -> None:
    """Load what the backend's queries read before the first one (each application process
    calls it at start, from wsgi.py). A failure is logged, never fatal: search then warms on
    its first query."""
    if not check():
        return
    try:
        getattr(backend(), "warm", lambda: None)()
    except Exception:  # noqa: BLE001 - starting the application matters more
        current_app.logger.exception("search: warming the index failed")


# --- queueing changes with their transaction ------------------------------------------------


@event.listens_for(Session, "after_flush")
def _collect(session, _context):
    keys = session.info.setdefault("search_keys", set())
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        changed = (obj in session.new or obj in session.deleted
                   or session.is_modified(obj, include_collections=False))
        if not changed:
            continue
        key = key_of(obj)
        if key is not None and (obj in session.new or obj in session.deleted
                                or _shown_change(obj)):
            keys.add(key)
        # A row that is part of another object's document (an attachment's text in its
        # page's, a membership in a person's): ``{type_key: foreign key attribute}``.
        for type_key, attribute in getattr(type(obj), "__search_follow__", {}).items():
            parent_id = getattr(obj, attribute, None)
            if parent_id is not None:
                keys.add(f"{type_key}:{parent_id}")


def _shown_change(obj) -> bool:
    """Whether a changed row changed something its document may show: an attribute other than
    those its model declares ``unread`` (``searchable``)."""
    unread = type(obj).__search_unread__
    return not unread or any(
        attribute.key not in unread and attribute.history.has_changes()
        for attribute in sa_inspect(obj).attrs)


@event.listens_for(Session, "before_commit")
def _enqueue(session):
    if not session.is_active:
        return
    session.flush()  # collect what the commit's own flush would have changed
    keys = session.info.pop("search_keys", set())
    if keys:
        session.add_all(SearchQueue(key=key) for key in sorted(keys))


@event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop("search_keys", None)


def index(obj) -> None:
    """(Re)index ``obj`` once the current transaction commits. Saving a searchable object
    queues it already; call this when what its document shows changed elsewhere (its
    conversation's readers, its folder's bin)."""
    key = key_of(obj)
    if key is not None:
        db.session.add(SearchQueue(key=key))


def reindex_organisation(organisation) -> None:
    """Index again, once the current transaction commits, what names an organisation: its own
    document, everything filed under it, and its members' directory entries (after a rename)."""
    keys = {key_of(organisation), *backend().keys_of_organisation(organisation.id)}
    keys |= {key_of(m.user) for m in organisation.memberships}
    db.session.add_all(SearchQueue(key=key) for key in sorted(k for k in keys if k))


def remove(obj) -> None:
    """Take ``obj`` out of the index once the current transaction commits, when it was deleted
    or hidden by a bulk statement that the session's events do not see. The writer reads
    every queued key from the database: an object that still has a document stays."""
    index(obj)


# --- the writer --------------------------------------------------------------------------------


def _load(key: str):
    type_key, _, ident = key.partition(":")
    model = registered().get(type_key)
    if model is None or not ident.isdigit():
        return None
    return db.session.get(model, int(ident))


def document_of(obj) -> SearchDocument | None:
    return obj.search_document() if obj is not None else None


def process_queue(limit: int = BATCH) -> int:
    """Apply up to ``limit`` queued changes in one backend write. Returns how many were
    applied; on a backend failure they stay queued (with the error) for the next round."""
    query = select(SearchQueue).order_by(SearchQueue.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = db.session.scalars(query).all()
    if not rows:
        db.session.rollback()
        return 0
    documents, removed = [], []
    for key in sorted({row.key for row in rows}):
        doc = document_of(_load(key))
        (documents.append(doc) if doc is not None else removed.append(key))
    ids = [row.id for row in rows]
    try:
        backend().write(documents, removed)
    except Exception as exc:  # busy index, disk full…: retried next round, never lost
        db.session.rollback()
        error = f"{type(exc).__name__}: {exc}"[:2000]
        for row in db.session.scalars(select(SearchQueue).where(SearchQueue.id.in_(ids))):
            row.attempts += 1
            row.last_error = error
        db.session.commit()
        raise
    db.session.execute(delete(SearchQueue).where(SearchQueue.id.in_(ids)))
    db.session.commit()
    backend().refresh()
    return len(rows)


def drain() -> int:
    """Apply everything queued (tests, the CLI)."""
    total = 0
    while (done := process_queue()):
        total += done
    return total


def pending_keys_query():
    """The keys whose change the writer has not applied yet (at most MAX_PENDING_MASK)."""
    return select(SearchQueue.key).distinct().limit(MAX_PENDING_MASK)


def pending_keys() -> list[str]:
    return list(db.session.scalars(pending_keys_query()))


def _batches(model, size: int = BATCH):
    """All rows of a model, in id order, one fresh query and one identity map per batch."""
    options = model.search_load_options() if hasattr(model, "search_load_options") else ()
    last = 0
    while True:
        rows = db.session.scalars(select(model).options(*options).where(model.id > last)
                                  .order_by(model.id).limit(size)).unique().all()
        if not rows:
            return
        yield rows
        last = rows[-1].id
        db.session.commit()       # keeps the text extracted from files
        db.session.expunge_all()  # and memory flat over 100,000 objects


def reindex(progress: Callable[[int], None] | None = None, procs: int = 1) -> int:
    """Rebuild the whole index from the database. Returns the number of documents."""
    started = db.session.scalar(select(func.max(SearchQueue.id))) or 0
    backend().clear()
    total = 0
    with backend().bulk(procs=procs) as add:
        for model in registered().values():
            for rows in _batches(model):
                documents = [doc for doc in (row.search_document() for row in rows) if doc]
                add(documents)
                total += len(documents)
                if progress:
                    progress(len(rows))
    # what was queued before the rebuild started is in it now
    db.session.execute(delete(SearchQueue).where(SearchQueue.id <= started))
    db.session.commit()
    backend().refresh()
    return total


def countable() -> int:
    return sum(db.session.scalar(select(func.count()).select_from(model))
               for model in registered().values())


# --- querying -------------------------------------------------------------------------------------


def scope_for(user) -> Scope:
    """What ``user`` may read, and the documents left out until the writer applies them (a
    backend that ``reads_pending_keys`` reads those with its first statement instead)."""
    read = access.read_scope(user)
    return Scope(signed_in=read.signed_in, user_id=read.user_id,
                 visible_space_ids=read.visible_space_ids,
                 member_space_ids=read.member_space_ids,
                 pending_keys=() if backend().reads_pending_keys else tuple(pending_keys()))


def query(user, request: SearchRequest) -> Results:
    """Search as ``user``; raises QueryError (French message) for a query that can't run."""
    # a page number from an address: past the last page is empty, past MAX_PAGE too (and
    # PostgreSQL's OFFSET is a bigint)
    request = replace(request, page=min(max(request.page, 1), MAX_PAGE))
    if damaged():
        raise IndexDamaged()
    scope = scope_for(user)
    try:
        results = backend().search(request, scope)
    except (QueryError, BusyError):
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged or missing file of the index
        if current_app.config["SEARCH_BACKEND"] == "postgres":
            raise
        mark_damaged(_let_go(exc))
        raise IndexDamaged() from None
    if results.organisations:
        names = results.organisation_names or {}
        missing = [org for org in results.organisations if org not in names]
        if missing:
            names = {**names, **dict(db.session.execute(
                select(Organisation.id, Organisation.name)
                .where(Organisation.id.in_(missing))).all())}
        results.organisations = {org: (names.get(org, "?"), n)
                                 for org, n in results.organisations.items()}
    return results


def type_label(type_key: str) -> str:
    return TYPE_LABELS.get(type_key, type_key)


__all__ = ["QueryError", "SearchRequest", "Results", "backend", "drain", "forget_backend",
           "index", "process_queue", "query", "reindex", "remove", "type_label", "warm"]
