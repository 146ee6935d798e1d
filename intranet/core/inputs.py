"""What the application accepts from a request before any view runs, in one place.

- An address or a query string holding a NUL character is refused with a French 400 page: no
  database stores NUL in text (PostgreSQL refuses it), and no one types it.
- Form fields are free text: characters that XML 1.0 forbids (NUL and the other C0 controls
  but tab and line breaks, lone surrogates, U+FFFE/U+FFFF) are removed as the form is read, so
  they reach neither the database nor a feed.
- Integers in addresses (``<int:…>``) stop at the database's integer range: a larger id does
  not match the route (404) instead of overflowing the query.
- ``int_arg`` and ``page_arg`` read numbers of the query string within bounds.
"""
from __future__ import annotations

import re

from flask import Flask, request
from flask import Request as FlaskRequest
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

INT_MAX = 2**31 - 1          # PostgreSQL's INTEGER, the type of every id column
PAGE_MAX = 100_000           # no list has that many pages

# Characters XML 1.0 does not allow in a document (§2.2), and that no one means to type.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def strip_forbidden(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    return XML_FORBIDDEN.sub("", text) if text else text


class BadInput(BadRequest):
    """A request refused before any work, with a French explanation shown on the 400 page."""

    def __init__(self, description: str):
        super().__init__(description=description)


class Request(FlaskRequest):
    """Form values with the characters XML forbids removed (see the module's docstring)."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form and any(XML_FORBIDDEN.search(key) or XML_FORBIDDEN.search(value)
                        for key, value in form.items(multi=True)):
            self.__dict__["form"] = self.parameter_storage_class(
                [(strip_forbidden(key), strip_forbidden(value))
                 for key, value in form.items(multi=True)])


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` up to the database's integer range; beyond, the route does not match."""

    def __init__(self, map, fixed_digits=0, min=None, max=INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _refuse_nul() -> None:
    if "\x00" in request.path:
        raise BadInput("Cette adresse contient un caractère invalide : vérifiez le lien suivi.")
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        raise BadInput("Cette adresse contient un caractère invalide (après « ? ») : "
                       "vérifiez le lien suivi ou ce que vous avez saisi.")


def to_int(raw, default: int | None = None, *, minimum: int = 0,
           maximum: int = INT_MAX) -> int | None:
    """``raw`` (a form or query value) as a whole number within ``minimum``–``maximum``, or
    ``default`` when it is missing, not one, or out of range."""
    raw = str(raw if raw is not None else "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        return default
    value = int(raw)
    return value if minimum <= value <= maximum else default


def int_arg(name: str, default: int | None = None, *, minimum: int = 0,
            maximum: int = INT_MAX) -> int | None:
    """The integer ``name`` of the query string, or ``default`` when it is missing, not a whole
    number, or outside ``minimum``–``maximum``."""
    return to_int(request.args.get(name), default, minimum=minimum, maximum=maximum)


def page_arg(name: str = "page") -> int:
    """The page number asked for: 1 unless it is a whole number; at most ``PAGE_MAX``."""
    raw = request.args.get(name, "").strip()
    if not raw.isascii() or not raw.isdigit():
        return 1
    return max(1, min(int(raw[:12]), PAGE_MAX))


def init_app(app: Flask) -> None:
    """Before the blueprints are registered (the converter applies as routes are added)."""
    app.request_class = Request
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(_refuse_nul)
