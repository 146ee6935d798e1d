"""Organisation A's acts for the route matrix: a draft and a withdrawn act hold CONTENT (in
their subject, body and annex name); a published public act and a published network-only act
do not (any signed-in person may read the latter). The draft's sitting has no list online."""
from datetime import timedelta

from intranet.publications.deliberations import services
from intranet.publications.deliberations.models import today_paris
from intranet.core.types import Visibility

from ...route_world import private_file
from .builders import PDF, age, make_act


def build(world):
    org_a, editor, content = world["org_a"], world["a_admin"], world["CONTENT"]
    draft = make_act(org_a, editor, number="A_DRAFT", subject=f"Projet {content}",
                     body=f"Texte {content}", annexes=1, annex_name=f"annexe-{content}",
                     sitting_date=today_paris() - timedelta(days=10),
                     pdf_bytes=private_file(world))
    withdrawn = make_act(org_a, editor, number="A_WITHDRAWN", subject=f"Retiré {content}",
                         publish=True)
    age(withdrawn, 90)
    services.withdraw(withdrawn, by=editor)
    public = make_act(org_a, editor, number="A_PUBLIC", subject="Acte public de A",
                      publish=True, annexes=1)
    network = make_act(org_a, editor, number="A_NETWORK", subject="Acte réseau de A",
                       publish=True, visibility=Visibility.NETWORK)
    services.publish_sitting_list(public.sitting, by=editor)
    # The draft's sitting (list not online) has a private agenda and draft minutes; the public
    # sitting has published minutes.
    services.save_agenda(draft.sitting, f"Point {content}", by=editor)
    draft_minutes = services.save_minutes(draft.sitting, by=editor, approved_on=None,
                                          pdf=services.Upload(private_file(world), "pv.pdf"))
    public_minutes = services.save_minutes(public.sitting, by=editor,
                                           approved_on=today_paris() - timedelta(days=1),
                                           pdf=services.Upload(PDF, "pv.pdf"))
    services.publish(public_minutes, by=editor)
    world["private_files"] += [f"/deliberations/{draft.id}/acte.pdf",
                               f"/deliberations/{draft.id}/annexes/{draft.annexes[0].id}",
                               f"/deliberations/proces-verbaux/{draft_minutes.id}"
                               "/proces-verbal.pdf"]
    world["insider_urls"] += [f"/deliberations/{draft.id}", f"/deliberations/{withdrawn.id}",
                              f"/deliberations/seances/{draft.sitting_id}"]
    return {
        ("deliberations", "deliberation_id"): [draft.id, withdrawn.id, public.id, network.id],
        ("deliberations", "annex_id"): [draft.annexes[0].id, public.annexes[0].id],
        ("deliberations", "sitting_id"): [draft.sitting_id, public.sitting_id],
        ("deliberations", "minutes_id"): [draft_minutes.id, public_minutes.id],
        ("deliberations", "token"): ["jeton-invalide"],
        ("deliberations", "slug"): [org_a.slug],
    }
