"""The job exchange: writing vacancy notices (décret 2018-1351), their life cycle (the one of
every publication, with its own rules: every mandatory item before publishing, a month online
at least), the worker's rounds (closing on the closing date, the publisher's reminder a week
before, the daily alerts, the purge of applications), applications and their follow-up.

Each public function is one unit of work (``core/uow.py``)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Integer, and_, bindparam, or_, select
from sqlalchemy.orm import joinedload

from .. import access
from ..accounts import finder
from ..accounts.models import ORGANISATIONS, Membership, Organisation, OrgKind, User
from ..core import audit, generations, hooks, querystrings, uploads
from ..core.frdates import format_date
from ..core.models import StoredFile
from ..core.sanitize import source_and_html, to_text
from ..core.timeutil import to_paris, today_paris, utcnow
from ..core.types import Role, Visibility
from ..core.uow import unit_of_work
from ..core.urls import absolute_url, path_for
from ..extensions import db
from ..mail.services import queue
from ..notifications.services import notify, register_kind
from ..publications import publishing
from ..publications.lifecycle import PublicationStatus
from . import reference
from .models import (CONTRACT_BASES, ApplicationStatus, Employment, JobAlert, JobApplication,
                     JobDocument, JobFollow, JobOffer, Outcome, PostOrigin)

register_kind("jobs.application", "Candidatures reçues aux offres d'emploi de mon organisation")

UNCONFIRMED_DAYS = 7


class JobError(publishing.PublicationError):
    """A refused change to an offer or an application, in French; nothing was changed."""


today = today_paris


def month_after(day: date) -> date:
    """The same day a month later (the last day of a shorter month)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _published_on(offer: JobOffer) -> date:
    return to_paris(offer.published_at).date() if offer.published_at else today()


# --- what a notice must say (décret 2018-1351, art. 2-3) ----------------------------------------


def missing(offer: JobOffer) -> list[str]:
    """The mandatory items of a vacancy notice that ``offer`` lacks, in French, in the order of
    the form."""
    checks = [
        (offer.title, "l'intitulé du poste"),
        (offer.origin, "création ou vacance de poste"),
        (offer.filiere, "la filière"),
        (offer.categorie, "la catégorie"),
        (offer.cadre and offer.grade_list, "le cadre d'emplois et le ou les grades"),
        (offer.service, "le service"),
        (to_text(offer.missions_html), "les missions"),
        (offer.profile, "le profil recherché"),
        (offer.employment, "emploi permanent ou contrat"),
        (offer.employment != Employment.CONTRACT or offer.contract_basis,
         "le fondement juridique du contrat"),
        (offer.full_time or offer.hours_per_week, "la durée hebdomadaire (temps non complet)"),
        (offer.place_id or offer.place, "le lieu de travail"),
        (offer.vacancy_date, "la date de vacance du poste"),
        (offer.how_to_apply, "comment candidater"),
        (offer.closes_on, "la date limite de candidature"),
    ]
    return [label for value, label in checks if not value]


def _publish_refusal(offer: JobOffer) -> str | None:
    lacking = missing(offer)
    if lacking:
        return "L'offre ne peut pas être publiée : il manque " + ", ".join(lacking) + "."
    earliest = month_after(today())
    if offer.closes_on < earliest:
        return ("Une offre reste en ligne au moins un mois (décret 2018-1351) : choisissez une "
                f"date limite de candidature au {format_date(earliest)} ou après.")
    return None


def _withdrawal_refusal(offer: JobOffer) -> str | None:
    until = month_after(_published_on(offer))
    if today() < until:
        return ("Une offre reste en ligne au moins un mois (décret 2018-1351) : elle pourra être "
                f"retirée à partir du {format_date(until)}.")
    return None


publishing.register(JobOffer, publishing.PublicationType(
    key="job", endpoint="jobs.show", id_arg="offer_id", this="Cette offre", noun="Offre d'emploi",
    announce="Offre d'emploi", error=JobError, publish_refusal=_publish_refusal,
    withdrawal_refusal=_withdrawal_refusal, on_withdrawn=lambda offer: _ended(offer),
    attachments="documents", attachment=JobDocument,
    attachment_types=("pdf", "odt", "docx", "doc")))


