"""Deliberations: recording, publishing and withdrawing acts, the lists of sittings, each
organisation's settings, and the queries behind the list, the feeds and the export.

Each public function that changes something is one unit of work: it checks everything first,
raises ``DeliberationError`` (French message, nothing changed) or commits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import extract, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from ...core.inputs import to_int
from ... import access
from ...accounts.models import Organisation, OrgKind, User
from ...core.types import Role, Visibility
from ...core import audit, uploads
from ...core.frdates import format_date
from ...core.text import collation_key
from ...core.models import StoredFile
from ..lifecycle import PublicationStatus
from ...core.sanitize import text_to_html
from ...core.timeutil import utcnow
from ...core.urls import path_for
from ...extensions import db
from ...spaces import services as spaces
from . import classification
from .models import (MINIMUM_MONTHS_ONLINE, SMALL_COMMUNE_POPULATION, ActNature, Assembly,
                     Deliberation, DeliberationAnnex, DeliberationSettings, PublicationMode,
                     Sitting, today_paris)

NUMBER_RE = re.compile(r"^[0-9A-Z_]{1,15}$")
ACKNOWLEDGEMENT_RE = re.compile(r"^[0-9A-Za-z_-]{1,60}$")
BUDGET_YEAR_RE = re.compile(r"^[0-9]{4}(/[0-9]{4})?$")
PDF_ONLY = ("pdf",)
PUBLISHED = PublicationStatus.PUBLISHED


class DeliberationError(ValueError):
    """A refused change, with a French message; ``field`` names the form field concerned."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class Upload:
    data: bytes
    filename: str


@dataclass
class ActData:
    nature: ActNature
    number: str
    assembly: Assembly
    sitting_date: date
    subject: str
    matiere_code: str
    signatory_name: str
    signatory_function: str
    body: str = ""
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


# --- checks -----------------------------------------------------------------------------------


def _check(data: ActData, organisation: Organisation, deliberation: Deliberation | None) -> None:
    if not NUMBER_RE.match(data.number):
        raise DeliberationError("Numéro invalide : de 1 à 15 caractères parmi les chiffres, les "
                                "lettres majuscules sans accent et « _ » (par exemple 2025_014).",
                                "number")
    taken = db.session.scalar(select(Deliberation.id).where(
        Deliberation.organisation_id == organisation.id, Deliberation.number == data.number))
    if taken is not None and (deliberation is None or taken != deliberation.id):
        raise DeliberationError(f"Le numéro {data.number} est déjà celui d'un autre acte de "
                                f"votre organisation : chaque acte a son propre numéro.",
                                "number")
    if not data.subject:
        raise DeliberationError("L'objet de l'acte est obligatoire.", "subject")
    if not classification.is_sub_matiere(data.matiere_code):
        raise DeliberationError("Choisissez la matière de l'acte dans la liste.", "matiere")
    if not data.signatory_name or not data.signatory_function:
        raise DeliberationError("Indiquez le nom et la fonction du signataire de l'acte.",
                                "signatory_name")
    if data.visibility not in (Visibility.PUBLIC, Visibility.NETWORK):
        raise DeliberationError("Choisissez qui peut lire l'acte.", "visibility")
    _check_votes(data)
    _check_budget(data)
    _check_transmission(data)


def _check_votes(data: ActData) -> None:
    in_office, present, votes_for, against, abstentions = data.votes
    given = [v is not None for v in data.votes]
    if not any(given):
        return
    if not all(given):
        raise DeliberationError("Renseignez les cinq nombres du vote (membres en exercice, "
                                "présents, pour, contre, abstentions), ou aucun.",
                                "members_in_office")
    if any(v < 0 for v in data.votes):
        raise DeliberationError("Les nombres du vote ne peuvent pas être négatifs.",
                                "members_in_office")
    if present > in_office:
        raise DeliberationError(f"Il ne peut pas y avoir plus de membres présents ({present}) "
                                f"que de membres en exercice ({in_office}).", "members_present")
    cast = votes_for + against + abstentions
    if cast > present:
        raise DeliberationError(f"Les votes ne s'additionnent pas : pour + contre + abstentions "
                                f"= {cast}, soit plus que les {present} membres présents.",
                                "votes_for")


