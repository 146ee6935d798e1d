"""The extranet: where a request comes from decides whether a password is enough; admins
always add a second factor (an app's code, a recovery code, a trusted browser)."""
import pyotp
import pytest
from sqlalchemy import func, select

from intranet import create_app
from intranet.accounts.mfa import services as mfa
from intranet.accounts.mfa.models import TotpDevice
from intranet.core.audit import AuditEvent
from intranet.core.types import Role
from intranet.extensions import db
from intranet.mail.models import OutboxMessage

from .. import factories
from ..conftest import Client
from ..helpers import TEST_TOTP_SECRET, second_factor_code, text

OUTSIDE = {"REMOTE_ADDR": "203.0.113.5"}
STEP = "/connexion/second-facteur"


@pytest.fixture
def outside(app):
    """A client from outside the trusted networks."""
    app.test_client_class = Client
    made = app.test_client()
    made.environ_base.update(OUTSIDE)
    return made


def _password(client, user, **kwargs):
    return client.post("/connexion", data={"email": user.email, "password": factories.PASSWORD},
                       **kwargs)


def _signed_in(client) -> bool:
    return client.get("/profil").status_code == 200


def _events(action):
    return db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == action))


def _with_app(user):
    mfa.set_totp_secret(user, TEST_TOTP_SECRET)
    return pyotp.TOTP(TEST_TOTP_SECRET)


def test_a_member_needs_the_second_factor_from_outside_only(client, outside):
    member = factories.make_user(factories.make_org(), Role.MEMBER)
    assert "Vous êtes sur le réseau de confiance" in text(client.get("/connexion"))
    assert _password(client, member).headers["Location"] == "/"
    assert _signed_in(client)

    assert "depuis l'extérieur : un second facteur" in text(outside.get("/connexion"))
    response = _password(outside, member)
    assert response.headers["Location"] == f"{STEP}/activer"   # none enrolled: enrol first
    assert not _signed_in(outside)                               # nothing opened yet
    totp = _with_app(member)
    assert outside.get(STEP).status_code == 200
    response = outside.post(STEP, data={"code": totp.now()})
    assert response.headers["Location"] == "/" and _signed_in(outside)
    assert _events("mfa.success") == 1


@pytest.mark.parametrize("admin", ["organisation", "platform"])
def test_an_admin_needs_it_from_the_trusted_network_too(client, outside, admin):
    person = factories.make_user(factories.make_org(), Role.ADMIN) if admin == "organisation" \
        else factories.make_user(platform_admin=True)
    for visitor in (client, outside):
        assert _password(visitor, person).headers["Location"].startswith(STEP)
        assert not _signed_in(visitor)


def test_enrolling_at_sign_in_confirms_the_app_and_shows_ten_recovery_codes(client):
    admin = factories.make_user(factories.make_org(), Role.ADMIN)
    _password(client, admin)
    page = text(client.get(f"{STEP}/activer"))
    assert "<svg" in page and "Code QR" in page
    secret = db.session.get(TotpDevice, admin.id).secret
    assert " ".join(secret[i:i + 4] for i in range(0, 32, 4)) in page    # typed by hand
    refused = client.post(f"{STEP}/activer", data={"code": "000000"})
    assert "ne correspond pas" in text(refused) and not _signed_in(client)
    response = client.post(f"{STEP}/activer", data={"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"] == "/profil/securite/nouveaux-codes"
    codes = text(client.get("/profil/securite/nouveaux-codes"))
    assert codes.count("<li><code>") == 10 and "ne seront plus affichés" in codes
    assert "<code>" not in text(client.get("/profil/securite/nouveaux-codes"))   # once
    assert mfa.recovery_codes_left(admin) == 10 and _events("mfa.totp_enrolled") == 1


def test_a_code_is_refused_when_replayed(new_client, app):
    admin = factories.make_user(factories.make_org(), Role.ADMIN)
    totp = _with_app(admin)
    first, second = new_client(), new_client()
    code = totp.now()
    for visitor in (first, second):
        _password(visitor, admin)
    assert first.post(STEP, data={"code": code}).headers["Location"] == "/"
    refused = second.post(STEP, data={"code": code}, follow_redirects=True)
    assert "déjà servi" in text(refused) and not _signed_in(second)
    assert _events("mfa.failure") == 1


def test_codes_one_step_off_are_accepted_for_clock_drift():
    member = factories.make_user()
    totp = _with_app(member)
    import time
    assert mfa.check_totp(member, totp.at(time.time() - 30))
    assert mfa.check_totp(member, totp.at(time.time() + 30))
    assert not mfa.check_totp(member, totp.at(time.time() - 90))


def test_recovery_codes_work_once(client, new_client):
    admin = factories.make_user(factories.make_org(), Role.ADMIN)
    _with_app(admin)
    codes = mfa.regenerate_recovery_codes(admin)
    assert len(set(codes)) == 10
    _password(client, admin)
    response = client.post(f"{STEP}/secours", data={"recovery_code": codes[3].upper()})
    assert response.headers["Location"] == "/" and _signed_in(client)
    again = new_client()
    _password(again, admin)
    again.post(f"{STEP}/secours", data={"recovery_code": codes[3]})
    assert not _signed_in(again)
    assert mfa.recovery_codes_left(admin) == 9 and _events("mfa.recovery_code_used") == 1


def test_too_many_wrong_codes_ask_for_the_password_again(client, app):
    admin = factories.make_user(factories.make_org(), Role.ADMIN)
    _with_app(admin)
    _password(client, admin)
    for _ in range(app.config["MFA_MAX_FAILURES"]):
        response = client.post(STEP, data={"code": "000000"})
    assert response.headers["Location"] == "/connexion"
    assert client.get(STEP).headers["Location"] == "/connexion"


def test_a_trusted_browser_skips_the_factor_until_it_is_revoked(client, app):
    admin = factories.make_user(factories.make_org(), Role.ADMIN)
    _password(client, admin)
    client.post(STEP, data={"code": second_factor_code(admin.id), "trust": "y"})
    assert _signed_in(client)
    cookie = client.get_cookie("territoires_navigateur")
    assert cookie is not None and cookie.http_only
    client.post("/deconnexion")
    assert _password(client, admin).headers["Location"] == "/"      # no second factor asked
    security = text(client.get("/profil/securite"))
    assert "(ce navigateur)" in security
    browser = mfa.trusted_browsers(admin)[0]
    client.post(f"/profil/securite/navigateurs/{browser.id}/retirer")
    client.post("/deconnexion")
    assert _password(client, admin).headers["Location"].startswith(STEP)
    # another person's cookie, copied, opens nothing either
    other = factories.make_user(factories.make_org(), Role.ADMIN)
    app.test_client_class = Client
    stranger = app.test_client()
    stranger.set_cookie("territoires_navigateur", cookie.value)
    assert _password(stranger, other).headers["Location"].startswith(STEP)


def test_a_reset_by_the_organisation_admin_is_audited_and_mailed(client, login):
    org = factories.make_org("Commune de Boé")
    admin = factories.make_user(org, Role.ADMIN)
    member = factories.make_user(org, Role.MEMBER)
    _with_app(member)
    mfa.regenerate_recovery_codes(member)
    membership = member.memberships[0]
    login(admin)
    page = text(client.get(f"/admin/organisations/{org.slug}/membres"))
    assert "Réinitialiser le second facteur" in page
    client.post(f"/admin/organisations/{org.slug}/membres/{membership.id}/second-facteur")
    assert not mfa.has_second_factor(member) and mfa.recovery_codes_left(member) == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mfa.reset"))
    assert (event.actor_id, event.target, event.organisation_id) == (admin.id, member.email,
                                                                     org.id)
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == member.email))
    assert "réinitialisé" in mail.subject and admin.full_name in mail.body_text


