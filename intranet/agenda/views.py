"""Agendas: « Mon agenda », a space's agenda, events, invitations, rooms and equipment,
iCalendar export, import and subscription feeds."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import NamedTuple

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required
from sqlalchemy import String, cast, literal_column, null, select, type_coerce, union_all
from sqlalchemy.orm import joinedload

from .. import access
from ..accounts.models import ORGANISATIONS, Organisation, OrgKind, User
from ..core import generations, pending, tables, uploads
from ..core.hooks import register_organisation_section
from ..core.feedback import attempt
from ..core.frdates import MONTHS, format_date
from ..core.inputs import to_int
from ..core.text import french_sorted
from ..core.timeutil import utcnow
from ..core.types import Role, Visibility
from ..core.uploads import UploadError
from ..extensions import db
from ..messaging.services import MessagingError, resolve_group, resolve_people
from ..spaces.models import Space
from . import calendar, drawing, ical, recurrence, services
from .forms import (AnswerForm, DeleteForm, EventForm, FeedForm, ImportForm, InviteForm,
                    ResourceForm, SettingsForm)
from .models import (Answer, Booking, CalendarFeed, Event, EventAttachment, Resource,
                     ResourceKind, occurrence_key, parse_occurrence_key)
from .services import AgendaError, EventData, Invitees, Scope

bp = Blueprint("agenda", __name__)
bp.add_app_template_global(drawing.agenda_month, "agenda_month")
bp.add_app_template_global(drawing.agenda_items, "agenda_items")
register_organisation_section("agenda/_organisation.html")

VIEWS = {"mois": "Mois", "semaine": "Semaine", "jour": "Jour", "liste": "Liste"}
LIST_DAYS = 62
FILES = {"attachments": uploads.DOCUMENTS}


# --- periods ------------------------------------------------------------------------------------


class Period:
    """What an agenda page shows: its view, the day asked for and the days it covers."""

    def __init__(self, view: str, day: date):
        self.view, self.day = view, day
        if view == "mois":
            first = day.replace(day=1)
            self.start = first - timedelta(days=first.weekday())
            following = (first + timedelta(days=32)).replace(day=1)
            last = following - timedelta(days=1)
            self.end = last + timedelta(days=7 - last.weekday())
            self.previous, self.next = (first - timedelta(days=1)).replace(day=1), following
            self.title = _month_name(first)
        elif view == "semaine":
            self.start = day - timedelta(days=day.weekday())
            self.end = self.start + timedelta(days=7)
            self.previous, self.next = day - timedelta(days=7), day + timedelta(days=7)
            self.title = f"Semaine du {format_date(self.start)}"
        elif view == "jour":
            self.start, self.end = day, day + timedelta(days=1)
            self.previous, self.next = day - timedelta(days=1), day + timedelta(days=1)
            self.title = format_date(day, weekday=True).capitalize()
        else:
            self.start, self.end = day, day + timedelta(days=LIST_DAYS)
            self.previous, self.next = day - timedelta(days=LIST_DAYS), self.end
            self.title = f"Du {format_date(self.start)} au {format_date(self.end - timedelta(days=1))}"

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days)]

    @property
    def weeks(self) -> list[list[date]]:
        days = self.days
        return [days[n:n + 7] for n in range(0, len(days), 7)]

    def bounds(self) -> tuple[datetime, datetime]:
        return recurrence.day_start(self.start), recurrence.day_start(self.end)


def _month_name(day: date) -> str:
    return f"{MONTHS[day.month - 1].capitalize()} {day.year}"


def _asked_period() -> Period:
    view = request.args.get("vue", "mois")
    if view not in VIEWS:
        view = "mois"
    try:
        day = date.fromisoformat(request.args.get("date", ""))
        if not 1900 <= day.year <= 2200:
            raise ValueError
    except ValueError:
        day = recurrence.to_local(utcnow()).date()
    return Period(view, day)


class Day(NamedTuple):
    """One day of an agenda page, as the template draws it."""
    day: date
    name: str          # « lundi 1er décembre 2026 »
    url: str           # its day view, with the same calendars
    items: list
    today: bool
    classes: str       # of the month grid's cell


def _days(agenda, period: Period, today: date, space: Space | None,
          filtered: set[str]) -> list[Day]:
    """The period's days with their items and their link to the day view (built once,
    ``tables.address_of``)."""
    place = {"slug": space.slug} if space else {}
    link = tables.address_of(request.endpoint, "date", vue="jour",
                             cal=sorted(filtered, key=str.lower), **place)  # as the filter « sort »
    days = []
    for day in period.days:
        items = agenda.on(day)
        classes = ("cal-other" if day.month != period.day.month else "") + \
            (" cal-today" if day == today else "") + ("" if items else " cal-empty")
        days.append(Day(day, format_date(day, weekday=True),
                        link(day.isoformat()),
                        items, day == today, classes))
    return days


def _render_agenda(agenda, period: Period, *, space: Space | None, filtered: set[str]):
    today = recurrence.to_local(utcnow()).date()
    return render_template("agenda/agenda.html", agenda=agenda, period=period, space=space,
                           views=VIEWS, filtered=filtered, today=today,
                           days=_days(agenda, period, today, space, filtered))


@bp.get("/agenda/")
@login_required
def mine():
    period = _asked_period()
    shown = set(request.args.getlist("cal"))
    # the person out of current_user's proxy once: the calendar and its sources read it often
    agenda = calendar.personal_agenda(current_user._get_current_object(), *period.bounds(),
                                      shown=shown or None)
    return _render_agenda(agenda, period, space=None, filtered=shown)


@bp.get("/espaces/<slug>/agenda")
def space_agenda(slug: str):
    space = access.get_or_404(Space, slug=slug)
    period = _asked_period()
    agenda = calendar.space_agenda(current_user._get_current_object(), space, *period.bounds())
    return _render_agenda(agenda, period, space=space, filtered=set())


# --- events ---------------------------------------------------------------------------------------


def _event(event_id: int, need: str = "view", *also) -> Event:
    """404 for an event the person may not see, 403 for one they see but may not change. The
    event is read with its space (which the decision and every event page read) and ``also``
    (loader options), in one statement."""
    event = db.session.get(Event, event_id, options=[joinedload(Event.space), *also])
    return access.authorize(event, need)


def _occurrence(event: Event) -> datetime | None:
    """The occurrence the address names (``?occurrence=``), for a series; 404 if it is not one."""
    if not event.rrule:
        return None
    key = request.values.get("occurrence")
    if not key:
        return None
    occurrence = parse_occurrence_key(key)
    if occurrence is None or not recurrence.is_occurrence(event.rrule, event.starts_on,
                                                          occurrence):
        abort(404)
    return occurrence


def _writable_calendars() -> dict[str, str]:
    """The calendars the person may add to: theirs, then their spaces'."""
    choices = {"": "Mon agenda personnel"}
    choices.update((space.slug, f"Agenda de l'espace « {space.name} »")
                   for space in french_sorted(access.writable_calendars(current_user),
                                              key=lambda s: s.name))
    return choices


