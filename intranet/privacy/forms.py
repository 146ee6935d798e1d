"""Forms of personal data (French labels and messages)."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, Length

REQUIRED = "Ce champ est obligatoire."


class ErasureForm(FlaskForm):
    """« Effacer mon compte »: the password (for an account that has one) and a tick."""
    password = PasswordField("Votre mot de passe")
    note = TextAreaField("Message pour l'administrateur (facultatif)",
                         validators=[Length(max=2000, message="2 000 caractères au plus.")])
    understood = BooleanField(
        "J'ai compris : mon compte sera désactivé et mes informations personnelles effacées ; "
        "ce que j'ai écrit restera, signé « Personne supprimée ».",
        validators=[DataRequired("Cochez cette case pour confirmer votre demande.")])


class RefusalForm(FlaskForm):
    reason = TextAreaField("Raison du refus", validators=[
        DataRequired("Indiquez la raison du refus : elle est envoyée à la personne."),
        Length(max=2000, message="2 000 caractères au plus.")])
