"""An organisation's admin runs its members: invitations, roles, removals, CSV import."""
import io
import re

import pytest
from sqlalchemy import func, select

from intranet.accounts.models import Membership, OrgKind, User
from intranet.core.types import Role
from intranet.extensions import db
from intranet.mail.models import OutboxMessage
from intranet.spaces.models import Activity

from .. import factories
from . import page_text


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _membership(user, org) -> Membership | None:
    return db.session.scalar(select(Membership).where(Membership.user_id == user.id,
                                                      Membership.organisation_id == org.id))


def _invitation_token(email: str, nth: int = -1) -> str:
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email)
                                  .order_by(OutboxMessage.id)).all()
    return re.search(r"/invitation/(\S+)", messages[nth].body_text).group(1)


@pytest.fixture
def commune():
    return factories.make_org("Sainte-Livrade-sur-Lot", OrgKind.COMMUNE)


@pytest.fixture
def mayor(commune, login):
    user = factories.make_user(commune, Role.ADMIN, first_name="Claire", last_name="Maire")
    login(user)
    return user


def _members_url(org) -> str:
    return f"/admin/organisations/{org.slug}/membres"


# --- inviting ----------------------------------------------------------------------------------


def test_admin_invites_a_new_agent_whose_account_and_membership_exist_at_once(client, commune,
                                                                               mayor):
    response = client.post(f"{_members_url(commune)}/inviter", data={
        "email": "Accueil.Mairie@Exemple.fr", "first_name": "Julie", "last_name": "Roux",
        "function": "Agent d'accueil", "role": "editor"}, follow_redirects=True)

    text = page_text(response)
    assert "Invitation envoyée à accueil.mairie@exemple.fr." in text
    assert "Julie Roux" in text and "Invitation en attente" in text
    user = db.session.scalar(select(User).where(User.email == "accueil.mairie@exemple.fr"))
    assert user is not None and not user.has_password and user.function == "Agent d'accueil"
    assert _membership(user, commune).role == Role.EDITOR

    message = db.session.scalar(select(OutboxMessage)
                                .where(OutboxMessage.recipient == user.email))
    assert "Sainte-Livrade-sur-Lot" in message.subject
    assert "Claire Maire" in message.body_text
    assert re.search(r"http://territoires\.test/invitation/\S+", message.body_text)
    assert client.get(f"/invitation/{_invitation_token(user.email)}").status_code == 200


def test_invited_agent_sets_a_password_and_finds_the_organisation_space(client, commune, mayor):
    factories.activity(factories.org_space(commune), "Conseil municipal de lundi")
    client.post(f"{_members_url(commune)}/inviter", data={
        "email": "agent@exemple.fr", "first_name": "Luc", "last_name": "Petit", "role": "member"})
    client.post("/deconnexion")

    token = _invitation_token("agent@exemple.fr")
    client.post(f"/invitation/{token}", data={"password": "un-long-secret-2024",
                                              "confirm": "un-long-secret-2024"})
    client.post("/connexion", data={"email": "agent@exemple.fr", "password": "un-long-secret-2024"})
    assert "Conseil municipal de lundi" in page_text(client.get("/"))


def test_inviting_an_address_that_already_has_an_account_says_so_and_creates_nothing(
        client, commune, mayor):
    factories.make_user(factories.make_org("Villeneuve-sur-Lot"), email="dgs@exemple.fr",
                        first_name="Anne", last_name="Sabatier")
    users, messages = _count(User), _count(OutboxMessage)

    response = client.post(f"{_members_url(commune)}/inviter", data={
        "email": "DGS@exemple.fr", "first_name": "Anne", "last_name": "Sabatier",
        "role": "member"}, follow_redirects=True)

    text = page_text(response)
    assert "dgs@exemple.fr a déjà un compte (Anne Sabatier)." in text
    assert "Ajoutez cette personne à l'organisation plutôt que de l'inviter." in text
    assert _count(User) == users and _count(OutboxMessage) == messages
    assert _count(Membership, Membership.organisation_id == commune.id) == 1