# --- writing ------------------------------------------------------------------------------------


@dataclass
class OfferData:
    title: str = ""
    service: str = ""
    missions: str = ""
    missions_format: str = "text"
    profile: str = ""
    specific_conditions: str = ""
    filiere: str = ""
    cadre: str = ""
    grades: list[str] = field(default_factory=list)
    origin: str = ""
    employment: str = ""
    contract_basis: str = ""
    full_time: bool = True
    hours_per_week: float | None = None
    place: Organisation | None = None
    vacancy_date: date | None = None
    start_date: date | None = None
    closes_on: date | None = None
    salary: str = ""
    salary_min: int | None = None
    salary_max: int | None = None
    how_to_apply: str = ""
    contact_name: str = ""
    contact_email: str = ""
    visibility: Visibility = Visibility.PUBLIC


def _line(value: str, limit: int = 200) -> str:
    return " ".join((value or "").split())[:limit]


def apply_data(offer: JobOffer, data: OfferData) -> None:
    """Check and set an offer's fields. A draft may be incomplete (``missing`` says what
    publishing needs), but what it says must be right: a grade of the chosen cadre d'emplois
    only, hours for a part-time post, a legal basis the list knows."""
    if not _line(data.title):
        raise JobError("Indiquez l'intitulé du poste.")
    cadre = reference.cadre(data.cadre) if data.cadre else None
    if data.cadre and cadre is None:
        raise JobError(f"« {data.cadre} » n'est pas un cadre d'emplois de la liste.")
    if cadre is not None and data.filiere and cadre.filiere != data.filiere:
        raise JobError(f"Le cadre d'emplois « {cadre.name} » relève de la filière "
                       f"{cadre.filiere}, pas {data.filiere}.")
    grades = [grade for grade in data.grades if grade]
    if grades and cadre is None:
        raise JobError("Choisissez le cadre d'emplois avant les grades.")
    strangers = [grade for grade in grades if grade not in cadre.grades] if cadre else []
    if strangers:
        raise JobError(f"« {strangers[0]} » n'est pas un grade du cadre d'emplois des "
                       f"{cadre.name.lower()} : choisissez parmi ses grades.")
    if data.origin and data.origin not in PostOrigin._value2member_map_:
        raise JobError("Indiquez s'il s'agit d'une création ou d'une vacance de poste.")
    if data.employment and data.employment not in Employment._value2member_map_:
        raise JobError("Indiquez s'il s'agit d'un emploi permanent ou d'un contrat.")
    if data.contract_basis and data.contract_basis not in CONTRACT_BASES:
        raise JobError("Ce fondement juridique n'est pas dans la liste.")
    hours = data.hours_per_week
    if not data.full_time and hours is not None and not 0 < hours < 35:
        raise JobError("Un temps non complet compte moins de 35 heures par semaine.")
    if data.place is not None and data.place.kind != OrgKind.COMMUNE:
        raise JobError("Le lieu de travail est une commune du département.")
    if data.vacancy_date and data.closes_on and data.closes_on > data.vacancy_date + \
            timedelta(days=366):
        raise JobError("La date limite de candidature est trop éloignée de la date de vacance.")
    for low, high in ((data.salary_min, data.salary_max),):
        if low is not None and high is not None and low > high:
            raise JobError("Le salaire minimal dépasse le salaire maximal.")
    if data.visibility not in (Visibility.PUBLIC, Visibility.NETWORK):
        raise JobError("Une offre est publique ou réservée au réseau.")
    source, html, fmt = source_and_html(data.missions, data.missions_format)
    offer.title, offer.service = _line(data.title), _line(data.service)
    offer.missions_source, offer.missions_html, offer.missions_format = source, html, fmt
    offer.profile = (data.profile or "").strip()[:20_000]
    offer.specific_conditions = (data.specific_conditions or "").strip()[:5_000]
    offer.filiere = cadre.filiere if cadre else _line(data.filiere, 60)
    offer.categorie = cadre.categorie if cadre else ""
    offer.cadre = cadre.name if cadre else ""
    offer.grades = "|".join(grades)
    offer.origin = PostOrigin(data.origin) if data.origin else None
    offer.employment = Employment(data.employment) if data.employment else None
    offer.contract_basis = data.contract_basis if offer.employment == Employment.CONTRACT else ""
    offer.full_time = bool(data.full_time)
    offer.hours_per_week = None if data.full_time else hours
    offer.place = data.place
    offer.vacancy_date, offer.start_date, offer.closes_on = (data.vacancy_date, data.start_date,
                                                             data.closes_on)
    offer.salary = _line(data.salary)
    offer.salary_min, offer.salary_max = data.salary_min, data.salary_max
    offer.how_to_apply = (data.how_to_apply or "").strip()[:5_000]
    offer.contact_name, offer.contact_email = _line(data.contact_name), _line(data.contact_email, 254)
    offer.visibility = data.visibility
    if not offer.reference:
        offer.reference = _reference(offer)


