"""Business rules of procurement: importing nomenclatures, browsing them, writing notices.

Each public function that changes something is one unit of work and commits.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (DateTime, Select, String, and_, bindparam, delete, func, insert, literal,
                        or_, select, union_all, update)
from sqlalchemy.orm import aliased, joinedload, load_only, selectinload

from ... import access
from ...accounts.models import Organisation, User
from ...core import audit, csvimport, sanitize
from ...core.csvimport import CsvImportError, CsvProblem
from ..lifecycle import PublicationStatus
from ...core.text import fold, unique_slug
from ...core.timeutil import utcnow
from ...extensions import db
from .. import publishing
from ...core.types import Visibility
from .models import (Nomenclature, NomenclatureCode, NoticeDocument, Procedure,
                     ProcurementNotice, notice_code)

GENERIC_COLUMNS = ["code", "libelle"]
GENERIC_OPTIONAL = ["parent"]
CPV_COLUMNS = ["code", "code8", "parent_code8", "label_en"]
CPV_OPTIONAL = ["check_digit", "nb_chiffres_significatifs", "niveau", "division"]
CPV_CODE = re.compile(r"^\d{8}-\d$")
CODE_MAX, LABEL_MAX = 30, 500


class NomenclatureError(ValueError):
    """A refused request about a nomenclature, with a French message."""


@dataclass
class _Row:
    line: int
    code: str
    label: str
    parent: str | None


# --- import -------------------------------------------------------------------------------------


def _read_rows(data: bytes | str) -> list[_Row]:
    """The file's rows as (code, label, parent code), in either layout."""
    text = csvimport.decode(data)
    header = text.splitlines()[0].lower() if text.strip() else ""
    if "code8" in header and "parent_code8" in header:
        rows = csvimport.read(text, CPV_COLUMNS, CPV_OPTIONAL)
        by_code8 = {row["code8"]: row["code"] for _, row in rows.rows if row["code8"]}
        problems, result = [], []
        for line, row in rows.rows:
            if row["code"] and not CPV_CODE.match(row["code"]):
                problems.append(CsvProblem(line, "code", f"« {row['code']} » n'est pas un code "
                                                         "CPV (8 chiffres, un tiret, la clé)."))
            parent8 = row["parent_code8"]
            parent = by_code8.get(parent8, parent8) if parent8 else None
            if parent8 and parent8 not in by_code8:
                problems.append(CsvProblem(line, "parent_code8", f"code parent « {parent8} » "
                                                                 "inconnu : il n'est pas dans le "
                                                                 "fichier."))
            result.append(_Row(line, row["code"], row["label_en"], parent))
        if problems:
            raise CsvImportError(problems)
        return result
    rows = csvimport.read(text, GENERIC_COLUMNS, GENERIC_OPTIONAL)
    return [_Row(line, row["code"], row["libelle"], row.get("parent") or None)
            for line, row in rows.rows]


def _check_rows(rows: list[_Row]) -> dict[str, int]:
    """Refuse the file on any problem; return each code's level (1 for a root)."""
    problems: list[CsvProblem] = []
    first_line: dict[str, int] = {}
    for row in rows:
        if not row.code:
            problems.append(CsvProblem(row.line, "code", "le code est vide."))
        elif len(row.code) > CODE_MAX or "/" in row.code or any(c.isspace() for c in row.code):
            problems.append(CsvProblem(row.line, "code", f"« {row.code[:40]} » n'est pas un code "
                                                         f"valide ({CODE_MAX} caractères au plus, "
                                                         "sans espace ni « / »)."))
        elif row.code in first_line:
            problems.append(CsvProblem(row.line, "code", f"code « {row.code} » déjà présent "
                                                         f"ligne {first_line[row.code]}."))
        else:
            first_line[row.code] = row.line
        if not row.label:
            problems.append(CsvProblem(row.line, None, "le libellé est vide."))
        elif len(row.label) > LABEL_MAX:
            problems.append(CsvProblem(row.line, None, f"le libellé dépasse {LABEL_MAX} "
                                                       "caractères."))
    parents = {row.code: row.parent for row in rows if row.code}
    for row in rows:
        if row.parent and row.parent not in first_line:
            problems.append(CsvProblem(row.line, "parent", f"code parent « {row.parent} » "
                                                           "inconnu : il n'est pas dans le "
                                                           "fichier."))
    if problems:
        raise CsvImportError(problems)
    levels: dict[str, int] = {}
    for row in rows:
        chain, code = [], row.code
        while code is not None and code not in levels:
            if code in chain:
                raise CsvImportError([CsvProblem(row.line, "parent", f"le code « {row.code} » "
                                                                     "est son propre ancêtre "
                                                                     "(boucle dans les "
                                                                     "parents).")])
            chain.append(code)
            code = parents[code]
        depth = 0 if code is None else levels[code]
        for ancestor in reversed(chain):
            depth += 1
            levels[ancestor] = depth
    return levels


