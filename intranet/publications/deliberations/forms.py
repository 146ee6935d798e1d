"""Forms of the deliberations (French labels and messages)."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (DataRequired, InputRequired, Length, NumberRange, Optional, Regexp)

from ...core.sanitize import known_format
from ..forms import REQUIRED, VISIBILITY_CHOICES, FrenchForm
from . import classification
from .models import ASSEMBLY_LABELS, NATURE_LABELS, PUBLICATION_MODE_LABELS

ASSEMBLY_CHOICES = {k.value: v for k, v in ASSEMBLY_LABELS.items()}
NATURE_CHOICES = {k.value: v for k, v in NATURE_LABELS.items()}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _count(label: str) -> IntegerField:
    return IntegerField(label, validators=[
        Optional(), NumberRange(min=0, max=100000, message="Indiquez un nombre positif ou nul.")])


class DeliberationForm(FrenchForm):
    organisation = SelectField("Organisation qui publie l'acte", choices={})
    nature = SelectField("Nature de l'acte", choices=NATURE_CHOICES, default="deliberation")
    # The number's pattern, the vote counts' sums, the budget pair and the transmission dates
    # are checked by the service (``act_problems``), once, whatever the entry point: the form
    # only parses and requires, so that no message is given twice.
    number = StringField("Numéro de l'acte", filters=[_strip],
                         validators=[DataRequired(REQUIRED)])
    assembly = SelectField("Assemblée ou autorité", choices=ASSEMBLY_CHOICES,
                           default="conseil_municipal")
    sitting_date = DateField("Date de la séance (ou de la décision)",
                             validators=[InputRequired(REQUIRED)])
    subject = StringField("Objet", validators=[DataRequired(REQUIRED), Length(max=500)])
    matiere = SelectField("Classification (matière ACTES)", choices={})
    body = TextAreaField("Texte ou résumé de l'acte", validators=[Optional(), Length(max=100000)])
    body_format = HiddenField(default="text", filters=[known_format])  # the editor's
    members_in_office = _count("Membres en exercice")
    members_present = _count("Membres présents")
    votes_for = _count("Votes pour")
    votes_against = _count("Votes contre")
    abstentions = _count("Abstentions")
    budget_year = StringField("Exercice budgétaire concerné", filters=[_strip],
                              validators=[Optional(), Length(max=9)])
    budget_name = StringField("Nom du budget", validators=[Optional(), Length(max=200)])
    signatory_name = StringField("Signataire : prénom et nom", validators=[
        DataRequired(REQUIRED), Length(max=200)])
    signatory_function = StringField("Signataire : fonction", validators=[
        DataRequired(REQUIRED), Length(max=200)])
    act_pdf = FileField("L'acte, en PDF")
    annexes = MultipleFileField("Annexes, en PDF (facultatif, plusieurs possibles)")
    transmitted_on = DateField("Date de transmission en préfecture", validators=[Optional()])
    acknowledgement_id = StringField("Identifiant de l'accusé de réception", validators=[
        Optional(), Length(max=60)])
    visibility = SelectField("Qui peut le lire une fois publié ?", choices=VISIBILITY_CHOICES,
                             default="public")

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = {str(o.id): o.name for o in organisations}
        if not self.organisation.data and len(organisations) == 1:
            self.organisation.data = str(organisations[0].id)
        self.matiere.choices = {"": "— Choisissez une matière —",
                                **classification.grouped_choices()}
        self.matiere.flags.required = True

    def other_fields(self) -> list:
        """The fields stored as typed, with no rule or place of their own: the form page shows
        them under « Autres informations », each with its ``description`` as hint."""
        from .services import extra_columns
        return [self[name] for name in extra_columns(self._fields)]


class ListFilterForm(FlaskForm):
    """The list's filters (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    year = SelectField("Année", choices={}, validate_choice=False)
    assembly = SelectField("Assemblée", choices={"": "Toutes", **ASSEMBLY_CHOICES},
                           validate_choice=False)
    theme = SelectField("Thème", choices={}, validate_choice=False)
    organisation = SelectField("Organisation", choices={}, validate_choice=False)
    q = StringField("Objet ou numéro contient", validators=[Optional(), Length(max=100)])

    def __init__(self, *args, years=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.year.choices = {"": "Toutes", **{str(y): str(y) for y in years}}
        self.theme.choices = {"": "Tous", **{m.code: m.display for m in classification.themes()}}
        self.organisation.choices = {"": "Toutes", **{o.slug: o.name for o in organisations}}


class SettingsForm(FrenchForm):
    siret = StringField("SIRET de l'organisation (14 chiffres)", validators=[
        Optional(), Regexp(r"^\s*[0-9 ]{14,20}\s*$",
                           message="Le SIRET compte 14 chiffres (SIREN sur 9 chiffres + NIC "
                                   "sur 5 chiffres).")])
    publication_mode = SelectField("Mode de publication des actes",
                                   choices={k.value: v for k, v in PUBLICATION_MODE_LABELS.items()},
                                   default="electronique")
    mode_chosen_on = DateField("Date de la délibération qui a choisi ce mode",
                               validators=[Optional()])
    mode_deliberation_number = StringField("Numéro de cette délibération (facultatif)",
                                           filters=[_strip], validators=[Optional()])


class AgendaForm(FrenchForm):
    agenda = TextAreaField("Ordre du jour (un point par ligne)",
                           validators=[Optional(), Length(max=20000)])


class MinutesForm(FrenchForm):
    pdf = FileField("Le procès-verbal, en PDF")
    approved_on = DateField("Date de la séance qui l'a approuvé",
                            description="Le procès-verbal est approuvé lors de la séance "
                                        "suivante ; laissez vide tant qu'il ne l'est pas.",
                            validators=[Optional()])
    visibility = SelectField("Qui peut le lire une fois publié ?", choices=VISIBILITY_CHOICES,
                             default="public")


class AcknowledgementsForm(FrenchForm):
    organisation = SelectField("Actes de", choices={}, validate_choice=False)
    file = FileField("Fichier CSV")
