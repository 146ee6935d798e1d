"""The instructors' figures: a programme's dashboard (requested, granted, paid and remaining to
pay, by intercommunality and by month), a beneficiary's dossiers across programmes, and the
CSV of the instructors' list.

Every figure is summed in SQL, in cents (``core.money.sum_cents``), over the dossiers the person
instructs (``access.instructed_dossiers``): a handful of grouped queries whatever the number of dossiers
and payments. What each figure counts:

- **requested**: the amount asked by the dossiers submitted in the period (drafts are not
  counted: they are not asked yet);
- **granted**: the amount granted at the sittings of the period (granted, closed and lapsed
  dossiers: a lapsed grant was granted, then lost);
- **paid**: the payments made in the period;
- **remaining to pay**: for the grants of the period still running (granted, neither closed nor
  lapsed), granted minus everything paid so far.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, bindparam, case, extract, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from .. import access
from ..accounts.models import Organisation, OrgKind
from ..core import csvexport
from ..core.frdates import MONTHS, format_date
from ..core.money import from_cents, sum_cents
from ..core.timeutil import today_paris
from ..extensions import db
from ..publications.aids.models import Aid
from .models import DossierEvent, DossierState, SubsidyDossier, SubsidyPayment
from .services import Filters, instructed_query

S = DossierState
GRANTED_STATES = (S.GRANTED, S.CLOSED, S.LAPSED)
SERIES = {"requested": "Demandé", "granted": "Accordé", "paid": "Versé",
          "remaining": "Reste à verser"}
OUTSIDE = "Hors intercommunalité"
ZERO = Decimal("0.00")


def _epci_key():
    """The intercommunality a dossier counts for: the applicant if it is one, else the
    applicant's (none for the département, associations…)."""
    return case((Organisation.kind == OrgKind.EPCI, Organisation.id),
                else_=Organisation.epci_id)


@dataclass
class Dashboard:
    programme: str
    year: int | None
    totals: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(SERIES, ZERO))
    counts: dict[str, int] = field(default_factory=dict)          # state label → dossiers
    by_epci: dict[str, dict[str, Decimal]] = field(default_factory=dict)    # EPCI → series → €
    by_month: dict[str, dict[str, Decimal]] = field(default_factory=dict)   # « mars 2027 » → …

    def table(self, rows: dict[str, dict[str, Decimal]], series) -> dict[str, dict[str, Decimal]]:
        """``rows`` turned into what the charts draw: series label → row → amount."""
        return {SERIES[key]: {row: values.get(key, ZERO) for row, values in rows.items()}
                for key in series}


def _in_year(column, year: int | None):
    return extract("year", column) == year if year else True


# A programme's figures, kept by each process until what they are computed from changes: an
# instructor's dashboard is read far more often than dossiers move, and computing it reads every
# dossier and payment of the programme.
_KEPT: dict[tuple[str, int | None], tuple[tuple, dict]] = {}
_KEPT_MAX = 256


def _figures_state() -> tuple:
    """What the figures are computed from, in one cheap statement (primary keys' maxima read
    off their indexes): the last step of any dossier (every change to a dossier writes one, its
    payments included), the last dossier and payment (neither is ever deleted), the aids' last
    change (an aid moved to another programme), and which intercommunality each organisation
    belongs to."""
    return tuple(db.session.execute(select(
        select(func.max(DossierEvent.id)).scalar_subquery(),
        select(func.max(SubsidyDossier.id)).scalar_subquery(),
        select(func.max(SubsidyPayment.id)).scalar_subquery(),
        select(func.max(Aid.updated_at)).scalar_subquery(),
        select(func.count(Organisation.id)).scalar_subquery(),
        select(func.sum(Organisation.id * func.coalesce(Organisation.epci_id, -1)))
        .scalar_subquery())).one())


