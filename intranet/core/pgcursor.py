"""psycopg's cursor, describing its result's columns only when someone reads them.

SQLAlchemy reads ``cursor.description`` after every statement, but once a statement is
compiled and cached it only asks whether the description is None (the statement returned rows)
and uses the columns it remembered. psycopg builds a ``Column`` object per result column at each
read: about a hundred per signed-in page (the user loader alone selects some sixty columns),
5 % of a page's CPU time. This cursor answers with a sequence that builds them the first time
it is indexed, iterated or measured, from the result it was made for."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.pq import ExecStatus

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

    def __eq__(self, other: object) -> bool:
        return list(self._built()) == other

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
