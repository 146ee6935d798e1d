"""A private conversation between organisation A's members, for the route matrix."""
from intranet.messaging import services

from ..route_world import private_file


def build(world):
    admin, member, secret = world["a_admin"], world["a_member"], world["CONTENT"]
    conversation = services.start_conversation(
        admin, to=member.email, subject=f"Sujet {secret}", body=f"Texte {secret}",
        files=[(private_file(world), f"piece-{secret}.pdf")])
    attachment = conversation.messages[0].attachments[0]
    world["insider_urls"].append("/messages/")
    world["insider_urls"].append(f"/messages/{conversation.id}")
    world["private_files"].append(f"/messages/{conversation.id}/pieces-jointes/{attachment.id}")
    return {
        ("messaging", "conversation_id"): [conversation.id],
        ("messaging", "attachment_id"): [attachment.id],
        ("messaging", "message_id"): [conversation.messages[0].id],
    }
