"""Forms of the agendas (French labels and messages)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (BooleanField, HiddenField, IntegerField, RadioField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..core.fields import CheckboxesField, FrenchDateField, FrenchTimeField
from ..core.sanitize import known_format
from ..core.types import Role
from . import recurrence
from .models import Answer, Reminder, ResourceKind
from .recurrence import Frequency, Rule

REQUIRED = "Ce champ est obligatoire."
REPEAT_CHOICES = {"": "Ne se répète pas", **{f.value: f.label for f in Frequency},
                  "custom": "Répétition personnalisée (conservée telle quelle)"}
WEEKDAY_CHOICES = {day: label.capitalize() for day, label in recurrence.WEEKDAY_LABELS.items()}
MONTHLY_CHOICES = {"day": "Le même jour du mois (le 15, par exemple)",
                   "weekday": "Le même jour de la semaine (le deuxième mardi, par exemple)"}
END_CHOICES = {"never": "Jamais", "until": "À une date (ci-dessous)",
               "count": "Après un nombre de fois (ci-dessous)"}
SCOPE_CHOICES = {"one": "Cette occurrence seulement",
                 "following": "Cette occurrence et les suivantes",
                 "all": "Toutes les occurrences de la série"}
VISIBILITY_CHOICES = {"": "Comme l'espace", "members": "Les membres de l'espace seulement"}


class EventForm(FlaskForm):
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=200)])
    all_day = BooleanField("Toute la journée")
    start_date = FrenchDateField("Date", validators=[InputRequired(REQUIRED)])
    start_time = FrenchTimeField("Heure de début", validators=[Optional()])
    end_date = FrenchDateField("Date de fin (si elle diffère)", validators=[Optional()])
    end_time = FrenchTimeField("Heure de fin", validators=[Optional()])
    location = StringField("Lieu", validators=[Optional(), Length(max=300)])
    description_format = HiddenField(default="text", filters=[known_format])
    description = TextAreaField("Description", validators=[Optional(), Length(max=100_000)])
    visibility = SelectField("Qui voit cet événement ?", choices=VISIBILITY_CHOICES, default="")
    repeat = SelectField("Répétition", choices=REPEAT_CHOICES, default="")
    interval = IntegerField("Tous les combien ?", default=1,
                            validators=[Optional(), NumberRange(1, 999, "Entre 1 et 999.")])
    weekdays = CheckboxesField("Les jours (répétition chaque semaine)", choices=WEEKDAY_CHOICES)
    monthly = RadioField("Chaque mois", choices=MONTHLY_CHOICES, default="day")
    ends = RadioField("Fin de la répétition", choices=END_CHOICES, default="never")
    until = FrenchDateField("Dernier jour", validators=[Optional()])
    count = IntegerField("Nombre de fois", validators=[
        Optional(), NumberRange(1, recurrence.MAX_COUNT, f"Entre 1 et {recurrence.MAX_COUNT}.")])
    custom_rule = HiddenField()
    attachments = MultipleFileField("Joindre des fichiers (ordre du jour, plan d'accès…)")
    resources = CheckboxesField("Réserver une salle ou du matériel", coerce=int, choices=[],
                                validate_choice=False)
    people = TextAreaField("Inviter des personnes (noms ou adresses, séparés par des virgules)",
                           validators=[Optional(), Length(max=20_000)])
    scope = RadioField("Modifier", choices=SCOPE_CHOICES, default="one")
    confirm_busy = BooleanField("Enregistrer quand même")

    def times(self) -> tuple[datetime, datetime]:
        """Local start and end as typed: an event without a time is all day; without an end
        time, a timed event lasts an hour."""
        day = self.start_date.data
        last = self.end_date.data or day
        if self.all_day.data or self.start_time.data is None:
            return (datetime.combine(day, time()),
                    datetime.combine(max(last, day), time()) + timedelta(days=1))
        starts = datetime.combine(day, self.start_time.data)
        if self.end_time.data is not None:
            ends = datetime.combine(last, self.end_time.data)
        else:
            ends = starts + timedelta(hours=1)
        return starts, ends

    def rule(self, starts: datetime) -> str | None:
        """The RRULE value the choices mean (None: does not repeat)."""
        if not self.repeat.data:
            return None
        if self.repeat.data == "custom":
            return self.custom_rule.data or None
        freq = Frequency(self.repeat.data)
        weekdays, position = (), None
        if freq == Frequency.WEEKLY:
            weekdays = tuple(d for d in WEEKDAY_CHOICES if d in (self.weekdays.data or ())) \
                or (recurrence.WEEKDAYS[starts.weekday()],)
        elif freq == Frequency.MONTHLY and self.monthly.data == "weekday":
            weekdays = (recurrence.WEEKDAYS[starts.weekday()],)
            position = min((starts.day - 1) // 7 + 1, 4) if starts.day <= 28 else -1
        until = self.until.data if self.ends.data == "until" else None
        count = self.count.data if self.ends.data == "count" else None
        return Rule(freq, self.interval.data or 1, weekdays, position, until, count).value()

    def show_rule(self, value: str | None) -> None:
        """Fill the repetition's choices from a stored rule."""
        rule = recurrence.as_rule(value)
        if value and rule is None:
            self.repeat.data, self.custom_rule.data = "custom", value
            return
        if rule is None:
            self.repeat.data = ""
            return
        self.repeat.data, self.interval.data = rule.freq.value, rule.interval
        self.weekdays.data = list(rule.weekdays)
        self.monthly.data = "weekday" if rule.position else "day"
        self.ends.data = "until" if rule.until else "count" if rule.count else "never"
        self.until.data, self.count.data = rule.until, rule.count


