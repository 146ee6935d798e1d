from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, HiddenField, IntegerField, PasswordField,
                     SelectField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from ..core.fields import FrenchDateField
from ..core.sanitize import known_format

REQUIRED = "Ce champ est obligatoire."
VISIBILITY_CHOICES = {"": "Comme l'espace", "network": "Réseau (toute personne connectée)",
                      "members": "Membres de l'espace seulement"}


class PageForm(FlaskForm):
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=200)])
    body = TextAreaField("Texte de la page", validators=[Optional(), Length(max=500_000)])
    body_format = HiddenField(default="text", filters=[known_format])
    visibility = SelectField("Visibilité", choices=VISIBILITY_CHOICES, default="")
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    note = StringField("Résumé de la modification (facultatif)", validators=[Optional(), Length(max=300)])


class ReviewForm(FlaskForm):
    comment = TextAreaField("Ce qu'il faut revoir", validators=[DataRequired(REQUIRED), Length(max=5000)])


class FileForm(FlaskForm):
    file = FileField("Fichier")
    note = StringField("Note (facultatif)", validators=[Optional(), Length(max=300)])


class UploadForm(FlaskForm):
    file = FileField("Fichier")
    description = StringField("Description (facultatif)", validators=[Optional(), Length(max=2000)])
    visibility = SelectField("Visibilité", choices=VISIBILITY_CHOICES, default="")
    folder = HiddenField()


class FolderForm(FlaskForm):
    name = StringField("Nom du nouveau dossier", validators=[DataRequired(REQUIRED), Length(max=200)])
    parent = HiddenField()


class RenameForm(FlaskForm):
    name = StringField("Nouveau nom", validators=[DataRequired(REQUIRED), Length(max=200)])


class MoveForm(FlaskForm):
    target = SelectField("Déplacer vers", choices={}, validate_choice=False)


class EmptyBinForm(FlaskForm):
    confirm = BooleanField("Je comprends que tout ce qui est dans la corbeille sera supprimé "
                           "définitivement, sans retour possible.")


class ShareForm(FlaskForm):
    label = StringField("Pour qui (facultatif, par exemple « Cabinet d'architecte Durand »)",
                        validators=[Optional(), Length(max=200)])
    expires_on = FrenchDateField("Valable jusqu'au (inclus)",
                           validators=[DataRequired("Indiquez jusqu'à quand le lien est valable.")])
    password = PasswordField("Mot de passe (facultatif, 8 caractères au moins : à transmettre "
                             "par un autre moyen que le lien)",
                             validators=[Optional(), Length(max=128)])


class SharedDownloadForm(FlaskForm):
    password = PasswordField("Mot de passe", validators=[Optional(), Length(max=128)])
