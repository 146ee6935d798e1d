"""Organisation A's press releases for the route matrix (tests/test_access_matrix.py).

``CONTENT`` is in A's draft (title, body and attachment name): only A's members may read it.
A's published releases (public and network-only) hold no ``CONTENT``, since everybody signed in
may read a network-only release."""
from datetime import date

from intranet.core.types import Role, Visibility
from intranet.publications.press import services

from ... import factories
from ...route_world import private_file

PDF = b"%PDF-1.4\n% test\n"


def build(world):
    org, content = world["org_a"], world["CONTENT"]
    editor = factories.make_user(org, Role.EDITOR)
    draft = services.create_release(org, title=f"Projet {content}", release_date=date(2024, 5, 2),
                                    body=f"Brouillon : **{content}**",
                                    files=[(private_file(world), f"note-{content}.pdf")],
                                    by=editor)
    public = services.create_release(org, title="Inauguration de la médiathèque",
                                     release_date=date(2024, 6, 1), body="Le maire invite.",
                                     files=[(PDF, "invitation.pdf")], by=editor)
    services.publish(public, by=editor)
    network = services.create_release(org, title="Note aux secrétaires de mairie",
                                      release_date=date(2024, 6, 3), body="Pour le réseau.",
                                      visibility=Visibility.NETWORK, by=editor)
    services.publish(network, by=editor)
    world["insider_urls"] += ["/communiques/", f"/communiques/{draft.id}"]
    world["private_files"].append(
        f"/communiques/{draft.id}/pieces-jointes/{draft.attachments[0].id}")
    return {
        ("press", "release_id"): [draft.id, public.id, network.id],
        ("press", "attachment_id"): [draft.attachments[0].id, public.attachments[0].id],
        ("press", "org_slug"): [org.slug],
        ("press", "token"): ["jeton-invalide"],
    }
