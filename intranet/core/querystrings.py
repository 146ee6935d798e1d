"""A listing's filters kept as a query string (saved searches: job alerts, aid alerts).

A saved search stores the part of the listing's query string it keeps (``keep``) and reads it
back as the request's arguments would be (``parse``), so the listing's own ``from_args`` turns
it into filters: one parser for the page and for the mails.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from werkzeug.datastructures import MultiDict

from .inputs import strip_forbidden

MAX_LENGTH = 500   # the column that stores it


def keep(args, keys, *, limit: int = 20) -> str:
    """The non-empty values of ``keys`` in ``args`` (a MultiDict), in the order of ``keys``, as
    a query string of at most ``MAX_LENGTH`` characters."""
    return urlencode([(key, value) for key in keys for value in args.getlist(key)
                      if value][:limit])[:MAX_LENGTH]


def parse(query: str) -> MultiDict:
    """A stored (or posted) query string as request arguments; what it decodes to is cleaned
    as a form's text is (``%00`` gives no NUL: ``core.inputs``)."""
    return MultiDict([(strip_forbidden(key), strip_forbidden(value))
                      for key, values in parse_qs(query or "").items() for value in values])