def dashboard(user, programme: str, year: int | None = None) -> Dashboard:
    """A programme's figures, from the dossiers ``user`` instructs: nothing for someone who
    does not instruct it. Every instructor of a programme sees all of its dossiers, so the
    figures are the same for each of them and are kept (``_KEPT``) until they change."""
    board = Dashboard(programme, year)
    if not access.can_see_programme_figures(user, programme):
        return board
    state, key = _figures_state(), (programme, year)
    kept = _KEPT.get(key)
    if kept is None or kept[0] != state:
        if len(_KEPT) >= _KEPT_MAX:
            _KEPT.clear()
        kept = _KEPT[key] = (state, _compute(user, programme, year))
    figures = kept[1]
    board.totals = dict(figures["totals"])
    board.counts = {S(state).label: count for state, count in figures["counts"]}
    names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_([k for k in figures["epcis"] if k is not None]))).all())
    board.by_epci = {name: dict(figures["epcis"][k]) for name, k in sorted(
        ((names.get(k, OUTSIDE) if k is not None else OUTSIDE), k) for k in figures["epcis"])}
    board.by_month = {f"{MONTHS[m - 1]} {y}": dict(figures["months"][(y, m)])
                      for y, m in sorted(figures["months"])}
    return board


def _compute(user, programme: str, year: int | None) -> dict:
    """The figures themselves: five grouped queries over the programme's dossiers."""
    totals = dict.fromkeys(SERIES, ZERO)
    scope = (SubsidyDossier.state != S.DRAFT, access.instructed_dossiers(user, programme))
    key = _epci_key()

    def grouped(amount, moment, *where, source=SubsidyDossier):
        query = select(key, extract("year", moment), extract("month", moment),
                       sum_cents(amount)).select_from(source)
        if source is SubsidyPayment:
            query = query.join(SubsidyDossier, SubsidyDossier.id == SubsidyPayment.dossier_id)
        query = (query.join(Organisation, Organisation.id == SubsidyDossier.organisation_id)
                 .where(*scope, *where, _in_year(moment, year))
                 .group_by(key, extract("year", moment), extract("month", moment)))
        return db.session.execute(query).all()

    flows = {
        "requested": grouped(SubsidyDossier.amount_requested, SubsidyDossier.submitted_at,
                             SubsidyDossier.submitted_at.is_not(None)),
        "granted": grouped(SubsidyDossier.amount_granted, SubsidyDossier.sitting_on,
                           SubsidyDossier.state.in_(GRANTED_STATES)),
        "paid": grouped(SubsidyPayment.amount, SubsidyPayment.paid_on,
                        source=SubsidyPayment)}
    epcis: dict = defaultdict(lambda: defaultdict(lambda: ZERO))
    months: dict = defaultdict(lambda: defaultdict(lambda: ZERO))
    for series, rows in flows.items():
        for epci_id, y, m, cents in rows:
            amount = from_cents(cents)
            epcis[epci_id][series] += amount
            months[(int(y), int(m))][series] += amount
            totals[series] += amount

    paid_so_far = (select(SubsidyPayment.dossier_id, sum_cents(SubsidyPayment.amount)
                          .label("cents")).group_by(SubsidyPayment.dossier_id).subquery())
    remaining = db.session.execute(
        select(key, sum_cents(SubsidyDossier.amount_granted),
               func.coalesce(func.sum(paid_so_far.c.cents), 0)).select_from(SubsidyDossier)
        .join(Organisation, Organisation.id == SubsidyDossier.organisation_id)
        .outerjoin(paid_so_far, paid_so_far.c.dossier_id == SubsidyDossier.id)
        .where(*scope, SubsidyDossier.state == S.GRANTED,
               _in_year(SubsidyDossier.sitting_on, year))
        .group_by(key)).all()
    for epci_id, granted, paid in remaining:
        amount = from_cents(granted) - from_cents(paid)
        epcis[epci_id]["remaining"] += amount
        totals["remaining"] += amount
    counts = db.session.execute(
        select(SubsidyDossier.state, func.count(SubsidyDossier.id))
        .where(*scope, _in_year(SubsidyDossier.submitted_at, year))
        .group_by(SubsidyDossier.state)).all()
    return {"totals": totals, "counts": [tuple(row) for row in counts],
            "epcis": {k: dict(v) for k, v in epcis.items()},
            "months": {k: dict(v) for k, v in months.items()}}


