"""What the application asks of psycopg on PostgreSQL, beyond SQLAlchemy's defaults.

**Columns described when read.** SQLAlchemy reads ``cursor.description`` after every
statement, but once a statement is compiled and cached it only asks whether the description
is None (the statement returned rows) and uses the columns it remembered. psycopg builds a
``Column`` object per result column at each read: about a hundred per signed-in page (the user
loader alone selects some sixty columns), 5 % of a page's CPU time. ``Cursor`` answers with a
sequence that builds them the first time it is indexed, iterated or measured, from the result
it was made for.

**A transaction begins at the first statement that writes** (``begin_at_first_write``). A
connection is handed out in autocommit mode; plain reads (a ``SELECT``, or a ``WITH`` that
writes nothing, without ``FOR UPDATE`` or ``FOR SHARE``, not streamed) run as they come;
before any other statement (``INSERT``, ``UPDATE``, ``DELETE``, ``SET LOCAL``, ``SAVEPOINT``,
DDL, a read that locks) the connection leaves autocommit, so psycopg opens the transaction
with it, and everything after it, reads included, belongs to that transaction until
SQLAlchemy commits or rolls back. What a page that only reads saves: the ``BEGIN`` and the
``ROLLBACK`` (two round trips per page), and psycopg's prepared statements, which a
``ROLLBACK`` throws away: kept, PostgreSQL no longer parses and plans a page's statements at
each request. What does not change: at PostgreSQL's default isolation (read committed) every
statement of a transaction sees the data committed when it starts, as a statement in
autocommit does; a write and what follows it are atomic.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.pq import ExecStatus, TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Engine

_DESCRIBED = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)


class _Described:
    """What ``psycopg.Column`` reads of a cursor: its result as it was when described (the
    cursor may have run another statement since), its encoding and its adapters."""
    __slots__ = ("pgresult", "_encoding", "adapters")

    def __init__(self, cursor: psycopg.Cursor, result: Any) -> None:
        self.pgresult, self._encoding, self.adapters = result, cursor._encoding, cursor.adapters


class Description(Sequence):
    """``cursor.description``, its ``Column`` objects built at the first use."""
    __slots__ = ("_cursor", "_result", "_columns")

    def __init__(self, cursor: psycopg.Cursor, result: Any) -> None:
        self._cursor, self._result = cursor, result
        self._columns: list[psycopg.Column] | None = None

    def _built(self) -> list[psycopg.Column]:
        if self._columns is None:
            source = _Described(self._cursor, self._result)
            self._columns = [psycopg.Column(source, index)   # type: ignore[arg-type]
                             for index in range(self._result.nfields)]
            self._cursor = self._result = None
        return self._columns

    def __len__(self) -> int:
        return len(self._built())

    def __getitem__(self, index: Any) -> Any:
        return self._built()[index]

    def __iter__(self):
        return iter(self._built())

    def __repr__(self) -> str:
        return repr(self._built())


class Cursor(psycopg.Cursor):
    """The application's cursor on PostgreSQL (``connect_args``, see ``intranet.create_app``)."""

    @property
    def description(self) -> Description | None:   # type: ignore[override]
        result = self.pgresult
        if result and (result.nfields or result.status in _DESCRIBED):
            return Description(self, result)
        return None


# A statement may run outside a transaction if it starts with one of these and locks nothing;
# one that starts with a WITH (a recursive query: a code's ancestors) if it also writes nothing.
_READS = ("SELECT", "select")
_WITH = ("WITH", "with")
_LOCKS = (" FOR UPDATE", " FOR NO KEY UPDATE", " FOR SHARE", " FOR KEY SHARE")
_WRITES = ("INSERT ", "UPDATE ", "DELETE ", "MERGE ", "insert ", "update ", "delete ", "merge ")


def begin_at_first_write(engine: Engine) -> None:
    """Connections of ``engine`` run reads outside transactions, and open one at the first
    statement that is not a plain read (see the module's docstring)."""
    event.listen(engine, "checkout", _autocommit)
    event.listen(engine, "before_cursor_execute", _begin_unless_read)


def _autocommit(dbapi_connection, record, proxy) -> None:
    if not dbapi_connection.autocommit and \
            dbapi_connection.pgconn.transaction_status == TransactionStatus.IDLE:
        dbapi_connection.autocommit = True


def plain_read(statement: str, context) -> bool:
    """True if ``statement`` may run outside a transaction: a ``SELECT`` that locks no row,
    not read through a server-side cursor (which lives in a transaction), or the plan of a
    statement (``EXPLAIN`` without ``ANALYZE``, which would run it)."""
    start = statement.lstrip()
    if start[:7].upper() == "EXPLAIN":
        return "ANALY" not in statement.upper()
    if start.startswith(_WITH):
        if any(write in statement for write in _WRITES):
            return False
    elif not start.startswith(_READS):
        return False
    if any(lock in statement for lock in _LOCKS):
        return False
    options = context.execution_options if context is not None else {}
    return not (options.get("stream_results") or options.get("yield_per"))


def _begin_unless_read(conn, cursor, statement, parameters, context, executemany) -> None:
    dbapi_connection = cursor.connection
    if dbapi_connection.autocommit and (executemany or not plain_read(statement, context)) \
            and not _asked_autocommit(context):
        dbapi_connection.autocommit = False   # psycopg sends BEGIN before this statement


def _asked_autocommit(context) -> bool:
    """A connection given ``isolation_level="AUTOCOMMIT"`` (``VACUUM``, ``CREATE DATABASE``)
    stays so."""
    return context is not None and context.execution_options.get("isolation_level") == "AUTOCOMMIT"
