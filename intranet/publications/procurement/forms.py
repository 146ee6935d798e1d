"""Forms of procurement (French labels and messages)."""
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ...core.sanitize import known_format
from ..forms import REQUIRED, VISIBILITY_CHOICES, FrenchForm
from .models import PROCEDURE_LABELS



class NoticeForm(FrenchForm):
    organisation = SelectField("Acheteur (organisme qui publie l'avis)", choices={})
    title = StringField("Objet du marché", validators=[DataRequired(REQUIRED), Length(max=250)])
    reference = StringField("Référence interne", validators=[Optional(), Length(max=60)])
    procedure = SelectField("Procédure", choices={p.value: label for p, label
                                                  in PROCEDURE_LABELS.items()})
    deadline_date = DateField("Date limite de remise des offres",
                              validators=[InputRequired(REQUIRED)])
    deadline_time = TimeField("Heure limite (heure de Paris)", default=None,
                              validators=[InputRequired(REQUIRED)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=20000)])
    description_format = HiddenField(default="text", filters=[known_format])  # the editor's
    codes = TextAreaField("Codes de nomenclature (CPV ou familles d'achat)",
                          validators=[Optional(), Length(max=2000)])
    visibility = SelectField("Visibilité une fois publié", choices=VISIBILITY_CHOICES,
                             default="public")
    document = FileField("Joindre un document (facultatif)")


class NomenclatureImportForm(FrenchForm):
    name = StringField("Nom de la nomenclature", validators=[DataRequired(REQUIRED),
                                                             Length(max=100)])
    file = FileField("Fichier CSV")