def _resource_choices(event: Event | None = None) -> tuple[dict[int, str], list[int]]:
    """The resources the person may book, by name (``services.bookable_choices``, kept), then
    those the event holds that they may not book (in the order they were booked); and the ids
    of those the event holds (its bookings, read with it: ``_BOOKINGS``)."""
    choices = dict(services.bookable_choices(current_user))
    held: list[int] = []
    for booking in sorted(event.bookings if event is not None else (), key=lambda b: b.id):
        if booking.resource_id not in held:
            held.append(booking.resource_id)
            choices.setdefault(booking.resource_id, services.resource_label(booking.resource))
    return choices, held


# What the event form reads with the event: its bookings with their resources' names.
_BOOKINGS = joinedload(Event.bookings).joinedload(Booking.resource).joinedload(Resource.organisation)


def _data(form: EventForm) -> EventData:
    starts, ends = form.times()
    return EventData(title=form.title.data or "", starts_on=starts, ends_on=ends,
                     all_day=bool(form.all_day.data or form.start_time.data is None),
                     location=form.location.data or "", description=form.description.data or "",
                     description_format=form.description_format.data,
                     rrule=form.rule(starts),
                     visibility=Visibility(form.visibility.data) if form.visibility.data else None)


def _chosen_resources(form: EventForm) -> list[Resource]:
    """The resources ticked, among those offered (another id: refused, nothing looked up)."""
    ids = set(form.resources.data or [])
    if not ids <= set(form.resources.choices):
        raise AgendaError("Cette salle ou ce matériel n'existe pas, ou vous ne pouvez pas le "
                          "réserver.", "resources")
    return db.session.scalars(select(Resource).where(Resource.id.in_(ids or {-1}))).all()