class DeleteForm(FlaskForm):
    scope = RadioField("Supprimer", choices=SCOPE_CHOICES, default="one")


class AnswerForm(FlaskForm):
    answer = RadioField("Votre réponse", choices={a.value: a.label for a in Answer
                                                  if a != Answer.NEEDS_ACTION},
                        validators=[DataRequired("Choisissez une réponse.")])
    for_series = RadioField("Pour", choices={"series": "Toute la série",
                                             "one": "Cette occurrence seulement"},
                            default="series")


ROLE_CHOICES = {Role.ADMIN.value: "Les administrateurs",
                Role.EDITOR.value: "Les rédacteurs et administrateurs",
                Role.MEMBER.value: "Tous les membres"}


class InviteForm(FlaskForm):
    people = TextAreaField("Des personnes (noms ou adresses, séparés par des virgules)",
                           validators=[Optional(), Length(max=20_000)])
    role = SelectField("Ou, selon leur rôle", choices={"": "—", **ROLE_CHOICES}, default="")
    organisation = SelectField("de l'organisation", choices={}, validate_choice=False)
    epci = SelectField("ou des communes de l'intercommunalité", choices=[],
                       validate_choice=False)
    space = SelectField("Ou les membres d'un espace", choices={}, validate_choice=False)


class ResourceForm(FlaskForm):
    name = StringField("Nom", validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = SelectField("Type", choices={k.value: k.label for k in ResourceKind})
    capacity = IntegerField("Nombre de places (pour une salle)",
                            validators=[Optional(), NumberRange(1, 99_999, "Entre 1 et 99 999.")])
    description = TextAreaField("Description (équipement, accès, clés…)",
                                validators=[Optional(), Length(max=5_000)])
    active = BooleanField("Réservable", default=True)


class ImportForm(FlaskForm):
    file = FileField("Fichier iCalendar (.ics)")
    calendar = SelectField("Dans l'agenda", choices={}, validate_choice=False)


class FeedForm(FlaskForm):
    label = StringField("Nom de l'abonnement (par exemple : téléphone)",
                        validators=[Optional(), Length(max=100)])
    with_deadlines = BooleanField("Ajouter les échéances qui me concernent (dates limites des "
                                  "aides…)")


class SettingsForm(FlaskForm):
    reminder = RadioField("Me rappeler mes événements par courriel",
                          choices={r.value: r.label for r in Reminder},
                          default=Reminder.NONE.value)
