"""A read served again when the database connection died under it.

``pool_pre_ping`` tests each connection the pool hands out, so no request starts on a
connection that died while it waited (PostgreSQL restarted, a network cut, an idle timeout on
a proxy). A connection may still die while a request uses it: PostgreSQL restarted between two
of its statements. A GET or HEAD request changes nothing the person asked for (what it writes
on the side, such as a session's last use, is written again), so it is run once more, on a new
connection, instead of answering « Erreur interne ». A form sent (POST) is never run twice:
its transaction was rolled back, and the error page says nothing was half-saved."""
from __future__ import annotations

from flask import Flask, request
from sqlalchemy.exc import DBAPIError

from ..extensions import db

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})


def _lost_connection(exc: DBAPIError) -> bool:
    return bool(exc.connection_invalidated)


SYNC_FUNCTIONS_MAX = 1000


class Application(Flask):
    """Flask, with reads run once more when their database connection was lost, and without
    asking again at each call whether a hook is a coroutine."""

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