def _invitees_typed(form: EventForm) -> list[User]:
    try:
        return resolve_people(form.people.data or "", current_user)
    except MessagingError as error:
        form.people.errors.append(str(error))
        raise


def _busy_warning(form: EventForm, data: EventData, people: list[User],
                  event: Event | None) -> list[str]:
    """The invited people already taken at the chosen time (free/busy: no titles)."""
    if form.confirm_busy.data or not people:
        return []
    taken = calendar.busy([p.id for p in people], data.starts_on, data.ends_on,
                          ignore_event=event.id if event else None)
    return [person.full_name for person in people if taken.get(person.id)]


@bp.route("/agenda/nouveau", methods=["GET", "POST"])
@login_required
def new():
    form = EventForm()
    form.resources.choices, _ = _resource_choices()
    calendars = _writable_calendars()
    chosen_slug = request.values.get("espace", "")
    if chosen_slug not in calendars:
        if chosen_slug:
            abort(404 if not db.session.scalar(select(Space.id).where(Space.slug == chosen_slug))
                  else 403)
    space = db.session.scalar(select(Space).where(Space.slug == chosen_slug)) if chosen_slug else None
    if space is not None:
        access.authorize(space)
        access.require(access.can_add_event(current_user, space))
    if request.method == "GET":
        try:
            form.start_date.data = date.fromisoformat(request.args.get("date", ""))
        except ValueError:
            form.start_date.data = recurrence.to_local(utcnow()).date()
        hour = to_int(request.args.get("heure"), None, maximum=23)
        if hour is not None:
            form.start_time.data = datetime.min.replace(hour=hour).time()
            form.end_time.data = datetime.min.replace(hour=min(hour + 1, 23)).time()
        resource = to_int(request.args.get("ressource"), None)
        if resource is not None and resource in form.resources.choices:
            form.resources.data = [resource]
    files = pending.Submission(form, FILES)
    busy, people = [], []
    if form.validate_on_submit():
        try:
            data = _data(form)
            people = _invitees_typed(form)
            busy = _busy_warning(form, data, people, None)
            if not busy:
                event = services.create_event(
                    data, by=current_user, space=space, resources=_chosen_resources(form),
                    invitees=Invitees(tuple(people), "Invitation personnelle"),
                    files=files.files("attachments"))
                flash("Événement ajouté à l'agenda.", "success")
                return redirect(url_for(".event", event_id=event.id))
        except (AgendaError, UploadError) as error:
            _field_error(form, error)
        except MessagingError:
            pass
    return render_template("agenda/form.html", form=form, event=None, space=space,
                           calendars=calendars, busy=busy, occurrence=None,
                           pending_files=files.kept() if request.method == "POST" else [])


def _field_error(form, error) -> None:
    name = getattr(error, "field", None) or "title"
    if name == "rrule":
        name = "repeat"
    getattr(form, name, form.title).errors.append(str(error))


