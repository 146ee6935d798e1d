"""The platform admin's console: organisations, people, spaces."""
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

import intranet
from intranet.accounts.models import Membership, Organisation, OrgKind, User
from intranet.core.types import Role, Visibility
from intranet.extensions import db
from intranet.spaces.models import Space, SpaceKind, SpaceMember

from .. import factories
from . import page_text

COMMUNES_47 = Path(intranet.__file__).parent / "data" / "communes-47.csv"


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def admin(login):
    user = factories.make_user(platform_admin=True, first_name="Alice", last_name="Plateforme")
    login(user)
    return user


def _csv(content: bytes, name="fichier.csv"):
    return {"file": (io.BytesIO(content), name)}


# --- who may enter --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/admin/", "/admin/organisations", "/admin/organisations/nouvelle",
                                 "/admin/organisations/import", "/admin/utilisateurs",
                                 "/admin/utilisateurs/import", "/admin/espaces", "/admin/journal",
                                 "/admin/courriels"])
def test_organisation_admin_gets_403_on_the_platform_console(client, login, url):
    login(factories.make_user(factories.make_org(), Role.ADMIN))
    assert client.get(url).status_code == 403


def test_anonymous_visitor_is_asked_to_sign_in_to_the_console(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/connexion" in response.location


def test_organisation_admin_cannot_deactivate_anyone(client, login):
    org = factories.make_org()
    colleague = factories.make_user(org)
    login(factories.make_user(org, Role.ADMIN))
    assert client.post(f"/admin/utilisateurs/{colleague.id}/etat").status_code == 403
    assert client.post(f"/admin/utilisateurs/{colleague.id}/admin-plateforme").status_code == 403
    db.session.refresh(colleague)
    assert colleague.active and not colleague.is_platform_admin


def test_console_home_counts_what_the_platform_holds(client, admin):
    factories.make_org("Nérac")
    text = page_text(client.get("/admin/"))
    assert "Administration de la plateforme" in text
    assert "1 organisations" in text and "1 comptes actifs" in text


# --- organisations --------------------------------------------------------------------------------


def test_admin_lists_and_searches_organisations(client, admin):
    factories.make_org("Nérac", insee_code="47195")
    factories.make_org("Tonneins")
    text = page_text(client.get("/admin/organisations"))
    assert "Nérac" in text and "Tonneins" in text
    text = page_text(client.get("/admin/organisations?q=47195"))
    assert "Nérac" in text and "Tonneins" not in text


def test_admin_creates_an_organisation_with_its_private_space(client, admin):
    agglo = factories.make_org("CA Agglomération d'Agen", OrgKind.EPCI, siren="200096956")
    response = client.post("/admin/organisations/nouvelle", data={
        "name": "Agen", "kind": "commune", "insee_code": "47001", "siren": "214700015",
        "epci": "200096956", "email": "mairie@agen.fr"})

    org = db.session.scalar(select(Organisation).where(Organisation.name == "Agen"))
    assert response.status_code == 302
    assert response.location.endswith(f"/admin/organisations/{org.slug}/membres")
    assert org.kind == OrgKind.COMMUNE and org.epci_id == agglo.id
    space = db.session.scalar(select(Space).where(Space.organisation_id == org.id))
    assert space.kind == SpaceKind.ORGANISATION and space.visibility == Visibility.MEMBERS
    text = page_text(client.get(response.location))
    assert "Organisation « Agen » créée, avec son espace privé." in text


def test_admin_creates_an_organisation_from_the_fewest_fields(client, admin):
    response = client.post("/admin/organisations/nouvelle",
                           data={"name": "Syndicat des eaux", "kind": "autre"})
    assert response.status_code == 302
    org = db.session.scalar(select(Organisation).where(Organisation.name == "Syndicat des eaux"))
    assert org.insee_code is None and org.siren is None


def test_organisation_with_a_bad_siren_is_refused_in_french(client, admin):
    response = client.post("/admin/organisations/nouvelle", data={
        "name": "Agen", "kind": "commune", "insee_code": "", "siren": "123456789", "epci": ""})
    assert "Ce SIREN n'existe pas : sa clé de contrôle (le dernier chiffre) est fausse." in page_text(response)
    assert _count(Organisation) == 0


def test_organisation_attached_to_an_unknown_epci_is_refused(client, admin):
    response = client.post("/admin/organisations/nouvelle", data={
        "name": "Agen", "kind": "commune", "insee_code": "", "siren": "", "epci": "200096956"})
    assert "Aucune intercommunalité n'a ce SIREN." in page_text(response)
    assert _count(Organisation) == 0


def test_importing_the_departements_communes_file_creates_communes_and_epcis(client, admin):
    response = client.post("/admin/organisations/import",
                           data=_csv(COMMUNES_47.read_bytes(), "communes-47.csv"),
                           content_type="multipart/form-data", follow_redirects=True)

    assert "Import terminé : 331 organisations créées, 0 mises à jour." in page_text(response)
    assert _count(Organisation, Organisation.kind == OrgKind.COMMUNE) == 319
    assert _count(Organisation, Organisation.kind == OrgKind.EPCI) == 12
    assert _count(Space, Space.kind == SpaceKind.ORGANISATION) == 331
    agen = db.session.scalar(select(Organisation).where(Organisation.insee_code == "47001"))
    assert agen.name == "Agen" and agen.epci.name == "CA Agglomération d'Agen"
    assert agen.population == 32988


def test_importing_the_communes_file_twice_updates_instead_of_duplicating(client, admin):
    for _ in range(2):
        response = client.post("/admin/organisations/import",
                               data=_csv(COMMUNES_47.read_bytes(), "communes-47.csv"),
                               content_type="multipart/form-data", follow_redirects=True)
    assert "0 organisations créées, 331 mises à jour." in page_text(response)
    assert _count(Organisation) == 331


def test_malformed_communes_file_reports_line_and_column_and_imports_nothing(client, admin):
    lines = COMMUNES_47.read_text(encoding="utf-8").splitlines()
    broken = lines[2].replace("214700023", "21470002X")  # Agmé's SIREN
    content = "\n".join([lines[0], lines[1], broken, *lines[3:6]]).encode("utf-8")

    response = client.post("/admin/organisations/import", data=_csv(content),
                           content_type="multipart/form-data")

    text = page_text(response)
    assert "Le fichier a été refusé : rien n'a été importé" in text
    assert "ligne 3, colonne « siren_commune » : « 21470002X » : Un SIREN ne contient que des chiffres" in text
    assert _count(Organisation) == 0


def test_malformed_generic_file_reports_each_problem_and_imports_nothing(client, admin):
    content = ("type;nom;code_insee;population\n"
               "centre de gestion;CDG 47;;\n"
               "mairie;Villeréal;47324;1300\n"
               "commune;Monflanquin;47186;deux mille\n").encode("cp1252")
    response = client.post("/admin/organisations/import", data=_csv(content),
                           content_type="multipart/form-data")
    text = page_text(response)
    assert "ligne 3, colonne « type » : type « mairie » inconnu" in text
    assert "ligne 4, colonne « population » : « deux mille » n'est pas un nombre entier." in text
    assert _count(Organisation) == 0


def test_import_without_a_file_asks_for_one(client, admin):
    response = client.post("/admin/organisations/import", data={},
                           content_type="multipart/form-data")
    assert "Choisissez un fichier CSV." in page_text(response)


# --- people -----------------------------------------------------------------------------------


def test_deactivated_person_can_no_longer_sign_in_but_keeps_their_memberships(client, admin):
    org = factories.make_org("Miramont-de-Guyenne")
    person = factories.make_user(org, Role.EDITOR, first_name="Jean", last_name="Parti")

    response = client.post(f"/admin/utilisateurs/{person.id}/etat", follow_redirects=True)

    text = page_text(response)
    assert "Compte désactivé : Jean Parti." in text
    assert "Miramont-de-Guyenne" in text and "Réactiver le compte" in text
    assert _count(Membership, Membership.user_id == person.id) == 1
    client.post("/deconnexion")
    response = client.post("/connexion", data={"email": person.email,
                                               "password": factories.PASSWORD})
    assert response.status_code == 200
    assert "Ce compte est désactivé." in page_text(response)


def test_deactivated_person_already_signed_in_loses_access_at_the_next_click(app, client, admin):
    person = factories.make_user(factories.make_org(), first_name="Jean", last_name="Parti")
    their_browser = app.test_client()
    their_browser.post("/connexion", data={"email": person.email,
                                           "password": factories.PASSWORD})
    assert "Bonjour Jean" in page_text(their_browser.get("/"))

    client.post(f"/admin/utilisateurs/{person.id}/etat")

    assert "Bonjour Jean" not in page_text(their_browser.get("/"))
    assert their_browser.get("/profil").status_code == 302


def test_admin_cannot_deactivate_themselves(client, admin):
    response = client.post(f"/admin/utilisateurs/{admin.id}/etat", follow_redirects=True)
    assert "Vous ne pouvez pas désactiver votre propre compte." in page_text(response)
    db.session.refresh(admin)
    assert admin.active


def test_reactivated_person_can_sign_in_again(client, admin):
    person = factories.make_user(factories.make_org(), active=False, first_name="Jean",
                                 last_name="Retour")
    response = client.post(f"/admin/utilisateurs/{person.id}/etat", follow_redirects=True)
    assert "Compte réactivé : Jean Retour." in page_text(response)
    client.post("/deconnexion")
    response = client.post("/connexion", data={"email": person.email,
                                               "password": factories.PASSWORD})
    assert response.status_code == 302


def test_admin_names_another_platform_admin_and_cannot_demote_themselves(client, login, admin):
    person = factories.make_user(factories.make_org())
    response = client.post(f"/admin/utilisateurs/{person.id}/admin-plateforme",
                           follow_redirects=True)
    assert "Droits d'administration de la plateforme mis à jour." in page_text(response)
    response = client.post(f"/admin/utilisateurs/{admin.id}/admin-plateforme",
                           follow_redirects=True)
    assert "Vous ne pouvez pas retirer vos propres droits d'administration." in page_text(response)

    client.post("/deconnexion")
    login(person)
    assert client.get("/admin/").status_code == 200
    client.post(f"/admin/utilisateurs/{admin.id}/admin-plateforme")
    client.post("/deconnexion")
    login(admin)
    assert client.get("/admin/").status_code == 403


def test_admin_attaches_a_person_to_an_organisation_by_its_insee_code(client, admin):
    org = factories.make_org("Casteljaloux", insee_code="47052")
    person = factories.make_user(first_name="Inès", last_name="Sans-Mairie")
    response = client.post(f"/admin/utilisateurs/{person.id}/adhesions",
                           data={"organisation": "47052", "role": "admin"}, follow_redirects=True)
    assert "Inès Sans-Mairie fait maintenant partie de « Casteljaloux »." in page_text(response)
    assert db.session.scalar(select(Membership.role).where(Membership.user_id == person.id,
                                                           Membership.organisation_id == org.id)) \
        == Role.ADMIN


def test_users_list_filters_by_name_and_state(client, admin):
    org = factories.make_org()
    factories.make_user(org, first_name="Active", last_name="Dupont")
    factories.make_user(org, first_name="Partie", last_name="Durand", active=False)
    factories.make_user(org, first_name="Invitée", last_name="Martin", password=None)

    text = page_text(client.get("/admin/utilisateurs"))
    assert all(name in text for name in ("Dupont", "Durand", "Martin", "Plateforme"))
    text = page_text(client.get("/admin/utilisateurs?q=dur"))
    assert "Durand" in text and "Dupont" not in text
    text = page_text(client.get("/admin/utilisateurs?etat=desactives"))
    assert "Durand" in text and "Dupont" not in text and "Martin" not in text
    text = page_text(client.get("/admin/utilisateurs?etat=invites"))
    assert "Martin" in text and "Dupont" not in text and "Durand" not in text
    text = page_text(client.get("/admin/utilisateurs?etat=actifs"))
    assert "Dupont" in text and "Martin" in text and "Durand" not in text


def test_platform_admin_imports_people_into_several_organisations(client, admin):
    factories.make_org("Nérac", insee_code="47195")
    factories.make_org("Mézin", insee_code="47167")
    response = client.post("/admin/utilisateurs/import", data=_csv(
        "email;prenom;nom;organisation;role\n"
        "a@nerac.fr;Anne;Nérac;47195;administrateur\n"
        "b@mezin.fr;Bob;Mézin;47167;\n".encode("utf-8")),
        content_type="multipart/form-data", follow_redirects=True)
    assert "2 comptes créés" in page_text(response)
    assert _count(User) == 3


def test_people_import_with_an_unknown_organisation_imports_nothing(client, admin):
    response = client.post("/admin/utilisateurs/import", data=_csv(
        b"email;prenom;nom;organisation\na@exemple.fr;Anne;A;99999\n"),
        content_type="multipart/form-data")
    assert "ligne 2, colonne « organisation » : organisation « 99999 » introuvable" \
        in page_text(response)
    assert _count(User) == 1


# --- spaces: structure yes, content no -----------------------------------------------------------


def test_platform_admin_does_not_read_a_members_only_group_but_runs_its_settings(client, admin):
    owner = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(owner, "Commission d'appel d'offres",
                                 visibility=Visibility.MEMBERS)
    factories.activity(group, "Offre de l'entreprise Durand : 48 000 €")

    assert client.get(f"/espaces/{group.slug}").status_code == 404
    assert "Offre de l'entreprise Durand" not in page_text(client.get("/"))
    assert "Commission d'appel d'offres" in page_text(client.get("/admin/espaces"))
    response = client.get(f"/espaces/{group.slug}/parametres")
    assert response.status_code == 200
    assert "Offre de l'entreprise Durand" not in page_text(response)


def test_platform_admin_does_not_read_an_organisations_private_space(client, admin):
    org = factories.make_org("Marmande")
    factories.activity(factories.org_space(org), "Note confidentielle du DGS")
    space = factories.org_space(org)
    assert client.get(f"/espaces/{space.slug}").status_code == 404
    assert client.get(f"/espaces/{space.slug}/parametres").status_code == 200


def test_platform_admin_saves_a_groups_settings_without_landing_on_a_404(client, admin):
    owner = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(owner, "Ancien nom", visibility=Visibility.MEMBERS)
    response = client.post(f"/espaces/{group.slug}/parametres", data={
        "name": "Nouveau nom", "description": "", "visibility": "members",
        "join_policy": "closed"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Paramètres enregistrés." in page_text(response)
    db.session.refresh(group)
    assert group.name == "Nouveau nom"


def test_platform_admin_manages_the_members_of_a_group_they_are_not_in(client, admin):
    owner = factories.make_user(factories.make_org(), Role.EDITOR, last_name="Fondatrice")
    group = factories.make_group(owner, visibility=Visibility.MEMBERS)
    newcomer = factories.make_user(factories.make_org(), first_name="Noé", last_name="Nouveau")

    # The console's « Membres » link leads to a page, not to a 404.
    assert f"/espaces/{group.slug}/membres" in page_text(client.get("/admin/espaces"))
    assert "Fondatrice" in page_text(client.get(f"/espaces/{group.slug}/membres"))
    response = client.post(f"/espaces/{group.slug}/membres/ajouter",
                           data={"email": newcomer.email, "role": "admin"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Noé Nouveau est membre du groupe." in page_text(response)
    assert db.session.scalar(select(SpaceMember.role).where(
        SpaceMember.space_id == group.id, SpaceMember.user_id == newcomer.id)) == Role.ADMIN
    # …and still does not read the group's content.
    assert client.get(f"/espaces/{group.slug}").status_code == 404
