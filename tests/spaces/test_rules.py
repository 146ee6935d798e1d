"""Membership by rule: « every member of the communes of the EPCI », « every commune admin »…
evaluated live, so people who join an organisation later are in the group at once."""
import re

import pytest
from flask import g
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from intranet import access
from intranet.accounts.models import Membership, OrgKind
from intranet.core.types import Role, Visibility
from intranet.extensions import db
from intranet.mail.models import OutboxMessage
from intranet.spaces import services as spaces
from intranet.spaces.models import JoinPolicy, SpaceRule

from .. import factories
from . import page_text


@pytest.fixture
def area():
    """Two EPCIs of Lot-et-Garonne, a commune in each, and the centre de gestion."""
    agglo = factories.make_org("CA Agglomération d'Agen", OrgKind.EPCI)
    val = factories.make_org("Val de Garonne Agglomération", OrgKind.EPCI)
    return {
        "agglo": agglo, "val": val,
        "layrac": factories.make_org("Layrac", epci=agglo),
        "boe": factories.make_org("Boé", epci=agglo),
        "marmande": factories.make_org("Marmande", epci=val),
        "cdg": factories.make_org("Centre de gestion de Lot-et-Garonne", OrgKind.CENTRE_GESTION),
    }


def _group_with_rule(client, login, rule: dict, name="Secrétaires de l'Agglo"):
    """A members-only group whose admin (no organisation concerned) adds ``rule`` by the form,
    then signs out."""
    admin = factories.make_user(factories.make_org("Département", OrgKind.DEPARTEMENT),
                                Role.EDITOR, last_name="Animatrice")
    group = factories.make_group(admin, name, visibility=Visibility.MEMBERS,
                                 join_policy=JoinPolicy.CLOSED)
    factories.activity(group, "Ordre du jour de la prochaine réunion")
    login(admin)
    data = {"organisation": "", "org_kind": "", "epci": "", "min_role": "member", **rule}
    response = client.post(f"/espaces/{group.slug}/regles", data=data, follow_redirects=True)
    assert "Règle ajoutée" in page_text(response)
    client.post("/deconnexion")
    return group, admin


def _sees_group(client, login, user, group) -> bool:
    client.post("/deconnexion")
    login(user)
    status = client.get(f"/espaces/{group.slug}").status_code
    assert status in (200, 404)
    return status == 200


# --- « every member of the communes of EPCI X » ------------------------------------------------


def test_person_added_to_a_commune_of_the_epci_afterwards_is_in_the_group_at_once(client, login,
                                                                                   area):
    group, _ = _group_with_rule(client, login, {"epci": "CA Agglomération d'Agen"})
    newcomer = factories.make_user(last_name="Nouvelle")
    assert not _sees_group(client, login, newcomer, group)

    factories.add_membership(newcomer, area["layrac"], Role.MEMBER)

    assert _sees_group(client, login, newcomer, group)
    assert "Ordre du jour de la prochaine réunion" in page_text(client.get("/"))
    mine = page_text(client.get("/")).split('id="mes-espaces"', 1)[1]
    assert "Secrétaires de l'Agglo" in mine


def test_new_secretary_of_a_commune_is_in_the_epci_group_the_day_she_joins(client, login, area):
    group, group_admin = _group_with_rule(client, login, {"epci": "CA Agglomération d'Agen"})
    mayor = factories.make_user(area["boe"], Role.ADMIN)
    login(mayor)
    client.post(f"/admin/organisations/{area['boe'].slug}/membres/inviter", data={
        "email": "secretariat@boe.fr", "first_name": "Sophie", "last_name": "Marty",
        "function": "Secrétaire de mairie", "role": "member"})

    # The group's admin sees her among the people the rule brings in, before she even signs in.
    client.post("/deconnexion")
    login(group_admin)
    assert "Sophie Marty" in page_text(client.get(f"/espaces/{group.slug}/membres"))

    # She chooses her password from the invitation and finds the group in her spaces.
    message = db.session.scalar(select(OutboxMessage)
                                .where(OutboxMessage.recipient == "secretariat@boe.fr"))
    token = re.search(r"/invitation/(\S+)", message.body_text).group(1)
    client.post("/deconnexion")
    client.post(f"/invitation/{token}", data={"password": "un-long-secret-2024",
                                              "confirm": "un-long-secret-2024"})
    response = client.post("/connexion", data={"email": "secretariat@boe.fr",
                                               "password": "un-long-secret-2024"})
    assert response.status_code == 302
    dashboard = page_text(client.get("/"))
    assert "Secrétaires de l'Agglo" in dashboard.split('id="mes-espaces"', 1)[1]
    assert "Ordre du jour de la prochaine réunion" in dashboard