@bp.get("/agenda/evenements/<int:event_id>")
def event(event_id: int):
    # with its files and the names of the resources it books, which its page shows
    event = _event(event_id, "view", joinedload(Event.attachments),
                   joinedload(Event.bookings).joinedload(Booking.resource)
                   .load_only(Resource.name))
    occurrence = _occurrence(event)
    change = event.change_at(occurrence) if occurrence else None
    if change is not None and change.cancelled:
        abort(404)
    begins = (change.starts_on if change and change.starts_on else occurrence) or event.starts_on
    ends = (change.ends_on if change and change.ends_on else begins + event.duration)
    attendees = sorted(services.load_attendees(event), key=lambda a: a.user.name_key)
    answers = services.answers_at(event, occurrence)
    mine = answers.get(current_user.id) if current_user.is_authenticated else None
    counts = {answer: sum(1 for a in answers.values() if a == answer) for answer in Answer}
    can_edit = access.can_edit_event(current_user, event)
    taken = {}
    if can_edit and attendees:
        day_start = recurrence.day_start(begins.date())
        taken = calendar.busy([a.user_id for a in attendees], day_start,
                              day_start + timedelta(days=1), ignore_event=event.id)
    return render_template(
        "agenda/event.html", event=event, occurrence=occurrence, change=change, begins=begins,
        ends=ends, last_day=(ends - timedelta(seconds=1)).date() if ends > begins else begins.date(),
        answers=answers, mine=mine, counts=counts, attendees=attendees,
        can_edit=can_edit, answer_form=AnswerForm(), taken=taken,
        space=event.space, occurrence_key=occurrence_key(occurrence) if occurrence else "")