def _reference(offer: JobOffer) -> str:
    """The job reference a notice carries: year, publisher, a number (2027-47001-004)."""
    code = offer.organisation.insee_code or offer.organisation.siren or str(offer.organisation_id)
    year = today().year
    count = db.session.scalar(select(db.func.count(JobOffer.id)).where(
        JobOffer.organisation_id == offer.organisation_id)) or 0
    return f"{year}-{code}-{count + 1:03d}"


create_offer, update_offer = publishing.writers(JobOffer, apply_data)
publish = publishing.publish


def _ended(offer: JobOffer) -> None:
    """An offer taken offline is closed, unless it says it was filled."""
    offer.outcome = offer.outcome or Outcome.CLOSED
    offer.ended_at = utcnow()


@unit_of_work
def end(offer: JobOffer, outcome: Outcome, *, by: User | None) -> None:
    """The post is filled, or the offer closed: it goes offline (after its month online, the
    lifecycle's rule), kept for the record and the statistics."""
    offer.outcome = outcome
    publishing.withdraw(offer, by=by, reason=outcome.label)


@unit_of_work
def delete_draft(offer: JobOffer, *, by: User) -> None:
    if offer.status != PublicationStatus.DRAFT:
        raise JobError("Seul un brouillon peut être supprimé ; une offre publiée se clôture.")
    db.session.delete(offer)


@unit_of_work
def republish(offer: JobOffer, *, by: User) -> JobOffer:
    """« Republier comme nouvelle offre »: a new draft with the same content, its dates to
    choose again (a new notice runs its own month)."""
    if offer.status == PublicationStatus.DRAFT:
        raise JobError("Ce brouillon n'a pas encore été publié : modifiez-le directement.")
    copy = publishing.new_draft(JobOffer, offer.organisation, by=by)
    for name in ("title", "service", "missions_source", "missions_html", "missions_format",
                 "profile", "specific_conditions", "filiere", "categorie", "cadre", "grades",
                 "origin", "employment", "contract_basis", "full_time", "hours_per_week",
                 "place_id", "salary", "salary_min", "salary_max", "how_to_apply",
                 "contact_name", "contact_email", "visibility"):
        setattr(copy, name, getattr(offer, name))
    copy.republished_from_id = offer.id
    db.session.add(copy)
    db.session.flush()
    copy.reference = _reference(copy)
    return copy


# --- the worker's rounds ------------------------------------------------------------------------


def close_due(day: date | None = None) -> int:
    """Offers whose closing date has passed go offline (« Clôturée »). Each is its own unit."""
    day = day or today()
    due = db.session.scalars(select(JobOffer).where(
        JobOffer.status == PublicationStatus.PUBLISHED, JobOffer.closes_on < day)).all()
    closed = 0
    for offer in due:
        try:
            end(offer, Outcome.CLOSED, by=None)
            closed += 1
        except JobError:
            db.session.rollback()   # not a month online yet (a date moved back): tomorrow
    return closed