def _check_budget(data: ActData) -> None:
    if (data.budget_year is None) != (data.budget_name is None):
        raise DeliberationError("Indiquez à la fois l'exercice et le nom du budget, ou aucun "
                                "des deux.", "budget_year")
    if data.budget_year and not BUDGET_YEAR_RE.match(data.budget_year):
        raise DeliberationError("Indiquez l'exercice par une année (2025) ou un intervalle "
                                "(2025/2026).", "budget_year")


def _check_transmission(data: ActData) -> None:
    if data.transmitted_on is not None:
        if data.transmitted_on < data.sitting_date:
            raise DeliberationError("L'acte ne peut pas avoir été transmis en préfecture avant "
                                    f"la séance du {format_date(data.sitting_date)}.",
                                    "transmitted_on")
        if data.transmitted_on > today_paris():
            raise DeliberationError("La date de transmission en préfecture ne peut pas être "
                                    "dans le futur.", "transmitted_on")
    if data.acknowledgement_id:
        if data.transmitted_on is None:
            raise DeliberationError("Indiquez aussi la date de transmission en préfecture de "
                                    "l'acte accusé.", "transmitted_on")
        if not ACKNOWLEDGEMENT_RE.match(data.acknowledgement_id):
            raise DeliberationError("L'identifiant de l'accusé de réception ne contient que des "
                                    "chiffres, des lettres, « - » et « _ ».",
                                    "acknowledgement_id")


# --- files ------------------------------------------------------------------------------------


def _discard(files: list[StoredFile]) -> None:
    """Remove files written to disk for a change that was not committed (or deleted rows)."""
    uploads.discard(files)


def _store(upload: Upload, by: User, field_name: str, written: list[StoredFile]) -> StoredFile:
    try:
        stored = uploads.store(upload.data, upload.filename, allowed=PDF_ONLY, by=by)
    except uploads.UploadError as exc:
        db.session.rollback()
        _discard(written)
        raise DeliberationError(str(exc), field_name) from exc
    written.append(stored)
    return stored


def _commit(written: list[StoredFile]) -> None:
    try:
        db.session.commit()
    except IntegrityError as exc:  # two people saving the same number at the same time
        db.session.rollback()
        _discard(written)
        raise DeliberationError("Ce numéro vient d'être utilisé par un autre acte : choisissez-en "
                                "un autre.", "number") from exc
    except Exception:
        db.session.rollback()
        _discard(written)
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
    if sitting is None or sitting.list_published_at is not None:
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
    deliberation.body_source = data.body or ""
    deliberation.body_html = text_to_html(data.body) if (data.body or "").strip() else ""
    (deliberation.members_in_office, deliberation.members_present, deliberation.votes_for,
     deliberation.votes_against, deliberation.abstentions) = data.votes
    deliberation.budget_year, deliberation.budget_name = data.budget_year, data.budget_name
    deliberation.signatory_name = data.signatory_name
    deliberation.signatory_function = data.signatory_function
    deliberation.transmitted_on = data.transmitted_on
    deliberation.acknowledgement_id = data.acknowledgement_id
    deliberation.visibility = data.visibility


def _attach_annexes(deliberation: Deliberation, annexes: list[Upload], by: User,
                    written: list[StoredFile]) -> None:
    position = max((a.position for a in deliberation.annexes), default=0)
    for upload in annexes:
        stored = _store(upload, by, "annexes", written)
        position += 1
        deliberation.annexes.append(DeliberationAnnex(file=stored, position=position))


def create_deliberation(organisation: Organisation, data: ActData, *, by: User,
                        act_pdf: Upload | None = None,
                        annexes: list[Upload] = ()) -> Deliberation:
    """Record a draft act (only the publisher's members see it until it is published)."""
    _check(data, organisation, None)
    written: list[StoredFile] = []
    act_file = _store(act_pdf, by, "act_pdf", written) if act_pdf else None
    deliberation = Deliberation(organisation=organisation, created_by=by,
                                status=PublicationStatus.DRAFT, act_file=act_file)
    _attach_annexes(deliberation, list(annexes), by, written)
    _apply(deliberation, data)
    deliberation.sitting = _sitting_for(organisation, data.assembly, data.sitting_date)
    db.session.add(deliberation)
    _commit(written)
    return deliberation