def import_nomenclature(name: str, data: bytes | str, *, by: User | None = None) -> dict:
    """Create or replace the codes of nomenclature ``name`` from a CSV; all or nothing.

    Two layouts: ``code;libelle;parent`` (parent: the parent's code, empty for a root) and the
    CPV 2008 reference file (``code,code8,…,parent_code8,label_en``). Codes already linked to
    notices keep their identity; a code that notices use may not disappear."""
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise NomenclatureError("Donnez un nom à la nomenclature (100 caractères au plus).")
    rows = _read_rows(data)
    levels = _check_rows(rows)
    children: dict[str, int] = {}
    for row in rows:
        if row.parent:
            children[row.parent] = children.get(row.parent, 0) + 1

    nomenclature = db.session.scalar(select(Nomenclature).where(Nomenclature.name == name))
    created = nomenclature is None
    if created:
        nomenclature = Nomenclature(name=name, slug=unique_slug(name, _slug_taken))
        db.session.add(nomenclature)
        db.session.flush()
    existing = {code: (ident, label, parent_id, level, count) for
                code, ident, label, parent_id, level, count in db.session.execute(
                    select(NomenclatureCode.code, NomenclatureCode.id, NomenclatureCode.label,
                           NomenclatureCode.parent_id, NomenclatureCode.level,
                           NomenclatureCode.child_count)
                    .where(NomenclatureCode.nomenclature_id == nomenclature.id))}
    in_file = {row.code for row in rows}
    gone = [existing[code][0] for code in existing if code not in in_file]
    if gone:
        used = db.session.execute(
            select(NomenclatureCode.code).join(notice_code,
                                               notice_code.c.code_id == NomenclatureCode.id)
            .where(NomenclatureCode.id.in_(gone)).distinct().limit(20)).scalars().all()
        if used:
            db.session.rollback()
            raise CsvImportError([CsvProblem(1, "code", f"le code « {code} » n'est plus dans le "
                                                        "fichier alors que des avis de marché "
                                                        "l'utilisent.") for code in used])

    ids = {code: values[0] for code, values in existing.items()}
    by_level: dict[int, list[_Row]] = {}
    for row in rows:
        by_level.setdefault(levels[row.code], []).append(row)
    added = changed = 0
    for level in sorted(by_level):
        fresh, updates = [], []
        for row in by_level[level]:
            values = {"label": row.label, "parent_id": ids[row.parent] if row.parent else None,
                      "level": level, "child_count": children.get(row.code, 0),
                      "search_text": fold(f"{row.code} {row.label}")[:540]}
            if row.code not in ids:
                fresh.append({"nomenclature_id": nomenclature.id, "code": row.code, **values})
            elif existing[row.code][1:] != (values["label"], values["parent_id"], level,
                                            values["child_count"]):
                updates.append({"id": ids[row.code], **values})
        if fresh:
            db.session.execute(insert(NomenclatureCode), fresh)
            ids.update(db.session.execute(
                select(NomenclatureCode.code, NomenclatureCode.id)
                .where(NomenclatureCode.nomenclature_id == nomenclature.id,
                       NomenclatureCode.level == level)).all())
            added += len(fresh)
        if updates:
            db.session.execute(update(NomenclatureCode), updates)
            changed += len(updates)
    if gone:
        db.session.execute(delete(NomenclatureCode).where(NomenclatureCode.id.in_(gone)))
    nomenclature.code_count = len(rows)
    nomenclature.imported_at = utcnow()
    audit.record("nomenclature.imported", actor=by, target=name,
                 detail=f"{added} codes ajoutés, {changed} modifiés, {len(gone)} supprimés")
    db.session.commit()
    return {"nomenclature": nomenclature, "created": created, "added": added,
            "changed": changed, "removed": len(gone), "total": len(rows)}


