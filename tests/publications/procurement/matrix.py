"""Organisation A's procurement notices for the route matrix: a draft notice (with a document)
holds CONTENT and is linked to a code whose page the walk visits; a small nomenclature is
public."""
from datetime import datetime

from intranet.publications.procurement import services
from intranet.publications.procurement.models import Procedure
from intranet.core.types import Visibility

from ...route_world import private_file

NOMENCLATURE = "code;libelle;parent\nA;Travaux;\nA1;Voirie;A\nB;Fournitures;\n"


def build(world):
    org_a, editor, content = world["org_a"], world["a_admin"], world["CONTENT"]
    result = services.import_nomenclature("Familles d'achat", NOMENCLATURE)
    slug = result["nomenclature"].slug

    def data(title):
        return services.NoticeData(title=title, procedure=Procedure.ADAPTED,
                                   deadline=datetime(2099, 1, 1, 11), codes="A1",
                                   description=f"Détails de {title}",
                                   visibility=Visibility.PUBLIC)
    draft = services.create_notice(org_a, data(f"Avis brouillon {content}"), by=editor,
                                   files=[(private_file(world), f"dce-{content}.pdf")])
    public = services.create_notice(org_a, data("Réfection de la voirie communale"), by=editor,
                                    files=[(b"%PDF-1.4 dce", "dce.pdf")])
    services.publish(public, by=editor)
    world["private_files"].append(
        f"/marches/avis/{draft.id}/documents/{draft.documents[0].id}")
    world["insider_urls"] += [f"/marches/avis/{draft.id}", "/marches/",
                              f"/marches/nomenclatures/{slug}/A1"]
    return {
        ("procurement", "notice_id"): [draft.id, public.id],
        ("procurement", "document_id"): [draft.documents[0].id, public.documents[0].id],
        ("procurement", "slug"): [slug],
        ("procurement", "code"): ["A1", "A"],
    }
