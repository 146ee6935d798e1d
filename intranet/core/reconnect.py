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


class Application(Flask):
    """Flask, with reads run once more when their database connection was lost."""

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