def _slug_taken(slug: str) -> bool:
    return db.session.scalar(select(func.count()).where(Nomenclature.slug == slug)) > 0


# --- browsing -------------------------------------------------------------------------------------


def nomenclatures() -> list[Nomenclature]:
    return list(db.session.scalars(select(Nomenclature).order_by(Nomenclature.name)))


def find_code(nomenclature: Nomenclature, code: str) -> NomenclatureCode | None:
    return db.session.scalar(select(NomenclatureCode).where(
        NomenclatureCode.nomenclature_id == nomenclature.id, NomenclatureCode.code == code))


def children(nomenclature: Nomenclature, node: NomenclatureCode | None) -> list[NomenclatureCode]:
    """One level of the tree, in one query (each code carries its number of children)."""
    parent = NomenclatureCode.parent_id.is_(None) if node is None \
        else NomenclatureCode.parent_id == node.id
    return list(db.session.scalars(
        select(NomenclatureCode).where(NomenclatureCode.nomenclature_id == nomenclature.id, parent)
        .order_by(NomenclatureCode.code)))


def ancestors(node: NomenclatureCode) -> list[NomenclatureCode]:
    """From the root down to ``node``'s parent, in one recursive query."""
    chain = (select(NomenclatureCode.id, NomenclatureCode.parent_id, literal(1).label("depth"))
             .where(NomenclatureCode.id == node.parent_id).cte("chain", recursive=True))
    step = aliased(NomenclatureCode)
    chain = chain.union_all(select(step.id, step.parent_id, (chain.c.depth + 1).label("depth"))
                            .join(chain, step.id == chain.c.parent_id))
    rows = db.session.execute(select(NomenclatureCode, chain.c.depth)
                              .join(chain, NomenclatureCode.id == chain.c.id)).all()
    return [code for code, _ in sorted(rows, key=lambda r: -r[1])]


@dataclass
class CodePage:
    """What a code's page shows of its nomenclature's tree."""
    nomenclature: Nomenclature
    node: NomenclatureCode
    ancestors: list[NomenclatureCode]     # from the root down to the node's parent
    children: list[NomenclatureCode]      # by code


@functools.cache
def _code_page_statement():
    """The statement of ``code_page``, built once (bound parameters ``slug`` and ``code``). The
    recursive WITH carries the codes' own columns, so no code is read a second time."""
    def columns(code):
        return [getattr(code, column.key) for column in NomenclatureCode.__table__.columns]

    chain = (select(*columns(NomenclatureCode), literal(0).label("depth"))
             .join(Nomenclature, Nomenclature.id == NomenclatureCode.nomenclature_id)
             .where(Nomenclature.slug == bindparam("slug"),
                    NomenclatureCode.code == bindparam("code"))
             .cte("chain", recursive=True))
    step = aliased(NomenclatureCode)
    chain = chain.union_all(select(*columns(step), (chain.c.depth + 1).label("depth"))
                            .join(chain, step.id == chain.c.parent_id))
    child = aliased(NomenclatureCode)
    marked = union_all(
        select(chain),
        select(*columns(child), literal(-1).label("depth"))
        .join(chain, and_(child.parent_id == chain.c.id, chain.c.depth == 0))).subquery("marked")
    code = aliased(NomenclatureCode, marked)
    return (select(code, Nomenclature, marked.c.depth)
            .join(Nomenclature, Nomenclature.id == marked.c.nomenclature_id)
            .order_by(marked.c.depth.desc(), marked.c.code))