@bp.route("/agenda/evenements/<int:event_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(event_id: int):
    event = _event(event_id, "edit", joinedload(Event.attachments), _BOOKINGS)
    occurrence = _occurrence(event)
    form = EventForm()
    form.resources.choices, held = _resource_choices(event)
    if request.method == "GET":
        change = event.change_at(occurrence) if occurrence else None
        begins = (change.starts_on if change and change.starts_on else occurrence) \
            or event.starts_on
        ends = change.ends_on if change and change.ends_on else begins + event.duration
        form.title.data = (change.title if change and change.title else event.title)
        form.location.data = (change.location if change and change.location is not None
                              else event.location)
        form.description.data = event.description_source
        form.description_format.data = event.description_format
        form.all_day.data = event.all_day
        form.start_date.data = begins.date()
        last = (ends - timedelta(days=1)).date() if event.all_day else ends.date()
        form.end_date.data = last if last != begins.date() else None
        if not event.all_day:
            form.start_time.data, form.end_time.data = begins.time(), ends.time()
        form.visibility.data = event.visibility.value if event.visibility else ""
        form.show_rule(event.rrule)
        form.resources.data = held
        form.scope.data = "one" if occurrence else "all"
    files = pending.Submission(form, FILES)
    busy = []
    if form.validate_on_submit():
        scope = Scope(form.scope.data) if event.rrule and occurrence else Scope.ALL
        try:
            data = _data(form)
            if scope == Scope.ONE:
                data = replace(data, rrule=event.rrule)   # one occurrence keeps the series' rule
            busy = _busy_warning(form, data, [a.user for a in event.attendees], event)
            if not busy:
                target = services.update_event(
                    event, data, by=current_user, scope=scope, occurrence=occurrence,
                    resources=_chosen_resources(form), files=files.files("attachments"))
                flash("Événement modifié.", "success")
                target_occurrence = occurrence_key(occurrence) if scope == Scope.ONE else None
                return redirect(url_for(".event", event_id=target.id,
                                        occurrence=target_occurrence))
        except (AgendaError, UploadError) as error:
            _field_error(form, error)
    return render_template("agenda/form.html", form=form, event=event, space=event.space,
                           calendars=None, busy=busy, occurrence=occurrence,
                           pending_files=files.kept() if request.method == "POST" else [])


@bp.route("/agenda/evenements/<int:event_id>/supprimer", methods=["GET", "POST"])
@login_required
def delete(event_id: int):
    event = _event(event_id, "edit")
    occurrence = _occurrence(event)
    form = DeleteForm()
    if request.method == "GET" and not occurrence:
        form.scope.data = "all"
    if form.validate_on_submit():
        scope = Scope(form.scope.data) if event.rrule and occurrence else Scope.ALL
        space = event.space
        if attempt(lambda: services.delete_event(event, by=current_user, scope=scope,
                                                 occurrence=occurrence),
                   "Événement supprimé." if scope == Scope.ALL else "Occurrence(s) supprimée(s).",
                   AgendaError):
            return redirect(url_for(".space_agenda", slug=space.slug) if space
                            else url_for(".mine"))
    return render_template("agenda/delete.html", form=form, event=event, occurrence=occurrence,
                           space=event.space)


@bp.post("/agenda/evenements/<int:event_id>/reponse")
@login_required
def answer(event_id: int):
    event = _event(event_id)
    occurrence = _occurrence(event)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash("Choisissez une réponse.", "error")
    else:
        one = form.for_series.data == "one" and occurrence is not None
        attempt(lambda: services.answer(event, current_user, Answer(form.answer.data),
                                        occurrence=occurrence if one else None),
                "Réponse enregistrée.", AgendaError)
    return redirect(url_for(".event", event_id=event.id,
                            occurrence=occurrence_key(occurrence) if occurrence else None))


def _invite_form() -> InviteForm:
    """The invitation form with its choices: every active organisation, the EPCI among them,
    and the spaces the person may address (names only: a département has hundreds), kept
    until an organisation or what the person may reach changes."""
    form = InviteForm()
    organisations, epci, spaces = generations.kept(
        (ORGANISATIONS, generations.ACCESS), ("invitation choices", current_user.id),
        _invitation_choices)
    form.organisation.choices, form.epci.choices, form.space.choices = \
        dict(organisations), dict(epci), dict(spaces)
    return form


def _invitation_choices() -> tuple[tuple, tuple, tuple]:
    organisations, epci, spaces = [("", "—")], [("", "—")], [("", "—")]
    # One statement: the organisations by their name's key, then the spaces by name (each
    # sorted on a column of its own, so that each keeps its column's collation).
    choices = union_all(
        select(literal_column("0").label("part"), Organisation.slug.label("key"),
               Organisation.name.label("name"), type_coerce(Organisation.kind, String).label("kind"),
               Organisation.name_key.label("by_key"), cast(null(), String).label("by_name"))
        .where(Organisation.is_active.is_(True)),
        select(literal_column("1"), cast(Space.id, String), Space.name, cast(null(), String),
               cast(null(), String), Space.name)
        .where(Space.id.in_(access.addressable_spaces(current_user))))
    order, an_epci = choices.selected_columns, OrgKind.EPCI.value
    for part, key, name, kind, _, _ in db.session.execute(
            choices.order_by(order.part, order.by_key, order.by_name)).all():
        if part == 0:
            organisations.append((key, name))
            if kind == an_epci:
                epci.append((key, name))
        else:
            spaces.append((key, name))
    return tuple(organisations), tuple(epci), tuple(spaces)


@bp.route("/agenda/evenements/<int:event_id>/invitations", methods=["GET", "POST"])
@login_required
def invite(event_id: int):
    """The organiser's invitation form, on a page of its own: it lists every organisation and
    every space one may address, which the event page itself need not build for each visit.
    A refusal shows the form again with what was typed."""
    event = _event(event_id, "edit")
    form = _invite_form()
    if form.validate_on_submit():
        try:
            added = services.invite(event, *_invitees(form), by=current_user)
        except (AgendaError, MessagingError) as error:
            form.people.errors.append(str(error))
        else:
            flash(f"{len(added)} personne(s) invitée(s)." if added
                  else "Ces personnes étaient déjà invitées.", "success")
            return redirect(url_for(".event", event_id=event.id))
    return render_template("agenda/invite.html", event=event, form=form, space=event.space)


def _invitees(form: InviteForm) -> list[Invitees]:
    """The groups the invitation form names (refused with an AgendaError when it names none
    or an unknown role or organisation)."""
    groups = []
    if (form.people.data or "").strip():
        groups.append(Invitees(tuple(resolve_people(form.people.data, current_user)),
                               "Invitation personnelle"))
    if form.role.data:
        if form.role.data not in {r.value for r in Role}:
            raise AgendaError("Choisissez un rôle dans la liste.")
        groups.append(services.people_with_role(
            current_user, Role(form.role.data), organisation=_organisation(form.organisation.data),
            epci=_organisation(form.epci.data)))
    if form.space.data:
        people, label = resolve_group(current_user, f"espace:{form.space.data}")
        groups.append(Invitees(tuple(people), label))
    if not groups:
        raise AgendaError("Indiquez qui inviter : des personnes, un rôle dans une "
                          "organisation ou les membres d'un espace.")
    return groups


def _organisation(slug: str | None) -> Organisation | None:
    if not slug:
        return None
    org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise AgendaError("Choisissez l'organisation dans la liste.")
    return org


@bp.post("/agenda/evenements/<int:event_id>/invitations/<int:user_id>/retirer")
@login_required
def uninvite(event_id: int, user_id: int):
    event = _event(event_id, "edit")
    person = access.part_or_404(User, user_id)
    if not any(a.user_id == person.id for a in event.attendees):
        abort(404)
    attempt(lambda: services.uninvite(event, person, by=current_user), "Invitation retirée.",
            AgendaError)
    return redirect(url_for(".event", event_id=event.id))


@bp.get("/agenda/evenements/<int:event_id>/pieces/<int:attachment_id>")
def attachment(event_id: int, attachment_id: int):
    event = _event(event_id)
    attached = access.part_or_404(EventAttachment, attachment_id, event_id=event.id)
    return uploads.send(attached.file)


@bp.post("/agenda/evenements/<int:event_id>/pieces/<int:attachment_id>/retirer")
@login_required
def remove_attachment(event_id: int, attachment_id: int):
    event = _event(event_id, "edit")
    attached = access.part_or_404(EventAttachment, attachment_id, event_id=event.id)
    attempt(lambda: services.remove_attachment(attached), "Pièce jointe retirée.", AgendaError)
    return redirect(url_for(".event", event_id=event.id))


@bp.get("/agenda/evenements/<int:event_id>/evenement.ics")
def export_event(event_id: int):
    event = _event(event_id)
    return _ics(ical.export([event], event.title), f"evenement-{event.id}.ics")


def _ics(data: bytes, filename: str, *, attachment: bool = True) -> Response:
    response = Response(data, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    if attachment:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- import, settings, feeds ------------------------------------------------------------------


@bp.route("/agenda/importer", methods=["GET", "POST"])
@login_required
def import_file():
    form = ImportForm()
    form.calendar.choices = _writable_calendars()
    problems = []
    if form.validate_on_submit():
        chosen = form.calendar.data or ""
        if chosen not in form.calendar.choices:
            abort(403)
        space = db.session.scalar(select(Space).where(Space.slug == chosen)) if chosen else None
        data = b""
        if form.file.data:
            with form.file.data.stream as upload:   # closed now, a large one is a temp file
                data = upload.read(ical.MAX_IMPORT_BYTES + 1)
        if not data:
            form.file.errors.append("Choisissez un fichier .ics.")
        else:
            try:
                events = services.import_ics(data, by=current_user, space=space)
            except ical.ImportRefused as refused:
                problems = refused.problems
            except AgendaError as error:
                problems = [str(error)]
            else:
                flash(f"{len(events)} événement(s) importé(s).", "success")
                return redirect(url_for(".space_agenda", slug=space.slug) if space
                                else url_for(".mine", vue="liste",
                                             date=min(e.starts_on for e in events).date()
                                             .isoformat()))
    return render_template("agenda/import.html", form=form, problems=problems)


@bp.route("/agenda/parametres", methods=["GET", "POST"])
@login_required
def settings():
    form = SettingsForm(prefix="rappel")
    feed_form = FeedForm(prefix="flux")
    if request.method == "GET":
        form.reminder.data = services.settings_for(current_user).reminder.value
    posted = request.form if request.method == "POST" else {}
    if "rappel-reminder" in posted and form.validate_on_submit():
        services.set_reminder(current_user, services.Reminder(form.reminder.data))
        flash("Rappels enregistrés.", "success")
        return redirect(url_for(".settings"))
    if "flux-label" in posted and feed_form.validate_on_submit():
        made = attempt(lambda: services.create_feed(current_user, label=feed_form.label.data,
                                                    with_deadlines=feed_form.with_deadlines.data),
                       "Adresse d'abonnement créée : copiez-la dans votre logiciel d'agenda.",
                       AgendaError)
        if made:
            return redirect(url_for(".settings"))
    return render_template("agenda/settings.html", form=form, feed_form=feed_form,
                           feeds=services.feeds_of(current_user))


@bp.post("/agenda/abonnements/<int:feed_id>/revoquer")
@login_required
def revoke_feed(feed_id: int):
    feed = access.part_or_404(CalendarFeed, feed_id, user_id=current_user.id)
    attempt(lambda: services.revoke_feed(feed, by=current_user),
            "Adresse révoquée : les logiciels abonnés ne reçoivent plus rien.", AgendaError)
    return redirect(url_for(".settings"))


@bp.get("/agenda/flux/<token>.ics")
def feed(token: str):
    """A person's subscription feed: the token is the permission; what it lists is what that
    person may see now (``access.visible_events``)."""
    found = services.feed_by_token(token)
    if found is None:
        abort(404)
    events, entries = services.feed_contents(found)
    return _ics(ical.export(events, "Territoires — agenda", entries), "agenda.ics",
                attachment=False)


# --- rooms and equipment ----------------------------------------------------------------------


def _organisation_or_404(slug: str) -> Organisation:
    org = access.get_or_404(Organisation, slug=slug)
    if not access.can_see_resources(current_user, org):
        abort(404)
    return org


@bp.app_template_global()
def agenda_feeds() -> list[CalendarFeed]:
    """The person's subscription addresses, as their profile lists them."""
    return services.feeds_of(current_user) if current_user.is_authenticated else []


@bp.get("/organisations/<slug>/ressources")
@login_required
def resources(slug: str):
    org = _organisation_or_404(slug)
    return render_template("agenda/resources.html", org=org,
                           resources=services.resources_of(org),
                           can_manage=access.can_manage_resources(current_user, org))


@bp.route("/organisations/<slug>/ressources/nouvelle", methods=["GET", "POST"])
@login_required
def new_resource(slug: str):
    return _resource_form(slug, None)


@bp.route("/organisations/<slug>/ressources/<int:resource_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_resource(slug: str, resource_id: int):
    return _resource_form(slug, resource_id)


def _resource_form(slug: str, resource_id: int | None):
    org = _organisation_or_404(slug)
    access.require(access.can_manage_resources(current_user, org))
    resource = access.part_or_404(Resource, resource_id, organisation_id=org.id) \
        if resource_id is not None else None
    form = ResourceForm(obj=resource)
    if request.method == "GET" and resource is not None:
        form.kind.data = resource.kind.value
    if form.validate_on_submit():
        try:
            services.save_resource(org, by=current_user, name=form.name.data,
                                   kind=ResourceKind(form.kind.data),
                                   description=form.description.data or "",
                                   capacity=form.capacity.data, resource=resource,
                                   active=bool(form.active.data))
        except AgendaError as error:
            _field_error(form, error)
        else:
            flash("Ressource enregistrée.", "success")
            return redirect(url_for(".resources", slug=org.slug))
    return render_template("agenda/resource_form.html", org=org, form=form, resource=resource)


@bp.get("/organisations/<slug>/ressources/<int:resource_id>")
@login_required
def resource(slug: str, resource_id: int):
    org = _organisation_or_404(slug)
    found = access.part_or_404(Resource, resource_id, organisation_id=org.id)
    period = _asked_period()
    if period.view not in ("semaine", "jour"):
        period = Period("semaine", period.day)
    after, before = period.bounds()
    bookings = services.bookings_between(found, after, before)
    by_day = {day: [] for day in period.days}
    for booking in bookings:
        begins, ends = recurrence.to_local(booking.starts_utc), recurrence.to_local(booking.ends_utc)
        visible = access.can_view_event(current_user, booking.event)
        for day in by_day:
            if begins.date() <= day <= (ends - timedelta(seconds=1)).date():
                by_day[day].append((begins, ends, booking.event if visible else None,
                                    booking.occurrence))
    return render_template("agenda/resource.html", org=org, resource=found, period=period,
                           by_day=by_day, can_book=access.can_book(current_user, found),
                           today=recurrence.to_local(utcnow()).date())