def test_inviting_someone_already_in_the_organisation_says_so(client, commune, mayor):
    factories.make_user(commune, email="deja@exemple.fr")
    response = client.post(f"{_members_url(commune)}/inviter", data={
        "email": "deja@exemple.fr", "last_name": "Déjà", "role": "member"},
        follow_redirects=True)
    assert "fait déjà partie de « Sainte-Livrade-sur-Lot »" in page_text(response)


def test_invitation_to_a_malformed_address_is_refused_in_french(client, commune, mayor):
    response = client.post(f"{_members_url(commune)}/inviter", data={
        "email": "pas-une-adresse", "last_name": "Nom", "role": "member"}, follow_redirects=True)
    assert "n'est pas une adresse électronique valide" in page_text(response)
    assert _count(User) == 1 and _count(OutboxMessage) == 0


def test_invitation_without_a_last_name_is_refused_in_french(client, commune, mayor):
    response = client.post(f"{_members_url(commune)}/inviter", data={
        "email": "sans.nom@exemple.fr", "last_name": "", "role": "member"}, follow_redirects=True)
    assert "Invitation impossible : Nom : Ce champ est obligatoire." in page_text(response)
    assert _count(User) == 1


def test_admin_resends_an_invitation_and_only_the_new_link_works(client, commune, mayor):
    client.post(f"{_members_url(commune)}/inviter", data={
        "email": "oublieux@exemple.fr", "last_name": "Oublieux", "role": "member"})
    user = db.session.scalar(select(User).where(User.email == "oublieux@exemple.fr"))
    first_link = _invitation_token(user.email)

    response = client.post(f"{_members_url(commune)}/{_membership(user, commune).id}/relancer",
                           follow_redirects=True)

    assert "Nouvelle invitation envoyée à oublieux@exemple.fr." in page_text(response)
    assert _count(OutboxMessage, OutboxMessage.recipient == user.email) == 2
    client.post("/deconnexion")
    old = client.get(f"/invitation/{first_link}")
    assert old.status_code == 400 and "Ce lien a déjà servi" in page_text(old)
    assert client.get(f"/invitation/{_invitation_token(user.email)}").status_code == 200


def test_resending_an_invitation_to_an_activated_account_is_refused(client, commune, mayor):
    active = factories.make_user(commune, first_name="Paul", last_name="Actif")
    response = client.post(f"{_members_url(commune)}/{_membership(active, commune).id}/relancer",
                           follow_redirects=True)
    assert "Paul Actif a déjà activé son compte." in page_text(response)
    assert _count(OutboxMessage) == 0


# --- existing accounts, roles, removals -------------------------------------------------------


def test_admin_adds_a_secretary_who_already_serves_another_commune(client, commune, mayor):
    other = factories.make_org("Casseneuil")
    secretary = factories.make_user(other, Role.ADMIN, email="secretaire@exemple.fr",
                                    first_name="Marie", last_name="Lenoir")
    response = client.post(f"{_members_url(commune)}/ajouter",
                           data={"email": "secretaire@exemple.fr", "role": "editor"},
                           follow_redirects=True)
    assert "Marie Lenoir fait maintenant partie de l'organisation." in page_text(response)
    assert _membership(secretary, commune).role == Role.EDITOR
    assert _membership(secretary, other).role == Role.ADMIN
    assert _count(OutboxMessage) == 0


def test_adding_an_unknown_address_points_to_the_invitation_form(client, commune, mayor):
    response = client.post(f"{_members_url(commune)}/ajouter",
                           data={"email": "personne@exemple.fr", "role": "member"},
                           follow_redirects=True)
    assert "Aucun compte n'a cette adresse : utilisez « Inviter une personne »." \
        in page_text(response)


def test_admin_changes_a_members_role(client, commune, mayor):
    agent = factories.make_user(commune, Role.MEMBER, first_name="Léa", last_name="Blanc")
    response = client.post(f"{_members_url(commune)}/{_membership(agent, commune).id}/role",
                           data={"role": "editor"}, follow_redirects=True)
    assert "Rôle de Léa Blanc : Rédacteur." in page_text(response)
    assert _membership(agent, commune).role == Role.EDITOR


