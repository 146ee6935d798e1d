"""Organisation A's saved search for the route matrix: A's admin keeps a search limited to A's
private space, named with CONTENT (the token of its unsubscribe link is a secret: only an
invalid one is a sample). A page of A's space holds CONTENT too, so that a search limited to
that space by an outsider would show it if the filter let it through."""
from intranet.core.alerts import AlertFrequency
from intranet.documents import services as documents
from intranet.search import saved


def build(world):
    admin, space = world["a_admin"], world["a_space"]
    content = world["CONTENT"]
    page = documents.create_page(space, title=f"Compte rendu {content}",
                                 body=f"Relevé de décisions {content}", body_format="text",
                                 by=admin)
    documents.publish_page(page, by=admin)
    kept = saved.save(admin, f"q=budget&espace={space.slug}", AlertFrequency.DAILY,
                      label=f"Veille {content}")
    world["insider_urls"].append(f"/recherche?q=releve&espace={space.slug}")
    return {
        ("search", "saved_id"): [kept.id],
        ("search", "token"): ["jeton-invalide"],
    }
