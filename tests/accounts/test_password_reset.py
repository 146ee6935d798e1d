import re
from datetime import timedelta

import pytest

from intranet.mail.models import OutboxMessage

from .. import factories
from ..helpers import text


def _link(recipient: str) -> str:
    message = OutboxMessage.query.filter_by(recipient=recipient).order_by(OutboxMessage.id.desc()).first()
    assert message is not None, "no mail queued"
    return re.search(r"http://territoires\.test(/\S+)", message.body_text).group(1)


def test_forgotten_password_mails_a_link_that_works_once(client):
    user = factories.make_user(email="secretaire@agme.fr")
    response = client.post("/mot-de-passe-oublie", data={"email": "Secretaire@agme.fr"},
                           follow_redirects=True)
    assert "un lien pour choisir un nouveau mot de passe vient d'y être envoyé" in \
        text(response)
    link = _link(user.email)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "une phrase assez longue",
                                       "confirm": "une phrase assez longue"})
    assert response.status_code == 302
    assert client.post("/connexion", data={"email": user.email,
                                           "password": "une phrase assez longue"}).status_code == 302
    client.post("/deconnexion")
    # single use
    again = client.post(link, data={"password": "encore une autre phrase",
                                    "confirm": "encore une autre phrase"})
    assert again.status_code == 400
    assert "Ce lien a déjà servi" in text(again)


def test_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = client.post("/mot-de-passe-oublie", data={"email": "inconnu@exemple.fr"},
                           follow_redirects=True)
    assert "Si cette adresse correspond à un compte actif" in text(response)
    assert OutboxMessage.query.count() == 0


def test_expired_link_is_refused(app, client):
    user = factories.make_user()
    client.post("/mot-de-passe-oublie", data={"email": user.email})
    link = _link(user.email)
    app.config["PASSWORD_RESET_MAX_AGE"] = timedelta(seconds=-1)
    try:
        response = client.get(link)
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = timedelta(hours=1)
    assert response.status_code == 400
    assert "Ce lien a expiré" in text(response)


def test_tampered_link_is_refused(client):
    response = client.get("/mot-de-passe/abc.def.ghi")
    assert response.status_code == 400
    assert "Ce lien n'est pas valide" in text(response)


def test_a_newer_link_invalidates_nothing_but_a_password_change_invalidates_all(client):
    user = factories.make_user()
    client.post("/mot-de-passe-oublie", data={"email": user.email})
    first = _link(user.email)
    client.post("/mot-de-passe-oublie", data={"email": user.email})
    second = _link(user.email)
    client.post(second, data={"password": "une phrase assez longue",
                              "confirm": "une phrase assez longue"})
    assert "Ce lien a déjà servi" in text(client.get(first))


@pytest.mark.parametrize(("password", "confirm", "message"), [
    ("court", "court", "au moins 12 caractères"),
    ("une phrase assez longue", "une autre phrase", "Les deux mots de passe sont différents."),
])
def test_weak_or_mismatched_password_is_explained_and_the_link_still_works(client, password,
                                                                         confirm, message):
    user = factories.make_user()
    client.post("/mot-de-passe-oublie", data={"email": user.email})
    link = _link(user.email)
    response = client.post(link, data={"password": password, "confirm": confirm})
    assert response.status_code == 200
    assert message in text(response)
    assert client.get(link).status_code == 200


def test_change_password_needs_the_current_one(client, login):
    user = factories.make_user()
    login(user)
    response = client.post("/profil/mot-de-passe", data={
        "current": "faux", "password": "nouvelle phrase longue", "confirm": "nouvelle phrase longue"})
    assert "Le mot de passe actuel est incorrect." in text(response)
    response = client.post("/profil/mot-de-passe", data={
        "current": factories.PASSWORD, "password": "nouvelle phrase longue",
        "confirm": "nouvelle phrase longue"})
    assert response.status_code == 302
    client.post("/deconnexion")
    assert client.post("/connexion", data={"email": user.email,
                                           "password": "nouvelle phrase longue"}).status_code == 302
