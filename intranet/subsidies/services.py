"""Subsidy dossiers: writing one (its financing plan checked against its cost and the aid's
ceiling), its documents, and its life — one service per transition, each writing a
``DossierEvent`` and mailing the applicant; the worker's step that reminds, then lapses, grants
whose works deadline passes without a balance; the instructors and the aids' checklists.

Each public function is one unit of work (``core/uow.py``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import (Date, String, bindparam, cast, extract, func, literal, null, or_, select,
                        type_coerce, union_all)
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from .. import access
from ..accounts.models import ORGANISATIONS, Organisation, OrgKind, User
from ..core import generations, hooks, pagination, uploads
from ..core.frdates import format_date
from ..core.inputs import page_arg, to_int
from ..core.money import AmountError, euros, parse_amount
from ..core.text import collation_key
from ..core.timeutil import today_paris, utcnow
from ..core.uow import unit_of_work
from ..core.urls import absolute_url, path_for
from ..extensions import db
from ..mail.services import queue
from ..notifications.services import notify, register_kind
from ..publications.aids.models import Aid
from ..publications.aids.services import AIDS
from ..publications.lifecycle import PublicationStatus
from .models import (PUBLIC_KINDS, DossierDocument, DossierEvent, DossierState, FinancingLine,
                     FunderKind, PaymentKind, SubsidyDossier, SubsidyInstructor, SubsidyPayment,
                     SubsidyRequirement)

register_kind("subsidies.submitted", "Dossiers de subvention déposés (instructeurs)")

DOCUMENT_TYPES = ("pdf", "odt", "ods", "docx", "xlsx", "doc", "xls")
REMINDER_DAYS = 30
S = DossierState


class SubsidyError(Exception):
    """A refused change to a dossier, in French; nothing was changed."""


# --- writing a dossier --------------------------------------------------------------------------


@dataclass
class PlanLine:
    kind: str = ""
    funder: str = ""
    amount: str = ""


@dataclass
class DossierData:
    """What the form typed, as text: amounts are read here (``core.money``)."""
    title: str = ""
    description: str = ""
    communes: str = ""
    cost_excl_vat: str = ""
    cost_incl_vat: str = ""
    amount_requested: str = ""
    schedule: str = ""
    contact: str = ""
    lines: list[PlanLine] = field(default_factory=list)


def _amount(text, what: str) -> Decimal:
    try:
        return parse_amount(text, what=what)
    except AmountError as error:
        raise SubsidyError(str(error)) from error


def _checked(aid: Aid, data: DossierData) -> dict:
    title = (data.title or "").strip()[:200]
    if not title:
        raise SubsidyError("Indiquez l'intitulé du projet.")
    cost = _amount(data.cost_excl_vat, "Le coût hors taxes")
    cost_incl = _amount(data.cost_incl_vat, "Le coût TTC")
    requested = _amount(data.amount_requested, "Le montant demandé")
    if cost <= 0:
        raise SubsidyError("Le coût hors taxes du projet doit être supérieur à zéro.")
    if cost_incl < cost:
        raise SubsidyError(f"Le coût TTC ({euros(cost_incl)}) ne peut pas être inférieur au "
                           f"coût hors taxes ({euros(cost)}).")
    lines = []
    for n, line in enumerate(data.lines, start=1):
        if not (line.amount or "").strip() and not (line.funder or "").strip():
            continue
        if line.kind not in FunderKind._value2member_map_:
            raise SubsidyError(f"Ligne {n} du plan de financement : choisissez le type de "
                               "financeur.")
        lines.append(FinancingLine(kind=FunderKind(line.kind), funder=(line.funder or "")
                                   .strip()[:200],
                                   amount=_amount(line.amount, f"Le montant de la ligne {n}")))
    if not any(line.kind == FunderKind.AID for line in lines):
        raise SubsidyError("Le plan de financement doit comporter une ligne « L'aide demandée ».")
    aid_total = sum((line.amount for line in lines if line.kind == FunderKind.AID), Decimal(0))
    if aid_total != requested:
        raise SubsidyError(f"La ligne « L'aide demandée » du plan ({euros(aid_total)}) doit être "
                           f"égale au montant demandé ({euros(requested)}).")
    total = sum((line.amount for line in lines), Decimal(0))
    if total != cost:
        raise SubsidyError(f"Le plan de financement totalise {euros(total)} pour un coût de "
                           f"{euros(cost)} hors taxes : les deux doivent être égaux.")
    if aid.ceiling_amount is not None:
        if requested > aid.ceiling_amount:
            raise SubsidyError(f"Le montant demandé ({euros(requested)}) dépasse le plafond de "
                               f"l'aide ({euros(aid.ceiling_amount)}).")
        public = sum((line.amount for line in lines if line.kind in PUBLIC_KINDS), Decimal(0))
        if public > aid.ceiling_amount:
            raise SubsidyError(f"Les aides publiques totalisent {euros(public)} : elles ne "
                               f"peuvent pas dépasser le plafond de l'aide "
                               f"({euros(aid.ceiling_amount)}).")
    return dict(title=title, description=(data.description or "").strip()[:20_000],
                communes=(data.communes or "").strip()[:5000], cost_excl_vat=cost,
                cost_incl_vat=cost_incl, amount_requested=requested,
                schedule=(data.schedule or "").strip()[:5000],
                contact=(data.contact or "").strip()[:300], lines=lines)


def _event(dossier: SubsidyDossier, to: DossierState, *, by: User | None, comment: str = "",
           changes: str = "", new: bool = False) -> None:
    """Move ``dossier`` to ``to`` (or leave it where it is, for a change within a state) and
    write the step into its history."""
    before = "" if new else dossier.state.value
    dossier.events.append(DossierEvent(user=by, from_state=before,
                                       to_state=to.value, comment=comment, changes=changes))
    dossier.state = to


LINES = {
    S.DRAFT: "Votre dossier est enregistré comme brouillon. Joignez les pièces demandées, puis "
             "déposez-le.",
    S.SUBMITTED: "Votre dossier est déposé : le service instructeur va l'étudier.",
    S.INCOMPLETE: "Votre dossier est incomplet. Complétez-le, puis déposez-le à nouveau.",
    S.UNDER_REVIEW: "Votre dossier est en cours d'instruction.",
    S.PROPOSED: "Votre dossier sera présenté à la commission permanente.",
    S.GRANTED: "La subvention est accordée.",
    S.REFUSED: "La subvention n'est pas accordée.",
    S.CLOSED: "Le solde est versé : le dossier est clos.",
    S.LAPSED: "Le délai de réalisation des travaux est dépassé sans demande de solde : la "
              "subvention est caduque.",
}


def _tell_applicant(dossier: SubsidyDossier, line: str | None = None, detail: str = "") -> None:
    people = db.session.scalars(select(User).where(
        User.id.in_(access.dossier_writers(dossier)))).all()
    for person in people:
        queue(person.email, f"Subvention « {dossier.title} » : {dossier.state.label.lower()}",
              "subsidy_step", person=person, dossier=dossier, line=line or LINES[dossier.state],
              detail=detail, url=absolute_url("subsidies.show", dossier_id=dossier.id))


def _require(decision: bool, message: str) -> None:
    if not decision:
        raise SubsidyError(message)


def _writable(dossier: SubsidyDossier, by: User) -> None:
    _require(access.can_write_dossier(by, dossier),
             "Seuls les rédacteurs et administrateurs de l'organisation modifient ce dossier.")
    _require(dossier.state in (S.DRAFT, S.INCOMPLETE),
             f"Un dossier « {dossier.state.label} » ne se modifie plus.")


@unit_of_work
def create_dossier(aid: Aid, organisation: Organisation, data: DossierData, *,
                   by: User) -> SubsidyDossier:
    _require(aid.status == PublicationStatus.PUBLISHED, "Cette aide n'est plus proposée.")
    _require(organisation in access.applying_organisations(by),
             "Vous ne pouvez pas déposer de dossier pour cette organisation.")
    values = _checked(aid, data)
    lines = values.pop("lines")
    dossier = SubsidyDossier(aid=aid, organisation=organisation, created_by_id=by.id,
                             state=S.DRAFT, **values)
    dossier.lines = lines
    db.session.add(dossier)
    _event(dossier, S.DRAFT, by=by, new=True)
    db.session.flush()
    return dossier


FIELD_LABELS = {"title": "Intitulé", "cost_excl_vat": "Coût HT", "cost_incl_vat": "Coût TTC",
                "amount_requested": "Montant demandé", "communes": "Communes concernées",
                "schedule": "Calendrier", "contact": "Contact", "description": "Description"}


@unit_of_work
def update_dossier(dossier: SubsidyDossier, data: DossierData, *, by: User) -> None:
    _writable(dossier, by)
    values = _checked(dossier.aid, data)
    lines = values.pop("lines")
    changes = []
    for name, value in values.items():
        old = getattr(dossier, name)
        if old != value:
            changes.append(f"{FIELD_LABELS[name]} : {euros(old)} → {euros(value)}"
                           if isinstance(value, Decimal) else f"{FIELD_LABELS[name]} modifié")
            setattr(dossier, name, value)
    old_plan = [(line.kind, line.funder, line.amount) for line in dossier.lines]
    if old_plan != [(line.kind, line.funder, line.amount) for line in lines]:
        dossier.lines = lines
        changes.append("Plan de financement modifié")
    if changes:
        _event(dossier, dossier.state, by=by, comment="Dossier modifié",
               changes="\n".join(changes))


def for_page(dossier_id: int) -> SubsidyDossier | None:
    """The dossier of ``dossier_id`` with what its page shows as objects: the dossier with its
    applicant and aid (one statement), then its documents (with their files) and its history
    (with who did each step), one plain statement each — cheaper here than the ORM's
    ``selectinload``. Its plan, payments and the aid's checklist are ``page_parts``. The caller
    authorises the dossier (``access.authorize``)."""
    dossier = db.session.scalar(_DOSSIER, {"dossier": dossier_id})
    if dossier is not None:
        for name, query in _DOSSIER_PARTS.items():
            set_committed_value(dossier, name,
                                db.session.scalars(query, {"dossier": dossier.id}).all())
    return dossier


# The statements of ``for_page``, made once (the dossier's id is their parameter).
_DOSSIER = select(SubsidyDossier).where(SubsidyDossier.id == bindparam("dossier")).options(
    joinedload(SubsidyDossier.organisation), joinedload(SubsidyDossier.aid))
_DOSSIER_PARTS = {
    "documents": select(DossierDocument).where(DossierDocument.dossier_id == bindparam("dossier"))
    .order_by(DossierDocument.id),
    "events": select(DossierEvent).where(DossierEvent.dossier_id == bindparam("dossier"))
    .options(joinedload(DossierEvent.user)).order_by(DossierEvent.id)}


@dataclass
class ShownLine:
    kind: FunderKind
    funder: str
    amount: Decimal


@dataclass
class ShownPayment:
    kind: PaymentKind
    amount: Decimal
    paid_on: date


@dataclass
class ShownRequirement:
    id: int
    label: str


@dataclass
class PageParts:
    """What a dossier's page shows besides the dossier, its documents and its history."""
    lines: list[ShownLine] = field(default_factory=list)
    payments: list[ShownPayment] = field(default_factory=list)
    requirements: list[ShownRequirement] = field(default_factory=list)

    @property
    def plan_total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def paid(self) -> Decimal:
        return sum((payment.amount for payment in self.payments), Decimal("0.00"))


