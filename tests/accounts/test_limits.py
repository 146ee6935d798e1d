"""Throttling: request limits per address and per account (a French 429 page), and the lock of
an account after repeated failures (mailed to its owner, audited, lifted by an admin or a
password reset)."""
import pytest
from sqlalchemy import select

from intranet.accounts import tokens
from intranet.core import limits
from intranet.core.audit import AuditEvent
from intranet.extensions import db
from intranet.mail.models import OutboxMessage

from .. import factories
from ..helpers import text


@pytest.fixture
def limited(app, monkeypatch):
    """Limits on (the suite runs without them), with fresh counters and small values."""
    limits.reset()
    monkeypatch.setitem(app.config, "LIMITS_ENABLED", True)
    monkeypatch.setitem(app.config, "RATE_LIMITS", dict(app.config["RATE_LIMITS"]))
    yield app.config["RATE_LIMITS"]
    limits.reset()


def _login(client, email, password="pas le bon", ip="198.51.100.1"):
    return client.post("/connexion", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def test_too_many_sign_ins_from_one_address_get_a_french_429(client, limited):
    limited["sign-in"] = "3 per minute"
    for n in range(3):
        assert _login(client, f"agent{n}@exemple.fr").status_code == 200
    response = _login(client, "agent9@exemple.fr")
    assert response.status_code == 429
    assert "Trop de tentatives" in text(response)
    assert _login(client, "agent9@exemple.fr", ip="198.51.100.2").status_code == 200
    assert client.get("/connexion", environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 200


def test_one_account_tried_from_many_addresses_is_limited(client, limited):
    limited["sign-in:account"] = "2 per minute"
    user = factories.make_user()
    assert _login(client, user.email, ip="198.51.100.1").status_code == 200
    assert _login(client, user.email.upper(), ip="198.51.100.2").status_code == 200
    assert _login(client, user.email, factories.PASSWORD, ip="198.51.100.3").status_code == 429
    assert _login(client, "autre@exemple.fr", ip="198.51.100.3").status_code == 200


def test_password_reset_requests_are_limited_per_account(client, limited):
    limited["password-reset:account"] = "1 per minute"
    user = factories.make_user()
    assert client.post("/mot-de-passe-oublie", data={"email": user.email}).status_code == 302
    assert client.post("/mot-de-passe-oublie", data={"email": user.email}).status_code == 429
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


def test_messages_sent_are_limited_per_person(client, new_client, limited):
    limited["messaging:account"] = "1 per minute"
    writer = new_client(factories.make_user())
    writer.post("/messages/nouveau", data={})
    assert writer.post("/messages/nouveau", data={}).status_code == 429
    assert writer.get("/messages/nouveau").status_code == 200   # only sending counts


def test_limits_are_named_for_the_other_sign_in_steps(app):
    for name in limits.NAMES:
        assert name in app.config["RATE_LIMITS"] or f"{name}:account" in app.config["RATE_LIMITS"]


def test_repeated_failures_lock_the_account_mail_its_owner_and_are_audited(client, app):
    user = factories.make_user(first_name="Camille")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        _login(client, user.email)
    db.session.refresh(user)
    assert user.locked_until is not None
    mail = db.session.scalars(select(OutboxMessage)).one()
    assert mail.recipient == user.email and "bloqué" in mail.subject
    assert "5 fois de suite" in mail.body_text and "/mot-de-passe-oublie" in mail.body_text
    assert db.session.scalar(select(AuditEvent.target).where(
        AuditEvent.action == "account.locked")) == user.email
    # locked: even the right password, from another address, is refused
    response = _login(client, user.email, factories.PASSWORD, ip="192.0.2.50")
    assert "Trop de tentatives" in text(response)


def test_an_admin_unlocks_the_account(client, new_client, app):
    user = factories.make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        _login(client, user.email)
    admin = new_client(factories.make_user(platform_admin=True))
    page = text(admin.get(f"/admin/utilisateurs/{user.id}"))
    assert "Débloquer la connexion" in page
    assert admin.post(f"/admin/utilisateurs/{user.id}/debloquer").status_code == 302
    assert db.session.scalar(select(AuditEvent.target).where(
        AuditEvent.action == "account.unlocked")) == user.email
    assert _login(client, user.email, factories.PASSWORD).status_code == 302


def test_a_password_reset_unlocks_the_account(client, app):
    user = factories.make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        _login(client, user.email)
    token = tokens.make(user, "reset")
    client.post(f"/mot-de-passe/{token}", data={"password": "une phrase assez longue",
                                                "confirm": "une phrase assez longue"})
    db.session.refresh(user)
    assert user.locked_until is None
    assert _login(client, user.email, "une phrase assez longue").status_code == 302


def test_an_unknown_address_answers_like_a_locked_account(client, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        _login(client, "personne@nulle-part.fr")
    user = factories.make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        _login(client, user.email, ip="198.51.100.9")
    unknown = text(_login(client, "personne@nulle-part.fr", ip="198.51.100.10"))
    locked = text(_login(client, user.email, ip="198.51.100.10"))
    assert "Trop de tentatives" in unknown and "Trop de tentatives" in locked


def test_second_factor_codes_are_limited_per_pending_account(client, limited):
    """Wrong codes cost a password each five (MFA_MAX_FAILURES); across passwords, the
    account's pending sign-ins are counted too, from any address."""
    from intranet.accounts.mfa import services as mfa
    from intranet.core.types import Role

    from ..helpers import TEST_TOTP_SECRET
    limited["second-factor:account"] = "3 per minute"
    admin = factories.make_user(factories.make_org(), Role.ADMIN)
    mfa.set_totp_secret(admin, TEST_TOTP_SECRET)
    answers = []
    for n in range(2):
        address = f"198.51.100.{10 + n}"
        step = _login(client, admin.email, factories.PASSWORD, ip=address)
        assert step.headers["Location"] == "/connexion/second-facteur"
        for _ in range(2):
            answers.append(client.post("/connexion/second-facteur", data={"code": "000000"},
                                       environ_base={"REMOTE_ADDR": address}).status_code)
    assert answers[:3] == [302, 302, 302] and answers[3] == 429
