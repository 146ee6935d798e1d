"""One unit of work per public service function.

A service function decorated with ``@unit_of_work`` runs as one transaction: it commits when it
returns and rolls back when it raises, so a refused change (a domain error raised before or
after some rows were added) leaves the session clean and the view has nothing to undo; files
stored during it are removed by the uploads' ``after_rollback`` hook (``core/uploads.py``).

A unit of work called from inside another joins it: only the outermost one commits. Services
therefore compose without ``commit=`` flags — creating an organisation creates its private
space through ``spaces.ensure_organisation_space``, in the same transaction. ``transaction()``
is the same as a ``with`` block, for the CLI and the demo loader.

Worker loops that commit as they go (the search writer, the mail sender, the list fan-out)
are not units of work: each of their steps is.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import wraps

from ..extensions import db

_DEPTH = "unit_of_work_depth"


@contextmanager
def transaction():
    info = db.session.info
    outermost = not info.get(_DEPTH)
    info[_DEPTH] = info.get(_DEPTH, 0) + 1
    try:
        yield
        if outermost:
            db.session.commit()
    except BaseException:
        if outermost:
            db.session.rollback()
        raise
    finally:
        info[_DEPTH] -= 1


def unit_of_work(function):
    """Run ``function`` as one transaction (see the module's docstring)."""
    @wraps(function)
    def run(*args, **kwargs):
        with transaction():
            return function(*args, **kwargs)
    return run


def in_unit_of_work() -> bool:
    return bool(db.session.info.get(_DEPTH))
