"""Generations: a token that changes, in the same transaction, whenever rows that a cache was
computed from change, so that a process may keep what it computed from them across requests.

A domain names what its cache depends on:

    generations.watch("access", Membership)                        # any change of a row
    generations.watch("access", Space, columns=("name", "archived"))  # only these columns
    generations.watch("access", User, columns=())          # only rows added or removed

Every flush that inserts, deletes or changes (in those columns) a watched row, and every bulk
INSERT, UPDATE or DELETE run through the session on a watched table, gives the generation a
new random token before the transaction commits. ``tokens_column()`` is a scalar subquery of
every token, for a statement the request runs anyway (the user loader's): whoever reads the
same token reads the same rows. A missing row (a database emptied by hand)
reads as None, which must mean « do not reuse anything ».

Random tokens, not counters: a database restored from a backup, or emptied and filled again
by the tests, never gives an old token to different rows.

The user loader reads every watched generation's token with the person (``columns``); a
signed-in page may then keep across requests, per process, a value computed from those rows
(``kept``: the filters' choices of a list, a table of organisations), reused while the request
reads the same tokens. A visitor's page reads no token and computes afresh.
"""
from __future__ import annotations

import secrets
from collections import defaultdict

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import String, event, func, inspect, select, update
from sqlalchemy.orm import (Mapped, Session, make_transient_to_detached, mapped_column,
                            object_session)
from sqlalchemy.orm.attributes import instance_dict, set_committed_value

from ..extensions import db


class Generation(db.Model):
    __tablename__ = "generation"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


ACCESS = "access"   # what people may reach: the user loader reads it (``access.reach``)

_WATCHED: dict[type, dict[str, tuple[str, ...] | None]] = defaultdict(dict)
_TABLES: dict[str, set[str]] = defaultdict(set)   # table name → generations


def watch(name: str, model: type, columns: tuple[str, ...] | None = None) -> None:
    if model not in _WATCHED:
        event.listen(model, "after_insert", _row_written, propagate=True)
        event.listen(model, "after_delete", _row_written, propagate=True)
        event.listen(model, "after_update", _row_updated, propagate=True)
    _WATCHED[model][name] = columns
    _TABLES[model.__table__.name].add(name)


def names() -> tuple[str, ...]:
    """Every watched generation, in a fixed order (the loader reads their tokens in it)."""
    return tuple(sorted({name for watched in _WATCHED.values() for name in watched}))


def tokens_column():
    """Every generation's token, as one scalar subquery for the loader's statement (one string
    of ``name=token`` pairs: one scan of the table, where a subquery per generation cost
    PostgreSQL an index scan each); ``read_tokens`` reads it."""
    return select(func.aggregate_strings(Generation.name + "=" + Generation.token, ",")
                  ).scalar_subquery()


def read_tokens(read: tuple[str, ...], value: str | None) -> dict[str, str | None]:
    """The tokens of ``read`` in what ``tokens_column`` gave (None for a missing row)."""
    found = dict(pair.split("=", 1) for pair in value.split(",")) if value else {}
    return {name: found.get(name) for name in read}


def advance(session: Session, names) -> None:
    """New tokens for ``names``, in the session's transaction (a row made if missing)."""
    connection = session.connection()
    for name in sorted(names):
        token = secrets.token_hex(16)
        changed = connection.execute(update(Generation.__table__)
                                     .where(Generation.__table__.c.name == name)
                                     .values(token=token)).rowcount
        if not changed:
            connection.execute(Generation.__table__.insert().values(name=name, token=token))
    if has_request_context():
        for name in names:
            g.pop(f"generation_{name}", None)   # this request no longer reads what it read


def _touch(target, names) -> None:
    session = object_session(target)
    if session is not None and names:
        session.info.setdefault("generations", set()).update(names)


def _watched(mapper) -> dict:
    for cls in mapper.class_.__mro__:
        if cls in _WATCHED:
            return _WATCHED[cls]
    return {}


def _row_written(mapper, connection, target) -> None:
    """A watched row inserted or deleted, orphans and cascades included (mapper events see
    every row a flush writes)."""
    _touch(target, _watched(mapper))


def _row_updated(mapper, connection, target) -> None:
    state = inspect(target)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    _touch(target, [name for name, columns in _watched(mapper).items()
                    if changed & set(columns if columns is not None
                                     else (a.key for a in mapper.column_attrs))])


@event.listens_for(Session, "after_flush_postexec")
def _after_flush(session, flush_context) -> None:
    touched = session.info.pop("generations", None)
    if touched:
        advance(session, touched)


