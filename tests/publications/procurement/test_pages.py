"""Every page of procurement has one h1 and a label for each field."""
from datetime import timedelta

from intranet.accounts.models import OrgKind
from intranet.core.types import Role
from intranet.core.timeutil import utcnow
from intranet.publications.procurement import services
from intranet.publications.procurement.models import Procedure

from ... import factories
from ..aids.test_pages import check_page


def test_pages_have_one_title_and_labelled_fields(client, login):
    org = factories.make_org("Département", kind=OrgKind.DEPARTEMENT)
    editor = factories.make_user(org, Role.EDITOR)
    services.import_nomenclature("Familles", "code;libelle;parent\nT;Travaux;\nT1;Voirie;T\n")
    notice = services.create_notice(org, services.NoticeData(
        title="Voirie", procedure=Procedure.ADAPTED, deadline=utcnow() + timedelta(days=9),
        codes="T1"), by=editor)
    login(editor)
    for url in ("/marches/", "/marches/?periode=passes", "/marches/avis/nouveau",
                f"/marches/avis/{notice.id}", f"/marches/avis/{notice.id}/modifier",
                "/marches/nomenclatures", "/marches/nomenclatures/import",
                "/marches/nomenclatures/familles", "/marches/nomenclatures/familles?q=voi",
                "/marches/nomenclatures/familles/T1"):
        check_page(client.get(url))