def update_deliberation(deliberation: Deliberation, data: ActData, *, by: User,
                        act_pdf: Upload | None = None, annexes: list[Upload] = ()) -> None:
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
    replaced = [old_file] if act_pdf is not None and old_file is not None else []
    for stored in replaced:
        db.session.delete(stored)
    _commit(written)
    _discard(replaced)


def remove_annex(annex: DeliberationAnnex, *, by: User) -> None:
    if annex.deliberation.status != PublicationStatus.DRAFT:
        raise DeliberationError("Les annexes d'un acte publié restent en ligne avec lui.")
    stored = annex.file
    db.session.delete(annex)
    db.session.delete(stored)
    db.session.commit()
    _discard([stored])


def delete_draft(deliberation: Deliberation, *, by: User) -> None:
    if deliberation.status != PublicationStatus.DRAFT:
        raise DeliberationError("Seul un brouillon peut être supprimé : un acte publié reste "
                                "en ligne au moins deux mois, puis peut être retiré.")
    files = [a.file for a in deliberation.annexes]
    if deliberation.act_file is not None:
        files.append(deliberation.act_file)
    sitting = deliberation.sitting
    db.session.delete(deliberation)
    for stored in files:
        db.session.delete(stored)
    _drop_if_empty(sitting)
    db.session.commit()
    _discard(files)


# --- publishing -------------------------------------------------------------------------------


def publish(deliberation: Deliberation, *, by: User) -> None:
    """Put the act online: from now on it shows the date it went online and its signatory."""
    if deliberation.status == PublicationStatus.PUBLISHED:
        raise DeliberationError("Cet acte est déjà en ligne.")
    if deliberation.status == PublicationStatus.WITHDRAWN:
        raise DeliberationError("Un acte retiré ne peut pas être republié : enregistrez-le "
                                "comme un nouvel acte.")
    if deliberation.act_file is None:
        raise DeliberationError("Ajoutez l'acte en PDF avant de le publier.")
    if not deliberation.signatory_name or not deliberation.signatory_function:
        raise DeliberationError("Indiquez le nom et la fonction du signataire avant de publier.")
    if deliberation.sitting_date > today_paris():
        raise DeliberationError(f"La séance du {format_date(deliberation.sitting_date)} n'a pas "
                                "encore eu lieu : l'acte ne peut pas encore être publié.")
    deliberation.status = PublicationStatus.PUBLISHED
    deliberation.published_at = utcnow()
    organisation = deliberation.organisation
    audit.record("deliberation.published", actor=by, organisation=organisation,
                 target=f"{deliberation.nature.label} n° {deliberation.number}")
    spaces.record_activity(
        spaces.ensure_open_space(), "deliberation.published",
        f"{organisation.name} publie : {deliberation.nature.label.lower()} n° "
        f"{deliberation.number} — {deliberation.subject}",
        actor=by, url=path_for("deliberations.show", deliberation_id=deliberation.id),
        visibility=deliberation.visibility)
    db.session.commit()


def withdrawal_refusal(deliberation: Deliberation, today: date | None = None) -> str | None:
    """Why the act may not be withdrawn today (French), or None if it may."""
    if deliberation.status != PublicationStatus.PUBLISHED:
        return "Seul un acte en ligne peut être retiré."
    possible_from = deliberation.online_until_at_least
    if (today or today_paris()) < possible_from:
        return (f"Cet acte a été mis en ligne le {format_date(deliberation.published_at)} : il "
                f"doit rester en ligne au moins {MINIMUM_MONTHS_ONLINE} mois (article L2131-1 du "
                f"code général des collectivités territoriales, ordonnance n° 2021-1310). Il "
                f"pourra être retiré à partir du {format_date(possible_from)}.")
    return None