@unit_of_work
def remind_publishers(day: date | None = None) -> int:
    """A week before an offer closes, its publisher's admins and editors are told, once."""
    day = day or today()
    offers = db.session.scalars(select(JobOffer).where(
        JobOffer.status == PublicationStatus.PUBLISHED, JobOffer.reminded_at.is_(None),
        JobOffer.closes_on <= day + timedelta(days=7), JobOffer.closes_on >= day)).all()
    for offer in offers:
        people = db.session.scalars(select(User).join(Membership).where(
            Membership.organisation_id == offer.organisation_id,
            Membership.role.in_([Role.EDITOR, Role.ADMIN]), User.active.is_(True))).all()
        for person in people:
            queue(person.email, f"Offre « {offer.title} » : clôture le "
                  f"{format_date(offer.closes_on)}", "job_closing_reminder", person=person,
                  offer=offer, url=absolute_url("jobs.show", offer_id=offer.id))
        offer.reminded_at = utcnow()
    return len(offers)


# --- applications -------------------------------------------------------------------------------

CV_TYPES = ("pdf",)


def _pdf(upload, what: str, *, by=None) -> StoredFile | None:
    """A CV or a letter: a PDF by its content (whatever its name), within the size limit."""
    if upload is None:
        return None
    if isinstance(upload, StoredFile):
        return uploads.take(upload, allowed=CV_TYPES, by=by)
    data, name = upload
    limit = current_app.config["JOBS_APPLICATION_MAX_BYTES"]
    if len(data) > limit:
        raise uploads.UploadError(f"{what} dépasse {limit // (1024 * 1024)} Mo : envoyez un "
                                  "fichier plus léger.")
    if not data.startswith(b"%PDF-"):
        raise uploads.UploadError(f"{what} doit être un fichier PDF (« {uploads.clean_filename(name)} » "
                                  "n'en est pas un).")
    base = uploads.clean_filename(name).rsplit(".", 1)[0] if "." in name else name
    return uploads.store(data, f"{base or 'document'}.pdf", allowed=CV_TYPES, by=by)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="territoires-job-apply")


def confirmation_token(application: JobApplication) -> str:
    return _serializer().dumps({"a": application.id})


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@unit_of_work
def apply(offer: JobOffer, *, name: str, email: str, phone: str = "", message: str = "",
          cv=None, letter=None, user: User | None = None) -> JobApplication:
    """An application to a published offer. A signed-in person's is received at once; a
    visitor's waits for the link mailed to the address they typed."""
    if not access.can_apply(user, offer):
        raise JobError("Cette offre ne reçoit plus de candidatures.")
    name, email = _line(name), (email or "").strip().lower()[:254]
    if user is not None:
        email = user.email
        name = name or user.full_name
    if not name:
        raise JobError("Indiquez votre nom.")
    if not EMAIL.match(email):
        raise JobError("Indiquez une adresse électronique valide : c'est là que vous recevrez "
                       "les réponses.")
    if cv is None:
        raise JobError("Joignez votre CV (PDF).")
    application = JobApplication(
        offer=offer, user=user, name=name, email=email, phone=_line(phone, 30),
        message=(message or "").strip()[:10_000],
        status=ApplicationStatus.RECEIVED if user else ApplicationStatus.UNCONFIRMED,
        confirmed_at=utcnow() if user else None,
        cv=_pdf(cv, "Le CV", by=user), letter=_pdf(letter, "La lettre de motivation", by=user))
    db.session.add(application)
    db.session.flush()
    if user is None:
        queue(email, f"Confirmez votre candidature : {offer.title}", "job_application_confirm",
              name=name, offer=offer, url=absolute_url("jobs.confirm",
                                                       token=confirmation_token(application)),
              days=UNCONFIRMED_DAYS)
    else:
        _received(application)
    return application


def _received(application: JobApplication) -> None:
    offer = application.offer
    readers = db.session.scalars(select(User).where(
        User.id.in_(access.application_readers(offer)))).all()
    notify(readers, "jobs.application", f"Candidature reçue : {offer.title}",
           url=path_for("jobs.applications", offer_id=offer.id), body=application.name)
    _tell_applicant(application)


