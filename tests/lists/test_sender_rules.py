"""Moderators' standing decisions: a rule chosen from a held message (« toujours accepter /
retenir / refuser / ignorer ») applies to the sender's next post by mail and on the web; the
rules page lists and removes them; emergency moderation holds every post until its end."""
from datetime import timedelta

from sqlalchemy import func, select

from intranet.core.timeutil import to_paris, utcnow
from intranet.core.types import Role
from intranet.extensions import db
from intranet.lists.models import ListMessage, MessageStatus, PostingPolicy
from intranet.mail.models import OutboxMessage

from .. import factories
from ..helpers import text
from . import builders


def _world(posting=PostingPolicy.MODERATED):
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    member = factories.make_user(org, Role.MEMBER)
    mlist = builders.make_list(factories.org_space(org), admin, posting=posting,
                               title="Conseil d'école")
    builders.add_outside(mlist, ["parent@exemple.org", "lecteur@exemple.org"])
    return mlist, admin, member


def _url(mlist, tail=""):
    return f"/espaces/{mlist.space.slug}/listes/{mlist.name}{tail}"


def _post(listener, mlist, sender, subject):
    return listener.send(builders.email(sender, mlist.address, subject, "Bonjour à tous."),
                         sender, [mlist.address])


def _status(subject):
    return db.session.scalar(select(ListMessage.status).where(ListMessage.subject == subject))


def test_always_accept_from_a_held_message_publishes_it_and_the_next_post_by_mail(
        listener, client, login):
    mlist, admin, _member = _world()
    assert _post(listener, mlist, "parent@exemple.org", "Kermesse")[0] == 250
    held = db.session.scalar(select(ListMessage))
    assert held.status == MessageStatus.HELD
    login(admin)
    page = text(client.get(_url(mlist, "/moderation")))
    assert "Pour ce message et tous les suivants de parent@exemple.org" in page
    client.post(_url(mlist, f"/moderation/{held.id}/regle"), data={"action": "accept"})
    db.session.refresh(held)
    assert held.status == MessageStatus.PUBLISHED
    code, answer = _post(listener, mlist, "parent@exemple.org", "Photos de la kermesse")
    assert code == 250 and "diffuse" in answer
    assert _status("Photos de la kermesse") == MessageStatus.PUBLISHED
    # somebody else still waits, as the list says
    _post(listener, mlist, "autre@exemple.org", "Autre sujet")
    assert _status("Autre sujet") == MessageStatus.HELD

    rules = text(client.get(_url(mlist, "/expediteurs")))
    assert "parent@exemple.org" in rules and "Toujours accepter" in rules
    rule_id = db.session.execute(db.text("SELECT id FROM list_sender_rule")).scalar()
    client.post(_url(mlist, f"/expediteurs/{rule_id}/retirer"))
    assert "Aucune règle" in text(client.get(_url(mlist, "/expediteurs")))
    _post(listener, mlist, "parent@exemple.org", "Après le retrait")
    assert _status("Après le retrait") == MessageStatus.HELD


def test_always_reject_tells_the_sender_and_refuses_the_next_post_by_mail_and_on_the_web(
        listener, client, login, new_client):
    mlist, admin, member = _world(posting=PostingPolicy.ANYONE)
    login(admin)
    client.post(_url(mlist, "/expediteurs"), data={"email": member.email, "action": "hold"})
    writer = new_client(member)
    writer.post(_url(mlist, "/ecrire"), data={"subject": "Question", "body": "Une question"})
    held = db.session.scalar(select(ListMessage).where(ListMessage.subject == "Question"))
    assert held.status == MessageStatus.HELD   # « toujours retenir », on an open list
    client.post(_url(mlist, f"/moderation/{held.id}/regle"), data={"action": "reject"})
    db.session.refresh(held)
    assert held.status == MessageStatus.REJECTED
    notice = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == member.email.lower()))
    assert "n'a pas été diffusé" in notice.subject and "n'acceptent pas" in notice.body_text

    code, answer = _post(listener, mlist, member.email, "Encore moi")
    assert code == 550 and "n'acceptent pas" in answer
    page = writer.post(_url(mlist, "/ecrire"), data={"subject": "Par le site", "body": "Texte"})
    assert page.status_code == 403   # the web form is closed to the sender
    assert _status("Par le site") is None
    assert "Écrire à la liste" not in text(writer.get(_url(mlist)))


def test_always_discard_drops_the_next_posts_without_a_word(listener, client, login):
    mlist, admin, _member = _world(posting=PostingPolicy.ANYONE)
    login(admin)
    response = client.post(_url(mlist, "/expediteurs"),
                           data={"email": "Pub@Exemple.com", "action": "discard"})
    assert response.status_code == 302
    code, _answer = _post(listener, mlist, "pub@exemple.com", "Promotion")
    assert code == 250   # the sending server is told it was taken: no backscatter
    assert _status("Promotion") is None
    builders.drain()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    # a bad address is refused on the rules page, what was typed kept
    page = client.post(_url(mlist, "/expediteurs"), data={"email": "pas une adresse",
                                                          "action": "hold"})
    assert page.status_code == 400 and 'value="pas une adresse"' in page.get_data(as_text=True)


def test_emergency_moderation_holds_every_post_until_its_end_and_shows_on_the_list_page(
        listener, client, login, new_client):
    mlist, admin, member = _world(posting=PostingPolicy.ANYONE)
    login(admin)
    tomorrow = to_paris(utcnow() + timedelta(days=1))
    client.post(_url(mlist, "/urgence"), data={"until_date": tomorrow.strftime("%Y-%m-%d"),
                                               "until_time": "18:30"})
    page = text(client.get(_url(mlist)))
    assert "Modération d'urgence jusqu'au" in page and "à 18 h 30" in page
    code, answer = _post(listener, mlist, "parent@exemple.org", "Polémique")
    assert code == 250 and "moderation" in answer
    assert _status("Polémique") == MessageStatus.HELD
    client.post(_url(mlist, "/ecrire"), data={"subject": "Mot du directeur", "body": "Calme"})
    assert _status("Mot du directeur") == MessageStatus.PUBLISHED   # moderators still post
    assert "Modération d'urgence" not in text(new_client(member).get(_url(mlist)))

    client.post(_url(mlist, "/urgence/fin"))
    _post(listener, mlist, "parent@exemple.org", "Retour au calme")
    assert _status("Retour au calme") == MessageStatus.PUBLISHED
    # an end already past is refused
    yesterday = to_paris(utcnow() - timedelta(days=1))
    client.post(_url(mlist, "/urgence"), data={"until_date": yesterday.strftime("%Y-%m-%d"),
                                               "until_time": "08:00"})
    assert "une date et une heure à venir" in text(client.get(_url(mlist, "/moderation")))
    _post(listener, mlist, "parent@exemple.org", "Toujours calme")
    assert _status("Toujours calme") == MessageStatus.PUBLISHED


def test_a_plain_member_cannot_set_rules_nor_emergency(client, login):
    mlist, _admin, member = _world()
    login(member)
    assert client.get(_url(mlist, "/expediteurs")).status_code == 403
    assert client.post(_url(mlist, "/urgence"), data={"until_date": "2030-01-01",
                                                      "until_time": "10:00"}).status_code == 403
    db.session.refresh(mlist)
    assert mlist.emergency_until is None
