from flask import current_app
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DecimalField, EmailField, HiddenField, IntegerField,
                     SelectField, StringField, TextAreaField, TimeField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..core.sanitize import known_format

from .models import (DELIVERY_MODE_LABELS, FROM_REWRITE_LABELS, POSTING_POLICY_LABELS,
                     REPLY_TO_LABELS, SENDER_ACTION_LABELS, SUBSCRIPTION_POLICY_LABELS)

REQUIRED = "Ce champ est obligatoire."
DELIVERY_CHOICES = {k.value: v for k, v in DELIVERY_MODE_LABELS.items()}
SENDER_ACTION_CHOICES = {k.value: v for k, v in SENDER_ACTION_LABELS.items()}


class ListForm(FlaskForm):
    """What a secretary is asked: the list's name, who may subscribe, who may write. The rest
    (the address, replies, the sender shown, the subject prefix, delivery errors) sits under
    « Réglages avancés », with defaults that suit almost every list."""
    title = StringField("Nom de la liste", validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField("À quoi sert-elle ?", validators=[Optional(), Length(max=5000)])
    subscription_policy = SelectField(
        "Qui peut s'abonner ?",
        choices={k.value: v for k, v in SUBSCRIPTION_POLICY_LABELS.items()}, default="open")
    posting_policy = SelectField(
        "Qui peut écrire à la liste ?",
        choices={k.value: v for k, v in POSTING_POLICY_LABELS.items()}, default="members")
    # Réglages avancés
    name = StringField("Adresse de la liste (avant le @)",
                       validators=[Optional(), Length(max=40)])
    reply_to = SelectField("Les réponses aux messages vont",
                           choices={k.value: v for k, v in REPLY_TO_LABELS.items()}, default="list")
    from_rewrite = SelectField("Expéditeur affiché « Nom via la liste »",
                               choices={k.value: v for k, v in FROM_REWRITE_LABELS.items()},
                               default="auto")
    subject_prefix = StringField("Début de l'objet des messages",
                                 validators=[Optional(), Length(max=40)])
    bounce_threshold = IntegerField(
        "Nombre d'erreurs de distribution avant de suspendre un abonné",
        default=lambda: current_app.config["LISTS_BOUNCE_THRESHOLD"],
        validators=[Optional(), NumberRange(min=1, max=100, message="Entre 1 et 100.")])

    max_forward_mb = DecimalField(
        "Taille maximale d'un message envoyé avec ses pièces jointes (Mo) ; au-delà, les "
        "abonnés reçoivent un lien vers les archives", places=1,
        default=lambda: current_app.config["LISTS_MAX_FORWARD_BYTES"] / 1024 / 1024,
        validators=[Optional(), NumberRange(min=0, max=50, message="Entre 0 et 50 Mo.")])

    ADVANCED = ("name", "reply_to", "from_rewrite", "subject_prefix", "bounce_threshold",
                "max_forward_mb")


class SubscribeForm(FlaskForm):
    delivery = SelectField("Recevoir", choices=DELIVERY_CHOICES, default="each")


class OutsideSubscribeForm(FlaskForm):
    email = EmailField("Votre adresse électronique",
                       validators=[DataRequired(REQUIRED), Length(max=254)])


class PostForm(FlaskForm):
    subject = StringField("Objet", validators=[DataRequired(REQUIRED), Length(max=300)])
    body = TextAreaField("Message", validators=[DataRequired(REQUIRED), Length(max=100_000)])
    body_format = HiddenField(default="text", filters=[known_format])


class ReplyForm(FlaskForm):
    body = TextAreaField("Votre réponse", validators=[DataRequired(REQUIRED),
                                                      Length(max=100_000)])
    body_format = HiddenField(default="text", filters=[known_format])


class RejectForm(FlaskForm):
    reason = TextAreaField("Raison du refus (envoyée à l'expéditeur)",
                           validators=[DataRequired(REQUIRED), Length(max=2000)])


class MassSubscribeForm(FlaskForm):
    addresses = TextAreaField("Adresses, une par ligne",
                              validators=[DataRequired(REQUIRED), Length(max=500_000)])
    delivery = SelectField("Distribution", choices=DELIVERY_CHOICES, default="each")
    confirm_outside = BooleanField("Demander aux adresses extérieures de confirmer leur "
                                   "abonnement (recommandé)", default=True)


class ModeratorForm(FlaskForm):
    email = EmailField("Adresse du modérateur", validators=[DataRequired(REQUIRED),
                                                            Length(max=254)])


class ConfirmForm(FlaskForm):
    pass


class SenderRuleForm(FlaskForm):
    email = EmailField("Adresse de l'expéditeur", validators=[DataRequired(REQUIRED),
                                                              Length(max=254)])
    action = SelectField("Ses messages", choices=SENDER_ACTION_CHOICES, default="hold")


class HeldRuleForm(FlaskForm):
    action = SelectField("Pour tous les messages de cet expéditeur",
                         choices=SENDER_ACTION_CHOICES, default="accept")


class EmergencyForm(FlaskForm):
    until_date = DateField("Retenir tous les messages jusqu'au",
                           validators=[DataRequired("Indiquez la date de fin.")])
    until_time = TimeField("à", validators=[DataRequired("Indiquez l'heure de fin.")])


class MassRemoveForm(FlaskForm):
    addresses = TextAreaField("Adresses à retirer, une par ligne",
                              validators=[Optional(), Length(max=500_000)])


class AddressForm(FlaskForm):
    email = EmailField("Nouvelle adresse de réception", validators=[DataRequired(REQUIRED),
                                                                     Length(max=254)])
