from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..core.sanitize import known_format

REQUIRED = "Ce champ est obligatoire."


class ComposeForm(FlaskForm):
    """A new conversation. The recipients' finder (« Chercher ») and its « Ajouter » /
    « Retirer » buttons submit this same form, so what was typed is kept — no JavaScript
    needed; with it, the finder is a search-as-you-type combobox (``static/js/finder.js``).
    The organisations chosen travel as hidden ``organisation`` inputs (their ids)."""
    lookup = StringField("Chercher une personne ou une organisation",
                         validators=[Optional(), Length(max=100)])
    to = TextAreaField("Personnes", validators=[Optional(), Length(max=5000)])
    group = SelectField("Ou tous les membres d'un espace", choices={"": "Aucun espace"},
                        default="", validate_choice=False)
    subject = StringField("Objet", validators=[DataRequired(REQUIRED), Length(max=200)])
    body = TextAreaField("Message", validators=[DataRequired(REQUIRED), Length(max=100_000)])
    body_format = HiddenField(default="text", filters=[known_format])
    files = MultipleFileField("Pièces jointes (facultatif)")


class ReplyForm(FlaskForm):
    body = TextAreaField("Votre réponse", validators=[DataRequired(REQUIRED), Length(max=100_000)])
    body_format = HiddenField(default="text", filters=[known_format])
    files = MultipleFileField("Pièces jointes (facultatif)")


class ActionForm(FlaskForm):
    """The CSRF token of the one-button forms (archive, mark unread, leave)."""


HISTORY_CHOICES = {"maintenant": "À partir de maintenant : les messages déjà échangés restent "
                                 "entre les participants actuels",
                   "tout": "Voir tout l'historique de la conversation"}


class AddPeopleForm(FlaskForm):
    """People added to a conversation, typed as in « Destinataires »; whether they read the
    messages already exchanged."""
    to = TextAreaField("Personnes à ajouter", validators=[DataRequired(REQUIRED),
                                                          Length(max=5000)])
    history = RadioField("Ce qu'elles peuvent lire", choices=HISTORY_CHOICES,
                         default="maintenant")


class EditMessageForm(FlaskForm):
    body = TextAreaField("Votre message", validators=[DataRequired(REQUIRED),
                                                      Length(max=100_000)])
    body_format = HiddenField(default="text", filters=[known_format])
