"""Working groups: creating one, who sees it, joining, leaving, and who may run it."""
import pytest
from sqlalchemy import func, select

from intranet.core.types import Role, Visibility
from intranet.extensions import db
from intranet.mail.models import OutboxMessage
from intranet.spaces.models import JoinPolicy, MemberStatus, Space, SpaceKind, SpaceMember

from .. import factories
from . import page_text


def _member_row(space, user):
    return db.session.scalar(select(SpaceMember).where(SpaceMember.space_id == space.id,
                                                       SpaceMember.user_id == user.id))


def _my_spaces_section(client) -> str:
    """The « Espace ouvert et groupes de travail » box of the dashboard."""
    text = page_text(client.get("/"))
    return text.split('id="mes-espaces"', 1)[1].split("</section>", 1)[0]


def _switch_to(client, login, user):
    client.post("/deconnexion")
    login(user)


# --- creating a group -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ADMIN])
def test_editor_or_admin_of_an_organisation_creates_a_group_and_becomes_its_admin(client, login,
                                                                                  role):
    org = factories.make_org("Layrac")
    creator = factories.make_user(org, role, last_name="Dupuy")
    login(creator)

    assert "Créer un groupe de travail" in page_text(client.get("/espaces/"))
    response = client.post("/espaces/nouveau", data={
        "name": "Secrétaires de mairie", "description": "Entraide entre secrétaires",
        "visibility": "network", "join_policy": "request"})

    space = db.session.scalar(select(Space).where(Space.name == "Secrétaires de mairie"))
    assert response.status_code == 302
    assert response.location.endswith(f"/espaces/{space.slug}/membres")
    assert space.visibility == Visibility.NETWORK and space.join_policy == JoinPolicy.REQUEST
    assert _member_row(space, creator).role == Role.ADMIN
    members_page = page_text(client.get(f"/espaces/{space.slug}/membres"))
    assert "Groupe créé" in members_page
    assert "Dupuy" in members_page and "Administrateur" in members_page
    assert client.get(f"/espaces/{space.slug}/parametres").status_code == 200


def test_platform_admin_without_organisation_creates_a_group(client, login):
    admin = factories.make_user(platform_admin=True)
    login(admin)
    response = client.post("/espaces/nouveau", data={
        "name": "Référents numériques", "visibility": "members", "join_policy": "closed"})
    assert response.status_code == 302
    space = db.session.scalar(select(Space).where(Space.name == "Référents numériques"))
    assert _member_row(space, admin).role == Role.ADMIN


def test_plain_member_of_an_organisation_cannot_create_a_group(client, login):
    user = factories.make_user(factories.make_org(), Role.MEMBER)
    login(user)
    assert "Créer un groupe de travail" not in page_text(client.get("/espaces/"))
    assert client.get("/espaces/nouveau").status_code == 403
    response = client.post("/espaces/nouveau", data={
        "name": "Groupe pirate", "visibility": "network", "join_policy": "open"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Space)
                             .where(Space.name == "Groupe pirate")) == 0


def test_anonymous_visitor_is_asked_to_sign_in_to_create_a_group(client):
    response = client.get("/espaces/nouveau")
    assert response.status_code == 302
    assert "/connexion" in response.location


def test_group_without_a_name_is_refused_in_french(client, login):
    login(factories.make_user(factories.make_org(), Role.EDITOR))
    response = client.post("/espaces/nouveau", data={
        "name": "", "visibility": "network", "join_policy": "open"})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(Space)
                             .where(Space.kind == SpaceKind.GROUP)) == 0


# --- who sees a group --------------------------------------------------------------------------