def _parts_statement():
    """A dossier's financing plan (part 0), its payments (1) and its aid's checklist (2), each
    in its order, as rows of the same columns: (part, id, kind, text, amount, day)."""
    text_, kind = String(200), String(30)
    plan = select(literal(0).label("part"), FinancingLine.id.label("id"),
                  type_coerce(FinancingLine.kind, kind).label("kind"),
                  FinancingLine.funder.label("text"), FinancingLine.amount.label("amount"),
                  cast(null(), Date).label("day"), literal(0).label("position")).where(
        FinancingLine.dossier_id == bindparam("dossier"))
    paid = select(literal(1), SubsidyPayment.id, type_coerce(SubsidyPayment.kind, kind),
                  cast(null(), text_), SubsidyPayment.amount, SubsidyPayment.paid_on,
                  literal(0)).where(SubsidyPayment.dossier_id == bindparam("dossier"))
    asked = select(literal(2), SubsidyRequirement.id, cast(null(), kind),
                   SubsidyRequirement.label, cast(null(), FinancingLine.amount.type),
                   cast(null(), Date), SubsidyRequirement.position).where(
        SubsidyRequirement.aid_id == bindparam("aid"))
    parts = union_all(plan, paid, asked).subquery()
    return select(parts.c.part, parts.c.id, parts.c.kind, parts.c.text, parts.c.amount,
                  parts.c.day).order_by(parts.c.part, parts.c.position, parts.c.id)


