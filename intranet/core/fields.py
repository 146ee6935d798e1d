"""Form fields every domain's forms share: dates and times typed the French way, and multiple
choices shown as checkboxes (usable without JavaScript). WTForms' own parsing errors are in
English; these speak French."""
from __future__ import annotations

from wtforms import DateField, SelectMultipleField, TimeField
from wtforms.widgets import CheckboxInput

from .widgets import CheckboxList

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class FrenchDateField(DateField):
    """A date typed as 2027-03-15 (the browser's date input) or 15/03/2027."""

    def __init__(self, label=None, validators=None, format=None, **kwargs):
        super().__init__(label, validators, format=format or DATE_FORMATS, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("Date invalide : attendue au format AAAA-MM-JJ ou "
                             "JJ/MM/AAAA.") from exc


class FrenchTimeField(TimeField):
    """A time typed as 14:30 (the browser's time input), 14h30 or 14 h."""

    def process_formdata(self, valuelist):
        if valuelist:
            text = valuelist[0].strip().lower().replace(" ", "").replace("h", ":")
            if text.endswith(":"):
                text += "00"
            valuelist = [text]
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("Heure invalide : attendue au format 14:30 ou 14h30.") from exc


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (usable without JavaScript)."""
    widget = CheckboxList()          # drawn once for the same choices and data
    option_widget = CheckboxInput()
