from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from ..accounts.forms import ROLE_CHOICES, OrganisationForm
from ..accounts.finder import OrganisationField
from ..accounts.models import ORG_KIND_LABELS, OrgKind


class NewOrganisationForm(OrganisationForm):
    kind = SelectField("Type", choices={k.value: v for k, v in ORG_KIND_LABELS.items()})
    insee_code = StringField("Code INSEE", validators=[Optional(), Length(max=5)])
    siren = StringField("SIREN", validators=[Optional(), Length(max=9)])
    epci = OrganisationField("Intercommunalité de rattachement (facultatif)", kind=OrgKind.EPCI)


class AddMembershipForm(FlaskForm):
    organisation = OrganisationField("Organisation")
    role = SelectField("Rôle", choices=ROLE_CHOICES, default="member")


class FrenchDateField(DateField):
    """A date whose parsing error speaks French (WTForms' own message is English)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("Date invalide : attendue au format AAAA-MM-JJ.") from exc


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter, changes nothing

    action = SelectField("Action", validate_choice=False)
    who = StringField("Personne (adresse)", validators=[Optional(), Length(max=254)])
    ip = StringField("Adresse IP", validators=[Optional(), Length(max=45)])
    start = FrenchDateField("Du", validators=[Optional()])
    end = FrenchDateField("Au", validators=[Optional()])
