"""Erasure: the person asks (with their password), the platform admin confirms or refuses with
a reason, the person is told by mail; once erased, their content stays under a neutral label
and their name is nowhere any more."""
from sqlalchemy import func, select

from intranet.accounts.models import Membership, User
from intranet.accounts.sessions import UserSession
from intranet.core.audit import AuditEvent
from intranet.extensions import db
from intranet.mail.models import OutboxMessage
from intranet.publications.aids import alerts
from intranet.publications.aids.models import AidAlert, AlertFrequency
from intranet.privacy.models import ErasureRequest, ErasureStatus
from intranet.search import services as search

from .. import factories
from ..helpers import text
from .builders import colleagues


def _ask(client, password=factories.PASSWORD, **fields):
    return client.post("/profil/mes-donnees/effacement",
                       data={"password": password, "understood": "y"} | fields)


def _platform_admin():
    return factories.make_user(factories.make_org("Département"), platform_admin=True,
                               first_name="Paule", last_name="Admin")


def test_a_wrong_password_or_no_tick_sends_nothing_and_keeps_what_was_typed(client, login):
    world = colleagues()
    login(world["alice"])
    page = text(_ask(client, password="pas-le-bon", note="Je pars en retraite"))
    assert "Le mot de passe est incorrect" in page and "Je pars en retraite" in page
    page = text(client.post("/profil/mes-donnees/effacement",
                            data={"password": factories.PASSWORD, "note": "Je pars"}))
    assert "Cochez cette case" in page and "Je pars" in page
    assert db.session.scalar(select(func.count()).select_from(ErasureRequest)) == 0


def test_the_platform_admin_refuses_with_a_reason_and_the_person_is_told(client, login,
                                                                         new_client):
    world = colleagues()
    admin = _platform_admin()
    login(world["alice"])
    assert "Votre demande d'effacement est envoyée" in text(
        client.get(_ask(client, note="Je quitte la commune").headers["Location"]))
    told = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == admin.email))
    assert "Alix Zabrowski" in told.body_text and "/admin/effacements" in told.body_text
    assert "déjà une demande" in text(client.get(_ask(client).headers["Location"]))
    request = db.session.scalar(select(ErasureRequest))
    # Nobody else decides: the person herself, another editor of her commune.
    assert client.post(f"/admin/effacements/{request.id}/confirmer").status_code == 403
    assert new_client(world["bob"]).post(
        f"/admin/effacements/{request.id}/refuser", data={"reason": "x"}).status_code == 403
    deciding = new_client(admin)
    listing = text(deciding.get("/admin/effacements"))
    assert "Alix Zabrowski" in listing and "Je quitte la commune" in listing
    assert "Indiquez la raison du refus" in text(
        deciding.post(f"/admin/effacements/{request.id}/refuser", data={"reason": ""}))
    deciding.post(f"/admin/effacements/{request.id}/refuser",
                  data={"reason": "Vos dossiers de subvention sont en cours d'instruction."})
    assert request.status == ErasureStatus.REFUSED
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == "alix.zabrowski@brouillac.fr",
        OutboxMessage.subject == "Votre demande d'effacement"))
    assert "en cours d'instruction" in mail.body_text
    assert world["alice"].active and world["alice"].last_name == "Zabrowski"
    assert "Refusée" in text(client.get("/profil/mes-donnees"))


def test_the_person_may_withdraw_a_pending_request(client, login):
    world = colleagues()
    login(world["alice"])
    _ask(client)
    client.post("/profil/mes-donnees/effacement/annuler")
    assert db.session.scalar(select(ErasureRequest)).status == ErasureStatus.CANCELLED
    assert "Demander l'effacement" in text(client.get("/profil/mes-donnees"))


def test_after_erasure_the_content_stays_and_the_name_is_nowhere(client, login, new_client):
    world = colleagues()
    alice, bob = world["alice"], world["bob"]
    admin = _platform_admin()
    # Aid alerts asked for with her address while signed out: hers too.
    alerts.subscribe("theme=voirie", AlertFrequency.WEEKLY, email="Alix.Zabrowski@brouillac.fr")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AidAlert)) == 1
    login(alice)
    _ask(client, note="Alix Zabrowski, secrétaire, départ le 31 janvier")
    request = db.session.scalar(select(ErasureRequest))
    search.drain()
    reader = new_client(bob)
    found = text(reader.get("/recherche?q=Zabrowski"))
    assert "Alix Zabrowski" in found     # the directory entry, before
    new_client(admin).post(f"/admin/effacements/{request.id}/confirmer")
    search.drain()
    assert request.status == ErasureStatus.CONFIRMED
    # The account: anonymised, unusable, its sessions and memberships gone.
    assert alice.last_name == f"Personne supprimée n° {alice.id}" and not alice.active
    assert alice.email.endswith(".invalid") and alice.password_hash is None
    assert db.session.scalar(select(func.count()).select_from(UserSession)
                             .where(UserSession.user_id == alice.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(Membership)
                             .where(Membership.user_id == alice.id)) == 0
    assert client.get("/profil").status_code == 302      # her browser is signed out
    assert db.session.scalar(select(func.count()).select_from(AidAlert)) == 0
    # Her content stays, signed with the label; the name is in no page, search or mail.
    page = text(reader.get(f"/espaces/{world['space'].slug}/pages/{world['alice_page'].id}"))
    assert "texte-ecrit-par-alix" in page and f"Personne supprimée n° {alice.id}" in page
    pages = [f"/espaces/{world['space'].slug}/pages/{world['alice_page'].id}", "/",
             "/notifications/", f"/messages/{world['conversation'].id}", "/messages/",
             "/recherche?q=Alix", "/recherche?q=voirie", f"/espaces/{world['space'].slug}", "/annuaire/", "/annuaire/export.csv"]
    for url in pages:
        body = reader.get(url).get_data(as_text=True)
        assert "Zabrowski" not in body and "alix.zabrowski" not in body, url
    assert "Aucun résultat" in text(reader.get("/recherche?q=Zabrowski"))
    assert "message-ecrit-par-alix" in reader.get(
        f"/messages/{world['conversation'].id}").get_data(as_text=True)
    for message in db.session.scalars(select(OutboxMessage)):
        assert "Zabrowski" not in message.body_text + message.subject + (message.reply_to or "")
    assert request.note == f"Personne supprimée n° {alice.id}, secrétaire, départ le 31 janvier"
    done = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.erased"))
    assert done.target == f"compte n° {alice.id}" and done.actor_id == admin.id
    assert not db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.actor_id == alice.id, AuditEvent.action.like("login.%")))
    # Told at the address she had, and it is the last mail she gets.
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.subject == "Votre compte a été effacé")) == 1
    assert db.session.scalar(select(User).where(User.last_name == "Zabrowski")) is None
