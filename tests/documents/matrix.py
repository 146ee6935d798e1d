"""Organisation A's pages and documents for the route matrix."""
from datetime import timedelta

from intranet.core.timeutil import today_paris, utcnow
from intranet.documents import services
from intranet.core.types import Visibility

from ..route_world import private_file


def build(world):
    admin, space, group = world["a_admin"], world["a_space"], world["a_group"]
    secret, draft_marker = world["CONTENT"], world["DRAFT"]
    pdf = private_file(world)
    page = services.create_page(space, title=f"Note {secret}", body=f"Texte {secret}",
                                body_format="text", by=admin)
    services.publish_page(page, by=admin)
    draft = services.create_page(world["a_group"], title="Brouillon", body=f"Brouillon {secret}",
                                 body_format="text", by=admin)
    own_draft = services.create_page(space, title=f"Projet {draft_marker}",
                                     body=f"En cours {draft_marker}", body_format="text", by=admin)
    # Narrowed to members inside a space every signed-in person sees: search must narrow too.
    narrowed = services.create_page(world["network_group"], title=f"Réservé {secret}",
                                    body=f"Texte {secret}", body_format="text", by=admin,
                                    visibility=Visibility.MEMBERS)
    services.publish_page(narrowed, by=admin)
    attachment = services.attach_to_page(page, (pdf, f"annexe-{secret}.pdf"), by=admin)
    # B's public group has a page of its own: A's attachments are tried under it too.
    b_admin = world["people"]["b_admin"]
    public_page = services.create_page(world["public_group"], title="Ordre du jour",
                                       body="Réunion publique", body_format="text", by=b_admin)
    services.publish_page(public_page, by=b_admin)
    public_folder = services.create_folder(world["public_group"], "Comptes rendus", None,
                                           by=b_admin)
    folder = services.create_folder(space, f"Dossier {secret}", None, by=admin)
    document = services.upload(space, folder, (pdf, f"budget-{secret}.pdf"), by=admin)
    binned = services.upload(group, None, (pdf, f"ancien-{draft_marker}.pdf"), by=admin,
                             visibility=Visibility.MEMBERS)
    services.delete_document(binned, by=admin)
    # A's document is locked by its admin and shared outside: a live link (its id is tried on
    # the revocation route), and tokens that must open nothing — revoked, expired, unknown.
    services.lock_document(document, by=admin)
    live, _ = services.create_share_link(document, by=admin, label=f"Cabinet {secret}",
                                         expires_on=today_paris() + timedelta(days=30))
    revoked, revoked_token = services.create_share_link(
        document, by=admin, expires_on=today_paris() + timedelta(days=30), password="motdepasse")
    services.revoke_share_link(revoked, by=admin)
    expired, expired_token = services.create_share_link(
        document, by=admin, expires_on=today_paris() + timedelta(days=1))
    expired.expires_at = utcnow() - timedelta(minutes=1)
    # A's group takes its members' files for approval: one waits, which only its author and
    # the group's editors see (not A's member who edits for B).
    group.files_need_approval = True
    proposed = services.upload(group, None, (pdf, f"proposition-{draft_marker}.pdf"),
                               by=world["a_member"])
    world["draft_urls"].append(f"/espaces/{group.slug}/documents/{proposed.id}")
    world["insider_urls"].append(f"/espaces/{space.slug}/pages/{page.id}")
    world["insider_urls"].append(f"/espaces/{narrowed.space.slug}/pages/{narrowed.id}")
    world["insider_urls"].append(f"/espaces/{space.slug}/documents/dossiers/{folder.id}")
    world["draft_urls"] += [f"/espaces/{space.slug}/pages/{own_draft.id}",
                            f"/espaces/{group.slug}/corbeille"]
    world["private_files"] += [
        f"/espaces/{space.slug}/pages/{page.id}/pieces/{attachment.id}",
        f"/espaces/{space.slug}/documents/{document.id}/telecharger"]
    return {
        ("documents", "slug"): [space.slug, group.slug],
        ("documents", "page_id"): [page.id, draft.id, own_draft.id, public_page.id],
        ("documents", "attachment_id"): [attachment.id],
        ("documents", "number"): [1],
        ("documents", "folder_id"): [folder.id, public_folder.id],
        ("documents", "doc_id"): [document.id, binned.id, proposed.id],
        ("documents", "link_id"): [live.id],
        ("sharing", "token"): [revoked_token, expired_token, "jeton-inconnu"],
    }