@pytest.mark.parametrize("visibility, anonymous, outsider, member", [
    (Visibility.PUBLIC, 200, 200, 200),
    (Visibility.NETWORK, 302, 200, 200),   # signed out: to the sign-in page
    (Visibility.MEMBERS, 302, 404, 200),
])
def test_who_sees_a_group_depends_on_its_visibility(client, login, visibility, anonymous,
                                                    outsider, member):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin, "Cantines scolaires", visibility=visibility)
    factories.activity(group, "Compte rendu de la réunion de mars")
    someone_else = factories.make_user(factories.make_org(), Role.MEMBER)
    url = f"/espaces/{group.slug}"

    response = client.get(url)
    assert response.status_code == anonymous
    login(someone_else)
    assert client.get(url).status_code == outsider
    _switch_to(client, login, admin)
    response = client.get(url)
    assert response.status_code == member
    assert "Compte rendu de la réunion de mars" in page_text(response)


def test_members_only_group_answers_404_not_403_to_a_signed_in_outsider(client, login):
    admin = factories.make_user(factories.make_org(), Role.ADMIN)
    group = factories.make_group(admin, "Dossiers RH sensibles", visibility=Visibility.MEMBERS,
                                 join_policy=JoinPolicy.REQUEST)
    member = factories.make_user(factories.make_org())
    factories.spaces.add_member(group, member, by=admin)
    outsider = factories.make_user(factories.make_org(), Role.ADMIN)
    login(outsider)

    base = f"/espaces/{group.slug}"
    for url in (base, f"{base}/membres", f"{base}/parametres"):
        assert client.get(url).status_code == 404, url
    for url in (f"{base}/rejoindre", f"{base}/quitter", f"{base}/parametres",
                f"{base}/membres/ajouter", f"{base}/membres/{member.id}/retirer",
                f"{base}/regles"):
        assert client.post(url, data={"email": outsider.email, "role": "admin"}).status_code \
            == 404, url
    assert "Dossiers RH sensibles" not in page_text(client.get("/espaces/"))
    assert _member_row(group, outsider) is None


def test_groups_directory_lists_only_the_groups_one_may_see(client, login):
    admin = factories.make_user(factories.make_org(), Role.ADMIN)
    factories.make_group(admin, "Groupe réseau", visibility=Visibility.NETWORK)
    factories.make_group(admin, "Groupe confidentiel", visibility=Visibility.MEMBERS)
    factories.make_group(admin, "Groupe public", visibility=Visibility.PUBLIC)

    text = page_text(client.get("/espaces/"))
    assert "Groupe public" in text
    assert "Groupe réseau" not in text and "Groupe confidentiel" not in text
    login(factories.make_user(factories.make_org()))
    text = page_text(client.get("/espaces/"))
    assert "Groupe public" in text and "Groupe réseau" in text
    assert "Groupe confidentiel" not in text


# --- joining ----------------------------------------------------------------------------------


def test_open_group_is_joined_at_once(client, login):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin, "Voirie", visibility=Visibility.NETWORK,
                                 join_policy=JoinPolicy.OPEN)
    newcomer = factories.make_user(factories.make_org())
    login(newcomer)

    assert "Rejoindre le groupe" in page_text(client.get(f"/espaces/{group.slug}"))
    response = client.post(f"/espaces/{group.slug}/rejoindre", follow_redirects=True)

    text = page_text(response)
    assert "Vous avez rejoint « Voirie »." in text
    assert "Quitter le groupe" in text
    assert _member_row(group, newcomer).status == MemberStatus.ACTIVE
    assert "Voirie" in _my_spaces_section(client)