def test_last_admin_cannot_step_down(client, commune, mayor):
    response = client.post(f"{_members_url(commune)}/{_membership(mayor, commune).id}/role",
                           data={"role": "member"}, follow_redirects=True)
    assert "L'organisation doit garder au moins un administrateur." in page_text(response)
    assert _membership(mayor, commune).role == Role.ADMIN


def test_last_admin_cannot_be_removed(client, commune, mayor):
    response = client.post(f"{_members_url(commune)}/{_membership(mayor, commune).id}/retirer",
                           follow_redirects=True)
    assert "L'organisation doit garder au moins un administrateur : nommez-en un autre avant " \
           "de retirer celui-ci." in page_text(response)
    assert _membership(mayor, commune) is not None


def test_deactivated_admin_does_not_count_as_the_remaining_admin(client, commune, mayor):
    factories.make_user(commune, Role.ADMIN, active=False)
    response = client.post(f"{_members_url(commune)}/{_membership(mayor, commune).id}/retirer",
                           follow_redirects=True)
    assert "L'organisation doit garder au moins un administrateur" in page_text(response)


def test_admin_removes_a_member_whose_account_and_content_are_kept(client, login, commune, mayor):
    space = factories.org_space(commune)
    agent = factories.make_user(commune, Role.EDITOR, first_name="Hugo", last_name="Départ")
    db.session.add(Activity(space=space, actor_id=agent.id, verb="test",
                            summary="Compte rendu rédigé par Hugo"))
    db.session.commit()

    response = client.post(f"{_members_url(commune)}/{_membership(agent, commune).id}/retirer",
                           follow_redirects=True)

    assert "Hugo Départ ne fait plus partie de l'organisation. Son compte et ses contenus sont " \
           "conservés." in page_text(response)
    assert _membership(agent, commune) is None
    assert db.session.get(User, agent.id).active
    item = db.session.scalar(select(Activity).where(Activity.summary.like("Compte rendu%")))
    assert item.actor_id == agent.id
    assert "Compte rendu rédigé par Hugo" in page_text(client.get(f"/espaces/{space.slug}",
                                                                  follow_redirects=True))

    client.post("/deconnexion")
    login(agent)
    assert client.get(f"/espaces/{space.slug}").status_code == 404


def test_a_second_admin_lets_the_first_one_step_down(client, commune, mayor):
    factories.make_user(commune, Role.ADMIN)
    client.post(f"{_members_url(commune)}/{_membership(mayor, commune).id}/role",
                data={"role": "member"})
    assert _membership(mayor, commune).role == Role.MEMBER
    assert client.get(_members_url(commune)).status_code == 403


# --- CSV import --------------------------------------------------------------------------------


def _upload(client, org, content: str):
    return client.post(f"{_members_url(org)}/import",
                       data={"file": (io.BytesIO(content.encode("utf-8")), "agents.csv")},
                       content_type="multipart/form-data", follow_redirects=True)


def test_csv_import_creates_accounts_and_sends_invitations(client, commune, mayor):
    response = _upload(client, commune,
                       "email;prenom;nom;role;fonction\n"
                       "compta@exemple.fr;Nadia;Ferrand;rédacteur;Comptable\n"
                       "st@exemple.fr;Bruno;Vidal;;Services techniques\n")

    assert "2 comptes créés ; chacun a reçu une invitation par courriel." in page_text(response)
    nadia = db.session.scalar(select(User).where(User.email == "compta@exemple.fr"))
    bruno = db.session.scalar(select(User).where(User.email == "st@exemple.fr"))
    assert _membership(nadia, commune).role == Role.EDITOR
    assert _membership(bruno, commune).role == Role.MEMBER
    assert nadia.function == "Comptable"
    assert _count(OutboxMessage, OutboxMessage.recipient.in_(["compta@exemple.fr",
                                                              "st@exemple.fr"])) == 2


