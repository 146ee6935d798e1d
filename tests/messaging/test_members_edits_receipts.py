"""People added to a conversation (with or without its history), one's own messages changed or
deleted within 15 minutes, and who has read each message in small conversations."""
from datetime import timedelta

from sqlalchemy import func, select

from intranet.core.models import StoredFile
from intranet.extensions import db
from intranet.mail.models import OutboxMessage
from intranet.messaging import services
from intranet.messaging.models import ConversationAttachment, ConversationMessage
from intranet.notifications.models import Notification

from .. import factories
from ..helpers import text
from .builders import PDF, conversation, participant, people


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _send_earlier_files(world):
    """Alice and Bruno talk, with a file, before anybody else is added."""
    alice, bruno = world["alice"], world["bruno"]
    conv = conversation(alice, bruno, body="Le chiffre secret est 4217",
                        files=[(PDF, "budget-secret.pdf")])
    services.reply(participant(conv, bruno), "Bien reçu, je garde cela pour nous")
    return conv


def test_person_added_from_now_sees_only_what_follows(client, login):
    world = people()
    alice, chloe = world["alice"], world["chloe"]
    conv = _send_earlier_files(world)
    earlier_file = db.session.scalar(select(ConversationAttachment))
    login(alice)
    response = client.post(f"/messages/{conv.id}/ajouter",
                           data={"to": chloe.email, "history": "maintenant"},
                           follow_redirects=True)
    page = text(response)
    assert "1 personne ajoutée à la conversation." in page
    assert "Alice Martin a ajouté Chloé Roux à la conversation, à partir de ce message." in page
    client.post("/deconnexion")
    # Chloé hears of it like of a new message, through the outbox.
    assert db.session.scalar(select(Notification).where(
        Notification.user_id == chloe.id)).title == "Alice Martin vous a ajouté à une conversation"
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipient == chloe.email)) == 1

    services.reply(participant(conv, world["bruno"]), "Bienvenue Chloé, voici la suite")
    login(chloe)
    page = text(client.get(f"/messages/{conv.id}"))
    assert "Alice Martin a ajouté Chloé Roux" in page
    assert "Bienvenue Chloé, voici la suite" in page
    assert "4217" not in page and "je garde cela pour nous" not in page
    assert "budget-secret.pdf" not in page
    assert client.get(f"/messages/{conv.id}/pieces-jointes/{earlier_file.id}").status_code == 404
    # Her inbox counts nothing unread once she has read what she may read.
    assert 'Messages <span class="count">' not in text(client.get("/messages/"))
    # She cannot give anybody more of the history than she reads herself.
    dora = factories.make_user(world["nerac"], first_name="Dora", last_name="Blanc")
    response = client.post(f"/messages/{conv.id}/ajouter",
                           data={"to": dora.email, "history": "tout"}, follow_redirects=True)
    assert "avec l'historique depuis l'arrivée de Chloé Roux." in text(response)
    client.post("/deconnexion")
    login(dora)
    page = text(client.get(f"/messages/{conv.id}"))
    assert "Bienvenue Chloé, voici la suite" in page
    assert "4217" not in page and "je garde cela pour nous" not in page


def test_person_added_with_the_history_sees_everything(client, login):
    world = people()
    alice, chloe = world["alice"], world["chloe"]
    conv = _send_earlier_files(world)
    services.add_people(participant(conv, alice), chloe.email, whole_history=True)
    login(chloe)
    page = text(client.get(f"/messages/{conv.id}"))
    assert "Le chiffre secret est 4217" in page and "budget-secret.pdf" in page
    assert "Alice Martin a ajouté Chloé Roux à la conversation, avec tout l'historique." in page


def test_nobody_is_added_whom_one_may_not_write_to(client, login):
    world = people()
    alice = world["alice"]
    gone = factories.make_user(world["agen"], first_name="Denis", last_name="Vidal",
                               active=False)
    conv = conversation(alice, world["bruno"])
    login(alice)
    response = client.post(f"/messages/{conv.id}/ajouter",
                           data={"to": f"{world['chloe'].email}, {gone.email}",
                                 "history": "tout"})
    assert "Le compte de Denis Vidal est désactivé" in text(response)
    assert world["chloe"].email in text(response)   # what was typed is kept
    assert len(conv.participants) == 2 and _count(ConversationMessage) == 1
    # Someone outside the conversation cannot add anybody: 404.
    client.post("/deconnexion")
    login(world["chloe"])
    assert client.post(f"/messages/{conv.id}/ajouter",
                       data={"to": world["chloe"].email, "history": "tout"}).status_code == 404


