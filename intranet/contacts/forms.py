"""Forms of the directory (French labels and messages)."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..accounts.forms import REQUIRED


class OutsideContactForm(FlaskForm):
    """An outside contact. ``organisation`` and ``space`` get their choices from the view
    (``access.outside_contact_keepers``, ``access.shareable_spaces``)."""
    organisation = SelectField("Contact tenu par", choices=[], validate_choice=False)
    name = StringField("Nom", validators=[DataRequired(REQUIRED), Length(max=200)])
    company = StringField("Entreprise ou organisme", validators=[Optional(), Length(max=200)])
    trade = StringField("Fonction ou métier", validators=[Optional(), Length(max=200)])
    email = EmailField("Courriel", validators=[Optional(), Length(max=254)])
    phone = StringField("Téléphone", validators=[Optional(), Length(max=30)])
    address = StringField("Adresse", validators=[Optional(), Length(max=300)])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])
    space = SelectField("Partager avec un groupe", choices=[], validate_choice=False)


class ImportForm(FlaskForm):
    organisation = SelectField("Contacts tenus par", choices=[], validate_choice=False)
    file = FileField("Fichier CSV")
