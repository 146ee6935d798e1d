"""Two colleagues of one commune, each with private content: Alice's and Bob's."""
from sqlalchemy import select

from intranet.documents import services as documents
from intranet.extensions import db
from intranet.messaging import services as messaging
from intranet.messaging.models import ConversationParticipant
from intranet.core.types import Role

from .. import factories

ALICE_FILE = b"Compte rendu de la commission voirie, par Alice.\n"


def colleagues() -> dict:
    org = factories.make_org("Commune de Brouillac")
    alice = factories.make_user(org, Role.EDITOR, first_name="Alix", last_name="Zabrowski",
                                email="alix.zabrowski@brouillac.fr")
    bob = factories.make_user(org, Role.EDITOR, first_name="Bertrand", last_name="Quenouille")
    space = factories.org_space(org)
    alice_page = documents.create_page(space, title="Page d'Alix", body="texte-ecrit-par-alix",
                                       body_format="text", by=alice)
    bob_page = documents.create_page(space, title="Page de Bertrand",
                                     body="secret-ecrit-par-bertrand", body_format="text", by=bob)
    documents.upload(space, None, (ALICE_FILE, "compte-rendu-voirie.txt"), by=alice)
    conversation = messaging.start_conversation(alice, to=bob.email, subject="Commission voirie",
                                                body="message-ecrit-par-alix")
    bob_seat = db.session.scalar(select(ConversationParticipant).where(
        ConversationParticipant.conversation_id == conversation.id,
        ConversationParticipant.user_id == bob.id))
    messaging.reply(bob_seat, "reponse-privee-de-bertrand")
    db.session.commit()
    return {"org": org, "alice": alice, "bob": bob, "space": space, "alice_page": alice_page,
            "bob_page": bob_page, "conversation": conversation}
