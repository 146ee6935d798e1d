"""Small worlds for the subsidies' tests: the Département publishes an aid of a programme, with
a checklist; a commune applies; an instructor of the programme; a neighbouring commune."""
from decimal import Decimal

from intranet.accounts.models import OrgKind
from intranet.core.types import Role
from intranet.subsidies import services
from intranet.subsidies.services import DossierData, PlanLine

from .. import factories
from ..publications.aids import make_aid

PDF = b"%PDF-1.4\n% piece de test\n"
PROGRAMME = "Solidarité territoriale"


def council_and_communes(ceiling=Decimal("20000")):
    council = factories.make_org("Département de Lot-et-Garonne", kind=OrgKind.DEPARTEMENT)
    town = factories.make_org("Commune de Layrac", insee_code="47145")
    other = factories.make_org("Commune de Nérac")
    council_editor = factories.make_user(council, Role.EDITOR, last_name="Rédactrice")
    aid = make_aid(council, council_editor, "Aide à la voirie communale", programme=PROGRAMME,
                   ceiling_amount=ceiling, rate_percent=Decimal("30"))
    instructor = factories.make_user(council, Role.MEMBER, last_name="Instructrice")
    services.assign_instructor(instructor.email, PROGRAMME)
    services.add_requirement(aid, "Délibération du conseil municipal", by=council_editor)
    return {
        "council": council, "town": town, "other": other, "aid": aid,
        "council_editor": council_editor, "instructor": instructor,
        "admin": factories.make_user(town, Role.ADMIN, last_name="Maire"),
        "editor": factories.make_user(town, Role.EDITOR, last_name="Secrétaire"),
        "member": factories.make_user(town, Role.MEMBER, last_name="Agent"),
        "other_admin": factories.make_user(other, Role.ADMIN, last_name="Voisin"),
    }


def dossier_data(**fields) -> DossierData:
    data = DossierData(
        title="Réfection du chemin de Lamothe", description="Enrobé sur 800 m.",
        communes="Layrac", cost_excl_vat="50 000", cost_incl_vat="60 000,00",
        amount_requested="15 000", schedule="Printemps 2027", contact="Mairie, 05 53 00 00 00",
        lines=[PlanLine("aid", "Département", "15 000"), PlanLine("public", "État (DETR)", "5 000"),
               PlanLine("own", "", "30 000")])
    for name, value in fields.items():
        setattr(data, name, value)
    return data


def draft(world, **fields):
    return services.create_dossier(world["aid"], world["town"], dossier_data(**fields),
                                   by=world["editor"])


def submitted(world):
    dossier = draft(world)
    requirement = services.requirements_of(world["aid"])[0]
    services.add_document(dossier, (PDF, "deliberation.pdf"), requirement=requirement,
                          by=world["editor"])
    services.submit(dossier, by=world["editor"])
    return dossier
