from datetime import timedelta

from sqlalchemy import func, select

from intranet.accounts import tokens
from intranet.core.types import Role
from intranet.core.audit import AuditEvent
from intranet.core.timeutil import utcnow
from intranet.extensions import db

from .. import factories
from ..helpers import text


def _login(client, email, password, **kwargs):
    return client.post("/connexion", data={"email": email, "password": password}, **kwargs)


def _events(action):
    return db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == action))


def test_sign_in_reaches_the_dashboard_and_is_audited(client):
    user = factories.make_user(factories.make_org("Agen"), Role.MEMBER, first_name="Camille")
    response = _login(client, user.email.upper(), factories.PASSWORD, follow_redirects=True)
    page = text(response)
    assert "Bonjour Camille" in page
    assert "Agen" in page  # her organisation, in the header and the dashboard
    assert _events("login.success") == 1


def test_wrong_password_says_so_in_french_and_is_audited(client):
    user = factories.make_user()
    response = _login(client, user.email, "pas le bon")
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in text(response)
    assert _events("login.failure") == 1
    assert client.get("/profil").status_code == 302  # still signed out


def test_unknown_address_gets_the_same_message(client):
    response = _login(client, "personne@nulle-part.fr", "peu importe")
    assert "Adresse électronique ou mot de passe incorrect." in text(response)


def test_deactivated_account_cannot_sign_in(client):
    user = factories.make_user(active=False)
    response = _login(client, user.email, factories.PASSWORD)
    assert "Ce compte est désactivé" in text(response)
    assert client.get("/profil").status_code == 302


def test_account_is_throttled_after_five_failures_even_with_the_right_password(client):
    user = factories.make_user()
    for _ in range(5):
        _login(client, user.email, "mauvais")
    response = _login(client, user.email, factories.PASSWORD)
    assert "Trop de tentatives" in text(response)
    assert _events("login.throttled") == 1
    assert client.get("/profil").status_code == 302


def test_throttle_window_and_lock_pass(client):
    user = factories.make_user()
    for _ in range(5):
        _login(client, user.email, "mauvais")
    old = utcnow() - timedelta(minutes=16)
    for event in db.session.scalars(select(AuditEvent)):
        event.created_at = old
    user.locked_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert _login(client, user.email, factories.PASSWORD).status_code == 302


def test_success_resets_the_account_counter(client):
    user = factories.make_user()
    for _ in range(4):
        _login(client, user.email, "mauvais")
    assert _login(client, user.email, factories.PASSWORD).status_code == 302
    client.post("/deconnexion")
    for _ in range(4):
        _login(client, user.email, "mauvais")
    assert _login(client, user.email, factories.PASSWORD).status_code == 302


def test_one_address_trying_many_accounts_is_throttled(app, client):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    for attempt in range(limit):  # password spraying: one try per address
        _login(client, f"agent{attempt}@exemple.fr", "mauvais")
    other = factories.make_user()
    response = _login(client, other.email, factories.PASSWORD)
    assert "Trop de tentatives" in text(response)
    # the same account from another address is not locked out
    response = _login(client, other.email, factories.PASSWORD,
                      environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 302


def test_login_redirects_only_to_local_pages(client):
    user = factories.make_user()
    response = client.post("/connexion?next=https://exemple.com/piege",
                           data={"email": user.email, "password": factories.PASSWORD})
    assert response.headers["Location"] == "/"
    client.post("/deconnexion")
    response = client.post("/connexion?next=/profil",
                           data={"email": user.email, "password": factories.PASSWORD})
    assert response.headers["Location"] == "/profil"


def test_sign_out_ends_the_session(client, login):
    login(factories.make_user())
    assert client.get("/profil").status_code == 200
    client.post("/deconnexion")
    assert client.get("/profil").status_code == 302
    assert _events("logout") == 1


def test_deactivating_signs_the_person_out_at_their_next_request(client, login):
    user = factories.make_user()
    login(user)
    user.active = False
    db.session.commit()
    assert client.get("/profil").status_code == 302


def test_the_session_cookie_expires(app, client):
    user = factories.make_user()
    response = _login(client, user.email, factories.PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "Expires=" in cookie and "HttpOnly" in cookie


def test_a_password_reset_lifts_the_account_block(client):

    user = factories.make_user()
    for _ in range(5):
        _login(client, user.email, "mauvais")
    assert "Trop de tentatives" in text(_login(client, user.email, factories.PASSWORD))
    with client.application.test_request_context():
        token = tokens.make(user, "reset")
    client.post(f"/mot-de-passe/{token}", data={"password": "une phrase assez longue",
                                                "confirm": "une phrase assez longue"})
    assert _login(client, user.email, "une phrase assez longue").status_code == 302
