"""Reading CSV files people make with a spreadsheet: UTF-8 or Windows-1252, comma, semicolon
or tab. Problems are collected with their line and column, in French, so that an import can
refuse the whole file and say exactly what to fix."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from .inputs import strip_forbidden


@dataclass
class CsvProblem:
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"ligne {self.line}" + (f", colonne « {self.column} »" if self.column else "")
        return f"{where} : {self.message}"


@dataclass
class CsvRows:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (line number, row)


class CsvImportError(ValueError):
    """The file was refused; nothing was imported."""

    def __init__(self, problems: list[CsvProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def decode(data: bytes | str) -> str:
    """The file's text (UTF-8, else Windows-1252), without the control characters XML forbids
    (tab and line breaks are kept: they separate cells and lines)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            data = data.decode("cp1252", errors="replace")
    return strip_forbidden(data)


def read(data: bytes | str, required: list[str], optional: list[str] = ()) -> CsvRows:
    """Parse the file and check its header; raise CsvImportError on a structural problem."""
    text = decode(data)
    if not text.strip():
        raise CsvImportError([CsvProblem(1, None, "le fichier est vide.")])
    first_line = text.splitlines()[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[CsvProblem] = []
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise CsvImportError([CsvProblem(1, None, f"en-tête illisible ({exc}).")]) from exc
    missing = [name for name in required if name not in header]
    if missing:
        raise CsvImportError([CsvProblem(1, name, "colonne obligatoire absente de l'en-tête.")
                              for name in missing])
    known = set(required) | set(optional)
    for name in header:
        if name not in known:
            problems.append(CsvProblem(1, name, "colonne inconnue (colonnes attendues : "
                                                f"{', '.join(list(required) + list(optional))})."))
    result = CsvRows(header=header)
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                problems.append(CsvProblem(line, None, f"{len(row)} valeurs au lieu de "
                                                       f"{len(header)} (un séparateur en trop ou "
                                                       "manquant ?)."))
                continue
            result.rows.append((line, {h: v.strip() for h, v in zip(header, row)}))
    except csv.Error as exc:
        problems.append(CsvProblem(reader.line_num, None, f"ligne mal formée ({exc})."))
    if problems:
        raise CsvImportError(problems)
    if not result.rows:
        raise CsvImportError([CsvProblem(2, None, "le fichier ne contient aucune ligne de données.")])
    return result


@dataclass
class SentImport:
    """What became of an import form (``import_sent``): ``done`` with what the import
    returned, or refused as a whole with ``problems`` (shown by the macro ``refused_import``),
    or neither (not sent, or an error shown under a field)."""
    done: bool = False
    result: object = None
    problems: list[CsvProblem] | None = None


def import_sent(form, load, refusals: dict[type[Exception], object] | None = None) -> SentImport:
    """The import page's step: when ``form`` (with a ``file`` field) is sent and valid,
    ``load(data)`` with the file's bytes. No file: « Choisissez un fichier CSV. » under the
    field; a refusal of one of ``refusals`` (exception class → the form field its French
    message goes under)."""
    if not form.validate_on_submit():
        return SentImport()
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        form.file.errors.append("Choisissez un fichier CSV.")
        return SentImport()
    refusals = refusals or {}
    try:
        return SentImport(done=True, result=load(upload.read()))
    except CsvImportError as exc:
        return SentImport(problems=exc.problems)
    except tuple(refusals) as exc:
        field = next(f for kind, f in refusals.items() if isinstance(exc, kind))
        field.errors.append(str(exc))
        return SentImport()