def test_author_edits_a_message_within_fifteen_minutes_and_others_see_it_changed(client, login):
    world = people()
    alice, bruno = world["alice"], world["bruno"]
    conv = conversation(alice, bruno, body="Réunion mardi à 10 h")
    message = db.session.scalar(select(ConversationMessage))
    login(alice)
    assert "Modifier</a>" in text(client.get(f"/messages/{conv.id}"))
    response = client.post(f"/messages/{conv.id}/messages/{message.id}/modifier",
                           data={"body": "Réunion mercredi à 10 h", "body_format": "text"},
                           follow_redirects=True)
    assert "Message modifié." in text(response)
    client.post("/deconnexion")
    login(bruno)
    page = text(client.get(f"/messages/{conv.id}"))
    assert "Réunion mercredi à 10 h" in page and "mardi" not in page
    assert "(modifié le" in page
    # Bruno may not change Alice's message: a forged request is a 403.
    assert client.post(f"/messages/{conv.id}/messages/{message.id}/modifier",
                       data={"body": "Falsifié"}).status_code == 403
    assert client.post(f"/messages/{conv.id}/messages/{message.id}/supprimer").status_code == 403
    db.session.expire_all()
    assert "mercredi" in db.session.get(ConversationMessage, message.id).body_html


def test_after_fifteen_minutes_a_message_can_no_longer_be_changed(client, login):
    world = people()
    alice = world["alice"]
    conv = conversation(alice, world["bruno"], body="Texte définitif")
    message = db.session.scalar(select(ConversationMessage))
    message.created_at -= timedelta(minutes=16)
    db.session.commit()
    login(alice)
    assert "Modifier</a>" not in text(client.get(f"/messages/{conv.id}"))
    response = client.post(f"/messages/{conv.id}/messages/{message.id}/modifier",
                           data={"body": "Trop tard"}, follow_redirects=True)
    assert "dans les 15 minutes qui suivent son envoi : ce délai est passé" in text(response)
    response = client.post(f"/messages/{conv.id}/messages/{message.id}/supprimer",
                           follow_redirects=True)
    assert "ce délai est passé" in text(response)
    db.session.expire_all()
    kept = db.session.get(ConversationMessage, message.id)
    assert "Texte définitif" in kept.body_html and kept.deleted_at is None


def test_deleted_message_loses_its_text_and_files(client, login):
    world = people()
    alice, bruno = world["alice"], world["bruno"]
    conv = conversation(alice, bruno, body="Message envoyé par erreur",
                        files=[(PDF, "mauvais-fichier.pdf")])
    message = db.session.scalar(select(ConversationMessage))
    attached = db.session.scalar(select(ConversationAttachment.id))
    login(alice)
    response = client.post(f"/messages/{conv.id}/messages/{message.id}/supprimer",
                           follow_redirects=True)
    assert "Message supprimé." in text(response)
    client.post("/deconnexion")
    login(bruno)
    page = text(client.get(f"/messages/{conv.id}"))
    assert "Message supprimé par son auteur." in page
    assert "envoyé par erreur" not in page and "mauvais-fichier.pdf" not in page
    assert client.get(f"/messages/{conv.id}/pieces-jointes/{attached}").status_code == 404
    assert _count(StoredFile) == 0


def test_small_conversations_show_who_read_each_message(client, login):
    world = people()
    alice, bruno, chloe = world["alice"], world["bruno"], world["chloe"]
    conv = conversation(alice, bruno, chloe, body="Qui vient jeudi ?")
    login(alice)
    assert "Pas encore lu" in text(client.get(f"/messages/{conv.id}"))
    client.post("/deconnexion")
    login(bruno)
    client.get(f"/messages/{conv.id}")
    client.post("/deconnexion")
    login(alice)
    page = text(client.get(f"/messages/{conv.id}"))
    assert "Lu par Bruno Petit" in page and "Chloé Roux" not in page.split("Lu par", 1)[1][:80]


def test_large_conversations_hide_read_receipts(client, login):
    world = people()
    alice = world["alice"]
    others = [factories.make_user(world["agen"]) for _ in range(10)]
    conv = conversation(alice, *others, body="Note à toute l'équipe")
    login(others[0])
    client.get(f"/messages/{conv.id}")
    client.post("/deconnexion")
    login(alice)
    page = text(client.get(f"/messages/{conv.id}"))
    assert "Note à toute l" in page
    assert "Lu par" not in page and "Pas encore lu" not in page


def test_search_follows_additions_edits_and_deletions(search_backend):
    from intranet.search import services as search
    from intranet.search.backends import SearchRequest

    world = people()
    alice, bruno, chloe = world["alice"], world["bruno"], world["chloe"]
    conv = conversation(alice, bruno, body="Le code du portail est zorglub")
    services.add_people(participant(conv, alice), chloe.email, whole_history=False)
    search.drain()
    assert search.query(bruno, SearchRequest(text="zorglub")).total == 1
    assert search.query(chloe, SearchRequest(text="zorglub")).total == 0  # added after it
    message = db.session.scalar(select(ConversationMessage).where(
        ConversationMessage.is_system.is_(False)))
    services.edit_message(participant(conv, alice), message, "Le code du portail est bidulon")
    search.drain()
    assert search.query(bruno, SearchRequest(text="zorglub")).total == 0
    assert search.query(bruno, SearchRequest(text="bidulon")).total == 1
    services.delete_message(participant(conv, alice), message)
    search.drain()
    assert search.query(bruno, SearchRequest(text="bidulon")).total == 0
