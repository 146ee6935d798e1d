from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

REQUIRED = "Ce champ est obligatoire."


class ComposeForm(FlaskForm):
    """A new conversation. The directory search (« Chercher ») and its « Ajouter » buttons
    submit this same form, so what was typed is kept — no JavaScript needed."""
    to = TextAreaField("Destinataires", validators=[Optional(), Length(max=5000)])
    group = SelectField("Ou tout un groupe", choices={"": "Aucun groupe"}, default="",
                        validate_choice=False)
    lookup = StringField("Chercher une personne dans l'annuaire (nom ou adresse)",
                         validators=[Optional(), Length(max=100)])
    subject = StringField("Objet", validators=[DataRequired(REQUIRED), Length(max=200)])
    body = TextAreaField("Message", validators=[DataRequired(REQUIRED), Length(max=100_000)])
    files = MultipleFileField("Pièces jointes (facultatif)")


class ReplyForm(FlaskForm):
    body = TextAreaField("Votre réponse", validators=[DataRequired(REQUIRED), Length(max=100_000)])
    files = MultipleFileField("Pièces jointes (facultatif)")


class ActionForm(FlaskForm):
    """The CSRF token of the one-button forms (archive, mark unread, leave)."""
