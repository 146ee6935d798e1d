"""Deliberations: recording, publishing and withdrawing acts, the lists of sittings, the
minutes, each organisation's settings. What the pages read is in ``reading``, the agendas'
sources in ``calendar``, the public list's query in ``listing``.

Each public function that changes something is one unit of work: it checks everything first,
raises ``DeliberationError`` (French message, nothing changed) or commits.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ... import access
from ...accounts.models import Organisation, OrgKind, User
from ...core.types import Visibility
from ...core import audit, identifiers, uploads
from ...core.frdates import format_date
from ...core.models import StoredFile
from ..lifecycle import PublicationStatus
from ...core.sanitize import source_and_html, to_text
from ...core.timeutil import utcnow
from ...core.uow import unit_of_work
from ...core.urls import path_for
from ...extensions import db
from ...spaces import services as spaces
from .. import publishing
from . import classification
from .listing import PUBLISHED
from .models import (MINIMUM_MONTHS_ONLINE, SMALL_COMMUNE_POPULATION, ActNature,
                     Assembly,
                     Deliberation, DeliberationAnnex, DeliberationSettings, PublicationMode,
                     Sitting, SittingMinutes, today_paris)

NUMBER_RE = re.compile(r"^[0-9A-Z_]{1,15}$")
ACKNOWLEDGEMENT_RE = re.compile(r"^[0-9A-Za-z_-]{1,60}$")
BUDGET_YEAR_RE = re.compile(r"^[0-9]{4}(/[0-9]{4})?$")
PDF_ONLY = ("pdf",)


class DeliberationError(publishing.PublicationError):
    """A refused change, with a French message; ``field`` names the form field concerned.

    A refused act carries every problem found at once in ``problems``, a list of
    ``(field, message)``; ``field`` and the message are then those of the first one.
    """

    def __init__(self, message: str, field: str | None = None,
                 problems: list[tuple[str | None, str]] | None = None):
        super().__init__(message)
        self.field = field
        self.problems = problems or [(field, message)]

    @classmethod
    def of(cls, problems: list[tuple[str | None, str]]) -> DeliberationError:
        field_name, message = problems[0]
        return cls(message, field_name, problems)


Upload = uploads.Sent


@dataclass
class ActData:
    nature: ActNature
    number: str
    assembly: Assembly
    sitting_date: date | None
    subject: str
    matiere_code: str
    signatory_name: str
    signatory_function: str
    body: str = ""
    body_format: str = "text"      # "html" from the editor; anything else is plain text
    members_in_office: int | None = None
    members_present: int | None = None
    votes_for: int | None = None
    votes_against: int | None = None
    abstentions: int | None = None
    budget_year: str | None = None
    budget_name: str | None = None
    transmitted_on: date | None = None
    acknowledgement_id: str | None = None
    visibility: Visibility = Visibility.PUBLIC
    # Columns of the act that the form fills as typed and no rule above checks (see
    # ``extra_columns``): a new one is a column of the model and a field of the form.
    extra: dict = field(default_factory=dict)
    votes: tuple = field(init=False, repr=False)

    def __post_init__(self):
        self.number = (self.number or "").strip()
        self.subject = (self.subject or "").strip()
        self.signatory_name = (self.signatory_name or "").strip()
        self.signatory_function = (self.signatory_function or "").strip()
        self.budget_year = (self.budget_year or "").strip() or None
        self.budget_name = (self.budget_name or "").strip() or None
        self.acknowledgement_id = (self.acknowledgement_id or "").strip() or None
        self.votes = (self.members_in_office, self.members_present, self.votes_for,
                      self.votes_against, self.abstentions)
        self.extra = {name: ((value or "").strip() or None) if isinstance(value, str) else value
                      for name, value in self.extra.items()}


def extra_columns(names) -> list[str]:
    """Of ``names`` (a form's fields), those that are columns of an act with no rule of their
    own in ``ActData``: the form's value is stored as typed (text stripped, empty → NULL)."""
    columns = set(Deliberation.__table__.columns.keys())
    handled = {f.name for f in fields(ActData)}
    return [name for name in names if name in columns and name not in handled]


# --- checks -----------------------------------------------------------------------------------

Problems = list[tuple[str, str]]   # (form field, French message saying how to fix it)


def suggest_number(typed: str) -> str:
    """A valid act number made from what was typed: accents removed, upper case, any other
    character replaced by « _ », 15 characters at most (« 2026-12 » → « 2026_12 »)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", typed.strip())
                    if not unicodedata.combining(c))
    return re.sub(r"[^0-9A-Z_]", "_", plain.upper())[:15]


def number_problem(number: str) -> str | None:
    """What is wrong with an act number, and the valid number to use instead."""
    if NUMBER_RE.match(number):
        return None
    if not number:
        return "Indiquez le numéro de l'acte, par exemple 2025_014."
    suggestion = suggest_number(number)
    if len(number) > 15 and suggest_number(number[:15]) == number[:15]:
        why = f"il compte {len(number)} caractères, 15 au plus"
    else:
        why = ("seuls les chiffres, les lettres majuscules sans accent et « _ » sont "
               "acceptés, 15 caractères au plus")
    return f"Numéro invalide : {why}. Écrivez par exemple « {suggestion} »."


def act_problems(data: ActData, organisation: Organisation | None,
                 deliberation: Deliberation | None = None) -> Problems:
    """Every problem of an act at once, each with the field it concerns (empty when fine).
    Reads the database (is the number free in ``organisation``?) and changes nothing."""
    problems: Problems = []
    message = number_problem(data.number)
    if message:
        problems.append(("number", message))
    elif organisation is not None:
        taken = db.session.scalar(select(Deliberation.id).where(
            Deliberation.organisation_id == organisation.id, Deliberation.number == data.number))
        if taken is not None and (deliberation is None or taken != deliberation.id):
            problems.append(("number", f"Le numéro {data.number} est déjà celui d'un autre acte "
                                       f"de votre organisation : chaque acte a son propre "
                                       f"numéro."))
    if data.sitting_date is None:
        problems.append(("sitting_date", "Indiquez la date de la séance (ou de la décision)."))
    if not data.subject:
        problems.append(("subject", "L'objet de l'acte est obligatoire."))
    if not classification.is_sub_matiere(data.matiere_code):
        problems.append(("matiere", "Choisissez la matière de l'acte dans la liste."))
    if not data.signatory_name:
        problems.append(("signatory_name", "Indiquez le prénom et le nom du signataire de "
                                           "l'acte."))
    if not data.signatory_function:
        problems.append(("signatory_function", "Indiquez la fonction du signataire de l'acte "
                                               "(par exemple : Maire)."))
    if data.visibility not in (Visibility.PUBLIC, Visibility.NETWORK):
        problems.append(("visibility", "Choisissez qui peut lire l'acte."))
    problems += _vote_problems(data) + _budget_problems(data) + _transmission_problems(data)
    return problems


def _check(data: ActData, organisation: Organisation, deliberation: Deliberation | None) -> None:
    problems = act_problems(data, organisation, deliberation)
    if problems:
        raise DeliberationError.of(problems)


VOTE_FIELDS = ("members_in_office", "members_present", "votes_for", "votes_against",
               "abstentions")


def _vote_problems(data: ActData) -> Problems:
    given = [v is not None for v in data.votes]
    if not any(given):
        return []
    if not all(given):
        missing = next(name for name, v in zip(VOTE_FIELDS, data.votes) if v is None)
        return [(missing, "Renseignez les cinq nombres du vote (membres en exercice, présents, "
                          "pour, contre, abstentions), ou aucun.")]
    negative = [(name, "Indiquez un nombre positif ou nul.")
                for name, v in zip(VOTE_FIELDS, data.votes) if v < 0]
    if negative:
        return negative
    in_office, present, votes_for, against, abstentions = data.votes
    problems: Problems = []
    if present > in_office:
        problems.append(("members_present", f"Il ne peut pas y avoir plus de membres présents "
                                            f"({present}) que de membres en exercice "
                                            f"({in_office}) : corrigez l'un des deux nombres."))
    cast = votes_for + against + abstentions
    if cast > present:
        problems.append(("votes_for", f"Les votes ne s'additionnent pas : pour + contre + "
                                      f"abstentions = {cast}, soit plus que les {present} "
                                      f"membres présents."))
    return problems


def _budget_problems(data: ActData) -> Problems:
    if data.budget_year and not BUDGET_YEAR_RE.match(data.budget_year):
        return [("budget_year", "Indiquez l'exercice par une année (2025) ou un intervalle "
                                "(2025/2026).")]
    if data.budget_year is None and data.budget_name is not None:
        return [("budget_year", "Indiquez à la fois l'exercice et le nom du budget, ou aucun "
                                "des deux.")]
    if data.budget_year is not None and data.budget_name is None:
        return [("budget_name", "Indiquez à la fois l'exercice et le nom du budget, ou aucun "
                                "des deux.")]
    return []


def _transmission_problems(data: ActData) -> Problems:
    return transmission_problems(data.sitting_date, data.transmitted_on, data.acknowledgement_id)


def transmission_problems(sitting_date: date | None, transmitted_on: date | None,
                          acknowledgement_id: str | None) -> Problems:
    """What is wrong with an act's transmission to the préfecture (its date and the
    acknowledgement's identifier), each with its form field."""
    problems: Problems = []
    if transmitted_on is not None:
        if sitting_date is not None and transmitted_on < sitting_date:
            problems.append(("transmitted_on", "L'acte ne peut pas avoir été transmis en "
                                               "préfecture avant la séance du "
                                               f"{format_date(sitting_date)}."))
        elif transmitted_on > today_paris():
            problems.append(("transmitted_on", "La date de transmission en préfecture ne peut "
                                               "pas être dans le futur."))
    if acknowledgement_id:
        if transmitted_on is None:
            problems.append(("transmitted_on", "Indiquez aussi la date de transmission en "
                                               "préfecture de l'acte accusé."))
        if not ACKNOWLEDGEMENT_RE.match(acknowledgement_id):
            problems.append(("acknowledgement_id", "L'identifiant de l'accusé de réception ne "
                                                   "contient que des chiffres, des lettres, "
                                                   "« - » et « _ »."))
    return problems


# --- files ------------------------------------------------------------------------------------


def _store(upload: Upload | StoredFile, by: User, field_name: str,
           written: list[StoredFile]) -> StoredFile:
    """A file sent now, or a pending file kept from a refused form (taken as it is)."""
    try:
        stored = uploads.take(upload, allowed=PDF_ONLY, by=by)
    except uploads.UploadError as exc:
        db.session.rollback()   # the files already written go with it (core/uploads.py)
        raise DeliberationError(str(exc), field_name) from exc
    written.append(stored)
    return stored


def _commit(written: list[StoredFile]) -> None:
    try:
        db.session.commit()
    except IntegrityError as exc:  # two people saving the same number at the same time
        db.session.rollback()
        raise DeliberationError("Ce numéro vient d'être utilisé par un autre acte : choisissez-en "
                                "un autre.", "number") from exc
    except Exception:
        db.session.rollback()
        raise


# --- sittings ---------------------------------------------------------------------------------


def _sitting_for(organisation: Organisation, assembly: Assembly, day: date) -> Sitting:
    sitting = db.session.scalar(select(Sitting).where(
        Sitting.organisation_id == organisation.id, Sitting.assembly == assembly,
        Sitting.sitting_date == day))
    if sitting is None:
        sitting = Sitting(organisation=organisation, assembly=assembly, sitting_date=day)
        db.session.add(sitting)
        db.session.flush()
    return sitting


def _drop_if_empty(sitting: Sitting | None) -> None:
    """A sitting left without acts (and whose list was never published) goes."""
    if sitting is None or sitting.list_published_at is not None or sitting.minutes is not None:
        return
    db.session.flush()
    left = db.session.scalar(select(func.count()).select_from(Deliberation)
                             .where(Deliberation.sitting_id == sitting.id))
    if not left:
        db.session.delete(sitting)


# --- recording acts ---------------------------------------------------------------------------


def _apply(deliberation: Deliberation, data: ActData) -> None:
    deliberation.nature, deliberation.number = data.nature, data.number
    deliberation.assembly, deliberation.sitting_date = data.assembly, data.sitting_date
    deliberation.subject, deliberation.matiere_code = data.subject, data.matiere_code
    source, html, _format = source_and_html((data.body or "").strip(), data.body_format)
    if not to_text(html) and "<img" not in html:
        source = html = ""        # an empty editor, or blank text: no body
    # Written in the editor, the source is the sanitised HTML itself (``body_format``).
    deliberation.body_source, deliberation.body_html = source, html
    (deliberation.members_in_office, deliberation.members_present, deliberation.votes_for,
     deliberation.votes_against, deliberation.abstentions) = data.votes
    deliberation.budget_year, deliberation.budget_name = data.budget_year, data.budget_name
    deliberation.signatory_name = data.signatory_name
    deliberation.signatory_function = data.signatory_function
    deliberation.transmitted_on = data.transmitted_on
    deliberation.acknowledgement_id = data.acknowledgement_id
    deliberation.visibility = data.visibility
    for name, value in data.extra.items():
        setattr(deliberation, name, value)


def _attach_annexes(deliberation: Deliberation, annexes: list[Upload], by: User,
                    written: list[StoredFile]) -> None:
    position = max((a.position for a in deliberation.annexes), default=0)
    for upload in annexes:
        stored = _store(upload, by, "annexes", written)
        position += 1
        deliberation.annexes.append(DeliberationAnnex(file=stored, position=position))


def create_deliberation(organisation: Organisation, data: ActData, *, by: User,
                        act_pdf: Upload | StoredFile | None = None,
                        annexes: list[Upload | StoredFile] = ()) -> Deliberation:
    """Record a draft act (only the publisher's members see it until it is published)."""
    _check(data, organisation, None)
    written: list[StoredFile] = []
    deliberation = publishing.new_draft(Deliberation, organisation, by=by)
    if act_pdf is not None:
        deliberation.act_file = _store(act_pdf, by, "act_pdf", written)
    _attach_annexes(deliberation, list(annexes), by, written)
    _apply(deliberation, data)
    deliberation.sitting = _sitting_for(organisation, data.assembly, data.sitting_date)
    db.session.add(deliberation)
    _commit(written)
    return deliberation


def update_deliberation(deliberation: Deliberation, data: ActData, *, by: User,
                        act_pdf: Upload | StoredFile | None = None,
                        annexes: list[Upload | StoredFile] = ()) -> None:
    """Change an act. A published act keeps its PDF (what was put online stays as it was)."""
    if deliberation.status == PublicationStatus.WITHDRAWN:
        raise DeliberationError("Cet acte est retiré : il ne peut plus être modifié.")
    if act_pdf is not None and deliberation.is_published:
        raise DeliberationError("L'acte publié ne peut pas être remplacé : publiez un acte "
                                "rectificatif, ou retirez celui-ci une fois passés les deux mois "
                                "de mise en ligne.", "act_pdf")
    _check(data, deliberation.organisation, deliberation)
    written: list[StoredFile] = []
    old_file = deliberation.act_file
    if act_pdf is not None:
        deliberation.act_file = _store(act_pdf, by, "act_pdf", written)
    _attach_annexes(deliberation, list(annexes), by, written)
    old_sitting = deliberation.sitting
    _apply(deliberation, data)
    if (old_sitting.assembly, old_sitting.sitting_date) != (data.assembly, data.sitting_date):
        deliberation.sitting = _sitting_for(deliberation.organisation, data.assembly,
                                            data.sitting_date)
        _drop_if_empty(old_sitting)
    publishing.follow_visibility(deliberation)
    replaced = [old_file] if act_pdf is not None and old_file is not None else []
    for stored in replaced:
        db.session.delete(stored)
    uploads.discard_after_commit(replaced)
    _commit(written)


def _annex_removal_refusal(deliberation: Deliberation) -> str | None:
    if deliberation.status != PublicationStatus.DRAFT:
        return "Les annexes d'un acte publié restent en ligne avec lui."
    return None


@unit_of_work
def delete_draft(deliberation: Deliberation, *, by: User) -> None:
    """Delete a draft act; its annexes' files follow their rows, its PDF is removed here."""
    if deliberation.status != PublicationStatus.DRAFT:
        raise DeliberationError("Seul un brouillon peut être supprimé : un acte publié reste "
                                "en ligne au moins deux mois, puis peut être retiré.")
    act_file = deliberation.act_file
    sitting = deliberation.sitting
    db.session.delete(deliberation)
    if act_file is not None:
        db.session.delete(act_file)
        uploads.discard_after_commit([act_file])
    _drop_if_empty(sitting)


# --- publishing -------------------------------------------------------------------------------


def _publish_refusal(deliberation: Deliberation) -> str | None:
    """The rules of an act's publication (décret 2021-1311), beyond the life cycle's own."""
    if deliberation.status == PublicationStatus.WITHDRAWN:
        return "Un acte retiré ne peut pas être republié : enregistrez-le comme un nouvel acte."
    if deliberation.act_file is None:
        return "Ajoutez l'acte en PDF avant de le publier."
    if not deliberation.signatory_name or not deliberation.signatory_function:
        return "Indiquez le nom et la fonction du signataire avant de publier."
    if deliberation.sitting_date > today_paris():
        return (f"La séance du {format_date(deliberation.sitting_date)} n'a pas encore eu lieu : "
                "l'acte ne peut pas encore être publié.")
    return None


def _two_months_refusal(deliberation: Deliberation, today: date | None = None) -> str | None:
    """An act stays online two months at least (article L2131-1 CGCT)."""
    possible_from = deliberation.online_until_at_least
    if (today or today_paris()) < possible_from:
        return (f"Cet acte a été mis en ligne le {format_date(deliberation.published_at)} : il "
                f"doit rester en ligne au moins {MINIMUM_MONTHS_ONLINE} mois (article L2131-1 du "
                f"code général des collectivités territoriales, ordonnance n° 2021-1310). Il "
                f"pourra être retiré à partir du {format_date(possible_from)}.")
    return None


def _mark_withdrawn(deliberation: Deliberation) -> None:
    deliberation.withdrawn_at = utcnow()


publishing.register(Deliberation, publishing.PublicationType(
    key="deliberation", endpoint="deliberations.show", id_arg="deliberation_id", this="Cet acte",
    noun="Acte", error=DeliberationError,
    summary=lambda act: (f"{act.organisation.name} publie : {act.nature.label.lower()} n° "
                         f"{act.number} — {act.subject}"),
    target=lambda act: f"{act.nature.label} n° {act.number}",
    publish_refusal=_publish_refusal, withdrawal_refusal=_two_months_refusal,
    on_withdrawn=_mark_withdrawn, attachments="annexes", attachment=DeliberationAnnex,
    attachment_types=PDF_ONLY, removal_refusal=_annex_removal_refusal))

# Put online (from then on the act shows the date it went online and its signatory) and taken
# offline (kept for the record, seen by its publisher's members only) by the one life cycle.
publish, withdraw = publishing.publish, publishing.withdraw


def withdrawal_refusal(deliberation: Deliberation, today: date | None = None) -> str | None:
    """Why the act may not be withdrawn today (French), or None if it may."""
    if not deliberation.is_published:
        return publishing.withdrawal_refusal(deliberation)
    return _two_months_refusal(deliberation, today)


def publish_sitting_list(sitting: Sitting, *, by: User) -> None:
    """Put online the list of the deliberations examined at a sitting (its published acts)."""
    if sitting.list_published_at is not None:
        raise DeliberationError("La liste de cette séance est déjà en ligne depuis le "
                                f"{format_date(sitting.list_published_at)}.")
    published = db.session.scalar(select(func.count()).select_from(Deliberation).where(
        Deliberation.sitting_id == sitting.id, Deliberation.status == PUBLISHED))
    if not published:
        raise DeliberationError("Publiez d'abord les actes de cette séance : la liste est faite "
                                "des actes publiés.")
    sitting.list_published_at = utcnow()
    sitting.list_published_by_id = by.id
    spaces.record_activity(
        spaces.ensure_open_space(), "deliberation.sitting_list",
        f"{sitting.organisation.name} : liste des délibérations — {sitting.title}",
        actor=by, url=path_for("deliberations.sitting", sitting_id=sitting.id),
        visibility=Visibility.PUBLIC)
    db.session.commit()


# --- the agenda and the minutes of a sitting ---------------------------------------------------

MAX_AGENDA = 20_000


@unit_of_work
def save_agenda(sitting: Sitting, agenda: str, *, by: User) -> None:
    """Record the agenda (ordre du jour) of a sitting, one item a line."""
    if not access.can_edit_publication(by, sitting.organisation):
        raise DeliberationError("Vous ne pouvez pas modifier les séances de cet organisme.")
    text = "\n".join(line.strip() for line in (agenda or "").splitlines() if line.strip())
    if len(text) > MAX_AGENDA:
        raise DeliberationError(f"L'ordre du jour est trop long ({len(text)} caractères, "
                                f"{MAX_AGENDA} au plus).", "agenda")
    sitting.agenda = text


def _minutes_publish_refusal(minutes: SittingMinutes) -> str | None:
    if minutes.file is None:
        return "Ajoutez le procès-verbal en PDF avant de le publier."
    if minutes.approved_on is None:
        return ("Le procès-verbal est publié une fois approuvé : indiquez la date de la séance "
                "qui l'a approuvé.")
    if minutes.sitting.list_published_at is None:
        return ("Publiez d'abord la liste des délibérations de cette séance : le procès-verbal "
                "est mis en ligne avec elle, sur la page de la séance.")
    return None


def _minutes_summary(minutes: SittingMinutes) -> str:
    return (f"{minutes.organisation.name} publie le procès-verbal de la séance : "
            f"{minutes.sitting.title}")


publishing.register(SittingMinutes, publishing.PublicationType(
    key="minutes", endpoint="deliberations.minutes", id_arg="minutes_id",
    this="Ce procès-verbal", noun="Procès-verbal", error=DeliberationError,
    summary=_minutes_summary,
    target=lambda minutes: f"Procès-verbal de la séance n° {minutes.sitting_id}",
    publish_refusal=_minutes_publish_refusal))


def minutes_problems(sitting: Sitting, approved_on: date | None) -> Problems:
    """What is wrong with the approval date of a sitting's minutes (approved at a later
    sitting, already held)."""
    if approved_on is None:
        return []
    if approved_on <= sitting.sitting_date:
        return [("approved_on", "Le procès-verbal est approuvé lors d'une séance suivante : "
                                f"indiquez une date après le {format_date(sitting.sitting_date)}.")]
    if approved_on > today_paris():
        return [("approved_on", "La séance qui approuve le procès-verbal n'a pas encore eu "
                                "lieu : laissez la date vide jusque-là.")]
    return []


@unit_of_work
def save_minutes(sitting: Sitting, *, by: User, approved_on: date | None,
                 visibility: Visibility = Visibility.PUBLIC,
                 pdf: Upload | StoredFile | None = None) -> SittingMinutes:
    """Record (or change, until it is published) the minutes of a sitting: their PDF and the
    date of the sitting that approved them. A draft until published by the life cycle."""
    minutes = sitting.minutes
    if minutes is not None and minutes.is_published:
        raise DeliberationError("Le procès-verbal est en ligne : retirez-le avant de le "
                                "modifier.")
    problems = minutes_problems(sitting, approved_on)
    if visibility not in (Visibility.PUBLIC, Visibility.NETWORK):
        problems.append(("visibility", "Choisissez qui peut lire le procès-verbal."))
    if pdf is None and (minutes is None or minutes.file is None):
        problems.append(("pdf", "Joignez le procès-verbal en PDF."))
    if problems:
        raise DeliberationError.of(problems)
    if minutes is None:
        minutes = publishing.new_draft(SittingMinutes, sitting.organisation, by=by)
        minutes.sitting = sitting
        db.session.add(minutes)
    if pdf is not None:
        try:
            stored = uploads.take(pdf, allowed=PDF_ONLY, by=by)
        except uploads.UploadError as exc:
            raise DeliberationError(str(exc), "pdf") from exc
        old = minutes.file
        minutes.file = stored
        if old is not None:
            db.session.delete(old)
            uploads.discard_after_commit([old])
    minutes.approved_on = approved_on
    minutes.visibility = visibility
    return minutes


@dataclass
class PendingMinutes:
    sitting: Sitting
    minutes: SittingMinutes


def pending_minutes(organisations: list[Organisation]) -> list[PendingMinutes]:
    """Approved minutes not online, soonest deadline first (for their editors)."""
    if not organisations:
        return []
    rows = db.session.scalars(
        select(SittingMinutes).where(
            SittingMinutes.organisation_id.in_([o.id for o in organisations]),
            SittingMinutes.approved_on.is_not(None), SittingMinutes.status != PUBLISHED)
        .options(joinedload(SittingMinutes.sitting).joinedload(Sitting.organisation))
        .order_by(SittingMinutes.approved_on, SittingMinutes.id))
    return [PendingMinutes(m.sitting, m) for m in rows]


def visible_minutes(user, sitting: Sitting) -> SittingMinutes | None:
    """The sitting's minutes if the user may read them (published; drafts for its members)."""
    return db.session.scalar(select(SittingMinutes).where(
        SittingMinutes.sitting_id == sitting.id,
        access.visible_publications(user, SittingMinutes)))


# --- settings ---------------------------------------------------------------------------------


def settings_for(organisation: Organisation) -> DeliberationSettings | None:
    return db.session.get(DeliberationSettings, organisation.id)


def is_small_commune(organisation: Organisation) -> bool:
    return (organisation.kind == OrgKind.COMMUNE and organisation.population is not None
            and organisation.population < SMALL_COMMUNE_POPULATION)


def save_settings(organisation: Organisation, *, by: User, siret: str | None,
                  publication_mode: PublicationMode, mode_chosen_on: date | None,
                  mode_deliberation_number: str | None) -> DeliberationSettings:
    siret = identifiers.compact(siret) or None
    if siret is not None:
        problem = identifiers.siret_problem(siret, organisation.siren)
        if problem:
            raise DeliberationError(problem, "siret")
    number = (mode_deliberation_number or "").strip() or None
    if publication_mode != PublicationMode.ELECTRONIC:
        if not is_small_commune(organisation):
            raise DeliberationError("Seules les communes de moins de 3 500 habitants peuvent "
                                    "choisir un autre mode que la publication électronique.",
                                    "publication_mode")
        if mode_chosen_on is None:
            raise DeliberationError("Indiquez la date de la délibération qui a choisi ce mode "
                                    "de publication.", "mode_chosen_on")
    if mode_chosen_on is not None and mode_chosen_on > today_paris():
        raise DeliberationError("La date de la délibération ne peut pas être dans le futur.",
                                "mode_chosen_on")
    if number is not None and number_problem(number):
        raise DeliberationError(number_problem(number), "mode_deliberation_number")
    settings = settings_for(organisation) or DeliberationSettings(organisation=organisation)
    settings.siret = siret
    settings.publication_mode = publication_mode
    settings.mode_chosen_on = mode_chosen_on
    settings.mode_deliberation_number = number
    settings.updated_by_id = by.id
    db.session.add(settings)
    audit.record("deliberation.settings_updated", actor=by, organisation=organisation,
                 target=organisation.name,
                 detail=f"SIRET {siret or '—'} ; mode {publication_mode.value}")
    db.session.commit()
    return settings