@unit_of_work
def confirm(token: str) -> JobApplication:
    try:
        data = _serializer().loads(token, max_age=UNCONFIRMED_DAYS * 86400)
    except SignatureExpired as error:
        raise JobError("Ce lien a expiré : envoyez votre candidature à nouveau.") from error
    except BadSignature as error:
        raise JobError("Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier.") from error
    application = db.session.get(JobApplication, data.get("a"))
    if application is None:
        raise JobError("Cette candidature n'existe plus.")
    if application.status != ApplicationStatus.UNCONFIRMED:
        raise JobError("Cette candidature est déjà confirmée : elle a bien été transmise.")
    application.status, application.confirmed_at = ApplicationStatus.RECEIVED, utcnow()
    _received(application)
    return application


STATUS_LINES = {
    ApplicationStatus.RECEIVED: "Votre candidature a bien été reçue. Le recruteur l'étudiera après "
                                "la date limite de candidature.",
    ApplicationStatus.SHORTLISTED: "Votre candidature a retenu l'attention du recruteur : elle "
                                   "est présélectionnée.",
    ApplicationStatus.INTERVIEWED: "Vous êtes invité(e) à un entretien : le recruteur vous "
                                   "contactera pour en fixer la date.",
    ApplicationStatus.REJECTED: "Votre candidature n'a pas été retenue. Merci de l'intérêt que "
                                "vous avez porté à ce poste.",
    ApplicationStatus.HIRED: "Votre candidature est retenue : le recruteur vous contactera pour "
                             "la suite.",
}


def _tell_applicant(application: JobApplication) -> None:
    queue(application.email, f"Votre candidature : {application.offer.title}",
          "job_application_status", application=application, offer=application.offer,
          line=STATUS_LINES[application.status])


@unit_of_work
def set_status(application: JobApplication, status: ApplicationStatus, *, by: User) -> None:
    if not access.can_read_applications(by, application.offer):
        raise JobError("Vous ne suivez pas les candidatures de cette offre.")
    if application.status == ApplicationStatus.UNCONFIRMED:
        raise JobError("Le candidat n'a pas encore confirmé son adresse.")
    if status == application.status:
        raise JobError(f"La candidature est déjà « {status.label} ».")
    application.status = status
    _tell_applicant(application)


def applications_of(offer: JobOffer) -> list[JobApplication]:
    return db.session.scalars(select(JobApplication).where(
        JobApplication.offer_id == offer.id,
        JobApplication.status != ApplicationStatus.UNCONFIRMED)
        .options(joinedload(JobApplication.cv), joinedload(JobApplication.letter))
        .order_by(JobApplication.created_at)).all()


@unit_of_work
def purge(now: datetime | None = None) -> int:
    """Delete the applications whose time is over, with their files: those of offers ended
    more than ``JOBS_APPLICATION_RETENTION_DAYS`` ago, and the unconfirmed ones after
    ``UNCONFIRMED_DAYS``. Written to the audit log."""
    now = now or utcnow()
    keep = timedelta(days=current_app.config["JOBS_APPLICATION_RETENTION_DAYS"])
    ended = select(JobOffer.id).where(JobOffer.ended_at < now - keep)
    old = db.session.scalars(select(JobApplication).where(or_(
        JobApplication.offer_id.in_(ended),
        and_(JobApplication.status == ApplicationStatus.UNCONFIRMED,
             JobApplication.created_at < now - timedelta(days=UNCONFIRMED_DAYS))))).all()
    files = [stored for application in old for stored in application.files]
    for application in old:
        db.session.delete(application)
    db.session.flush()
    for stored in files:
        uploads.remove_stored_after_commit(stored.storage_name)
        db.session.delete(stored)
    if old:
        audit.record("jobs.applications_purged", target=f"{len(old)} candidature(s)",
                     detail=f"{len(files)} fichier(s) supprimé(s)")
    return len(old)


# --- following and saved searches ---------------------------------------------------------------


