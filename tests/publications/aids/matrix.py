"""Organisation A's aids for the route matrix: a draft and a withdrawn aid hold CONTENT (with a
document), a published public aid does not; A's admin has an aid alert (the tokens of the
alerts' links are secrets: only an invalid one is a sample)."""
from datetime import date

from intranet.publications.aids import alerts, services
from intranet.publications.aids.models import AlertFrequency
from intranet.core.types import Visibility

from ...route_world import private_file

def _data(title: str, visibility=Visibility.PUBLIC) -> services.AidData:
    return services.AidData(title=title, description=f"Description de {title}",
                            beneficiaries=["communes"], themes=["sport"],
                            closes_on=date(2099, 12, 31), visibility=visibility)

def build(world):
    org_a, editor = world["org_a"], world["a_admin"]
    content = world["CONTENT"]
    draft = services.create_aid(org_a, _data(f"Aide brouillon {content}"), by=editor,
                                files=[(private_file(world), f"reglement-{content}.pdf")])
    withdrawn = services.create_aid(org_a, _data(f"Aide retirée {content}"), by=editor)
    services.publish(withdrawn, by=editor)
    services.withdraw(withdrawn, by=editor)
    public = services.create_aid(org_a, _data("Aide publique aux communes"), by=editor,
                                 files=[(b"%PDF-1.4 public", "public.pdf")])
    services.publish(public, by=editor)
    alert = alerts.subscribe(f"organisme={org_a.id}&theme=sport", AlertFrequency.DAILY,
                             user=editor)
    world["insider_urls"] += [f"/aides/{draft.id}", "/aides/"]
    world["private_files"].append(f"/aides/{draft.id}/documents/{draft.documents[0].id}")
    return {
        ("aids", "aid_id"): [draft.id, withdrawn.id, public.id],
        ("aids", "document_id"): [draft.documents[0].id, public.documents[0].id],
        ("aids", "token"): ["jeton-invalide"],
        ("aids", "alert_id"): [alert.id],
    }

