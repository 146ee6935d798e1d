"""Server-side sessions: an old copy of the session or « remember me » cookie signs nobody in
after sign-out, « sign out everywhere », a password change or reset, or a deactivation; the
session is renewed at sign-in (an earlier CSRF token is refused); idle and absolute timeouts;
« Mes sessions »; secure cookie names over HTTPS."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from intranet import create_app
from intranet.accounts import tokens
from intranet.accounts.sessions import UserSession
from intranet.core.audit import AuditEvent
from intranet.core.timeutil import utcnow
from intranet.extensions import db

from .. import factories
from ..helpers import count_queries, text

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


def _sign_in(client, user, remember=False, **kwargs):
    data = {"email": user.email, "password": factories.PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/connexion", data=data, **kwargs)
    assert response.status_code == 302, "sign-in failed"
    return response


def _cookies(client) -> dict[str, str]:
    return {name: client.get_cookie(name).value for name in ("session", "remember_token")
            if client.get_cookie(name) is not None}


def _replay(new_client, cookies: dict[str, str]):
    """A fresh browser holding copies of these cookies."""
    other = new_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def _signed_in(client) -> bool:
    return client.get("/profil").status_code == 200


def _live(user) -> int:
    return db.session.scalar(select(func.count()).select_from(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)))


def test_session_cookie_copied_before_sign_out_no_longer_works(client, new_client):
    user = factories.make_user()
    _sign_in(client, user)
    copied = _cookies(client)
    assert _signed_in(_replay(new_client, copied))      # the copy works while the session lives
    client.post("/deconnexion")
    assert not _signed_in(_replay(new_client, copied))
    assert _live(user) == 0


def test_remember_cookie_is_tied_to_the_session_and_dies_at_sign_out(client, new_client):
    user = factories.make_user()
    _sign_in(client, user, remember=True)
    remember = {"remember_token": _cookies(client)["remember_token"]}
    assert len(remember["remember_token"].split("|")[0]) >= 40   # a random key, not the id
    assert _signed_in(_replay(new_client, remember))     # alone, it signs in
    client.post("/deconnexion")
    assert not _signed_in(_replay(new_client, remember))


def test_password_change_ends_the_other_sessions_and_renews_this_one(client, new_client):
    user = factories.make_user()
    _sign_in(client, user, remember=True)
    before = _cookies(client)
    other = new_client(user)
    response = client.post("/profil/mot-de-passe", data={
        "current": factories.PASSWORD, "password": "une toute nouvelle phrase",
        "confirm": "une toute nouvelle phrase"})
    assert response.status_code == 302
    assert _signed_in(client)                            # this browser stays signed in
    assert not _signed_in(other)                         # the others are signed out
    assert not _signed_in(_replay(new_client, before))   # and this one's old cookies are dead
    assert not _signed_in(_replay(new_client, {"remember_token": before["remember_token"]}))
    assert _signed_in(_replay(new_client, _cookies(client)))


def test_password_reset_ends_every_session_remember_cookie_included(client, new_client):
    user = factories.make_user()
    _sign_in(client, user, remember=True)
    copied = _cookies(client)
    token = tokens.make(user, "reset")
    new_client().post(f"/mot-de-passe/{token}", data={"password": "une phrase assez longue",
                                                       "confirm": "une phrase assez longue"})
    assert not _signed_in(client)
    assert not _signed_in(_replay(new_client, copied))
    assert not _signed_in(_replay(new_client, {"remember_token": copied["remember_token"]}))


def test_deactivation_ends_every_session(client, new_client):
    admin = factories.make_user(platform_admin=True)
    user = factories.make_user()
    _sign_in(client, user, remember=True)
    copied = _cookies(client)
    assert new_client(admin).post(f"/admin/utilisateurs/{user.id}/etat").status_code == 302
    assert not _signed_in(client)
    assert not _signed_in(_replay(new_client, copied))
    assert _live(user) == 0


def test_sign_out_everywhere_else_keeps_only_this_session(client, new_client):
    user = factories.make_user()
    _sign_in(client, user)
    phone, laptop = new_client(user), new_client(user)
    response = client.post("/profil/sessions/ailleurs", follow_redirects=True)
    assert "déconnecté(e) de vos 2 autres sessions" in text(response)
    assert _signed_in(client)
    assert not _signed_in(phone) and not _signed_in(laptop)
    assert db.session.scalar(select(AuditEvent.detail).where(
        AuditEvent.action == "sessions.ended_elsewhere")) == "2 session(s) fermée(s)"


def test_my_sessions_lists_devices_and_ends_one(client, new_client):
    user = factories.make_user()
    _sign_in(client, user, headers={"User-Agent": FIREFOX})
    other = new_client(user)
    page = text(client.get("/profil/sessions"))
    assert "Mes sessions" in page and "Firefox sur Windows" in page
    assert page.count("(cette session)") == 1
    theirs = db.session.scalars(select(UserSession)
                                .where(UserSession.user_agent != "Firefox sur Windows")).one()
    assert client.post(f"/profil/sessions/{theirs.id}/fermer").status_code == 302
    assert not _signed_in(other) and _signed_in(client)


def test_nobody_ends_someone_elses_session(client, new_client):
    owner, stranger = factories.make_user(), factories.make_user()
    _sign_in(client, owner)
    record = db.session.scalars(select(UserSession)).one()
    assert new_client(stranger).post(f"/profil/sessions/{record.id}/fermer").status_code == 404
    assert _signed_in(client)


def test_idle_and_absolute_timeouts(client, app):
    user = factories.make_user()
    _sign_in(client, user)
    record = db.session.scalars(select(UserSession)).one()
    record.last_seen_at = utcnow() - app.config["SESSION_IDLE_TIMEOUT"] + timedelta(minutes=5)
    db.session.commit()
    assert _signed_in(client)                       # still within the idle timeout: touched
    db.session.refresh(record)
    assert utcnow() - record.last_seen_at < timedelta(minutes=1)
    record.last_seen_at = utcnow() - app.config["SESSION_IDLE_TIMEOUT"]
    db.session.commit()
    assert not _signed_in(client)                   # idle too long

    _sign_in(client, user)
    record = db.session.scalars(select(UserSession).where(UserSession.ended_at.is_(None))
                                .order_by(UserSession.id.desc())).first()
    record.created_at = utcnow() - app.config["SESSION_ABSOLUTE_TIMEOUT"]
    db.session.commit()
    assert not _signed_in(client)                   # active all along, but opened too long ago


def test_last_activity_is_written_at_most_once_a_minute(client):
    user = factories.make_user()
    _sign_in(client, user)
    # The page costs what it did: the one query of the user loader, no write.
    writes = count_queries(client, "/profil")
    client.get("/profil")
    assert count_queries(client, "/profil") == writes


def test_a_remembered_session_outlives_the_idle_timeout(client, new_client, app):
    user = factories.make_user()
    _sign_in(client, user, remember=True)
    record = db.session.scalars(select(UserSession)).one()
    record.last_seen_at = utcnow() - app.config["SESSION_IDLE_TIMEOUT"] - timedelta(hours=1)
    db.session.commit()
    assert _signed_in(client)
    record.created_at = utcnow() - app.config["REMEMBER_COOKIE_DURATION"]
    db.session.commit()
    assert not _signed_in(client)


@pytest.fixture
def csrf_client(test_config):
    web = create_app(dict(test_config, WTF_CSRF_ENABLED=True))
    yield web.test_client()
    with web.app_context():
        db.engine.dispose()


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_a_csrf_token_from_before_sign_in_is_refused_after_it(csrf_client):
    user = factories.make_user()
    before = _token(text(csrf_client.get("/connexion")))
    assert csrf_client.post("/connexion", data={"email": user.email, "csrf_token": before,
                                                "password": factories.PASSWORD}).status_code == 302
    assert csrf_client.post("/deconnexion", data={"csrf_token": before}).status_code == 400
    after = _token(text(csrf_client.get("/profil")))
    assert after != before
    assert csrf_client.post("/deconnexion", data={"csrf_token": after}).status_code == 302


@pytest.fixture
def https_client(test_config):
    web = create_app(dict(test_config, SECURE_COOKIES=True))
    yield web.test_client()
    with web.app_context():
        db.engine.dispose()


def test_over_https_cookies_are_secure_host_only_and_lax(https_client):
    user = factories.make_user()
    response = https_client.post("/connexion", base_url="https://localhost",
                                 data={"email": user.email, "password": factories.PASSWORD,
                                       "remember": "y"})
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert set(cookies) == {"__Host-session", "__Host-remember_token"}
    for header in cookies.values():
        assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
        assert "Path=/" in header and "Domain" not in header


def test_pages_do_not_sign_the_session_cookie_again(client):
    """The cookie is signed at sign-in and expires with the session's absolute limit; reading
    a page sends no new cookie (re-signing it on every page cost about 6 % of each page)."""
    user = factories.make_user()
    _sign_in(client, user)
    client.get("/profil")
    answer = client.get("/profil")
    assert answer.status_code == 200
    assert not answer.headers.getlist("Set-Cookie")