def test_member_of_a_commune_of_another_epci_is_not_in_the_group(client, login, area):
    group, _ = _group_with_rule(client, login, {"epci": "CA Agglomération d'Agen"})
    marmande_secretary = factories.make_user(area["marmande"], Role.ADMIN)
    layrac_secretary = factories.make_user(area["layrac"], Role.MEMBER)
    assert not _sees_group(client, login, marmande_secretary, group)
    assert _sees_group(client, login, layrac_secretary, group)


def test_epci_rule_names_an_epci_that_does_not_exist(client, login, area):
    admin = factories.make_user(area["cdg"], Role.EDITOR)
    group = factories.make_group(admin)
    login(admin)
    response = client.post(f"/espaces/{group.slug}/regles", data={
        "epci": "Layrac", "org_kind": "", "organisation": "", "min_role": "member"},
        follow_redirects=True)
    assert "Intercommunalité « Layrac » introuvable : choisissez-la dans la liste." \
        in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(SpaceRule)) == 0


# --- « every admin of every commune » -------------------------------------------------------------


def test_every_commune_admin_is_in_and_plain_members_are_not(client, login, area):
    group, _ = _group_with_rule(client, login, {"org_kind": "commune", "min_role": "admin"},
                                name="Maires et adjoints")
    mayor = factories.make_user(area["marmande"], Role.ADMIN)
    clerk = factories.make_user(area["marmande"], Role.MEMBER)
    epci_admin = factories.make_user(area["agglo"], Role.ADMIN)
    assert _sees_group(client, login, mayor, group)
    assert not _sees_group(client, login, clerk, group)
    assert not _sees_group(client, login, epci_admin, group)


def test_plain_member_promoted_to_commune_admin_is_in_the_group(client, login, area):
    group, _ = _group_with_rule(client, login, {"org_kind": "commune", "min_role": "admin"},
                                name="Maires et adjoints")
    mayor = factories.make_user(area["layrac"], Role.ADMIN)
    deputy = factories.make_user(area["layrac"], Role.MEMBER)
    assert not _sees_group(client, login, deputy, group)

    client.post("/deconnexion")
    login(mayor)
    membership = db.session.scalar(select(Membership).where(Membership.user_id == deputy.id))
    client.post(f"/admin/organisations/{area['layrac'].slug}/membres/{membership.id}/role",
                data={"role": "admin"})

    assert _sees_group(client, login, deputy, group)


# --- « every member of the centre de gestion » --------------------------------------------------


def test_every_member_of_the_centre_de_gestion_is_in_the_group(client, login, area):
    group, _ = _group_with_rule(client, login,
                                {"organisation": "Centre de gestion de Lot-et-Garonne"},
                                name="Ressources humaines")
    adviser = factories.make_user(area["cdg"], Role.MEMBER)
    mayor = factories.make_user(area["layrac"], Role.ADMIN)
    assert _sees_group(client, login, adviser, group)
    assert not _sees_group(client, login, mayor, group)


def test_rule_members_are_plain_members_who_cannot_run_the_group(client, login, area):
    group, _ = _group_with_rule(client, login,
                                {"organisation": "Centre de gestion de Lot-et-Garonne"})
    director = factories.make_user(area["cdg"], Role.ADMIN)
    login(director)
    assert client.get(f"/espaces/{group.slug}").status_code == 200
    assert client.get(f"/espaces/{group.slug}/parametres").status_code == 403


