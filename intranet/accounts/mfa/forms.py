"""Forms of the second factor (French labels and messages)."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from ..forms import REQUIRED


class CodeForm(FlaskForm):
    """The code of the authenticator app, at sign-in."""
    code = StringField("Code à 6 chiffres", validators=[DataRequired(REQUIRED), Length(max=12)])
    trust = BooleanField("Faire confiance à ce navigateur pendant 30 jours")


class RecoveryForm(FlaskForm):
    recovery_code = StringField("Code de secours",
                                validators=[DataRequired(REQUIRED), Length(max=30)])
    trust = BooleanField("Faire confiance à ce navigateur pendant 30 jours")


class ConfirmTotpForm(FlaskForm):
    """The first code of a newly added app, which proves it holds the secret."""
    code = StringField("Code affiché par l'application",
                       validators=[DataRequired(REQUIRED), Length(max=12)])


class PasskeyNameForm(FlaskForm):
    name = StringField("Nom de la clé", validators=[DataRequired(REQUIRED), Length(max=100)])