@event.listens_for(Session, "do_orm_execute")
def _bulk(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    names = _TABLES.get(getattr(table, "name", None))
    if names:
        advance(state.session, names)


def request_token(name: str) -> str | None:
    """The token the request's user loader read (None outside a request, before the loader, or
    after this request changed a watched row: then nothing computed earlier may be reused)."""
    return g.get(f"generation_{name}") if has_request_context() else None


def remember(name: str, token: str | None) -> None:
    if has_request_context() and token is not None:
        setattr(g, f"generation_{name}", token)


# --- values kept across requests ----------------------------------------------------------------
# Per process: (what, key) → (the tokens it was computed under, the value). Emptied when full.
# The largest values are a drawn page of 100 organisations or a directory page of 50 people,
# 30 to 50 KB: 500 of them are at most 25 MB per worker; most are lists of choices, a few KB.
_KEPT: dict[tuple, tuple[tuple, object]] = {}
KEPT_MAX = 500
_STORES: list[dict] = []


def kept(read: str | tuple[str, ...], key: tuple, compute, *, store: dict | None = None,
         limit: int | None = None):
    """``compute()``, kept by the process and reused while the request's user loader reads the
    same tokens for the generations ``read``: nothing the value was computed from has changed.

    ``key`` names the value and everything else it depends on (the filters typed, the page's
    number, whether the reader is signed in): two calls with the same key and tokens must
    want the same value, whoever makes them. The value is plain data (numbers, strings,
    tuples, ``Markup``), never rows of the session, and is not changed by those who read it.
    Without the tokens (a visitor, a command, a request that has written a watched row) the
    value is computed afresh and not kept. Values of which there may be many (one per word
    searched) have a ``store`` of their own, emptied when it holds ``limit`` of them, so that
    they never push the pages' values out."""
    read = (read,) if isinstance(read, str) else tuple(read)
    if has_request_context() and not current_user.is_authenticated:   # loads the person
        return compute()                                     # first: their loader reads tokens
    return kept_under(tuple(request_token(name) for name in read), (read, key), compute,
                      store=store, limit=limit)


def kept_under(tokens: tuple, entry: tuple, compute, *, store: dict | None = None,
               limit: int | None = None):
    """``kept`` for tokens the caller read itself (the user loader, before the request has
    a person): ``compute()`` kept under ``entry`` while ``tokens`` stay the same; computed
    afresh, and not kept, when a token is missing."""
    if None in tokens:
        return compute()
    store = _KEPT if store is None else store
    limit = KEPT_MAX if limit is None else limit
    found = store.get(entry)
    if found is not None and found[0] == tokens:
        return found[1]
    value = compute()
    if len(store) >= limit:
        store.clear()
    store[entry] = (tokens, value)
    return value


def kept_store() -> dict:
    """A store of kept values of their own (``kept(…, store=…)``), emptied by ``forget_kept``
    with the others."""
    store: dict = {}
    _STORES.append(store)
    return store


def forget_kept() -> None:
    _KEPT.clear()
    for store in _STORES:
        store.clear()


# --- rows kept across requests -----------------------------------------------------------------
# model → the generation that watches every column of its rows (``rows_kept``)
_ROWS: dict[type, str] = {}


def rows_kept(name: str, model: type) -> None:
    """``model``'s rows, read by one of their unique columns (a space or an organisation found
    by the slug of its address), may be kept by the process (``kept_row``): the generation
    ``name`` watches every column."""
    watch(name, model)
    _ROWS[model] = name


def kept_row(model: type | tuple[type, ...], statement, params: dict):
    """The one row that ``statement`` (bound by ``params``) selects, or None: an object of
    ``model``, or for a tuple of models (a statement that joins them) a tuple of objects, None
    where an outer join found nothing.

    For models declared by ``rows_kept``, the column values are kept across requests
    (``kept``) and each object is given to the request's session as if it had been read: a
    persistent object, clean, whose relationships load as usual. So a page that finds its
    space by its address needs no statement for it while no space has changed."""
    models = model if isinstance(model, tuple) else (model,)
    read_names = {_ROWS.get(each) for each in models}
    if None in read_names:
        found = db.session.execute(statement, params).first()
        return found if found is None or isinstance(model, tuple) else found[0]
    read = []

    def compute():
        found = db.session.execute(statement, params).first()
        read.append(found)
        return None if found is None else tuple(
            None if row is None else column_values(row) for row in found)
    values = kept(tuple(sorted(read_names)),
                  ("row", *(each.__name__ for each in models), *sorted(params.items())), compute)
    if read:
        found = read[0]
    else:
        found = None if values is None else tuple(
            None if columns is None else attached(each, columns)
            for each, columns in zip(models, values))
    return found if found is None or isinstance(model, tuple) else found[0]


def column_values(row) -> tuple:
    """The loaded column values of ``row``, as (attribute, value) pairs: what ``attached``
    gives back as a row of the session (a kept value)."""
    loaded = inspect(row).dict
    return tuple((attr.key, loaded[attr.key]) for attr in inspect(type(row)).column_attrs
                 if attr.key in loaded)


def attached(model: type, values: tuple):
    """The row of ``values`` in the request's session: the object the session holds already
    (its unloaded columns filled in), else a new persistent object, as a query would give."""
    mapper = inspect(model)
    columns = dict(values)
    identity = mapper.identity_key_from_primary_key(
        [columns[mapper.get_property_by_column(column).key] for column in mapper.primary_key])
    session = db.session()
    row = session.identity_map.get(identity)
    if row is not None:
        loaded = inspect(row).dict
        for key, value in values:
            if key not in loaded:
                set_committed_value(row, key, value)
        return row
    row = mapper.class_manager.new_instance()
    instance_dict(row).update(values)   # a new object: its loaded values, nothing to reconcile
    make_transient_to_detached(row)
    session.add(row)
    return row
