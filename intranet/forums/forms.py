from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..core.sanitize import known_format

REQUIRED = "Ce champ est obligatoire."


class PostForm(FlaskForm):
    body = TextAreaField("Votre message", validators=[DataRequired(REQUIRED), Length(max=100_000)])
    body_format = HiddenField(default="text", filters=[known_format])
    files = MultipleFileField("Pièces jointes (facultatif)")
    subscribe = BooleanField("Suivre ce sujet (être prévenu des réponses)", default=True)


class TopicForm(PostForm):
    title = StringField("Titre du sujet", validators=[DataRequired(REQUIRED), Length(max=200)])


class EditPostForm(FlaskForm):
    title = StringField("Titre du sujet", validators=[Optional(), Length(max=200)])
    body = TextAreaField("Message", validators=[DataRequired(REQUIRED), Length(max=100_000)])
    body_format = HiddenField(default="text", filters=[known_format])


class ReportForm(FlaskForm):
    reason = TextAreaField("Pourquoi signalez-vous ce message ?",
                           validators=[DataRequired(REQUIRED), Length(max=2000)])


class ForumForm(FlaskForm):
    name = StringField("Nom du forum", validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField("Description (facultatif)", validators=[Optional(), Length(max=2000)])
    category = SelectField("Catégorie", choices={}, validate_choice=False)
    position = IntegerField("Ordre d'affichage", default=0,
                            validators=[Optional(), NumberRange(min=0, max=9999)])
    open_to_network = BooleanField("Toute personne connectée peut y écrire (espace public ou "
                                   "réseau seulement), pas seulement les membres de l'espace")


class CategoryForm(FlaskForm):
    name = StringField("Nom de la nouvelle catégorie", validators=[DataRequired(REQUIRED),
                                                                  Length(max=200)])


class MoveForm(FlaskForm):
    target = SelectField("Déplacer vers le forum", choices={}, validate_choice=False)


FORUM_LEVELS = {"all": "Tous les messages (chaque nouveau sujet et chaque réponse)",
                "first": "Les nouveaux sujets seulement (leur premier message)",
                "normal": "Normal : seulement les sujets que je suis",
                "muted": "Silencieux : jamais de notification, absent des nouveautés"}
TOPIC_LEVELS = {"all": "Suivre : chaque réponse m'est notifiée",
                "normal": "Normal : comme le forum",
                "muted": "Silencieux : jamais de notification, absent des nouveautés"}


class LevelForm(FlaskForm):
    level = SelectField("Me tenir informé", choices={}, validate_choice=False)


class SplitForm(FlaskForm):
    title = StringField("Titre du nouveau sujet", validators=[DataRequired(REQUIRED),
                                                             Length(max=200)])
    target = SelectField("Dans le forum", choices={}, validate_choice=False)


class MergeForm(FlaskForm):
    target = StringField("Sujet qui reçoit les messages (son adresse ou son numéro)",
                         validators=[DataRequired(REQUIRED), Length(max=500)])