@unit_of_work
def follow(offer: JobOffer, user: User, following: bool = True) -> None:
    row = db.session.scalar(select(JobFollow).where(JobFollow.offer_id == offer.id,
                                                    JobFollow.user_id == user.id))
    if following and row is None:
        db.session.add(JobFollow(offer_id=offer.id, user_id=user.id))
    elif not following and row is not None:
        db.session.delete(row)


def follows(user: User, offer: JobOffer) -> bool:
    return user.is_authenticated and db.session.scalar(select(JobFollow.id).where(
        JobFollow.offer_id == offer.id, JobFollow.user_id == user.id)) is not None


def closing_dates_followed(user, after: datetime, before: datetime, space=None):
    """The closing dates of the offers a person follows: deadlines of their agenda (a SELECT
    of ``hooks.calendar_columns``, read with the other calendar sources)."""
    if space is not None or not access.is_signed_in(user):
        return None
    return _FOLLOWED_CLOSING_DATES, {"offres_user": user.id}


_FOLLOWED_CLOSING_DATES = select(*hooks.calendar_columns(   # built once
    id=JobOffer.id, day=JobOffer.closes_on, title=JobOffer.title, name=Organisation.name)
).select_from(JobOffer).join(JobFollow).join(
    Organisation, Organisation.id == JobOffer.organisation_id
).where(JobFollow.user_id == bindparam("offres_user", type_=Integer),
        JobOffer.status == PublicationStatus.PUBLISHED,
        JobOffer.closes_on >= bindparam("calendar_from"),
        JobOffer.closes_on < bindparam("calendar_to"))


def closing_date_entries(user, rows) -> list:
    entries = []
    for row in rows:
        entries.append(hooks.whole_day(
            row.day, title=f"Date limite de candidature : {row.title}",
            url=path_for("jobs.show", offer_id=row.id),
            uid=f"offre-{row.id}-cloture@territoires", note=row.name))
    return entries


hooks.register_calendar_source("offres", "Échéances (offres d'emploi suivies)",
                               closing_dates_followed, closing_date_entries, deadline=True)


ALERT_KEYS = ("categorie", "filiere", "organisation", "epci", "temps", "statut", "q")


def alert_query(args) -> str:
    """The part of a listing's query string a saved search keeps."""
    return querystrings.keep(args, ALERT_KEYS)


@unit_of_work
def save_alert(user: User, query: str, label: str = "") -> JobAlert:
    if db.session.scalar(select(db.func.count(JobAlert.id)).where(JobAlert.user_id == user.id)) >= 10:
        raise JobError("Vous avez déjà 10 recherches enregistrées : supprimez-en une d'abord.")
    alert = JobAlert(user=user, query=query[:500], label=_line(label) or "Ma recherche",
                     last_sent_at=utcnow())
    db.session.add(alert)
    return alert


@unit_of_work
def delete_alert(alert: JobAlert) -> None:
    db.session.delete(alert)


def alerts_of(user: User) -> list[JobAlert]:
    return db.session.scalars(select(JobAlert).where(JobAlert.user_id == user.id)
                              .order_by(JobAlert.created_at)).all()


@unit_of_work
def send_alerts(now: datetime | None = None) -> int:
    """Once a day, each saved search mails the offers published since its last mail."""
    now = now or utcnow()
    sent = 0
    for alert in db.session.scalars(select(JobAlert).where(
            or_(JobAlert.last_sent_at.is_(None),
                JobAlert.last_sent_at <= now - timedelta(hours=23)))).all():
        if not alert.user.active:
            continue
        since = alert.last_sent_at or now - timedelta(days=1)
        filters = Filters.from_query(alert.query)
        offers = db.session.scalars(listing(alert.user, filters).where(
            JobOffer.published_at > since)).all()
        alert.last_sent_at = now
        if offers:
            queue(alert.user.email, f"{len(offers)} nouvelle(s) offre(s) : {alert.label}",
                  "job_alert", person=alert.user, alert=alert, offers=offers,
                  url=absolute_url("jobs.index") + "?" + alert.query,
                  links=[absolute_url("jobs.show", offer_id=o.id) for o in offers])
            sent += 1
    return sent