_PARTS = _parts_statement()     # made once: making it costs more than reading it


def page_parts(dossier: SubsidyDossier) -> PageParts:
    """The financing plan, the payments and the aid's checklist of ``dossier``'s page, in one
    statement."""
    found = PageParts()
    for part, id_, kind, text, amount, day in db.session.execute(
            _PARTS, {"dossier": dossier.id, "aid": dossier.aid_id}):
        if part == 0:
            found.lines.append(ShownLine(FunderKind(kind), text, amount))
        elif part == 1:
            found.payments.append(ShownPayment(PaymentKind(kind), amount, day))
        else:
            found.requirements.append(ShownRequirement(id_, text))
    return found


def missing_documents(dossier: SubsidyDossier,
                      requirements: list[SubsidyRequirement] | None = None
                      ) -> list[SubsidyRequirement]:
    """The aid's required documents (``requirements``, when already read) not yet joined."""
    joined = {doc.requirement_id for doc in dossier.documents}
    if requirements is None:
        requirements = requirements_of(dossier.aid)
    return [r for r in requirements if r.id not in joined]


@unit_of_work
def add_document(dossier: SubsidyDossier, upload, *, by: User,
                 requirement: SubsidyRequirement | None = None, title: str = "") -> DossierDocument:
    _writable(dossier, by)
    _require(upload is not None, "Choisissez le fichier à joindre.")
    _require(requirement is None or requirement.aid_id == dossier.aid_id,
             "Cette pièce n'est pas demandée pour cette aide.")
    stored = uploads.take(upload, allowed=DOCUMENT_TYPES, by=by)
    document = DossierDocument(file=stored, requirement=requirement,
                               title=(title or (requirement.label if requirement else ""))[:200])
    dossier.documents.append(document)
    _event(dossier, dossier.state, by=by, comment="Pièce jointe",
           changes=f"Ajout : {document.title or stored.original_name}")
    db.session.flush()
    return document