def test_rule_member_is_not_offered_a_leave_button_that_cannot_work(client, login, area):
    group, _ = _group_with_rule(client, login,
                                {"organisation": "Centre de gestion de Lot-et-Garonne"})
    adviser = factories.make_user(area["cdg"], Role.MEMBER)
    login(adviser)
    text = page_text(client.get(f"/espaces/{group.slug}"))
    assert "Quitter le groupe" not in text
    assert "règle d'adhésion" in text


# --- the rules on the members page -----------------------------------------------------------


def test_members_page_lists_who_the_rules_bring_in(client, login, area):
    group, admin = _group_with_rule(client, login, {"epci": "CA Agglomération d'Agen"})
    factories.make_user(area["layrac"], Role.MEMBER, first_name="Jeanne", last_name="Lafitte")
    factories.make_user(area["boe"], Role.ADMIN, first_name="Henri", last_name="Castex")
    factories.make_user(area["boe"], Role.MEMBER, first_name="Ancien", last_name="Agent",
                        active=False)
    factories.make_user(area["marmande"], Role.ADMIN, first_name="Marc", last_name="Dubois")
    login(admin)

    text = page_text(client.get(f"/espaces/{group.slug}/membres"))
    assert "Tous les membres des communes membres de « CA Agglomération d'Agen »" in text
    assert "elles concernent 2 personnes" in text
    assert "Jeanne Lafitte" in text and "Henri Castex" in text
    assert "Ancien Agent" not in text and "Marc Dubois" not in text


def test_removing_the_rule_removes_access(client, login, area):
    group, admin = _group_with_rule(client, login, {"epci": "CA Agglomération d'Agen"})
    secretary = factories.make_user(area["layrac"], Role.MEMBER)
    assert _sees_group(client, login, secretary, group)

    client.post("/deconnexion")
    login(admin)
    rule = db.session.scalar(select(SpaceRule).where(SpaceRule.space_id == group.id))
    response = client.post(f"/espaces/{group.slug}/regles/{rule.id}/supprimer",
                           follow_redirects=True)
    assert "Règle supprimée." in page_text(response)

    assert not _sees_group(client, login, secretary, group)
    assert "Ordre du jour de la prochaine réunion" not in page_text(client.get("/"))


def test_rule_with_no_criterion_is_refused_in_french(client, login, area):
    admin = factories.make_user(area["cdg"], Role.EDITOR)
    group = factories.make_group(admin)
    login(admin)
    response = client.post(f"/espaces/{group.slug}/regles", data={
        "organisation": "", "org_kind": "", "epci": "", "min_role": "member"},
        follow_redirects=True)
    assert "Cette règle ferait entrer tout le réseau dans le groupe" in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(SpaceRule)) == 0


def test_rules_cannot_be_added_to_an_organisation_space(client, login, area):
    platform_admin = factories.make_user(platform_admin=True)
    space = factories.org_space(area["layrac"])
    login(platform_admin)
    response = client.post(f"/espaces/{space.slug}/regles", data={
        "org_kind": "commune", "min_role": "admin", "organisation": "", "epci": ""},
        follow_redirects=True)
    assert "gérez-les depuis la page de l'organisation" in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(SpaceRule)) == 0


# --- the SQL filter and the Python decision agree -------------------------------------------------