def withdraw(deliberation: Deliberation, *, by: User) -> None:
    """Take the act offline (kept for the record, seen by its publisher's members only)."""
    refusal = withdrawal_refusal(deliberation)
    if refusal:
        raise DeliberationError(refusal)
    deliberation.status = PublicationStatus.WITHDRAWN
    deliberation.withdrawn_at = utcnow()
    # The dashboards' lines announcing it go with it (they would lead to a page now closed).
    spaces.retract_activity(path_for("deliberations.show", deliberation_id=deliberation.id))
    audit.record("deliberation.withdrawn", actor=by, organisation=deliberation.organisation,
                 target=f"{deliberation.nature.label} n° {deliberation.number}")
    db.session.commit()


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


# --- settings ---------------------------------------------------------------------------------


def settings_for(organisation: Organisation) -> DeliberationSettings | None:
    return db.session.get(DeliberationSettings, organisation.id)


def is_small_commune(organisation: Organisation) -> bool:
    return (organisation.kind == OrgKind.COMMUNE and organisation.population is not None
            and organisation.population < SMALL_COMMUNE_POPULATION)


def siret_is_valid(siret: str) -> bool:
    """14 digits with a correct Luhn key (La Poste's establishments: digit sum multiple of 5)."""
    if not re.fullmatch(r"\d{14}", siret):
        return False
    if siret.startswith("356000000"):
        return sum(int(c) for c in siret) % 5 == 0
    total = 0
    for index, char in enumerate(reversed(siret)):
        digit = int(char) * (2 if index % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def save_settings(organisation: Organisation, *, by: User, siret: str | None,
                  publication_mode: PublicationMode, mode_chosen_on: date | None,
                  mode_deliberation_number: str | None) -> DeliberationSettings:
    siret = re.sub(r"\s", "", siret or "") or None
    if siret is not None:
        if not siret_is_valid(siret):
            raise DeliberationError("Ce SIRET n'est pas valide : il compte 14 chiffres et sa clé "
                                    "de contrôle doit être juste (vérifiez-le sur "
                                    "annuaire-entreprises.data.gouv.fr).", "siret")
        if organisation.siren and not siret.startswith(organisation.siren):
            raise DeliberationError(f"Le SIRET doit commencer par le SIREN de l'organisation "
                                    f"({organisation.siren}).", "siret")
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
    if number is not None and not NUMBER_RE.match(number):
        raise DeliberationError("Numéro invalide : de 1 à 15 caractères parmi les chiffres, les "
                                "lettres majuscules sans accent et « _ ».",
                                "mode_deliberation_number")
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


# --- queries ----------------------------------------------------------------------------------


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


def _published_visible(user):
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
    return (apply_filters(select(Deliberation).where(_published_visible(user)), filters)
            .options(joinedload(Deliberation.organisation), joinedload(Deliberation.act_file))
            .order_by(Deliberation.sitting_date.desc(), Deliberation.id.desc()))


def list_years(user) -> list[int]:
    year = extract("year", Deliberation.sitting_date)
    return [int(y) for y in db.session.scalars(
        select(year).where(_published_visible(user)).distinct().order_by(year.desc()))]


def publishing_organisations(user) -> list[Organisation]:
    """Organisations with at least one act the user may read (for the filter)."""
    ids = select(Deliberation.organisation_id).where(_published_visible(user))
    return list(db.session.scalars(select(Organisation).where(Organisation.id.in_(ids))
                                   .order_by(Organisation.name_key)))


def editable_organisations(user) -> list[Organisation]:
    """The organisations for which the user writes acts (editor or admin)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return sorted((m.organisation for m in user.memberships
                   if m.role.rank >= Role.EDITOR.rank and m.organisation.is_active),
                  key=lambda o: collation_key(o.name))


def last_signatory(organisation: Organisation) -> tuple[str, str]:
    row = db.session.execute(select(Deliberation.signatory_name, Deliberation.signatory_function)
                             .where(Deliberation.organisation_id == organisation.id)
                             .order_by(Deliberation.id.desc()).limit(1)).first()
    return (row[0], row[1]) if row else ("", "")


def sitting_acts(user, sitting: Sitting) -> list[Deliberation]:
    """The sitting's acts the user may see: published ones; members also see the drafts."""
    return list(db.session.scalars(
        select(Deliberation).where(Deliberation.sitting_id == sitting.id,
                                   access.visible_publications(user, Deliberation),
                                   Deliberation.status != PublicationStatus.WITHDRAWN)
        .options(joinedload(Deliberation.act_file)).order_by(Deliberation.number)))


@dataclass
class PendingSitting:
    sitting: Sitting
    published: int
    drafts: int


def pending_sittings(organisations: list[Organisation]) -> list[PendingSitting]:
    """Sittings whose list is not online yet, soonest deadline first (for their editors)."""
    if not organisations:
        return []
    sittings = list(db.session.scalars(
        select(Sitting).where(Sitting.organisation_id.in_([o.id for o in organisations]),
                              Sitting.list_published_at.is_(None))
        .options(joinedload(Sitting.organisation))
        .order_by(Sitting.sitting_date, Sitting.id)))
    counts: dict[tuple[int, str], int] = {}
    if sittings:
        for sitting_id, status, count in db.session.execute(
                select(Deliberation.sitting_id, Deliberation.status, func.count())
                .where(Deliberation.sitting_id.in_([s.id for s in sittings]))
                .group_by(Deliberation.sitting_id, Deliberation.status)):
            counts[(sitting_id, PublicationStatus(status))] = count
    return [PendingSitting(s, counts.get((s.id, PUBLISHED), 0),
                           counts.get((s.id, PublicationStatus.DRAFT), 0)) for s in sittings]


def drafts_of(organisations: list[Organisation]) -> list[Deliberation]:
    if not organisations:
        return []
    return list(db.session.scalars(
        select(Deliberation).where(Deliberation.organisation_id.in_([o.id for o in organisations]),
                                   Deliberation.status == PublicationStatus.DRAFT)
        .options(joinedload(Deliberation.organisation))
        .order_by(Deliberation.sitting_date.desc(), Deliberation.id.desc())))


@dataclass
class SittingList:
    sitting: Sitting
    acts: list[Deliberation]


def published_sitting_lists(user, organisation: Organisation, limit: int = 5) -> list[SittingList]:
    """The latest sittings whose list is online, each with the acts the user may read
    (two queries, whatever the number of sittings)."""
    sittings = list(db.session.scalars(
        select(Sitting).where(Sitting.organisation_id == organisation.id,
                              Sitting.list_published_at.is_not(None))
        .order_by(Sitting.sitting_date.desc(), Sitting.id.desc()).limit(limit)))
    by_sitting: dict[int, list[Deliberation]] = {s.id: [] for s in sittings}
    if sittings:
        for act in db.session.scalars(
                select(Deliberation).where(Deliberation.sitting_id.in_(list(by_sitting)),
                                           _published_visible(user))
                .order_by(Deliberation.number)):
            by_sitting[act.sitting_id].append(act)
    return [SittingList(s, by_sitting[s.id]) for s in sittings]


def feed_entries(user, organisation: Organisation | None = None,
                 limit: int = 50) -> list[Deliberation]:
    """Latest published acts the user may read (``user`` None: public ones)."""
    stmt = select(Deliberation).where(_published_visible(user))
    if organisation is not None:
        stmt = stmt.where(Deliberation.organisation_id == organisation.id)
    return list(db.session.scalars(
        stmt.options(joinedload(Deliberation.organisation))
        .order_by(Deliberation.published_at.desc(), Deliberation.id.desc()).limit(limit)))


def load_for_show(deliberation_id: int) -> Deliberation | None:
    return db.session.scalar(
        select(Deliberation).where(Deliberation.id == deliberation_id)
        .options(joinedload(Deliberation.organisation), joinedload(Deliberation.act_file),
                 joinedload(Deliberation.sitting),
                 selectinload(Deliberation.annexes).joinedload(DeliberationAnnex.file)))