@unit_of_work
def remove_document(document: DossierDocument, *, by: User) -> None:
    dossier = document.dossier
    _writable(dossier, by)
    _event(dossier, dossier.state, by=by, comment="Pièce retirée",
           changes=f"Retrait : {document.display_name}")
    dossier.documents.remove(document)


# --- the transitions ----------------------------------------------------------------------------


def _instructing(dossier: SubsidyDossier, by: User, *states: DossierState) -> None:
    _require(access.can_instruct(by, dossier),
             "Seuls les instructeurs du programme de cette aide instruisent ce dossier.")
    _require(dossier.state in states,
             f"Cette étape n'est pas possible pour un dossier « {dossier.state.label} ».")


@unit_of_work
def submit(dossier: SubsidyDossier, *, by: User) -> None:
    _writable(dossier, by)
    lacking = missing_documents(dossier)
    _require(not lacking, "Le dossier ne peut pas être déposé : il manque "
             + ", ".join(f"« {r.label} »" for r in lacking) + ".")
    again = dossier.state == S.INCOMPLETE
    _event(dossier, S.SUBMITTED, by=by, comment="Dossier complété et déposé à nouveau"
           if again else "")
    dossier.submitted_at = utcnow()
    instructors = db.session.scalars(select(User).where(
        User.id.in_(access.dossier_instructors(dossier)))).all()
    notify(instructors, "subsidies.submitted",
           f"Dossier déposé : {dossier.title} ({dossier.organisation.name})",
           url=path_for("subsidies.show", dossier_id=dossier.id), body=dossier.aid.title,
           actor=by)
    _tell_applicant(dossier)


