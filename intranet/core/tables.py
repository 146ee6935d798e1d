"""The rows of a long table drawn in Python (a list of 60 to 100 organisations or spaces): each
cell of a Jinja loop is a few calls of its runtime, and such a table was most of its page's CPU
time. A view describes its columns once, as ``(data-label, cell)`` pairs, where ``cell(item)``
gives a cell's text (escaped here) or ``Markup`` (kept: a link made by ``link``); ``table_rows``
draws them, and the template puts them inside its ``<tbody>``. The ``data-label`` is what a
phone shows before each cell, as the other tables of the site do.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import quote

from flask import url_for
from markupsafe import Markup, escape

_STAND_IN = "__cle__"
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*")     # nothing to quote in a path (a slug, an id)

Column = tuple[str, Callable[[object], object]]


def table_rows(items: Iterable, columns: Sequence[Column]) -> Markup:
    """``<tr>`` rows, one per item, a ``<td data-label>`` per column."""
    labels = [f'<td data-label="{escape(label)}">' for label, _ in columns]
    cells = [cell for _, cell in columns]
    out = []
    for item in items:
        out.append("<tr>" + "".join(f"{label}{_content(cell(item))}</td>"
                                    for label, cell in zip(labels, cells)) + "</tr>")
    return Markup("\n".join(out))


def _content(value) -> str:
    if value is None:
        return ""
    return str(value) if isinstance(value, Markup) else str(escape(value))


def link(address: str, text: str) -> Markup:
    return Markup(f'<a href="{escape(address)}">{escape(text)}</a>')


def address_of(endpoint: str, key: str, **values) -> Callable[[object], str]:
    """The address of ``endpoint`` for a value of its ``key`` (a slug, an id, a date), the
    other ``values`` fixed: built once with a stand-in replaced, quoted, for each row."""
    before, _, after = url_for(endpoint, **values, **{key: _STAND_IN}).partition(_STAND_IN)

    def address(value) -> str:
        value = str(value)
        return before + (value if _PLAIN.fullmatch(value) else quote(value, safe="")) + after
    return address

