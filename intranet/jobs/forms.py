"""Forms of the job exchange (French labels and messages)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (DecimalField, EmailField, HiddenField, IntegerField,
                     RadioField, SelectField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..core.fields import CheckboxesField, FrenchDateField
from ..core.sanitize import known_format
from ..core.types import Visibility
from . import reference
from .models import CONTRACT_BASES, ApplicationStatus, Employment, PostOrigin

REQUIRED = "Ce champ est obligatoire."


class OfferForm(FlaskForm):
    organisation = SelectField("Organisation qui recrute")
    title = StringField("Intitulé du poste", validators=[DataRequired(REQUIRED), Length(max=200)])
    origin = RadioField("Le poste", choices={o.value: o.label for o in PostOrigin},
                        validate_choice=False)
    service = StringField("Service", validators=[Optional(), Length(max=200)])
    filiere = SelectField("Filière", choices={}, validate_choice=False)
    cadre = SelectField("Cadre d'emplois", choices={}, validate_choice=False)
    grades = CheckboxesField("Grade(s) ouverts", choices={}, validate_choice=False)
    employment = RadioField("Statut", choices={e.value: e.label for e in Employment},
                            validate_choice=False)
    contract_basis = SelectField("Fondement juridique du contrat",
                                 choices={"": "—", **CONTRACT_BASES}, validate_choice=False)
    full_time = RadioField("Temps de travail", choices={"1": "Temps complet",
                                                        "0": "Temps non complet"}, default="1")
    hours_per_week = DecimalField("Heures par semaine (temps non complet)", places=2,
                                  validators=[Optional(), NumberRange(1, 34.99, "Entre 1 et 34,99.")])
    place = SelectField("Lieu de travail (commune)", choices={}, validate_choice=False)
    vacancy_date = FrenchDateField("Date de vacance du poste", validators=[Optional()])
    start_date = FrenchDateField("Prise de poste souhaitée", validators=[Optional()])
    closes_on = FrenchDateField("Date limite de candidature", validators=[Optional()])
    missions_format = HiddenField(default="text", filters=[known_format])
    missions = TextAreaField("Missions", validators=[Optional(), Length(max=50_000)])
    profile = TextAreaField("Profil recherché (compétences, diplômes, qualités)",
                            validators=[Optional(), Length(max=20_000)])
    specific_conditions = TextAreaField("Conditions particulières (astreintes, permis, horaires…)",
                                        validators=[Optional(), Length(max=5_000)])
    salary = StringField("Rémunération (indication)", validators=[Optional(), Length(max=200)])
    salary_min = IntegerField("Salaire brut mensuel minimal (€)",
                              validators=[Optional(), NumberRange(0, 50_000, "Entre 0 et 50 000.")])
    salary_max = IntegerField("Salaire brut mensuel maximal (€)",
                              validators=[Optional(), NumberRange(0, 50_000, "Entre 0 et 50 000.")])
    how_to_apply = TextAreaField("Comment candidater (pièces demandées, à qui écrire)",
                                 validators=[Optional(), Length(max=5_000)])
    contact_name = StringField("Contact (nom et fonction)", validators=[Optional(), Length(max=200)])
    contact_email = EmailField("Courriel du contact", validators=[Optional(), Length(max=254)])
    visibility = SelectField("Qui voit l'offre une fois publiée ?", choices={
        Visibility.PUBLIC.value: "Tout le monde (site public, moteurs de recherche d'emploi)",
        Visibility.NETWORK.value: "Le réseau seulement (personnes connectées)"},
        default=Visibility.PUBLIC.value)
    document = MultipleFileField("Fiche de poste ou autre document (PDF, ODT, DOCX)")

    def fill_reference(self) -> None:
        """The choices of the civil service's lists: every filière, every cadre d'emplois
        (grouped by filière in the page), every grade of the chosen cadre."""
        cadres = reference.cadres()
        self.filiere.choices = {"": "—", **{f: f.capitalize() for f in reference.filieres()}}
        self.cadre.choices = {"": "—", **{name: c.label for name, c in sorted(cadres.items())}}
        chosen = reference.cadre(self.cadre.data)
        self.grades.choices = {g: g for g in chosen.grades} if chosen else {}


class ApplicationForm(FlaskForm):
    name = StringField("Vos prénom et nom", validators=[DataRequired(REQUIRED), Length(max=200)])
    email = EmailField("Votre adresse électronique", validators=[Optional(), Length(max=254)])
    phone = StringField("Téléphone (facultatif)", validators=[Optional(), Length(max=30)])
    message = TextAreaField("Message au recruteur (facultatif)",
                            validators=[Optional(), Length(max=10_000)])
    cv = FileField("Votre CV (PDF)")
    letter = FileField("Lettre de motivation (PDF, facultative)")


class StatusForm(FlaskForm):
    status = SelectField("Étape", choices={s.value: s.label for s in ApplicationStatus
                                           if s != ApplicationStatus.UNCONFIRMED})



class AlertForm(FlaskForm):
    label = StringField("Nom de la recherche", validators=[Optional(), Length(max=200)])
    query = HiddenField()