def test_request_to_join_waits_for_an_admin_who_approves_it(client, login):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin, "Marchés publics", visibility=Visibility.NETWORK,
                                 join_policy=JoinPolicy.REQUEST)
    factories.activity(group, "Note réservée aux membres", visibility=Visibility.MEMBERS)
    requester = factories.make_user(factories.make_org(), last_name="Lacoste")
    login(requester)

    assert "Demander à rejoindre" in page_text(client.get(f"/espaces/{group.slug}"))
    response = client.post(f"/espaces/{group.slug}/rejoindre", follow_redirects=True)
    text = page_text(response)
    assert "les administrateurs du groupe en sont avertis par courriel" in text
    assert "Demande d'adhésion en attente" in text
    assert "Note réservée aux membres" not in text
    assert _member_row(group, requester).status == MemberStatus.PENDING
    assert "Marchés publics" not in _my_spaces_section(client)

    _switch_to(client, login, admin)
    text = page_text(client.get(f"/espaces/{group.slug}/membres"))
    assert "Lacoste" in text and "Demande en attente" in text and "Accepter" in text
    response = client.post(f"/espaces/{group.slug}/membres/{requester.id}/approuver",
                           follow_redirects=True)
    assert "Demande acceptée." in page_text(response)

    _switch_to(client, login, requester)
    text = page_text(client.get(f"/espaces/{group.slug}"))
    assert "Note réservée aux membres" in text
    assert "Demande d'adhésion en attente" not in text
    assert "Marchés publics" in _my_spaces_section(client)


def test_refused_request_leaves_the_requester_outside(client, login):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin, "Urbanisme", visibility=Visibility.NETWORK,
                                 join_policy=JoinPolicy.REQUEST)
    requester = factories.make_user(factories.make_org())
    login(requester)
    client.post(f"/espaces/{group.slug}/rejoindre")

    _switch_to(client, login, admin)
    assert "Refuser" in page_text(client.get(f"/espaces/{group.slug}/membres"))
    client.post(f"/espaces/{group.slug}/membres/{requester.id}/retirer")
    assert _member_row(group, requester) is None

    _switch_to(client, login, requester)
    text = page_text(client.get(f"/espaces/{group.slug}"))
    assert "Demande d'adhésion en attente" not in text
    assert "Demander à rejoindre" in text


def test_closed_group_offers_no_join_button_and_refuses_a_forged_request(client, login):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin, "Bureau de l'association", visibility=Visibility.NETWORK,
                                 join_policy=JoinPolicy.CLOSED)
    outsider = factories.make_user(factories.make_org())
    login(outsider)

    text = page_text(client.get(f"/espaces/{group.slug}"))
    assert "Rejoindre le groupe" not in text and "Demander à rejoindre" not in text
    response = client.post(f"/espaces/{group.slug}/rejoindre", follow_redirects=True)
    assert "Ce groupe n'accepte pas de demande d'adhésion." in page_text(response)
    assert _member_row(group, outsider) is None


def test_members_only_group_cannot_be_asked_for_by_someone_who_cannot_see_it(client, login):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin, visibility=Visibility.MEMBERS,
                                 join_policy=JoinPolicy.OPEN)
    outsider = factories.make_user(factories.make_org())
    login(outsider)
    assert client.post(f"/espaces/{group.slug}/rejoindre").status_code == 404
    assert _member_row(group, outsider) is None


# --- an admin adds people directly -----------------------------------------------------------


def test_admin_adds_a_colleague_who_is_member_at_once_without_invitation(client, login):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin, "Plan communal de sauvegarde",
                                 visibility=Visibility.MEMBERS, join_policy=JoinPolicy.CLOSED)
    factories.activity(group, "Exercice inondation le 12 juin")
    colleague = factories.make_user(factories.make_org(), email="agent.technique@exemple.fr",
                                    first_name="Paul", last_name="Garcia")
    login(admin)

    response = client.post(f"/espaces/{group.slug}/membres/ajouter",
                           data={"email": "Agent.Technique@exemple.fr", "role": "member"},
                           follow_redirects=True)
    assert "Paul Garcia est membre du groupe." in page_text(response)
    assert _member_row(group, colleague).status == MemberStatus.ACTIVE

    _switch_to(client, login, colleague)
    assert "Plan communal de sauvegarde" in _my_spaces_section(client)
    assert "Exercice inondation le 12 juin" in page_text(client.get("/"))
    assert "Exercice inondation le 12 juin" in page_text(client.get(f"/espaces/{group.slug}"))