def code_page(slug: str, code: str) -> CodePage | None:
    """The code ``code`` of the nomenclature ``slug``, its ancestors and its children, in one
    statement: a recursive WITH climbs from the code (depth 0) to its root (depths 1, 2…), and
    the code's children are added with depth -1. None when either is unknown."""
    rows = db.session.execute(_code_page_statement(), {"slug": slug, "code": code}).all()
    nodes = [(c, n) for c, n, depth in rows if depth == 0]
    if not nodes:
        return None
    node, nomenclature = nodes[0]
    return CodePage(nomenclature=nomenclature, node=node,
                    ancestors=[c for c, _, depth in rows if depth > 0],
                    children=[c for c, _, depth in rows if depth < 0])


def search_query(nomenclature: Nomenclature, q: str):
    """Codes whose code starts with ``q`` or whose label holds every word of ``q`` (accents and
    case aside)."""
    q = q.strip()[:100]
    words = fold(q).split()
    conditions = [and_(*(NomenclatureCode.search_text.contains(w, autoescape=True)
                         for w in words))] if words else []
    if q and re.match(r"^[\w.\-]+$", q) and any(c.isdigit() for c in q):
        conditions.append(NomenclatureCode.code.startswith(q, autoescape=True))
    query = select(NomenclatureCode).where(NomenclatureCode.nomenclature_id == nomenclature.id)
    if conditions:
        query = query.where(or_(*conditions))
    return query.order_by(NomenclatureCode.code)


@functools.cache
def _notices_for_code_statement():
    """Built once: bound ``code_id`` and the viewer (``access.publication_viewer``)."""
    return (select(ProcurementNotice)
            .where(access.visible_publications_bound(ProcurementNotice),
                   ProcurementNotice.id.in_(select(notice_code.c.notice_id)
                                            .where(notice_code.c.code_id == bindparam("code_id"))))
            .options(load_only(ProcurementNotice.title, ProcurementNotice.deadline,
                               ProcurementNotice.status),
                     joinedload(ProcurementNotice.organisation).load_only(Organisation.name))
            .order_by(ProcurementNotice.deadline.desc()))


def notices_for_code(user, node: NomenclatureCode) -> list[ProcurementNotice]:
    """The notices using ``node`` that ``user`` may see, with the columns a code's page shows
    (title, deadline, status, publisher's name): never their descriptions."""
    return list(db.session.scalars(_notices_for_code_statement(),
                                   {"code_id": node.id, **access.publication_viewer(user)}))


# --- notices --------------------------------------------------------------------------------------


class NoticeError(publishing.PublicationError):
    """A refused change to a notice, with a French message; nothing was stored."""


publishing.register(ProcurementNotice, publishing.PublicationType(
    key="procurement", endpoint="procurement.show", id_arg="notice_id", this="Cet avis",
    noun="Avis de marché", error=NoticeError, announce="Avis de marché",
    attachment=NoticeDocument))


@dataclass
class NoticeData:
    title: str
    procedure: Procedure
    deadline: datetime            # naive UTC
    description: str = ""
    description_format: str = "text"
    reference: str = ""
    codes: str = ""               # codes typed by the editor, any separator
    visibility: Visibility = Visibility.PUBLIC


