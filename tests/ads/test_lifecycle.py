"""An ad's life as people meet it: published at once, listed and in the feed while online,
gone from both once expired, done or deleted; the reminder mail and its one-click renewal."""
from datetime import timedelta

from sqlalchemy import select

from intranet.accounts.models import Organisation
from intranet.ads import services
from intranet.ads.models import Ad
from intranet.core.audit import AuditEvent
from intranet.core.timeutil import utcnow
from intranet.extensions import db
from intranet.mail.models import OutboxMessage

from .. import factories
from ..helpers import text
from .builders import ad_data, town_hall


def test_a_member_posts_a_personal_ad_and_everyone_finds_it(client, login):
    world = town_hall()
    login(world["member"])
    response = client.post("/annonces/nouvelle", data={
        "publisher": f"moi:{world['org'].id}", "kind": "sell", "category": "furniture",
        "title": "Bureau en chêne", "description": "Bon état.", "price": "1 200,50 €",
        "commune": str(world["org"].id), "visibility": "public"})
    assert response.status_code == 302
    ad = db.session.scalar(select(Ad).where(Ad.title == "Bureau en chêne"))
    assert ad.personal and ad.is_published and str(ad.price) == "1200.50"
    assert ad.expires_at - utcnow() > timedelta(days=59)
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "ad.published"))
    client.post("/deconnexion")
    listing = text(client.get("/annonces/?categorie=furniture&q=chene"))
    assert "Bureau en chêne" in listing and "1 200,50 €" in listing
    assert "Agent, Commune de Layrac" in text(client.get(f"/annonces/{ad.id}"))
    assert "Bureau en chêne" in client.get("/annonces/flux.atom").text


def test_a_member_may_not_publish_in_the_communes_name(client, login):
    world = town_hall()
    login(world["member"])
    form = client.get("/annonces/nouvelle").text
    assert f'value="moi:{world["org"].id}"' in form and f'value="org:{world["org"].id}"' not in form
    response = client.post("/annonces/nouvelle", data={
        "publisher": f"org:{world['org'].id}", "kind": "sell", "category": "it",
        "title": "Écrans", "visibility": "public", "price": "NaN"})
    assert response.status_code == 200 and "Indiquez un prix en euros" in text(response)
    response = client.post("/annonces/nouvelle", data={
        "publisher": f"org:{world['org'].id}", "kind": "sell", "category": "it",
        "title": "Écrans", "visibility": "public", "price": ""})
    assert "Choisissez qui publie" in text(response)
    assert db.session.scalar(select(Ad).where(Ad.title == "Écrans")) is None


def test_an_expired_ad_leaves_the_listing_and_the_feed_but_its_owner_still_sees_it(client, login):
    world = town_hall()
    ad = world["ad"]
    assert ad.title in text(client.get("/annonces/"))
    assert ad.title in text(client.get("/espaces/espace-ouvert"))      # « quoi de neuf »
    ad.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert ad.title not in text(client.get("/annonces/"))
    assert ad.title not in client.get("/annonces/flux.atom").text
    assert services.note_expired() == 1                 # the worker's round
    assert ad.title not in text(client.get("/espaces/espace-ouvert"))
    login(world["neighbour"])
    assert client.get(f"/annonces/{ad.id}").status_code == 404
    client.post("/deconnexion")
    login(world["editor"])
    page = text(client.get(f"/annonces/{ad.id}"))
    assert "Terminée le" in page
    assert "Terminée" in text(client.get("/annonces/mes-annonces"))
    client.post(f"/annonces/{ad.id}/prolonger", data={"retour": "mes-annonces"})
    db.session.refresh(ad)
    assert ad.is_live and ad.title in text(client.get("/annonces/"))


def test_the_reminder_goes_once_and_its_link_renews_once(client, runner):
    world = town_hall()
    ad = world["ad"]
    ad.expires_at = utcnow() + timedelta(days=6)
    db.session.commit()
    ad_id, editor_email = ad.id, world["editor"].email
    worker = runner.invoke(args=["worker", "--once"])   # (ends by removing the session)
    assert "annonces : 1 rappel(s) de fin mis en file d'envoi" in worker.output
    assert services.send_expiry_reminders() == 0          # once per period online
    ad = db.session.get(Ad, ad_id)
    mail = db.session.scalar(select(OutboxMessage))
    assert mail.recipient == editor_email
    link = next(line for line in mail.body_text.splitlines() if "/annonces/renouveler/" in line)
    path = link.strip().removeprefix("http://territoires.test")
    first = client.get(path)
    assert first.status_code == 200 and "Annonce prolongée" in text(first)
    db.session.refresh(ad)
    assert ad.expires_at > utcnow() + timedelta(days=65) and ad.reminded_at is None
    again = client.get(path)
    assert again.status_code == 404 and "Ce lien a déjà servi" in text(again)
    assert client.get("/annonces/renouveler/nimporte-quoi").status_code == 404


def test_a_renewal_link_for_a_deleted_ad_says_so(client, login):
    world = town_hall()
    token = services.renewal_token(world["ad"])
    login(world["editor"])
    assert client.post(f"/annonces/{world['ad'].id}/supprimer").status_code == 302
    client.post("/deconnexion")
    response = client.get(f"/annonces/renouveler/{token}")
    assert response.status_code == 404
    assert "Cette annonce n'existe plus : elle a été supprimée." in text(response)


def test_marking_an_ad_done_takes_it_offline_for_good(client, login):
    world = town_hall()
    ad = world["ad"]
    login(world["editor"])
    client.post(f"/annonces/{ad.id}/conclure")
    db.session.refresh(ad)
    assert ad.done_at is not None and not ad.is_live
    assert ad.title not in text(client.get("/annonces/"))
    token = services.renewal_token(ad)
    client.post("/deconnexion")
    assert "conclue" in text(client.get(f"/annonces/renouveler/{token}"))
    assert services.note_expired() == 0


def test_someone_else_may_not_manage_an_ad(client, login):
    world = town_hall()
    ad = world["ad"]
    login(world["member"])          # same commune, but not an editor: not the commune's ad
    assert client.get(f"/annonces/{ad.id}/modifier").status_code == 403
    assert client.post(f"/annonces/{ad.id}/supprimer").status_code == 403
    client.post("/deconnexion")
    login(world["editor"])
    personal = services.create_ad(world["org"], ad_data("Vélo"), personal=True, by=world["member"])
    assert client.post(f"/annonces/{personal.id}/conclure").status_code == 403
    assert db.session.get(Ad, personal.id).is_live


def test_the_listing_offers_each_intercommunality_then_each_commune_that_has_an_ad(client):
    from intranet.accounts.models import OrgKind
    world = town_hall()
    factories.make_org("CA du Grand Villeneuvois", kind=OrgKind.EPCI)
    factories.make_org("CC Albret Communauté", kind=OrgKind.EPCI)
    factories.make_org("Commune d'Agen")                          # no ad: not offered
    assert services.place_choices() == [
        (db.session.scalar(select(Organisation.id).where(Organisation.name == name)), label)
        for name, label in [
            ("CA du Grand Villeneuvois", "CA du Grand Villeneuvois (intercommunalité)"),
            ("CC Albret Communauté", "CC Albret Communauté (intercommunalité)"),
            ("Commune de Layrac", "Commune de Layrac")]]
    page = text(client.get("/annonces/"))
    assert page.index("CC Albret Communauté (intercommunalité)") < page.index("Commune de Layrac")
    assert world["ad"].title in page and "Commune d&#39;Agen" not in page