def dashboard_csv(board: Dashboard) -> str:
    columns = ["regroupement", "valeur", *SERIES.values()]
    rows = [{"regroupement": group, "valeur": name,
             **{label: values.get(key, ZERO) for key, label in SERIES.items()
                if group == "intercommunalité" or key != "remaining"}}
            for group, table in (("intercommunalité", board.by_epci), ("mois", board.by_month))
            for name, values in table.items()]
    rows.append({"regroupement": "total", "valeur": board.programme,
                 **{label: board.totals[key] for key, label in SERIES.items()}})
    return csvexport.render(columns, rows, delimiter=";", bom=True)


# --- a beneficiary across programmes ------------------------------------------------------------


def _paid_cents():
    """SQL: what was paid on the dossier of the row, in cents (one look-up of its payments by
    the dossier's index: cheaper than summing every payment when a page shows a few)."""
    return select(sum_cents(SubsidyPayment.amount)).where(
        SubsidyPayment.dossier_id == SubsidyDossier.id).scalar_subquery()


@dataclass
class BeneficiaryLine:
    dossier: SubsidyDossier
    paid: Decimal


# The beneficiary page's two statements without the person's filter, made once (the
# organisation is their parameter): making them costs more than running them.
_LINES = (select(SubsidyDossier, _paid_cents()).join(Aid, Aid.id == SubsidyDossier.aid_id)
          .where(SubsidyDossier.organisation_id == bindparam("organisation"),
                 SubsidyDossier.state != S.DRAFT)
          .options(contains_eager(SubsidyDossier.aid))
          .order_by(Aid.programme, SubsidyDossier.submitted_at.desc(), SubsidyDossier.id))
_COMMUNES = (select(Organisation.id, Organisation.name, func.count(SubsidyDossier.id),
                    sum_cents(SubsidyDossier.amount_requested))
             .join(SubsidyDossier, SubsidyDossier.organisation_id == Organisation.id)
             .join(Aid, Aid.id == SubsidyDossier.aid_id)
             .where(Organisation.epci_id == bindparam("organisation"),
                    SubsidyDossier.state != S.DRAFT)
             .group_by(Organisation.id).order_by(Organisation.name_key))


def beneficiary(user, organisation: Organisation, *, visible=None) -> list[BeneficiaryLine]:
    """Every submitted dossier of ``organisation`` that ``user`` sees, across programmes, with
    what was paid (one query). ``visible``: ``access.visible_dossiers(user)``, when the caller
    has it already."""
    visible = access.visible_dossiers(user) if visible is None else visible
    rows = db.session.execute(_LINES.where(visible), {"organisation": organisation.id}).all()
    return [BeneficiaryLine(dossier, from_cents(cents)) for dossier, cents in rows]


def beneficiary_totals(lines: list[BeneficiaryLine]) -> dict[str, Decimal]:
    return {"requested": sum((line.dossier.amount_requested for line in lines), ZERO),
            "granted": sum((line.dossier.amount_granted or ZERO for line in lines
                            if line.dossier.state in GRANTED_STATES), ZERO),
            "paid": sum((line.paid for line in lines), ZERO)}


@dataclass
class Commune:
    id: int
    name: str


def member_communes(user, epci: Organisation, *, visible=None
                    ) -> list[tuple[Commune, int, Decimal]]:
    """The communes of ``epci`` that have dossiers ``user`` sees: (commune's id and name,
    dossiers, requested), one query. ``visible`` as for ``beneficiary``."""
    visible = access.visible_dossiers(user) if visible is None else visible
    rows = db.session.execute(_COMMUNES.where(visible), {"organisation": epci.id}).all()
    return [(Commune(id_, name), count, from_cents(cents)) for id_, name, count, cents in rows]