# --- the listing -------------------------------------------------------------------------------


@dataclass
class Filters:
    categorie: str = ""
    filiere: str = ""
    organisation: str = ""
    epci: int | None = None
    temps: str = ""        # "complet" / "non-complet"
    statut: str = ""       # "permanent" / "contrat"
    q: str = ""

    @classmethod
    def from_args(cls, args) -> Filters:
        epci = args.get("epci", "")
        return cls(categorie=args.get("categorie", "")[:3], filiere=args.get("filiere", "")[:60],
                   organisation=args.get("organisation", "")[:80],
                   epci=int(epci) if epci.isdigit() and len(epci) < 10 else None,
                   temps=args.get("temps", "")[:20], statut=args.get("statut", "")[:20],
                   q=args.get("q", "").strip()[:100])

    @classmethod
    def from_query(cls, query: str) -> Filters:
        return cls.from_args(querystrings.parse(query))


def listing(user, filters: Filters, *, published_only: bool = True):
    """SELECT of the offers ``user`` may see, filtered, soonest closing first; the published
    ones are the same for everyone of the user's audience (``access.publication_audience``)."""
    visible = (access.published_to(access.publication_audience(user), JobOffer)
               if published_only else access.visible_publications(user, JobOffer))
    query = select(JobOffer).where(visible) \
        .options(joinedload(JobOffer.organisation), joinedload(JobOffer.place))
    if filters.categorie in reference.CATEGORIES:
        query = query.where(JobOffer.categorie == filters.categorie)
    if filters.filiere:
        query = query.where(JobOffer.filiere == filters.filiere)
    if filters.organisation:
        query = query.where(JobOffer.organisation_id.in_(
            select(Organisation.id).where(Organisation.slug == filters.organisation)))
    if filters.epci is not None:
        in_epci = select(Organisation.id).where(or_(Organisation.epci_id == filters.epci,
                                                    Organisation.id == filters.epci))
        query = query.where(or_(JobOffer.place_id.in_(in_epci),
                                JobOffer.organisation_id.in_(in_epci)))
    if filters.temps in ("complet", "non-complet"):
        query = query.where(JobOffer.full_time.is_(filters.temps == "complet"))
    if filters.statut in ("permanent", "contrat"):
        query = query.where(JobOffer.employment == (Employment.PERMANENT
                                                    if filters.statut == "permanent"
                                                    else Employment.CONTRACT))
    if filters.q:
        words = [w for w in re.split(r"\W+", filters.q.lower()) if w][:5]
        for word in words:
            like = f"%{word}%"
            query = query.where(or_(db.func.lower(JobOffer.title).like(like),
                                    db.func.lower(JobOffer.cadre).like(like),
                                    db.func.lower(JobOffer.service).like(like)))
    return query.order_by(JobOffer.closes_on, JobOffer.id)


# The list's pages and its « Employeur » choices are kept by each process while no offer
# changes (core/generations.py).
OFFERS = "job_offers"
generations.watch(OFFERS, JobOffer)


def publishers_with_offers(user) -> dict[str, str]:
    """slug → name of the employers with a published offer ``user`` may see, by name (the same
    for everyone of the user's audience)."""
    audience = access.publication_audience(user)
    return dict(generations.kept((OFFERS, ORGANISATIONS), ("publishers", audience), lambda: tuple(
        db.session.execute(select(Organisation.slug, Organisation.name).where(
            Organisation.id.in_(select(JobOffer.organisation_id).where(
                access.published_to(audience, JobOffer))))
            .order_by(Organisation.name_key)))))


def epcis() -> dict[int, str]:
    return dict(finder.active_of_kind(OrgKind.EPCI))


def all_offers():
    """The centre de gestion's view: every offer of the département but the drafts."""
    return select(JobOffer).where(JobOffer.status != PublicationStatus.DRAFT) \
        .options(joinedload(JobOffer.organisation)) \
        .order_by(JobOffer.published_at.desc(), JobOffer.id.desc())
