from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from ...core.types import Visibility
from .models import CHART_VISIBILITY_LABELS, UNIT_KIND_LABELS

REQUIRED = "Ce champ est obligatoire."
BAD_EMAIL = "Adresse électronique invalide."
TOP_LEVEL = {"": "— Aucune : premier niveau de l'organigramme —"}
NO_ACCOUNT = {"": "— Aucun compte (personne sans compte, ou poste vacant) —"}


class UnitForm(FlaskForm):
    name = StringField("Nom de l'unité", validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = SelectField("Type", choices={k.value: v for k, v in UNIT_KIND_LABELS.items()},
                       default="service")
    parent = SelectField("Rattachée à", choices=TOP_LEVEL, default="")
    phone = StringField("Téléphone", validators=[Optional(), Length(max=30)])
    email = EmailField("Courriel", validators=[Optional(), Email(BAD_EMAIL), Length(max=254)])
    address = StringField("Adresse", validators=[Optional(), Length(max=300)])


class PositionForm(FlaskForm):
    title = StringField("Intitulé du poste", validators=[DataRequired(REQUIRED), Length(max=200)])
    unit = SelectField("Unité")
    user = SelectField("Titulaire ayant un compte dans l'organisation", choices=NO_ACCOUNT,
                       default="")
    person_name = StringField("Ou nom du titulaire sans compte",
                              validators=[Optional(), Length(max=200)])
    phone = StringField("Téléphone", validators=[Optional(), Length(max=30)])
    email = EmailField("Courriel", validators=[Optional(), Email(BAD_EMAIL), Length(max=254)])
    vacant = BooleanField("Poste vacant")
    is_head = BooleanField("Responsable de l'unité")


class VisibilityForm(FlaskForm):
    visibility = SelectField("Qui peut voir l'organigramme ?",
                             choices={k.value: v for k, v in CHART_VISIBILITY_LABELS.items()},
                             default=Visibility.NETWORK.value)


class DeleteUnitForm(FlaskForm):
    move_to = SelectField("Unité qui reçoit les sous-unités et les postes",
                          choices={"": "— Choisissez une unité —"}, default="")
