from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..accounts.finder import OrganisationField
from ..accounts.models import ORG_KIND_LABELS, OrgKind
from ..core.types import VISIBILITY_LABELS, Role
from .models import JOIN_POLICY_LABELS

REQUIRED = "Ce champ est obligatoire."
SPACE_ROLE_CHOICES = {r.value: r.label for r in Role}


class SpaceForm(FlaskForm):
    name = StringField("Nom", validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField("Objet du groupe", validators=[Optional(), Length(max=5000)])
    visibility = SelectField("Qui peut voir le groupe et son contenu ?",
                             choices={k.value: v for k, v in VISIBILITY_LABELS.items()},
                             default="members")
    join_policy = SelectField("Adhésion", choices={k.value: v for k, v in JOIN_POLICY_LABELS.items()},
                              default="request")
    pages_need_approval = BooleanField("Les membres peuvent proposer des pages, publiées après "
                                       "approbation d'un rédacteur")
    files_need_approval = BooleanField("Les fichiers déposés par les membres sont soumis à "
                                       "validation d'un rédacteur")
    archived = BooleanField("Groupe archivé (lecture seule)")


class AddSpaceMemberForm(FlaskForm):
    email = EmailField("Adresse électronique", validators=[DataRequired(REQUIRED), Length(max=254)])
    role = SelectField("Rôle", choices=SPACE_ROLE_CHOICES, default="member")


class RuleForm(FlaskForm):
    organisation = OrganisationField("Organisation précise (facultatif)")
    org_kind = SelectField("Type d'organisation",
                           choices={"": "Tous les types", **{k.value: v for k, v in ORG_KIND_LABELS.items()}},
                           default="")
    epci = OrganisationField("Communes de l'intercommunalité (facultatif)", kind=OrgKind.EPCI)
    min_role = SelectField("Rôle minimal dans l'organisation",
                           choices={"member": "Tous les membres", "editor": "Rédacteurs et administrateurs",
                                    "admin": "Administrateurs seulement"}, default="member")