@unit_of_work
def mark_incomplete(dossier: SubsidyDossier, missing: str, *, by: User) -> None:
    _instructing(dossier, by, S.SUBMITTED, S.UNDER_REVIEW)
    missing = (missing or "").strip()[:5000]
    _require(bool(missing), "Indiquez ce qui manque au dossier : le demandeur le lira.")
    _event(dossier, S.INCOMPLETE, by=by, comment=missing)
    _tell_applicant(dossier, detail=f"Ce qui manque :\n{missing}")


@unit_of_work
def start_review(dossier: SubsidyDossier, *, by: User) -> None:
    _instructing(dossier, by, S.SUBMITTED)
    _event(dossier, S.UNDER_REVIEW, by=by)
    _tell_applicant(dossier)


@unit_of_work
def propose(dossier: SubsidyDossier, sitting_on: date | None, *, by: User) -> None:
    _instructing(dossier, by, S.UNDER_REVIEW)
    _require(sitting_on is not None, "Indiquez la date de la commission permanente.")
    dossier.sitting_on = sitting_on
    _event(dossier, S.PROPOSED, by=by, changes=f"Commission permanente du "
                                              f"{format_date(sitting_on)}")
    _tell_applicant(dossier, detail=f"Séance du {format_date(sitting_on)}.")


@unit_of_work
def grant(dossier: SubsidyDossier, amount, *, conditions: str = "",
          works_deadline: date | None, by: User) -> None:
    _instructing(dossier, by, S.PROPOSED)
    granted = _amount(amount, "Le montant accordé")
    _require(granted > 0, "Le montant accordé doit être supérieur à zéro (sinon, refusez).")
    _require(granted <= dossier.amount_requested,
             f"Le montant accordé ({euros(granted)}) ne peut pas dépasser le montant demandé "
             f"({euros(dossier.amount_requested)}).")
    _require(works_deadline is not None, "Indiquez la date limite de réalisation des travaux.")
    dossier.amount_granted, dossier.works_deadline = granted, works_deadline
    dossier.conditions = (conditions or "").strip()[:5000]
    _event(dossier, S.GRANTED, by=by, comment=dossier.conditions,
           changes=f"Montant accordé : {euros(granted)} ; travaux avant le "
                   f"{format_date(works_deadline)}")
    _tell_applicant(dossier, detail=f"Montant accordé : {euros(granted)}. Travaux à réaliser "
                                    f"avant le {format_date(works_deadline)}.")


@unit_of_work
def refuse(dossier: SubsidyDossier, reason: str, *, by: User) -> None:
    _instructing(dossier, by, S.UNDER_REVIEW, S.PROPOSED)
    reason = (reason or "").strip()[:5000]
    _require(bool(reason), "Indiquez le motif du refus : le demandeur le lira.")
    dossier.refusal_reason = reason
    _event(dossier, S.REFUSED, by=by, comment=reason)
    _tell_applicant(dossier, detail=f"Motif : {reason}")


@unit_of_work
def record_payment(dossier: SubsidyDossier, kind: PaymentKind, amount, paid_on: date | None,
                   *, by: User) -> SubsidyPayment:
    _instructing(dossier, by, S.GRANTED)
    value = _amount(amount, "Le montant du versement")
    _require(value > 0, "Le montant du versement doit être supérieur à zéro.")
    _require(paid_on is not None, "Indiquez la date du versement.")
    total = dossier.paid + value
    _require(total <= dossier.amount_granted,
             f"Ce versement porterait le total versé à {euros(total)}, plus que le montant "
             f"accordé ({euros(dossier.amount_granted)}) : il reste "
             f"{euros(dossier.amount_granted - dossier.paid)} à verser.")
    payment = SubsidyPayment(kind=kind, amount=value, paid_on=paid_on)
    dossier.payments.append(payment)
    what = f"{kind.label} de {euros(value)} versé(e) le {format_date(paid_on)}"
    if kind == PaymentKind.BALANCE:
        _event(dossier, S.CLOSED, by=by, changes=what)
    else:
        _event(dossier, dossier.state, by=by, comment="Versement", changes=what)
    _tell_applicant(dossier, line=what + "." if kind != PaymentKind.BALANCE else None,
                    detail=f"Total versé : {euros(total)} sur {euros(dossier.amount_granted)}.")
    db.session.flush()
    return payment


