"""Forms of the accounts domain (French labels and messages)."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ..core.types import ORG_ROLES
from .models import PersonFunction

REQUIRED = "Ce champ est obligatoire."


class LoginForm(FlaskForm):
    email = EmailField("Adresse électronique", validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField("Mot de passe", validators=[DataRequired(REQUIRED)])
    remember = BooleanField("Rester connecté sur cet ordinateur")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Adresse électronique", validators=[DataRequired(REQUIRED), Length(max=254)])


class NewPasswordForm(FlaskForm):
    password = PasswordField("Nouveau mot de passe", validators=[DataRequired(REQUIRED)])
    confirm = PasswordField("Confirmez le mot de passe", validators=[
        DataRequired(REQUIRED), EqualTo("password", "Les deux mots de passe sont différents.")])


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Mot de passe actuel", validators=[DataRequired(REQUIRED)])


FUNCTION_CHOICES = {"": "Non précisée"} | {f.value: f.label for f in PersonFunction}


class ProfileForm(FlaskForm):
    first_name = StringField("Prénom", validators=[Length(max=100)])
    last_name = StringField("Nom", validators=[DataRequired(REQUIRED), Length(max=100)])
    # An unknown value is read as « not given » by ``update_profile``.
    function_kind = SelectField("Fonction", choices=FUNCTION_CHOICES, default="",
                                validate_choice=False)
    function = StringField("Précision, ou votre fonction si « Autre »",
                           validators=[Length(max=200)])
    phone = StringField("Téléphone", validators=[Length(max=30)])
    # What the network sees in the directory (``access.directory_details``).
    show_email = BooleanField("Le réseau voit mon adresse électronique")
    show_phone = BooleanField("Le réseau voit mon téléphone")
    show_function = BooleanField("Le réseau voit ma fonction et mon service")


class PhotoForm(FlaskForm):
    photo = FileField("Photo (PNG, JPEG ou WebP, 2 Mo au plus)")


ROLE_CHOICES = {r.value: r.label for r in ORG_ROLES}


class InviteForm(FlaskForm):
    email = EmailField("Adresse électronique", validators=[DataRequired(REQUIRED), Length(max=254)])
    first_name = StringField("Prénom", validators=[Length(max=100)])
    last_name = StringField("Nom", validators=[DataRequired(REQUIRED), Length(max=100)])
    function = StringField("Fonction", validators=[Length(max=200)])
    role = SelectField("Rôle", choices=ROLE_CHOICES, default="member")


class AddMemberForm(FlaskForm):
    email = EmailField("Adresse électronique d'un compte existant",
                       validators=[DataRequired(REQUIRED), Length(max=254)])
    role = SelectField("Rôle", choices=ROLE_CHOICES, default="member")


class RoleForm(FlaskForm):
    role = SelectField("Rôle", choices=ROLE_CHOICES)


class CsvForm(FlaskForm):
    file = FileField("Fichier CSV")


class OrganisationForm(FlaskForm):
    name = StringField("Nom", validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField("Présentation", validators=[Optional(), Length(max=5000)])
    email = StringField("Courriel de contact", validators=[Optional(), Length(max=254)])
    phone = StringField("Téléphone", validators=[Optional(), Length(max=30)])
    address = StringField("Adresse", validators=[Optional(), Length(max=300)])
    opening_hours = TextAreaField("Horaires d'ouverture", validators=[Optional(), Length(max=2000)])
