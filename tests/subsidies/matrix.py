"""Organisation A's subsidy dossiers for the route matrix: A publishes an aid of a programme
with a checklist, and applies for it; the dossier (CONTENT in its title, its plan and its
document) is instructed by a person of another organisation who is none of the outsiders.
Outsiders must see nothing of it: B's people, and the platform admin (who assigns instructors
but reads no dossier)."""
from datetime import date
from decimal import Decimal

from intranet.core.types import Role, Visibility
from intranet.publications.aids import services as aids
from intranet.subsidies import services
from intranet.subsidies.services import DossierData, PlanLine

from .. import factories
from ..route_world import private_file

PROGRAMME = "Programme de A"


def build(world):
    admin, secret = world["a_admin"], world["CONTENT"]
    aid = aids.create_aid(world["org_a"], aids.AidData(
        title="Aide de A aux projets", description="Pour tous.", beneficiaries=["communes"],
        themes=["sport"], closes_on=date(2099, 12, 31), visibility=Visibility.PUBLIC,
        programme=PROGRAMME, ceiling_amount=Decimal("50000")), by=admin)
    aids.publish(aid, by=admin)
    requirement = services.add_requirement(aid, "Délibération", by=admin)
    dossier = services.create_dossier(aid, world["org_a"], DossierData(
        title=f"Projet {secret}", description=f"Description {secret}", cost_excl_vat="1 000",
        cost_incl_vat="1 200", amount_requested="400",
        lines=[PlanLine("aid", "A", "400"), PlanLine("own", f"Fonds {secret}", "600")]), by=admin)
    document = services.add_document(dossier, (private_file(world), "deliberation.pdf"),
                                     requirement=requirement, by=admin)
    elsewhere = factories.make_org("Conseil départemental")
    instructor = factories.make_user(elsewhere, Role.MEMBER)
    row = services.assign_instructor(instructor.email, PROGRAMME)
    world["insider_urls"] += [f"/subventions/{dossier.id}", "/subventions/"]
    world["private_files"] += [f"/subventions/{dossier.id}/pieces/{document.id}"]
    return {
        ("subsidies", "dossier_id"): [dossier.id],
        ("subsidies", "aid_id"): [aid.id],
        ("subsidies", "document_id"): [document.id],
        ("subsidies", "requirement_id"): [requirement.id],
        ("subsidies", "instructor_id"): [row.id],
        ("subsidies", "step"): ["incomplet", "commission", "accorder", "refuser", "versement"],
    }