@unit_of_work
def lapse_due(day: date | None = None) -> tuple[int, int]:
    """The worker's step: a month before a grant's works deadline, the applicant is reminded
    (once); once it has passed without a balance, the dossier lapses. (reminded, lapsed)"""
    day = day or today_paris()
    granted = db.session.scalars(select(SubsidyDossier).where(
        SubsidyDossier.state == S.GRANTED,
        SubsidyDossier.works_deadline <= day + timedelta(days=REMINDER_DAYS))).all()
    reminded = lapsed = 0
    for dossier in granted:
        if dossier.works_deadline < day:
            _event(dossier, S.LAPSED, by=None,
                   comment=f"Délai de réalisation dépassé le {format_date(dossier.works_deadline)}")
            _tell_applicant(dossier)
            lapsed += 1
        elif dossier.reminded_at is None:
            dossier.reminded_at = utcnow()
            _tell_applicant(dossier, line=(
                f"Les travaux doivent être réalisés avant le "
                f"{format_date(dossier.works_deadline)}. Sans demande de solde à cette date, la "
                "subvention deviendra caduque."))
            reminded += 1
    return reminded, lapsed


# --- the aids' checklists and the instructors --------------------------------------------------


def requirements_of(aid: Aid) -> list[SubsidyRequirement]:
    return list(db.session.scalars(_REQUIREMENTS, {"aid": aid.id}))


_REQUIREMENTS = select(SubsidyRequirement).where(
    SubsidyRequirement.aid_id == bindparam("aid")).order_by(SubsidyRequirement.position,
                                                            SubsidyRequirement.id)


@unit_of_work
def add_requirement(aid: Aid, label: str, *, by: User) -> SubsidyRequirement:
    _require(access.can_edit_requirements(by, aid),
             "Seuls les rédacteurs de l'organisation qui publie l'aide modifient ses pièces.")
    label = (label or "").strip()[:200]
    _require(bool(label), "Indiquez le nom de la pièce demandée.")
    position = len(requirements_of(aid))
    requirement = SubsidyRequirement(aid_id=aid.id, label=label, position=position)
    db.session.add(requirement)
    db.session.flush()
    return requirement


@unit_of_work
def remove_requirement(requirement: SubsidyRequirement, *, by: User) -> None:
    _require(access.can_edit_requirements(by, requirement.aid),
             "Seuls les rédacteurs de l'organisation qui publie l'aide modifient ses pièces.")
    db.session.delete(requirement)


@unit_of_work
def assign_instructor(email: str, programme: str, *, by: User | None = None) -> SubsidyInstructor:
    _require(by is None or access.can_assign_instructors(by),
             "Seul l'administrateur de la plateforme désigne les instructeurs.")
    programme = (programme or "").strip()[:200]
    _require(bool(programme), "Indiquez le programme.")
    person = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    _require(person is not None, f"Aucun compte n'a l'adresse « {email} ».")
    existing = db.session.scalar(select(SubsidyInstructor).where(
        SubsidyInstructor.user_id == person.id, SubsidyInstructor.programme == programme))
    if existing is not None:
        return existing
    row = SubsidyInstructor(user=person, programme=programme)
    db.session.add(row)
    db.session.flush()
    return row


@unit_of_work
def remove_instructor(row: SubsidyInstructor, *, by: User) -> None:
    _require(access.can_assign_instructors(by),
             "Seul l'administrateur de la plateforme désigne les instructeurs.")
    db.session.delete(row)


def instructors() -> list[SubsidyInstructor]:
    """The instructors, each with their person (read in the same statement)."""
    return list(db.session.scalars(select(SubsidyInstructor).join(SubsidyInstructor.user)
                                   .options(contains_eager(SubsidyInstructor.user))
                                   .order_by(SubsidyInstructor.programme, User.email)))


def programmes() -> list[str]:
    return sorted(db.session.scalars(select(Aid.programme).where(Aid.programme != "")
                                     .distinct()))


# --- lists --------------------------------------------------------------------------------------


