"""A private conversation never shows to anybody outside it: page, attachment, list, unread
count, search, notifications and mail — the platform admin included."""
import pytest
from sqlalchemy import select

from intranet.extensions import db
from intranet.mail.models import OutboxMessage
from intranet.messaging import services
from intranet.messaging.models import ConversationMessage
from intranet.notifications.models import Notification
from intranet.search import services as search
from intranet.search.backends import SearchRequest

from ..helpers import text
from .builders import PDF, conversation, participant, people

SECRET = "confidentielzx"


@pytest.mark.parametrize("who", ["chloe", "platform_admin", "colleague"])
def test_outsiders_get_404_and_see_nothing_of_a_conversation(client, login, who):
    world = people()
    from .. import factories
    world["colleague"] = factories.make_user(world["agen"])  # same commune, not in the talk
    conv = conversation(world["alice"], world["bruno"], subject=f"Sujet {SECRET}",
                        body=f"Texte {SECRET}", files=[(PDF, f"annexe-{SECRET}.pdf")])
    attachment = conv.messages[0].attachments[0]
    login(world[who])
    assert client.get(f"/messages/{conv.id}").status_code == 404
    assert client.get(f"/messages/{conv.id}/pieces-jointes/{attachment.id}").status_code == 404
    for url in ("/messages/", "/messages/archives", "/notifications/", "/"):
        page = text(client.get(url))
        assert SECRET not in page
        assert 'Messages <span class="count">' not in page
    assert services.unread_count(world[who]) == 0
    # nor may they write in it, archive it or leave it in somebody's name
    for action in ("repondre", "archiver", "desarchiver", "non-lu", "quitter"):
        response = client.post(f"/messages/{conv.id}/{action}", data={"body": "intrus"})
        assert response.status_code == 404, action
    assert db.session.scalar(select(db.func.count()).select_from(ConversationMessage)) == 1


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    world = people()
    conv = conversation(world["alice"], world["bruno"], body=f"Texte {SECRET}")
    response = client.get(f"/messages/{conv.id}")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_participants_do_see_it_and_the_attachment_is_served_safely(client, login):
    world = people()
    conv = conversation(world["alice"], world["bruno"], subject=f"Sujet {SECRET}",
                        body=f"Texte {SECRET}", files=[(PDF, "annexe.pdf")])
    attachment = conv.messages[0].attachments[0]
    login(world["bruno"])
    assert SECRET in text(client.get("/messages/"))
    assert SECRET in text(client.get(f"/messages/{conv.id}"))
    response = client.get(f"/messages/{conv.id}/pieces-jointes/{attachment.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment")
    # an attachment of another conversation is not reachable through this one
    other = conversation(world["alice"], world["chloe"], files=[(PDF, "autre.pdf")])
    foreign = other.messages[0].attachments[0]
    assert client.get(f"/messages/{conv.id}/pieces-jointes/{foreign.id}").status_code == 404
    assert client.get(f"/messages/{other.id}/pieces-jointes/{foreign.id}").status_code == 404


def test_search_finds_messages_for_their_participants_only(client, login, search_backend):
    world = people()
    conversation(world["alice"], world["bruno"], subject="Subvention voirie",
                 body=f"Le montant {SECRET} reste entre nous")
    search.drain()
    found = search.query(world["bruno"], SearchRequest(text=SECRET))
    assert found.total == 1 and found.types == {"message": 1}
    assert found.hits[0].title == "Subvention voirie"
    for outsider in ("chloe", "platform_admin"):
        for request in (SearchRequest(text=SECRET), SearchRequest(text=SECRET, types=["message"]),
                        SearchRequest(text="voirie")):
            results = search.query(world[outsider], request)
            assert results.total == 0 and not results.hits
            assert "message" not in results.types
    # the search box of the messages page, as each of them
    login(world["bruno"])
    assert "Subvention voirie" in text(client.get(f"/messages/recherche?q={SECRET}"))
    client.post("/deconnexion")
    login(world["platform_admin"])
    for url in (f"/messages/recherche?q={SECRET}", f"/recherche?q={SECRET}"):
        page = text(client.get(url))
        assert "Subvention voirie" not in page and SECRET + " reste" not in page
        assert "1 message" not in page


def test_someone_who_left_no_longer_finds_it(search_backend):
    world = people()
    conv = conversation(world["alice"], world["bruno"], body=f"Texte {SECRET}")
    search.drain()
    assert search.query(world["bruno"], SearchRequest(text=SECRET)).total == 1
    services.leave(participant(conv, world["bruno"]))
    search.drain()
    assert search.query(world["bruno"], SearchRequest(text=SECRET)).total == 0
    assert search.query(world["alice"], SearchRequest(text=SECRET)).total == 1


def test_only_participants_are_notified_and_mailed():
    world = people()
    from .. import factories
    dora = factories.make_user(world["agen"], first_name="Dora", last_name="Blanc")
    conv = conversation(world["alice"], world["bruno"], dora, body=f"Texte {SECRET}")
    notified = set(db.session.scalars(select(Notification.user_id)))
    mailed = set(db.session.scalars(select(OutboxMessage.recipient)))
    assert notified == {world["bruno"].id, dora.id}  # never the sender, never outsiders
    assert mailed == {world["bruno"].email, dora.email}
    # Dora leaves: Bruno's reply reaches Alice only
    services.leave(participant(conv, dora))
    db.session.execute(db.delete(Notification))
    db.session.execute(db.delete(OutboxMessage))
    db.session.commit()
    services.reply(participant(conv, world["bruno"]), f"Réponse {SECRET}")
    assert set(db.session.scalars(select(Notification.user_id))) == {world["alice"].id}
    assert set(db.session.scalars(select(OutboxMessage.recipient))) == {world["alice"].email}


def test_the_mail_leaves_the_content_out_for_people_who_prefer():
    world = people()
    from intranet.notifications import services as notifications
    notifications.settings_for(world["bruno"]).mail_content = False
    db.session.commit()
    conversation(world["alice"], world["bruno"], world["chloe"], subject=f"Sujet {SECRET}",
                 body=f"Texte {SECRET}")
    to_bruno = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == world["bruno"].email))
    to_chloe = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == world["chloe"].email))
    assert SECRET not in to_bruno.subject + to_bruno.body_text
    assert "/messages/" in to_bruno.body_text and to_bruno.reply_to is None
    assert to_bruno.subject == "Alice Martin vous a écrit"
    assert f"Texte {SECRET}" in to_chloe.body_text and f"Sujet {SECRET}" in to_chloe.body_text
    assert to_chloe.reply_to.startswith("reply+")
    assert SECRET not in to_chloe.subject  # subjects of mails are seen on lock screens