def test_admin_adding_an_address_without_account_is_told_to_have_it_invited(client, login):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin)
    login(admin)
    response = client.post(f"/espaces/{group.slug}/membres/ajouter",
                           data={"email": "inconnu@exemple.fr", "role": "member"},
                           follow_redirects=True)
    assert "Aucun compte n'existe pour inconnu@exemple.fr" in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(SpaceMember)) == 1


def test_admin_names_a_second_admin_who_can_then_manage_the_group(client, login):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin)
    deputy = factories.make_user(factories.make_org())
    login(admin)
    client.post(f"/espaces/{group.slug}/membres/ajouter",
                data={"email": deputy.email, "role": "admin"})
    _switch_to(client, login, deputy)
    assert client.get(f"/espaces/{group.slug}/parametres").status_code == 200


# --- leaving, and keeping an admin ------------------------------------------------------------


def test_member_leaves_a_members_only_group_and_lands_on_the_spaces_list(client, login):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin, "Petite enfance", visibility=Visibility.MEMBERS)
    member = factories.make_user(factories.make_org())
    factories.spaces.add_member(group, member, by=admin)
    login(member)

    assert "Quitter le groupe" in page_text(client.get(f"/espaces/{group.slug}"))
    response = client.post(f"/espaces/{group.slug}/quitter", follow_redirects=True)
    assert response.status_code == 200
    assert "Vous avez quitté « Petite enfance »." in page_text(response)
    assert _member_row(group, member) is None
    assert client.get(f"/espaces/{group.slug}").status_code == 404
    assert "Petite enfance" not in _my_spaces_section(client)


def test_member_leaves_a_network_group_and_can_still_read_it(client, login):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin, "Tourisme", visibility=Visibility.NETWORK,
                                 join_policy=JoinPolicy.OPEN)
    member = factories.make_user(factories.make_org())
    factories.spaces.add_member(group, member, by=admin)
    login(member)
    response = client.post(f"/espaces/{group.slug}/quitter", follow_redirects=True)
    text = page_text(response)
    assert "Vous avez quitté « Tourisme »." in text
    assert "Rejoindre le groupe" in text


def test_last_admin_cannot_leave_the_group(client, login):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin, "Finances locales")
    login(admin)
    response = client.post(f"/espaces/{group.slug}/quitter", follow_redirects=True)
    assert "Un groupe doit garder au moins un administrateur" in page_text(response)
    assert _member_row(group, admin).role == Role.ADMIN


def test_last_admin_cannot_remove_themselves_from_the_members_page(client, login):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin)
    login(admin)
    response = client.post(f"/espaces/{group.slug}/membres/{admin.id}/retirer",
                           follow_redirects=True)
    assert "Un groupe doit garder au moins un administrateur" in page_text(response)
    assert _member_row(group, admin) is not None


def test_last_admin_cannot_demote_themselves_to_plain_member(client, login):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin)
    login(admin)
    response = client.post(f"/espaces/{group.slug}/membres/ajouter",
                           data={"email": admin.email, "role": "member"}, follow_redirects=True)
    assert "Un groupe doit garder au moins un administrateur" in page_text(response)
    assert _member_row(group, admin).role == Role.ADMIN
    assert client.get(f"/espaces/{group.slug}/parametres").status_code == 200


def test_admin_may_leave_once_another_admin_is_named(client, login):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin, visibility=Visibility.NETWORK)
    successor = factories.make_user(factories.make_org())
    factories.spaces.add_member(group, successor, role=Role.ADMIN, by=admin)
    login(admin)
    response = client.post(f"/espaces/{group.slug}/quitter", follow_redirects=True)
    assert "Vous avez quitté" in page_text(response)
    assert _member_row(group, admin) is None


# --- a plain member does not run the group ----------------------------------------------------