# --- the instructors' list: what is coming up, and its CSV ---------------------------------------


# What is coming up, made once (the dates are parameters): a proposed dossier's sitting or a
# running grant's works deadline between ``today`` and ``horizon``, soonest first.
_PROPOSED = SubsidyDossier.state == S.PROPOSED
_COMING = or_(and_(_PROPOSED, SubsidyDossier.sitting_on >= bindparam("today"),
                   SubsidyDossier.sitting_on <= bindparam("horizon")),
              and_(SubsidyDossier.state == S.GRANTED,
                   SubsidyDossier.works_deadline >= bindparam("today"),
                   SubsidyDossier.works_deadline <= bindparam("horizon")))
_SOONEST = (case((_PROPOSED, SubsidyDossier.sitting_on), else_=SubsidyDossier.works_deadline),
            SubsidyDossier.id)
_WITH_APPLICANT = contains_eager(SubsidyDossier.organisation)


def coming_up(user, days: int = 60, limit: int = 20, *, scope=None
              ) -> list[tuple[date, str, SubsidyDossier]]:
    """The next sittings of proposed dossiers and works deadlines of running grants of
    ``user``'s programmes, soonest first: (day, what, dossier), in one statement. ``scope`` as
    for ``services.instructed_query``."""
    today = today_paris()
    dossiers = db.session.scalars(
        instructed_query(user, Filters(), scope=scope).options(_WITH_APPLICANT).where(_COMING)
        .order_by(None).order_by(*_SOONEST).limit(limit),
        {"today": today, "horizon": today + timedelta(days=days)}).all()
    return [(d.sitting_on, "Commission permanente", d) if d.state == S.PROPOSED
            else (d.works_deadline, "Fin des travaux", d) for d in dossiers]


CSV_COLUMNS = ["numéro", "projet", "demandeur", "SIREN", "intercommunalité", "aide",
               "programme", "état", "déposé le", "commission permanente", "montant demandé",
               "montant accordé", "montant versé", "reste à verser", "fin des travaux"]


def _number(value: Decimal | None) -> str:
    """« 12345,67 »: what a French spreadsheet reads as a number."""
    return "" if value is None else format(value, "f").replace(".", ",")


def instructed_csv(user, filters: Filters) -> str:
    """The instructors' list, every page of it, as CSV (the payments summed in the query)."""
    query = (instructed_query(user, filters).add_columns(_paid_cents())
             .options(joinedload(SubsidyDossier.organisation).joinedload(Organisation.epci),
                      joinedload(SubsidyDossier.aid)))
    rows = []
    for dossier, cents in db.session.execute(query).all():
        paid_amount = from_cents(cents)
        org = dossier.organisation
        running = dossier.state == S.GRANTED and dossier.amount_granted is not None
        rows.append({
            "numéro": dossier.id, "projet": dossier.title, "demandeur": org.name,
            "SIREN": org.siren or "",
            "intercommunalité": org.name if org.kind == OrgKind.EPCI else
            (org.epci.name if org.epci else ""),
            "aide": dossier.aid.title, "programme": dossier.aid.programme,
            "état": dossier.state.label,
            "déposé le": format_date(dossier.submitted_at) if dossier.submitted_at else "",
            "commission permanente": format_date(dossier.sitting_on) if dossier.sitting_on
            else "",
            "montant demandé": _number(dossier.amount_requested),
            "montant accordé": _number(dossier.amount_granted),
            "montant versé": _number(paid_amount),
            "reste à verser": _number(dossier.amount_granted - paid_amount) if running else "",
            "fin des travaux": format_date(dossier.works_deadline) if dossier.works_deadline
            else ""})
    return csvexport.render(CSV_COLUMNS, rows, delimiter=";", bom=True)