def test_sql_filters_agree_with_python_decisions(area):
    """``visible_spaces`` / ``member_spaces`` (used by lists, search, feeds) and ``can_view`` /
    ``space_role`` (used on one object) give the same answers on a small matrix."""
    organiser = factories.make_user(area["cdg"], Role.EDITOR)
    people = {
        "anonyme": AnonymousUserMixin(),
        "membre de Layrac": factories.make_user(area["layrac"], Role.MEMBER),
        "maire de Boé": factories.make_user(area["boe"], Role.ADMIN),
        "maire de Marmande": factories.make_user(area["marmande"], Role.ADMIN),
        "rédacteur du CDG": organiser,
        "Marmande et CDG": factories.make_user(area["marmande"], Role.MEMBER),
        "sans organisation": factories.make_user(),
        "membre explicite": factories.make_user(),
        "demande en attente": factories.make_user(area["marmande"], Role.MEMBER),
        "désactivé": factories.make_user(area["layrac"], Role.ADMIN, active=False),
        "admin plateforme": factories.make_user(platform_admin=True),
    }
    factories.add_membership(people["Marmande et CDG"], area["cdg"], Role.MEMBER)

    def group(name, visibility, **kwargs):
        return factories.make_group(organiser, name, visibility=visibility, **kwargs)

    spaces_ = {
        "espace ouvert": spaces.ensure_open_space(),
        "privé Layrac": factories.org_space(area["layrac"]),
        "privé Marmande": factories.org_space(area["marmande"]),
        "privé CDG": factories.org_space(area["cdg"]),
        "groupe public": group("public", Visibility.PUBLIC),
        "groupe réseau": group("réseau", Visibility.NETWORK, join_policy=JoinPolicy.REQUEST),
        "groupe fermé": group("fermé", Visibility.MEMBERS),
        "groupe Agglo": group("agglo", Visibility.MEMBERS),
        "groupe maires": group("maires", Visibility.MEMBERS),
        "groupe CDG rédacteurs": group("cdg", Visibility.MEMBERS),
        "groupe porté par Layrac": group("layrac", Visibility.MEMBERS,
                                         organisation=area["layrac"]),
    }
    db.session.commit()
    spaces.add_member(spaces_["groupe fermé"], people["membre explicite"], by=organiser)
    spaces.add_rule(spaces_["groupe Agglo"], by=organiser, epci=area["agglo"])
    spaces.add_rule(spaces_["groupe maires"], by=organiser, org_kind=OrgKind.COMMUNE,
                    min_role=Role.ADMIN)
    spaces.add_rule(spaces_["groupe CDG rédacteurs"], by=organiser, organisation=area["cdg"],
                    min_role=Role.EDITOR)
    spaces.join(spaces_["groupe réseau"], people["demande en attente"])
    g.pop("_space_roles", None)

    seen, member_of = {}, {}
    for who, user in people.items():
        visible_sql = set(db.session.scalars(access.visible_spaces(user)))
        member_sql = set(db.session.scalars(access.member_spaces(user)))
        for where, space in spaces_.items():
            seen[who, where] = access.can_view(user, space)
            member_of[who, where] = access.space_role(user, space) is not None
            assert (space.id in visible_sql) == seen[who, where], (who, where)
            assert (space.id in member_sql) == member_of[who, where], (who, where)

    # The matrix is not trivially empty: a few decisions spelled out.
    assert seen["anonyme", "groupe public"] and not seen["anonyme", "groupe réseau"]
    assert seen["membre de Layrac", "groupe Agglo"]
    assert not seen["maire de Marmande", "groupe Agglo"]
    assert seen["maire de Boé", "groupe maires"] and not seen["membre de Layrac", "groupe maires"]
    assert seen["rédacteur du CDG", "groupe CDG rédacteurs"]
    assert not seen["Marmande et CDG", "groupe CDG rédacteurs"]
    assert seen["membre explicite", "groupe fermé"]
    assert not seen["sans organisation", "groupe fermé"]
    assert seen["demande en attente", "groupe réseau"]
    assert not member_of["demande en attente", "groupe réseau"]
    assert not seen["désactivé", "privé Layrac"] and not seen["désactivé", "groupe Agglo"]
    assert not seen["admin plateforme", "groupe fermé"]
    assert not seen["admin plateforme", "privé CDG"]
    assert not seen["membre de Layrac", "groupe porté par Layrac"]
    assert member_of["sans organisation", "espace ouvert"]
    assert not member_of["anonyme", "espace ouvert"]


def test_each_rule_is_described_in_plain_french_on_the_members_page(client, login, area):
    admin = factories.make_user(area["cdg"], Role.EDITOR)
    group = factories.make_group(admin)
    spaces.add_rule(group, by=admin, epci=area["agglo"])
    spaces.add_rule(group, by=admin, org_kind=OrgKind.COMMUNE, min_role=Role.ADMIN)
    spaces.add_rule(group, by=admin, organisation=area["cdg"])
    login(admin)
    text = page_text(client.get(f"/espaces/{group.slug}/membres"))
    assert "Tous les membres des communes membres de « CA Agglomération d'Agen »" in text
    assert "Les administrateurs des communes" in text
    assert "Tous les membres de « Centre de gestion de Lot-et-Garonne »" in text
