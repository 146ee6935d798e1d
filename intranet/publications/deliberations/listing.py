"""The public list of acts: its filters, its query, and the choices its filter form offers
(years, publishers), written for a département's 20,000 acts. The CSV and SCDL exports and the
feeds read « what the person may see » through ``published_visible``; the list and its filters
through ``access.published_to``, the same rows for everyone of an audience, kept by the process
until an act changes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload

from ... import access
from ...accounts.models import ORGANISATIONS, Organisation
from ...core import generations
from ...core.inputs import to_int
from ...extensions import db
from ..lifecycle import PublicationStatus
from . import classification
from .models import Assembly, Deliberation

PUBLISHED = PublicationStatus.PUBLISHED

# The list's pages and filter choices (years, publishers) are kept by each process while no act
# changes (core/generations.py).
ACTS = "deliberations"
generations.watch(ACTS, Deliberation)


@dataclass
class ListFilters:
    year: int | None = None
    assembly: Assembly | None = None
    theme: str | None = None          # a level-1 (« 8 ») or level-2 (« 8.4 ») code
    organisation: Organisation | None = None
    q: str = ""

    @classmethod
    def from_args(cls, args) -> ListFilters:
        year = args.get("year", "")
        assembly = args.get("assembly", "")
        theme = args.get("theme", "")
        slug = args.get("organisation", "")
        organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug)) \
            if slug else None
        return cls(year=to_int(year, minimum=1901, maximum=2999),
                   assembly=Assembly(assembly) if assembly in Assembly._value2member_map_ else None,
                   theme=theme if classification.get(theme) else None,
                   organisation=organisation, q=(args.get("q") or "").strip()[:100])

    def args(self) -> dict[str, str]:
        """The filters as query-string arguments (for the pager and the export link)."""
        values = {"year": str(self.year) if self.year else "",
                  "assembly": self.assembly.value if self.assembly else "",
                  "theme": self.theme or "",
                  "organisation": self.organisation.slug if self.organisation else "",
                  "q": self.q}
        return {k: v for k, v in values.items() if v}


def published_visible(user):
    """Published acts the user may read: drafts and withdrawn acts are never listed."""
    return (Deliberation.status == PUBLISHED) & access.visible_publications(user, Deliberation)


def apply_filters(stmt, filters: ListFilters):
    if filters.year:
        stmt = stmt.where(Deliberation.sitting_date >= date(filters.year, 1, 1),
                          Deliberation.sitting_date < date(filters.year + 1, 1, 1))
    if filters.assembly:
        stmt = stmt.where(Deliberation.assembly == filters.assembly)
    if filters.theme:
        theme = classification.get(filters.theme)
        stmt = stmt.where(Deliberation.matiere_code.like(f"{theme.code}.%")
                          if theme.level == 1 else Deliberation.matiere_code == theme.code)
    if filters.organisation is not None:
        stmt = stmt.where(Deliberation.organisation_id == filters.organisation.id)
    if filters.q:
        stmt = stmt.where(or_(Deliberation.subject.icontains(filters.q, autoescape=True),
                              Deliberation.number.icontains(filters.q, autoescape=True)))
    return stmt


def list_query(user, filters: ListFilters):
    """The published acts ``user`` may read that ``filters`` find: the same for everyone of
    the user's audience (``access.publication_audience``)."""
    audience = access.publication_audience(user)
    return (apply_filters(select(Deliberation).where(access.published_to(audience, Deliberation)),
                          filters)
            .options(joinedload(Deliberation.organisation), joinedload(Deliberation.act_file))
            .order_by(Deliberation.sitting_date.desc(), Deliberation.id.desc()))


def list_years(user) -> tuple[int, ...]:
    """The years of the acts the user may read, most recent first (the list's filter), the
    same for everyone of the user's audience (``access.publication_audience``) and kept
    until an act changes."""
    audience = access.publication_audience(user)
    return generations.kept(ACTS, ("years", audience), lambda: _years(audience))


def _years(audience: str) -> tuple[int, ...]:
    """Not a DISTINCT over every act (20,000 in a département: a scan of the table on each
    visit of the list): the first and last dates, then one probe per year between them, each
    stopped by the index at its first act."""
    visible = access.published_to(audience, Deliberation)
    first, last = db.session.execute(select(func.min(Deliberation.sitting_date),
                                            func.max(Deliberation.sitting_date))
                                     .where(visible)).one()
    if first is None:
        return ()
    probes = union_all(*(
        select(literal(year, Integer).label("year")).where(exists().where(
            visible, Deliberation.sitting_date >= date(year, 1, 1),
            Deliberation.sitting_date < date(year + 1, 1, 1)))
        for year in range(last.year, first.year - 1, -1)))
    return tuple(sorted((int(y) for y in db.session.scalars(probes)), reverse=True))


def act_publishers(user) -> tuple:
    """Organisations with at least one act the user may read (for the filter): their slug and
    name (a département has hundreds: no whole rows), kept like the years."""
    audience = access.publication_audience(user)
    return generations.kept((ACTS, ORGANISATIONS), ("publishers", audience),
                            lambda: _publishers(audience))


def _publishers(audience: str) -> tuple:
    ids = select(Deliberation.organisation_id).where(access.published_to(audience, Deliberation))
    return tuple(db.session.execute(select(Organisation.slug, Organisation.name)
                                    .where(Organisation.id.in_(ids))
                                    .order_by(Organisation.name_key)))
