"""CSV files the application writes (open-data exports, lists people download), in one place.

A cell a spreadsheet would read as a formula — text starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return — is written with a leading apostrophe, so that opening an export in
LibreOffice or Excel never runs what someone typed into a title (OWASP « CSV injection »).
Plain numbers (« -12,5 ») are left as they are. Characters XML forbids (control characters) are
removed too: they have no place in a cell either.
"""
from __future__ import annotations

import csv
import io
import re

from flask import Response

from .inputs import strip_forbidden

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def safe_cell(value) -> str:
    """The text of one cell, neutralised for spreadsheets."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        text = "'" + text
    return strip_forbidden(text)


def render(columns: list[str], rows, *, delimiter: str = ",", bom: bool = False) -> str:
    """A CSV document: a header line, then one line per dict of ``rows`` (CRLF line ends)."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(column)) for column in columns])
    return out.getvalue()


def response(body: str, filename: str) -> Response:
    """The document as a download (UTF-8, one charset in the Content-Type)."""
    return Response(body.encode("utf-8"), headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"'})
