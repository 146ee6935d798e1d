"""Replying to a message's notification from one's mail app adds the reply to the
conversation, as that participant; forged or foreign addresses are refused."""
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from intranet.mail import replies
from intranet.mail.replies import ReplyRefused, reply_address
from intranet.extensions import db
from intranet.mail.models import OutboxMessage
from intranet.messaging import services
from intranet.messaging.models import ConversationMessage

from .builders import PDF, conversation, participant, people


def _messages():
    return db.session.scalar(select(func.count()).select_from(ConversationMessage))


def test_a_reply_by_email_joins_the_conversation_with_quotes_trimmed():
    world = people()
    conv = conversation(world["alice"], world["bruno"], body="Pouvez-vous venir jeudi ?")
    address = db.session.scalar(select(OutboxMessage.reply_to).where(
        OutboxMessage.recipient == world["bruno"].email))
    assert address == reply_address(world["bruno"], "conversation", conv.id)
    replies.handle(address, "Oui, je serai là.\n\nBruno\n\n"
                            "Le 3 mars 2025 à 10:02, Alice Martin a écrit :\n"
                            "> Pouvez-vous venir jeudi ?\n")
    message = db.session.scalars(select(ConversationMessage).order_by(
        ConversationMessage.id.desc())).first()
    assert message.author_id == world["bruno"].id and message.via_email
    assert message.body_source == "Oui, je serai là.\n\nBruno"
    # Alice hears of it; Bruno has read the conversation (he answered it)
    assert services.unread_count(world["alice"]) == 1
    assert services.unread_count(world["bruno"]) == 0


def test_a_reply_by_email_may_carry_attachments():
    world = people()
    conv = conversation(world["alice"], world["bruno"])
    mail = EmailMessage()
    mail.set_content("Voici le devis.")
    mail.add_attachment(PDF, maintype="application", subtype="pdf", filename="devis.pdf")
    mail.add_attachment(b"\x89PNG\r\n\x1a\n...", maintype="application",
                        subtype="octet-stream", filename="logo.exe")
    replies.handle(reply_address(world["bruno"], "conversation", conv.id), "Voici le devis.",
                   mail)
    message = db.session.scalars(select(ConversationMessage).order_by(
        ConversationMessage.id.desc())).first()
    assert [a.file.original_name for a in message.attachments] == ["devis.pdf"]
    assert "Pièces jointes non retenues : « logo.exe »" in message.body_source


@pytest.mark.parametrize("forge", [
    lambda address: address.replace("reply+", "reply+x", 1),
    lambda address: address[:-25] + ("B" if address[-25] == "A" else "A") + address[-24:],
    lambda address: "reply+bm9u@territoires47.fr",
])
def test_a_forged_address_is_refused(forge):
    world = people()
    conv = conversation(world["alice"], world["bruno"])
    with pytest.raises(ReplyRefused):
        replies.handle(forge(reply_address(world["bruno"], "conversation", conv.id)), "Intrus")
    assert _messages() == 1


def test_an_address_signed_for_someone_else_is_refused():
    world = people()
    conv = conversation(world["alice"], world["bruno"])
    other = conversation(world["chloe"], world["platform_admin"])
    # a genuine address of Chloé, but for a conversation she is not in
    with pytest.raises(ReplyRefused, match="ne participez pas"):
        replies.handle(reply_address(world["chloe"], "conversation", conv.id), "Intrus")
    with pytest.raises(ReplyRefused, match="ne participez pas"):
        replies.handle(reply_address(world["chloe"], "conversation", 999999), "Intrus")
    assert _messages() == 2 and len(other.messages) == 1


def test_someone_who_left_can_no_longer_reply_by_email():
    world = people()
    conv = conversation(world["alice"], world["bruno"])
    address = reply_address(world["bruno"], "conversation", conv.id)
    services.leave(participant(conv, world["bruno"]))
    with pytest.raises(ReplyRefused, match="ne participez pas"):
        replies.handle(address, "Je reviens")
    assert _messages() == 1


def test_an_empty_reply_is_refused():
    world = people()
    conv = conversation(world["alice"], world["bruno"])
    with pytest.raises(ReplyRefused):
        replies.handle(reply_address(world["bruno"], "conversation", conv.id),
                       "> seulement la citation\n")
    assert _messages() == 1
