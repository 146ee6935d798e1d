"""Forms of subsidy dossiers (French labels). Amounts are text fields: ``core.money`` reads
them in the service, so that a refused amount comes back as it was typed."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..core.fields import FrenchDateField
from .models import FunderKind, PaymentKind

REQUIRED = "Ce champ est obligatoire."
AMOUNT_HINT = "En euros, par exemple 12 345,67."
PLAN_LINES = 6


class LineForm(Form):
    kind = SelectField("Type de financeur", choices={"": "—", **{k.value: k.label
                                                                 for k in FunderKind}},
                       validate_choice=False)
    funder = StringField("Financeur", validators=[Optional(), Length(max=200)])
    amount = StringField("Montant", validators=[Optional(), Length(max=40)])


class DossierForm(FlaskForm):
    organisation = SelectField("Organisation qui demande l'aide", choices={},
                               validate_choice=False)
    title = StringField("Intitulé du projet", validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField("Description du projet", validators=[Optional(),
                                                                      Length(max=20_000)])
    communes = TextAreaField("Communes concernées", validators=[Optional(), Length(max=5000)])
    cost_excl_vat = StringField("Coût total hors taxes (HT)",
                                validators=[DataRequired(REQUIRED), Length(max=40)])
    cost_incl_vat = StringField("Coût total toutes taxes comprises (TTC)",
                                validators=[DataRequired(REQUIRED), Length(max=40)])
    amount_requested = StringField("Montant demandé", validators=[DataRequired(REQUIRED),
                                                                  Length(max=40)])
    schedule = TextAreaField("Calendrier des travaux", validators=[Optional(), Length(max=5000)])
    contact = StringField("Personne à contacter (nom, téléphone, courriel)",
                          validators=[Optional(), Length(max=300)])
    lines = FieldList(FormField(LineForm), min_entries=PLAN_LINES, max_entries=PLAN_LINES)


class DocumentForm(FlaskForm):
    requirement = SelectField("Pièce", choices={}, validate_choice=False)
    file = FileField("Fichier (PDF, texte ou tableur)")


class IncompleteForm(FlaskForm):
    missing = TextAreaField("Ce qui manque au dossier", validators=[DataRequired(REQUIRED),
                                                                     Length(max=5000)])


class ProposeForm(FlaskForm):
    sitting_on = FrenchDateField("Date de la commission permanente",
                                 validators=[DataRequired(REQUIRED)])


class GrantForm(FlaskForm):
    amount = StringField("Montant accordé", validators=[DataRequired(REQUIRED), Length(max=40)])
    conditions = TextAreaField("Conditions", validators=[Optional(), Length(max=5000)])
    works_deadline = FrenchDateField("Travaux à réaliser avant le",
                                     validators=[DataRequired(REQUIRED)])


class RefuseForm(FlaskForm):
    reason = TextAreaField("Motif du refus", validators=[DataRequired(REQUIRED), Length(max=5000)])


class PaymentForm(FlaskForm):
    kind = SelectField("Versement", choices={k.value: k.label for k in PaymentKind})
    amount = StringField("Montant versé", validators=[DataRequired(REQUIRED), Length(max=40)])
    paid_on = FrenchDateField("Date du versement", validators=[DataRequired(REQUIRED)])


class RequirementForm(FlaskForm):
    label = StringField("Pièce demandée", validators=[DataRequired(REQUIRED), Length(max=200)])


class InstructorForm(FlaskForm):
    email = EmailField("Adresse de la personne", validators=[DataRequired(REQUIRED),
                                                             Length(max=254)])
    programme = StringField("Programme", validators=[DataRequired(REQUIRED), Length(max=200)])