def test_another_organisation_admin_cannot_reset(client, login):
    org, other = factories.make_org(), factories.make_org()
    member = factories.make_user(org, Role.MEMBER)
    _with_app(member)
    login(factories.make_user(other, Role.ADMIN))
    response = client.post(f"/admin/organisations/{org.slug}/membres/"
                           f"{member.memberships[0].id}/second-facteur")
    assert response.status_code == 403 and mfa.has_second_factor(member)


def test_the_platform_admin_resets_from_the_user_page(client, login):
    member = factories.make_user(factories.make_org(), Role.MEMBER)
    _with_app(member)
    login(factories.make_user(platform_admin=True))
    assert "Réinitialiser le second facteur" in text(client.get(f"/admin/utilisateurs/{member.id}"))
    client.post(f"/admin/utilisateurs/{member.id}/second-facteur")
    assert not mfa.has_second_factor(member) and _events("mfa.reset") == 1


def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(client, outside):
    """PROXY_FIX_X_FOR = 0 (the default): the header says nothing, the socket's address does."""
    forged = {"X-Forwarded-For": "127.0.0.1"}
    assert "depuis l'extérieur" in text(outside.get("/connexion", headers=forged))
    member = factories.make_user(factories.make_org(), Role.MEMBER)
    assert _password(outside, member, headers=forged).headers["Location"].startswith(STEP)
    inside = {"X-Forwarded-For": "203.0.113.5"}
    assert "réseau de confiance" in text(client.get("/connexion", headers=inside))


def test_x_forwarded_for_is_read_from_one_trusted_proxy(test_config):
    behind = create_app(dict(test_config, PROXY_FIX_X_FOR=1,
                             TRUSTED_NETWORKS=["10.0.0.0/8", "2001:db8::/32"]))
    proxy = behind.test_client()
    proxy.environ_base["REMOTE_ADDR"] = "192.0.2.1"
    for address, trusted in (("10.1.2.3", True), ("2001:db8::7", True), ("203.0.113.5", False),
                             ("198.51.100.1, 10.1.2.3", True), ("10.1.2.3, 203.0.113.5", False)):
        page = text(proxy.get("/connexion", headers={"X-Forwarded-For": address}))
        assert ("Vous êtes sur le réseau de confiance" in page) is trusted, address
    with behind.app_context():
        db.engine.dispose()


def test_the_security_page_enrols_and_removes_an_app(client, login):
    member = factories.make_user(factories.make_org(), Role.MEMBER)
    login(member)
    assert "aucun second facteur" in text(client.get("/profil/securite"))
    client.post("/profil/securite/application")
    page = text(client.get("/profil/securite/application/confirmer"))
    assert "<svg" in page
    secret = db.session.get(TotpDevice, member.id).secret
    response = client.post("/profil/securite/application/confirmer",
                           data={"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"] == "/profil/securite/nouveaux-codes"
    assert "second facteur actif" in text(client.get("/profil/securite"))
    client.post("/profil/securite/application/supprimer")
    assert not mfa.has_second_factor(member)
