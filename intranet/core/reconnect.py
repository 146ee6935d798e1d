"""Database connections that died: tested after a rest, and a read served again.

A connection the pool hands out after resting more than ``DATABASE_PING_AFTER_IDLE`` seconds
is tested first (one round trip), so no request starts on a connection that died while it
waited (PostgreSQL restarted, a network cut, an idle timeout on a proxy); a dead one is
replaced. A connection used less than that ago is not tested: a busy server would otherwise
pay a round trip per request (on PostgreSQL, a fifth of a simple page's time), for a restart
that happens a few times a year (``pool_pre_ping`` tests every time).

A connection may still die while a request uses it: PostgreSQL restarted since its last use,
or between two of its statements. A GET or HEAD request changes nothing the person asked for
(what it writes on the side, such as a session's last use, is written again), so it is run
once more, on a new connection, instead of answering « Erreur interne ». A form sent (POST) is
never run twice: its transaction was rolled back, and the error page says nothing was
half-saved."""
from __future__ import annotations

import time

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError

from ..extensions import db
from .templating import Environment

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})


def _lost_connection(exc: DBAPIError) -> bool:
    return bool(exc.connection_invalidated)


SYNC_FUNCTIONS_MAX = 1000
_RESTED_SINCE = "territoires_rested_since"   # in a pooled connection's ``info``


def ping_rested_connections(engine: Engine, after_idle: float) -> None:
    """Connections of ``engine`` are tested when the pool hands them out after resting more
    than ``after_idle`` seconds (SQLAlchemy's « pessimistic » handling, by pool events)."""
    def rested(dbapi_connection, record, *_args) -> None:
        record.info[_RESTED_SINCE] = time.monotonic()

    def checkout(dbapi_connection, record, proxy) -> None:
        since = record.info.get(_RESTED_SINCE)
        if since is not None and time.monotonic() - since <= after_idle:
            return
        if not ping(engine, dbapi_connection):
            raise DisconnectionError("connexion à la base perdue pendant son repos")

    event.listen(engine, "connect", rested)
    event.listen(engine, "checkin", rested)
    event.listen(engine, "checkout", checkout)


def ping(engine: Engine, dbapi_connection) -> bool:
    """True if the connection answers; False if it is gone (other errors are raised)."""
    try:
        return engine.dialect.do_ping(dbapi_connection)
    except engine.dialect.loaded_dbapi.Error as exc:
        if engine.dialect.is_disconnect(exc, dbapi_connection, None):
            return False
        raise


class Application(Flask):
    """Flask, with reads run once more when their database connection was lost, without
    asking again at each call whether a hook is a coroutine, and with templates' globals
    compared quickly (``core/templating.py``)."""

    jinja_environment = Environment

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sync_functions: dict = {}

    def ensure_sync(self, func):
        # Flask asks ``inspect.iscoroutinefunction`` for every view, hook and context
        # processor it calls, about 17 times a request (2 % of a simple page); the answer of a
        # function does not change.
        try:
            return self._sync_functions[func]
        except (KeyError, TypeError):
            sync = super().ensure_sync(func)
        if len(self._sync_functions) < SYNC_FUNCTIONS_MAX:
            try:
                self._sync_functions[func] = sync
            except TypeError:   # unhashable: asked at each call, as Flask does
                pass
        return sync

    def full_dispatch_request(self):
        try:
            return super().full_dispatch_request()
        except DBAPIError as exc:
            if request.method not in IDEMPOTENT or not _lost_connection(exc):
                raise
            # The dead connection is discarded with the transaction; the pool has already
            # marked every connection opened before it as stale.
            db.session.rollback()
            self.logger.warning("connexion à la base perdue pendant %s %s : page servie à "
                                "nouveau", request.method, request.path)
            return super().full_dispatch_request()
