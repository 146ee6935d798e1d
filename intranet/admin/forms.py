from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..accounts.forms import REQUIRED, ROLE_CHOICES, OrganisationForm
from ..accounts.finder import OrganisationField
from ..accounts.models import ORG_KIND_LABELS, OrgKind
from ..core.fields import FrenchDateField


class NewOrganisationForm(OrganisationForm):
    kind = SelectField("Type", choices={k.value: v for k, v in ORG_KIND_LABELS.items()})
    insee_code = StringField("Code INSEE", validators=[Optional(), Length(max=5)])
    siren = StringField("SIREN", validators=[Optional(), Length(max=9)])
    epci = OrganisationField("Intercommunalité de rattachement (facultatif)", kind=OrgKind.EPCI)


class AddMembershipForm(FlaskForm):
    organisation = OrganisationField("Organisation")
    role = SelectField("Rôle", choices=ROLE_CHOICES, default="member")



class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter, changes nothing

    action = SelectField("Action", validate_choice=False)
    who = StringField("Personne (adresse)", validators=[Optional(), Length(max=254)])
    ip = StringField("Adresse IP", validators=[Optional(), Length(max=45)])
    start = FrenchDateField("Du", validators=[Optional()])
    end = FrenchDateField("Au", validators=[Optional()])


class PercentField(StringField):
    """A percentage as people type it: « 76,5 », « 76.5 » or « 76,5 % »."""

    def process_formdata(self, valuelist):
        self.data = None
        raw = (valuelist[0] if valuelist else "").replace("%", "").replace(",", ".").strip()
        if not raw:
            return
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise ValueError("Saisissez un nombre, par exemple 76,5.") from None
        if not value.is_finite() or not 0 <= value <= 100:
            raise ValueError("Le taux de conformité est un pourcentage, entre 0 et 100.")
        self.data = value

    def _value(self):
        return "" if self.data is None else str(self.data).replace(".", ",")


ONE_A_LINE = "Un élément par ligne."


class AccessibilityAuditForm(FlaskForm):
    audited_on = FrenchDateField("Date de l'audit", validators=[DataRequired(REQUIRED)])
    auditor = StringField("Réalisé par (organisme ou personne)",
                          validators=[DataRequired(REQUIRED), Length(max=200)])
    compliance_rate = PercentField("Taux de conformité aux critères du RGAA (en %)",
                                   validators=[InputRequired(REQUIRED)])
    non_compliances = TextAreaField("Contenus non accessibles (non-conformités)",
                                    validators=[Optional(), Length(max=20_000)])
    derogations = TextAreaField("Dérogations pour charge disproportionnée",
                                validators=[Optional(), Length(max=20_000)])
    exemptions = TextAreaField("Contenus non soumis à l'obligation d'accessibilité",
                               validators=[Optional(), Length(max=20_000)])
    pages_checked = TextAreaField("Pages vérifiées", validators=[Optional(), Length(max=20_000)])
    test_environment = TextAreaField("Environnement de test (navigateurs, lecteurs d'écran)",
                                     validators=[Optional(), Length(max=5_000)])
    statement_date = FrenchDateField("Date de la déclaration (aujourd'hui si vide)",
                                     validators=[Optional()])