def resolve_codes(text: str) -> list[NomenclatureCode]:
    """The codes typed (« 45210000-2, 71000000 »…) in every nomenclature; a CPV code may be given
    without its check digit. Raises NoticeError naming the unknown ones."""
    tokens = list(dict.fromkeys(t for t in re.split(r"[\s,;]+", text or "") if t))
    if len(tokens) > 50:
        raise NoticeError("50 codes au plus par avis.")
    found: dict[int, NomenclatureCode] = {}
    unknown = []
    for token in tokens:
        matches = db.session.scalars(select(NomenclatureCode).where(
            NomenclatureCode.code == token)).all()
        if not matches and re.fullmatch(r"\d{8}", token):
            matches = db.session.scalars(select(NomenclatureCode).where(
                NomenclatureCode.code.startswith(f"{token}-"))).all()
        if not matches:
            unknown.append(token)
        for match in matches:
            found[match.id] = match
    if unknown:
        raise NoticeError("Code(s) inconnu(s) dans les nomenclatures : "
                          + ", ".join(f"« {t[:40]} »" for t in unknown[:10]) + ".")
    return list(found.values())


def _check(data: NoticeData) -> None:
    if not (data.title or "").strip():
        raise NoticeError("Le titre est obligatoire.")
    if not isinstance(data.procedure, Procedure):
        raise NoticeError("Procédure inconnue.")
    if data.deadline is None:
        raise NoticeError("La date limite de remise des offres est obligatoire.")
    if data.visibility not in (Visibility.PUBLIC, Visibility.NETWORK):
        raise NoticeError("Visibilité inconnue.")


def _apply(notice: ProcurementNotice, data: NoticeData) -> None:
    _check(data)
    notice.codes = resolve_codes(data.codes)
    notice.title = data.title.strip()
    notice.reference = (data.reference or "").strip()[:60]
    notice.procedure = data.procedure
    notice.deadline = data.deadline
    notice.description = sanitize.to_html(data.description, data.description_format)
    notice.visibility = data.visibility
    notice.updated_at = utcnow()


# create_notice(buyer, data, by=…, files=()): a new draft notice, with its documents;
# update_notice(notice, data, by=…, files=()).
create_notice, update_notice = publishing.writers(ProcurementNotice, _apply)


# Publishing and withdrawing: the one life cycle of publications (publications/publishing.py).
publish, withdraw = publishing.publish, publishing.withdraw


def notices_query(user, *, past: bool, q: str = "") -> tuple[Select, dict]:
    """The notices list: those whose deadline is to come (soonest first), or ``past`` (latest
    first), whose title holds ``q``, as ``user`` may read them. Given as the statement, built
    once for each kind of list (``_notices_statement``), and the values of its parameters."""
    params = {"now": utcnow(), **access.publication_viewer(user)}
    if q:
        params["title_holds"] = f"%{q[:100]}%"
    return _notices_statement(past, bool(q)), params


@functools.cache
def _notices_statement(past: bool, searched: bool) -> Select:
    """``notices_query``'s statement: bound ``now``, ``title_holds`` and the viewer
    (``access.publication_viewer``)."""
    now = bindparam("now", type_=DateTime)
    query = select(ProcurementNotice).where(access.visible_publications_bound(ProcurementNotice))
    if past:
        query = query.where(ProcurementNotice.deadline <= now) \
            .order_by(ProcurementNotice.deadline.desc(), ProcurementNotice.id.desc())
    else:
        query = query.where(ProcurementNotice.deadline > now) \
            .order_by(ProcurementNotice.deadline, ProcurementNotice.id)
    if searched:
        query = query.where(ProcurementNotice.title.ilike(bindparam("title_holds", type_=String)))
    return query.options(joinedload(ProcurementNotice.organisation),
                         selectinload(ProcurementNotice.codes))


def published_for(user, limit: int = 50) -> list[ProcurementNotice]:
    query = (select(ProcurementNotice)
             .where(access.visible_publications(user, ProcurementNotice),
                    ProcurementNotice.status == PublicationStatus.PUBLISHED)
             .options(joinedload(ProcurementNotice.organisation))
             .order_by(ProcurementNotice.published_at.desc(), ProcurementNotice.id.desc())
             .limit(limit))
    return list(db.session.scalars(query))


