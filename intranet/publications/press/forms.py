from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ...core.fields import FrenchDateField
from ...core.sanitize import known_format
from ...core.types import Visibility
from ..forms import REQUIRED, VISIBILITY_CHOICES



class ReleaseForm(FlaskForm):
    organisation = SelectField("Organisation qui publie")
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=300)])
    release_date = FrenchDateField("Date du communiqué", format=["%Y-%m-%d", "%d/%m/%Y"],
                                   validators=[DataRequired(REQUIRED)])
    visibility = SelectField("Qui pourra le lire une fois publié ?", choices=VISIBILITY_CHOICES,
                             default=Visibility.PUBLIC.value)
    body_format = HiddenField(default="text", filters=[known_format])  # the editor's
    body = TextAreaField("Texte du communiqué", validators=[DataRequired(REQUIRED),
                                                            Length(max=200_000)])
    attachments = MultipleFileField("Ajouter des pièces jointes (PDF ou images)")


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter, changes nothing

    organisation = SelectField("Organisation", validate_choice=False)
    annee = SelectField("Année", validate_choice=False)
