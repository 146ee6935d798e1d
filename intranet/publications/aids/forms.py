"""Forms of the aids directory (French labels and messages)."""
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, DecimalField, EmailField, HiddenField, RadioField,
                     SelectField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from ...core.fields import CheckboxesField
from ...core.sanitize import known_format
from ...core.types import Visibility
from ..forms import REQUIRED, VISIBILITY_CHOICES, FrenchForm
from .models import AID_TYPES, BENEFICIARIES, THEMES, AlertFrequency



class FrenchDecimalField(DecimalField):
    """A number typed the French way: « 12 500,50 », « 37,5 % », « 1500 € »."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [v.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
                         .replace("€", "").replace("%", "").replace(",", ".") for v in valuelist]
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError("Saisissez un nombre, par exemple 12 500 ou 37,5.")


def _amount(label: str) -> DecimalField:
    return FrenchDecimalField(label, places=2, validators=[
        Optional(), NumberRange(min=0, message="Le montant ne peut pas être négatif."),
        NumberRange(max=AMOUNT_MAX, message="Le montant ne peut pas dépasser "
                                            "999 999 999 999 €.")])


AMOUNT_MAX = 999_999_999_999   # the columns hold 12 digits before the decimal comma


class AidForm(FrenchForm):
    organisation = SelectField("Organisme qui publie l'aide", choices={})
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=200)])
    summary = StringField("Promesse (résumé en une phrase)",
                          validators=[Optional(), Length(max=180)])
    description = TextAreaField("Description", validators=[DataRequired(REQUIRED),
                                                           Length(max=20000)])
    description_format = HiddenField(default="text", filters=[known_format])  # the editor's
    beneficiaries = CheckboxesField("Bénéficiaires", choices=BENEFICIARIES)
    themes = CheckboxesField("Thématiques (une ou plusieurs)", choices=THEMES)
    aid_types = CheckboxesField("Nature de l'aide", choices=AID_TYPES,
                                default=["financement"])
    eligibility = TextAreaField("Conditions d'éligibilité", validators=[Optional(),
                                                                         Length(max=5000)])
    eligible_expenses = TextAreaField("Dépenses éligibles", validators=[Optional(),
                                                                          Length(max=5000)])
    rate_percent = FrenchDecimalField("Taux d'aide (%)", places=2, validators=[
        Optional(), NumberRange(min=0, max=100,
                                message="Le taux doit être compris entre 0 et 100 %%.")])
    ceiling_amount = _amount("Plafond de l'aide (€)")
    fixed_amount = _amount("Montant forfaitaire (€)")
    permanent = BooleanField("Aide permanente (sans date de clôture)")
    opens_on = DateField("Date d'ouverture", validators=[Optional()])
    closes_on = DateField("Date de clôture", validators=[Optional()])
    programme = StringField("Programme ou régime d'aides", validators=[Optional(),
                                                                        Length(max=200)])
    service = StringField("Service instructeur", validators=[Optional(), Length(max=200)])
    contact_name = StringField("Contact : nom", validators=[Optional(), Length(max=200)])
    contact_email = EmailField("Contact : courriel", validators=[
        Optional(), Length(max=254),
        Email("Adresse électronique invalide.", check_deliverability=False)])
    contact_phone = StringField("Contact : téléphone", validators=[Optional(), Length(max=30)])
    visibility = SelectField("Visibilité une fois publiée", choices=VISIBILITY_CHOICES,
                             default=Visibility.PUBLIC.value)
    document = FileField("Joindre un document (facultatif)")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not self.beneficiaries.data:
            self.beneficiaries.errors.append("Choisissez au moins un type de bénéficiaire.")
            ok = False
        if not self.themes.data:
            self.themes.errors.append("Choisissez au moins une thématique : l'aide sera "
                                      "trouvée sous chacune de celles que vous cochez.")
            ok = False
        if not self.aid_types.data:
            self.aid_types.errors.append("Choisissez au moins une nature d'aide.")
            ok = False
        if not self.permanent.data and not self.closes_on.data and not self.closes_on.errors:
            self.closes_on.errors.append("Indiquez une date de clôture, ou cochez « Aide "
                                         "permanente ».")
            ok = False
        if self.opens_on.data and self.closes_on.data and self.closes_on.data < self.opens_on.data:
            self.closes_on.errors.append("La date de clôture est antérieure à la date "
                                         "d'ouverture.")
            ok = False
        return ok



FREQUENCIES = {f.value: f.label for f in AlertFrequency}


class AlertForm(FrenchForm):
    """Save the list's search as an alert; a visitor types the address (the service checks
    it: a signed-in person's is their account's)."""
    query = HiddenField()
    email = EmailField("Votre adresse électronique", validators=[Optional(), Length(max=254)])
    frequency = RadioField("Recevoir les aides", choices=FREQUENCIES,
                           default=AlertFrequency.WEEKLY.value,
                           validators=[DataRequired(REQUIRED)])


class FrequencyForm(FrenchForm):
    frequency = SelectField("Fréquence", choices=FREQUENCIES,
                            validators=[DataRequired(REQUIRED)])


class ConfirmAlertForm(FrenchForm):
    """The button that confirms an alert (a link followed by a mail scanner changes nothing)."""