def of_organisations(user) -> list[SubsidyDossier]:
    """The dossiers of ``user``'s organisations, with their aids (the organisations are the
    person's own, already read with their memberships)."""
    own = [m.organisation_id for m in user.memberships] or [-1]
    return list(db.session.scalars(select(SubsidyDossier).where(
        SubsidyDossier.organisation_id.in_(own), access.visible_dossiers(user))
        .options(_WITH_AID)
        .order_by(SubsidyDossier.created_at.desc(), SubsidyDossier.id.desc())))


_WITH_AID = joinedload(SubsidyDossier.aid)


@dataclass
class Filters:
    """The instructors' list's filters, read from its query string (``from_args``) and written
    back into it (``args``): for the pages, the CSV and the dashboard's links."""
    programme: str = ""
    aid_id: int | None = None
    state: str = ""
    year: int | None = None
    epci_id: int | None = None
    applicant: str = ""          # words of the applicant's name, or its INSEE code

    @classmethod
    def from_args(cls, args) -> Filters:
        state = args.get("etat", "")
        return cls(programme=args.get("programme", "")[:200], aid_id=to_int(args.get("aide")),
                   state=state if state in S._value2member_map_ else "",
                   year=_year(args.get("annee", "")), epci_id=to_int(args.get("epci")),
                   applicant=" ".join(args.get("demandeur", "").split())[:100])

    def args(self) -> dict[str, str | int]:
        values = {"programme": self.programme, "aide": self.aid_id, "etat": self.state,
                  "annee": self.year, "epci": self.epci_id, "demandeur": self.applicant}
        return {name: value for name, value in values.items() if value}


def _year(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) == 4 else None


def instructed_query(user, filters: Filters, *, scope=None):
    """SELECT of the dossiers of ``user``'s programmes (drafts stay with their applicant),
    filtered, the last submitted first. ``scope``: ``access.instructed_dossiers(user)``, when
    the caller has it already (a page that reads the list twice)."""
    scope = access.instructed_dossiers(user) if scope is None else scope
    query = _INSTRUCTED.where(scope)
    if filters.programme:
        query = query.where(Aid.programme == filters.programme)
    if filters.aid_id:
        query = query.where(SubsidyDossier.aid_id == filters.aid_id)
    if filters.state:
        query = query.where(SubsidyDossier.state == S(filters.state))
    if filters.year:
        query = query.where(extract("year", SubsidyDossier.submitted_at) == filters.year)
    if filters.epci_id:
        query = query.where(or_(Organisation.epci_id == filters.epci_id,
                                Organisation.id == filters.epci_id))
    if filters.applicant:
        key = collation_key(filters.applicant)
        query = query.where(or_(Organisation.insee_code == filters.applicant,
                                *([Organisation.name_key.contains(key, autoescape=True)]
                                  if key else [])))
    return query.order_by(*_LAST_SUBMITTED_FIRST)


# The parts of the list's SELECT that do not depend on the person, made once.
_INSTRUCTED = (select(SubsidyDossier).join(Aid, Aid.id == SubsidyDossier.aid_id)
               .join(Organisation, Organisation.id == SubsidyDossier.organisation_id)
               .where(SubsidyDossier.state != S.DRAFT))
_LAST_SUBMITTED_FIRST = (SubsidyDossier.submitted_at.desc(), SubsidyDossier.id.desc())
_WITH_APPLICANT_AND_AID_JOINED = (contains_eager(SubsidyDossier.organisation),
                                  contains_eager(SubsidyDossier.aid))


PER_PAGE = 50


