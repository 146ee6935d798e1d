import re

from intranet.accounts import services
from intranet.accounts.models import User
from intranet.core.types import Role
from intranet.mail.models import OutboxMessage

from .. import factories
from ..helpers import text


def test_invited_person_chooses_a_password_and_lands_in_her_organisation(client):
    org = factories.make_org("Agnac")
    admin = factories.make_user(org, Role.ADMIN)
    user = services.invite(org, email="nouvelle@agnac.fr", first_name="Lucie", last_name="Roux",
                           role=Role.EDITOR, by=admin)
    assert user.memberships[0].role == Role.EDITOR  # effective before she even signs in
    message = OutboxMessage.query.filter_by(recipient="nouvelle@agnac.fr").one()
    assert "Agnac" in message.subject
    link = re.search(r"http://territoires\.test(/invitation/\S+)", message.body_text).group(1)
    page = text(client.get(link))
    assert "Bienvenue, Lucie Roux" in page
    client.post(link, data={"password": "ma phrase secrète", "confirm": "ma phrase secrète"})
    response = client.post("/connexion", data={"email": "nouvelle@agnac.fr",
                                               "password": "ma phrase secrète"},
                           follow_redirects=True)
    assert "Bonjour Lucie" in text(response)
    again = client.get(link)
    assert again.status_code == 400


def test_invitation_to_an_existing_address_says_so_and_creates_nothing(client, login):
    org = factories.make_org("Agnac")
    admin = factories.make_user(org, Role.ADMIN)
    factories.make_user(factories.make_org("Agmé"), email="deja@exemple.fr")
    login(admin)
    response = client.post(f"/admin/organisations/{org.slug}/membres/inviter",
                           data={"email": "Deja@exemple.fr", "last_name": "Dupont", "role": "member"},
                           follow_redirects=True)
    assert "deja@exemple.fr a déjà un compte" in text(response)
    assert User.query.count() == 2
    assert OutboxMessage.query.count() == 0


def test_invitation_with_a_malformed_address_is_refused(client, login):
    org = factories.make_org()
    login(factories.make_user(org, Role.ADMIN))
    response = client.post(f"/admin/organisations/{org.slug}/membres/inviter",
                           data={"email": "pas-une-adresse", "last_name": "X", "role": "member"},
                           follow_redirects=True)
    assert "n'est pas une adresse électronique valide" in text(response)
    assert OutboxMessage.query.count() == 0


def test_resent_invitation_replaces_the_previous_link(client):
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    user = services.invite(org, email="a@exemple.fr", first_name="", last_name="A",
                           role=Role.MEMBER, by=admin)
    services.resend_invitation(user, org, by=admin)
    first, second = [re.search(r"(/invitation/\S+)", m.body_text).group(1)
                     for m in OutboxMessage.query.order_by(OutboxMessage.id)]
    assert client.get(first).status_code == 400
    assert client.get(second).status_code == 200
