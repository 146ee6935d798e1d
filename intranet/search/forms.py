"""The forms of saved searches."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..core.alerts import AlertFrequency

FREQUENCIES = {f.value: f.label for f in AlertFrequency}
CHOOSE = "Choisissez « Chaque jour » ou « Chaque semaine »."
TOO_LONG = "Le nom d'une recherche ne dépasse pas 200 caractères."


class SavedSearchForm(FlaskForm):
    label = StringField("Nom de la recherche (facultatif)", render_kw={"maxlength": 200},
                        validators=[Length(max=200, message=TOO_LONG)])
    frequency = SelectField("Recevoir les nouveaux résultats par courriel", choices=FREQUENCIES,
                            default=AlertFrequency.WEEKLY.value,
                            validators=[DataRequired(CHOOSE)])


class SaveSearchForm(SavedSearchForm):
    """« Enregistrer cette recherche », under the results: the page's search comes along."""
    query = HiddenField()
