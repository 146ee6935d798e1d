"""Password rules (length, common passwords, the person's own name), Argon2id with re-hashing of
older hashes at sign-in, and a failed sign-in that costs the same for unknown addresses."""
import time

import pytest
from argon2 import PasswordHasher
from flask import current_app
from werkzeug.security import generate_password_hash

from intranet.accounts import passwords, services
from intranet.core.types import Role
from intranet.extensions import db

from .. import factories


@pytest.fixture
def argon2(app, data_app, monkeypatch):
    """Argon2id as in production, with small costs (the suite's accounts use cheap PBKDF2)."""
    for flask_app in (app, data_app):
        monkeypatch.setitem(flask_app.config, "PASSWORD_HASH_METHOD", "argon2id")
        monkeypatch.setitem(flask_app.config, "PASSWORD_ARGON2_MEMORY_KIB", 64)
        monkeypatch.setitem(flask_app.config, "PASSWORD_ARGON2_TIME_COST", 1)


def _refused(password, user=None, **kwargs) -> str:
    with pytest.raises(passwords.WeakPassword) as refused:
        passwords.check(password, user, **kwargs)
    return str(refused.value)


@pytest.mark.parametrize("password", ["aaaaaaaaaaaaaaaa", "password1234", "motdepasse123",
                                      "Azertyuiop123", "jetaime123456", "123456789012",
                                      "MARSEILLE2024", "territoires47", "soleil2026!!",
                                      "abababababababab"])
def test_common_passwords_are_refused(password):
    assert "trop courant" in _refused(password)


def test_length_rules_12_for_people_16_for_admins_up_to_128():
    assert "au moins 12 caractères (il en compte 11)" in _refused("une phrase!")
    passwords.check("une phrase ok")
    assert "au moins 16" in _refused("une phrase moin", admin=True)
    passwords.check("seize caractères", admin=True)
    passwords.check("x" * 60 + "y" * 60 + "z" * 8)          # 128 characters
    assert "dépasser 128" in _refused("v" * 129 + "w")


def test_no_composition_rules():
    passwords.check("le chat dort sur la commode")


def test_admins_of_an_organisation_and_of_the_platform_need_16():
    org = factories.make_org("Nérac")
    member, admin = factories.make_user(org, Role.MEMBER), factories.make_user(org, Role.ADMIN)
    platform = factories.make_user(platform_admin=True)
    assert passwords.minimum_length(member) == 12
    assert passwords.minimum_length(admin) == passwords.minimum_length(platform) == 16


def test_the_persons_name_and_address_are_refused():
    user = factories.make_user(email="jean-loup.dupont@nerac.fr", first_name="Jean-Loup",
                               last_name="Dupont")
    for password in ("Dupont des champs 47", "mon prénom est jeanloup",
                     "jean-loup.dupont@nerac.fr", "ici c'est dupont!"):
        assert "ni votre nom" in _refused(password, user)
    passwords.check("une phrase sans rapport", user)


def test_service_messages_are_french_and_say_what_to_do():
    user = factories.make_user()
    with pytest.raises(services.AccountError, match="Choisissez-en un autre"):
        services.set_password(user, "motdepasse2024")


def test_hashes_are_argon2id_with_owasp_parameters_by_default():
    config = current_app.config
    hasher = PasswordHasher(time_cost=config["PASSWORD_ARGON2_TIME_COST"],
                            memory_cost=config["PASSWORD_ARGON2_MEMORY_KIB"],
                            parallelism=config["PASSWORD_ARGON2_PARALLELISM"])
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (2, 19 * 1024, 1)
    from intranet import config as defaults
    assert defaults.PASSWORD_HASH_METHOD == "argon2id"


def test_older_hashes_are_replaced_by_argon2id_at_the_next_sign_in(argon2, client):
    user = factories.make_user(password=None)
    user.password_hash = generate_password_hash(factories.PASSWORD, method="scrypt")
    db.session.commit()
    assert client.post("/connexion", data={"email": user.email,
                                           "password": factories.PASSWORD}).status_code == 302
    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2id$")
    assert passwords.verify(user.password_hash, factories.PASSWORD)
    client.post("/deconnexion")
    assert client.post("/connexion", data={"email": user.email,
                                           "password": factories.PASSWORD}).status_code == 302


def test_argon2_hashes_with_other_costs_are_replaced_too(argon2):
    old = PasswordHasher(time_cost=1, memory_cost=32, parallelism=1).hash("une phrase assez longue")
    assert passwords.verify(old, "une phrase assez longue")
    assert passwords.needs_rehash(old)
    assert not passwords.needs_rehash(passwords.hash_password("une phrase assez longue"))


def test_a_wrong_password_never_verifies(argon2):
    stored = passwords.hash_password("une phrase assez longue")
    assert not passwords.verify(stored, "une autre phrase")
    assert not passwords.verify(None, "une autre phrase")
    assert not passwords.verify("pas-un-hash", "une autre phrase")


def test_an_unknown_address_costs_a_password_check_too(client, monkeypatch):
    checked = []
    real = passwords.verify_unknown
    monkeypatch.setattr(passwords, "verify_unknown", lambda pw: checked.append(pw) or real(pw))
    client.post("/connexion", data={"email": "personne@nulle-part.fr", "password": "au hasard"})
    assert checked == ["au hasard"]


def test_failed_sign_in_takes_as_long_for_an_unknown_address(client, app, data_app, monkeypatch):
    """With production's costs, the quickest of four tries each: within a factor of three (it
    was eleven) — a loose bound, as the suite runs on busy machines."""
    for flask_app in (app, data_app):
        monkeypatch.setitem(flask_app.config, "PASSWORD_HASH_METHOD", "argon2id")
    user = factories.make_user()
    user.password_hash = passwords.hash_password(factories.PASSWORD)
    db.session.commit()

    def timed(email):
        started = time.perf_counter()
        client.post("/connexion", data={"email": email, "password": "pas le bon"})
        return time.perf_counter() - started
    known, unknown = [], []
    for _ in range(4):   # interleaved, so that both see the same load on a busy machine
        known.append(timed(user.email))
        unknown.append(timed("inconnu@exemple.fr"))
    ratio = min(unknown) / min(known)
    print(f"known {known}, unknown {unknown}, ratio {ratio:.2f}")
    # Before: about 100 ms against 9 ms (a factor of 11).
    assert 1 / 3 < ratio < 3, (known, unknown)