@dataclass
class ListPage(pagination.Pager):
    """A page of the instructors' list, as the templates' ``pager`` reads it."""
    items: list[SubsidyDossier]
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return -(-self.total // self.per_page)


def instructed(user, filters: Filters, *, scope=None) -> ListPage:
    """The page the query string asks for (50 dossiers) of the instructors' list, applicant and
    aid read with it (from the joins the list's filters already make), and the list counted in
    the same statement: a scalar subquery, run once (a window count would read every row of the
    list instead of walking the index to the 50th). A page past the end is the last one, as
    with ``core.pagination``: counted, then read again."""
    query = instructed_query(user, filters, scope=scope)
    total = select(func.count()).select_from(
        query.with_only_columns(SubsidyDossier.id).order_by(None).subquery()).scalar_subquery()
    counted = query.options(*_WITH_APPLICANT_AND_AID_JOINED).add_columns(total.label("total"))
    page = page_arg()
    rows = _page_of(counted, page)
    if not rows and page > 1:
        page = max(1, -(-pagination.count(query) // PER_PAGE))
        rows = _page_of(counted, page)
    return ListPage([dossier for dossier, _ in rows], rows[0][1] if rows else 0, page)


def _page_of(query, page: int) -> list:
    """The rows of page ``page``; the first without OFFSET: a prepared statement's generic plan
    with an OFFSET parameter sorts the whole list rather than walk its index (three times the
    time at 3,000 dossiers)."""
    return db.session.execute(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE or None)).all()


@dataclass
class Choice:
    id: int
    name: str


def _choices_statement():
    """The aids of some programmes (``programmes``, expanding) by title, then the active
    intercommunalities in French order: (part 0 or 1, id, name)."""
    aids = select(literal(0).label("part"), Aid.id, Aid.title.label("name"),
                  func.row_number().over(order_by=(Aid.title, Aid.id)).label("n")).where(
        Aid.programme.in_(bindparam("programmes", expanding=True)))
    epcis_ = select(literal(1), Organisation.id, Organisation.name,
                    func.row_number().over(order_by=(Organisation.name_key, Organisation.id))
                    ).where(Organisation.kind == OrgKind.EPCI, Organisation.is_active.is_(True))
    both = union_all(aids, epcis_).subquery()
    return select(both.c.part, both.c.id, both.c.name).order_by(both.c.part, both.c.n)


_CHOICES = _choices_statement()     # made once: making it costs more than reading it


def list_choices(user) -> tuple[list[Choice], list[Choice]]:
    """The instructors' list's « Aide » and « Intercommunalité » choices, in one statement: the
    aids of ``user``'s programmes by title, the active intercommunalities in French order;
    kept by the process for those programmes until an aid or an organisation changes."""
    programmes = tuple(access.instructed_programmes(user)) or ("",)
    rows = generations.kept((AIDS, ORGANISATIONS), ("instruction choices", programmes),
                            lambda: tuple(db.session.execute(_CHOICES,
                                                             {"programmes": list(programmes)})))
    found: tuple[list[Choice], list[Choice]] = ([], [])
    for part, id_, name in rows:
        found[part].append(Choice(id_, name))
    return found


# --- the agendas: a granted dossier's works deadline ---------------------------------------------


def works_deadlines(user, after: datetime, before: datetime, space=None):
    """The works deadlines of the granted dossiers a person sees (their organisations', or
    their programmes' as instructors): deadlines of their agenda
    (``core.hooks.register_calendar_source``: a SELECT of ``hooks.calendar_columns``), none in
    a space's calendar."""
    if space is not None or not access.is_signed_in(user):
        return None
    return _WORKS_DEADLINES, {"viewer_id": user.id}


_WORKS_DEADLINES = select(*hooks.calendar_columns(   # built once
    id=SubsidyDossier.id, day=SubsidyDossier.works_deadline, title=SubsidyDossier.title,
    name=Organisation.name)).join(Organisation,
                                  Organisation.id == SubsidyDossier.organisation_id).where(
    access.visible_dossiers_bound(), SubsidyDossier.state == S.GRANTED,
    SubsidyDossier.works_deadline >= bindparam("calendar_from"),
    SubsidyDossier.works_deadline < bindparam("calendar_to"))


def works_deadline_entries(user, rows) -> list:
    entries = []
    for row in rows:
        entries.append(hooks.whole_day(
            row.day, title=f"Fin des travaux subventionnés : {row.title}",
            url=path_for("subsidies.show", dossier_id=row.id),
            uid=f"dossier-{row.id}-travaux@territoires",
            note=f"{row.name} — demandez le solde avant cette date."))
    return entries


hooks.register_calendar_source("travaux", "Échéances (subventions)", works_deadlines,
                               works_deadline_entries, deadline=True)