def test_csv_import_with_a_bad_line_says_where_and_imports_nothing(client, commune, mayor):
    response = _upload(client, commune,
                       "email;prenom;nom;role\n"
                       "bon@exemple.fr;Bon;Agent;membre\n"
                       "pas-une-adresse;Mauvais;Agent;membre\n"
                       "autre@exemple.fr;Autre;Agent;chef\n")

    text = page_text(response)
    assert "rien n'a été importé" in text
    assert "ligne 3, colonne « email »" in text
    assert "ligne 4, colonne « role » : rôle « chef » inconnu" in text
    assert _count(User) == 1 and _count(OutboxMessage) == 0


def test_csv_import_refuses_an_address_that_already_has_an_account(client, commune, mayor):
    factories.make_user(email="existe@exemple.fr")
    response = _upload(client, commune, "email;prenom;nom\nexiste@exemple.fr;Déjà;Là\n")
    assert "ligne 2, colonne « email » : existe@exemple.fr a déjà un compte." \
        in page_text(response)
    assert _count(OutboxMessage) == 0


# --- who may open these pages ------------------------------------------------------------------


def test_admin_of_one_commune_is_refused_the_member_pages_of_another(client, commune, mayor):
    other = factories.make_org("Fumel")
    stranger = factories.make_user(other, Role.MEMBER)
    membership = _membership(stranger, other)
    base = _members_url(other)
    # Organisations are public (the directory lists them): nothing to hide, so 403, not 404.
    assert client.get(base).status_code == 403
    assert client.get(f"{base}/import").status_code == 403
    assert client.get(f"/admin/organisations/{other.slug}/journal").status_code == 403
    assert client.get(f"/admin/organisations/{other.slug}/modifier").status_code == 403
    assert client.post(f"{base}/inviter", data={"email": "x@exemple.fr", "last_name": "X",
                                                "role": "admin"}).status_code == 403
    assert client.post(f"{base}/ajouter", data={"email": mayor.email,
                                                "role": "admin"}).status_code == 403
    assert client.post(f"{base}/{membership.id}/role", data={"role": "admin"}).status_code == 403
    assert client.post(f"{base}/{membership.id}/retirer").status_code == 403
    assert _membership(mayor, other) is None and _membership(stranger, other) is not None


def test_admin_cannot_reach_another_organisations_member_through_their_own_pages(client, commune,
                                                                                  mayor):
    other = factories.make_org("Fumel")
    stranger = factories.make_user(other, Role.ADMIN)
    membership = _membership(stranger, other)
    base = _members_url(commune)
    assert client.post(f"{base}/{membership.id}/role", data={"role": "member"}).status_code == 404
    assert client.post(f"{base}/{membership.id}/retirer").status_code == 404
    assert client.post(f"{base}/{membership.id}/relancer").status_code == 404
    assert _membership(stranger, other).role == Role.ADMIN


@pytest.mark.parametrize("role", [Role.MEMBER, Role.EDITOR])
def test_non_admin_of_the_organisation_gets_403_on_its_admin_pages(client, login, commune, role):
    agent = factories.make_user(commune, role)
    login(agent)
    assert client.get(_members_url(commune)).status_code == 403
    assert client.get(f"/admin/organisations/{commune.slug}/journal").status_code == 403
    assert client.post(f"{_members_url(commune)}/inviter", data={
        "email": "x@exemple.fr", "last_name": "X", "role": "admin"}).status_code == 403
    assert _count(User) == 1


def test_anonymous_visitor_is_asked_to_sign_in(client, commune):
    response = client.get(_members_url(commune))
    assert response.status_code == 302 and "/connexion" in response.location


def test_platform_admin_manages_any_organisations_members(client, login, commune):
    factories.make_user(commune, Role.ADMIN, first_name="Claire", last_name="Maire")
    login(factories.make_user(platform_admin=True))
    text = page_text(client.get(_members_url(commune)))
    assert "Claire Maire" in text and "Inviter une personne" in text
