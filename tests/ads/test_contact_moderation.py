"""Answering an ad through the messaging, without anyone's email address; reports reach the open
space's moderators, who hide an ad (gone from the listing) and restore it."""
from sqlalchemy import select

from intranet.ads import services
from intranet.core.types import Role
from intranet.extensions import db
from intranet.messaging.models import Conversation
from intranet.notifications.models import Notification
from intranet.spaces.models import SpaceMember
from intranet.spaces.services import ensure_open_space

from .. import factories
from ..helpers import text
from .builders import ad_data, town_hall


def test_contacting_the_advertiser_opens_a_conversation_about_the_ad(client, login):
    world = town_hall()
    ad = services.create_ad(world["org"], ad_data("Vélo de ville"), personal=True,
                            by=world["member"])
    login(world["neighbour"])
    page = client.get(f"/annonces/{ad.id}").text
    assert world["member"].email not in page and world["editor"].email not in page
    response = client.post(f"/annonces/{ad.id}/contacter",
                           data={"body": "Est-il toujours disponible ?"})
    assert response.status_code == 302
    conversation = db.session.scalar(select(Conversation))
    assert conversation.about_url == f"/annonces/{ad.id}"
    assert {p.user_id for p in conversation.participants} == {world["neighbour"].id,
                                                              world["member"].id}
    shown = client.get(response.headers["Location"])
    assert "Petite annonce : Vélo de ville" in text(shown)
    assert f'href="/annonces/{ad.id}"' in shown.text
    assert world["member"].email not in shown.text
    # one's own ad: no contact
    client.post("/deconnexion")
    login(world["member"])
    assert client.post(f"/annonces/{ad.id}/contacter", data={"body": "x"}).status_code == 403


def test_a_report_reaches_the_moderators_who_hide_then_restore_the_ad(client, login):
    world = town_hall()
    ad = world["ad"]
    moderator = factories.make_user(factories.make_org("Département"), last_name="Modératrice")
    db.session.add(SpaceMember(space=ensure_open_space(), user_id=moderator.id,
                               role=Role.MODERATOR))
    db.session.commit()
    login(world["neighbour"])
    assert client.get("/annonces/moderation").status_code == 403
    client.post(f"/annonces/{ad.id}/signaler", data={"reason": "Annonce en double"})
    again = client.post(f"/annonces/{ad.id}/signaler", data={"reason": "Encore"},
                        follow_redirects=True)
    assert "déjà signalé" in text(again)
    assert db.session.scalar(select(Notification.user_id).where(
        Notification.kind == "ads.report")) == moderator.id
    client.post("/deconnexion")
    login(moderator)
    queue = text(client.get("/annonces/moderation"))
    assert ad.title in queue and "Annonce en double" in queue and "1 signalement" in queue
    client.post(f"/annonces/{ad.id}/masquer")
    assert ad.title not in text(client.get("/annonces/"))
    assert "Masquée" in text(client.get("/annonces/moderation"))
    client.post("/deconnexion")
    login(world["neighbour"])
    assert client.get(f"/annonces/{ad.id}").status_code == 404
    client.post("/deconnexion")
    login(world["editor"])
    assert "Masquée par la modération" in text(client.get("/annonces/mes-annonces"))
    assert client.post(f"/annonces/{ad.id}/retablir").status_code == 403
    client.post("/deconnexion")
    login(moderator)
    client.post(f"/annonces/{ad.id}/retablir")
    assert ad.title in text(client.get("/annonces/"))