def test_plain_member_gets_403_on_settings_and_member_actions(client, login):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin, "Écoles", visibility=Visibility.MEMBERS)
    member = factories.make_user(factories.make_org())
    factories.spaces.add_member(group, member, by=admin)
    rule = factories.spaces.add_rule(group, by=admin, organisation=factories.make_org())
    login(member)
    base = f"/espaces/{group.slug}"

    text = page_text(client.get(f"{base}/membres"))
    assert "Ajouter une personne" not in text and "Paramètres" not in text
    assert client.get(f"{base}/parametres").status_code == 403
    attempts = {
        f"{base}/parametres": {"name": "Renommé", "visibility": "public", "join_policy": "open"},
        f"{base}/membres/ajouter": {"email": member.email, "role": "admin"},
        f"{base}/membres/{admin.id}/retirer": {},
        f"{base}/membres/{admin.id}/approuver": {},
        f"{base}/regles": {"org_kind": "commune", "min_role": "member"},
        f"{base}/regles/{rule.id}/supprimer": {},
    }
    for url, data in attempts.items():
        assert client.post(url, data=data).status_code == 403, url
    db.session.refresh(group)
    assert group.name == "Écoles" and group.visibility == Visibility.MEMBERS
    assert _member_row(group, member).role == Role.MEMBER
    assert len(group.rules) == 1


def test_group_admin_changes_the_settings(client, login):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin, "Ancien nom", visibility=Visibility.MEMBERS)
    login(admin)
    response = client.post(f"/espaces/{group.slug}/parametres", data={
        "name": "Nouveau nom", "description": "Objet", "visibility": "network",
        "join_policy": "open"}, follow_redirects=True)
    assert "Paramètres enregistrés." in page_text(response)
    db.session.refresh(group)
    assert group.name == "Nouveau nom"
    assert group.visibility == Visibility.NETWORK and group.join_policy == JoinPolicy.OPEN


def test_admin_removes_a_member_whose_account_was_since_deactivated(client, login):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin)
    former = factories.make_user(factories.make_org())
    factories.spaces.add_member(group, former, by=admin)
    former.active = False
    db.session.commit()
    login(admin)

    response = client.post(f"/espaces/{group.slug}/membres/{former.id}/retirer",
                           follow_redirects=True)
    assert response.status_code == 200
    assert "Membre retiré." in page_text(response)
    assert _member_row(group, former) is None


def test_admin_acting_on_someone_outside_the_group_gets_404(client, login):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin)
    stranger = factories.make_user(factories.make_org())
    login(admin)
    assert client.post(f"/espaces/{group.slug}/membres/{stranger.id}/retirer").status_code == 404
    assert client.post(f"/espaces/{group.slug}/membres/{stranger.id}/approuver").status_code \
        == 404
    assert client.post(f"/espaces/{group.slug}/membres/999999/retirer").status_code == 404


def test_adding_someone_already_in_the_group_says_so(client, login):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin)
    member = factories.make_user(factories.make_org(), first_name="Eva", last_name="Présente")
    factories.spaces.add_member(group, member, by=admin)
    login(admin)
    response = client.post(f"/espaces/{group.slug}/membres/ajouter",
                           data={"email": member.email, "role": "member"}, follow_redirects=True)
    assert "Eva Présente est déjà membre de cet espace." in page_text(response)


def test_a_join_request_is_mailed_to_the_group_admins(client, login):

    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    group = factories.make_group(admin, name="Voirie", visibility=Visibility.NETWORK,
                                 join_policy=JoinPolicy.REQUEST)
    login(factories.make_user(factories.make_org(), first_name="Léa", last_name="Petit"))
    client.post(f"/espaces/{group.slug}/rejoindre")
    message = OutboxMessage.query.filter_by(recipient=admin.email).one()
    assert "Voirie" in message.subject and "Léa Petit" in message.body_text
    assert f"/espaces/{group.slug}/membres" in message.body_text
