"""The audit log: sign-ins and administrative actions, filtered; each organisation's part."""
from datetime import datetime

import pytest

from intranet.core.types import Role
from intranet.core.audit import AuditEvent
from intranet.extensions import db

from .. import factories
from . import page_text


def _rows(response) -> str:
    """The table of events only (the action filter's options repeat every label)."""
    assert response.status_code == 200
    return page_text(response).split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def _sign_in(client, user, password=factories.PASSWORD, ip="127.0.0.1"):
    client.post("/connexion", data={"email": user.email, "password": password},
                environ_base={"REMOTE_ADDR": ip})
    client.post("/deconnexion", environ_base={"REMOTE_ADDR": ip})


@pytest.fixture
def admin():
    return factories.make_user(platform_admin=True, email="admin@territoires.fr",
                               first_name="Alice", last_name="Plateforme")


def test_log_lists_successful_and_failed_sign_ins(client, login, admin):
    agent = factories.make_user(factories.make_org(), email="agent@nerac.fr")
    _sign_in(client, agent)
    _sign_in(client, agent, password="mauvais-mot-de-passe")
    client.post("/connexion", data={"email": "inconnu@exemple.fr", "password": "x"})

    login(admin)
    rows = _rows(client.get("/admin/journal"))
    assert "Connexion réussie" in rows and "Échec de connexion" in rows
    assert "agent@nerac.fr" in rows and "inconnu@exemple.fr" in rows
    assert "127.0.0.1" in rows


def test_log_lists_administrative_actions_with_who_did_them(client, login, admin):
    org = factories.make_org("Nérac")
    agent = factories.make_user(org, email="agent@nerac.fr")
    login(admin)
    client.post(f"/admin/organisations/{org.slug}/membres/inviter", data={
        "email": "nouvelle@nerac.fr", "first_name": "", "last_name": "Nouvelle", "function": "",
        "role": "member"})
    client.post(f"/admin/utilisateurs/{agent.id}/etat")

    rows = _rows(client.get("/admin/journal"))
    assert "Invitation envoyée" in rows and "nouvelle@nerac.fr" in rows
    assert "Compte désactivé" in rows and "agent@nerac.fr" in rows
    assert "Alice Plateforme" in rows


def test_log_filters_by_action(client, login, admin):
    agent = factories.make_user(factories.make_org(), email="agent@nerac.fr")
    _sign_in(client, agent)
    _sign_in(client, agent, password="mauvais-mot-de-passe")
    login(admin)
    rows = _rows(client.get("/admin/journal?action=login.failure"))
    assert "Échec de connexion" in rows
    assert "Connexion réussie" not in rows and "Déconnexion" not in rows


def test_log_filters_by_person(client, login, admin):
    factories.make_user(factories.make_org(), email="un@nerac.fr")
    other = factories.make_user(factories.make_org(), email="deux@mezin.fr")
    _sign_in(client, other)
    client.post("/connexion", data={"email": "un@nerac.fr", "password": "faux"})
    login(admin)
    rows = _rows(client.get("/admin/journal?who=NERAC"))
    assert "un@nerac.fr" in rows and "deux@mezin.fr" not in rows


def test_log_filters_by_ip_address(client, login, admin):
    agent = factories.make_user(factories.make_org(), email="agent@nerac.fr")
    _sign_in(client, agent, ip="203.0.113.7")
    client.post("/connexion", data={"email": "pirate@exemple.fr", "password": "x"},
                environ_base={"REMOTE_ADDR": "198.51.100.9"})
    login(admin)
    rows = _rows(client.get("/admin/journal?ip=203.0.113.7"))
    assert "agent@nerac.fr" in rows and "203.0.113.7" in rows
    assert "pirate@exemple.fr" not in rows and "198.51.100.9" not in rows


def test_log_filters_by_dates_both_included(client, login, admin):
    for day, target in [(datetime(2024, 3, 9, 23, 30), "veille@exemple.fr"),
                        (datetime(2024, 3, 10, 8, 0), "premier-jour@exemple.fr"),
                        (datetime(2024, 3, 12, 23, 59), "dernier-jour@exemple.fr"),
                        (datetime(2024, 3, 13, 0, 1), "lendemain@exemple.fr")]:
        db.session.add(AuditEvent(action="login.failure", target=target, created_at=day))
    db.session.commit()
    login(admin)
    rows = _rows(client.get("/admin/journal?start=2024-03-10&end=2024-03-12"))
    assert "premier-jour@exemple.fr" in rows and "dernier-jour@exemple.fr" in rows
    assert "veille@exemple.fr" not in rows and "lendemain@exemple.fr" not in rows


def test_filters_combine(client, login, admin):
    agent = factories.make_user(factories.make_org(), email="agent@nerac.fr")
    _sign_in(client, agent, ip="203.0.113.7")
    _sign_in(client, agent, password="faux", ip="203.0.113.7")
    login(admin)
    rows = _rows(client.get("/admin/journal?action=login.success&who=agent@nerac.fr"
                            "&ip=203.0.113.7"))
    assert "Connexion réussie" in rows and "Échec de connexion" not in rows


def test_badly_typed_date_is_explained_in_french(client, login, admin):
    login(admin)
    text = page_text(client.get("/admin/journal?start=31/13/2024"))
    assert "Not a valid" not in text
    assert "Date invalide" in text


# --- an organisation's part of the log ---------------------------------------------------------


def test_organisation_admin_reads_only_their_organisations_part(client, login):
    nerac, mezin = factories.make_org("Nérac"), factories.make_org("Mézin")
    mayor = factories.make_user(nerac, Role.ADMIN, email="maire@nerac.fr")
    agent = factories.make_user(nerac, email="agent@nerac.fr")
    other_mayor = factories.make_user(mezin, Role.ADMIN, email="maire@mezin.fr")
    neighbour = factories.make_user(mezin, email="agent@mezin.fr")
    _sign_in(client, agent)
    _sign_in(client, neighbour)
    login(other_mayor)
    client.post(f"/admin/organisations/{mezin.slug}/membres/inviter", data={
        "email": "recrue@mezin.fr", "first_name": "", "last_name": "Recrue", "function": "",
        "role": "member"})
    client.post("/deconnexion")
    login(mayor)
    client.post(f"/admin/organisations/{nerac.slug}/membres/inviter", data={
        "email": "recrue@nerac.fr", "first_name": "", "last_name": "Recrue", "function": "",
        "role": "member"})

    rows = _rows(client.get(f"/admin/organisations/{nerac.slug}/journal"))

    assert "agent@nerac.fr" in rows and "recrue@nerac.fr" in rows
    assert "agent@mezin.fr" not in rows and "recrue@mezin.fr" not in rows
    assert "maire@mezin.fr" not in rows
    rows = _rows(client.get(f"/admin/organisations/{nerac.slug}/journal?who=mezin"))
    assert "Aucun événement ne correspond." in rows


def test_organisation_admin_cannot_read_another_organisations_log_nor_the_whole_log(client,
                                                                                    login):
    nerac, mezin = factories.make_org("Nérac"), factories.make_org("Mézin")
    login(factories.make_user(nerac, Role.ADMIN))
    assert client.get(f"/admin/organisations/{mezin.slug}/journal").status_code == 403
    assert client.get("/admin/journal").status_code == 403


def test_plain_member_cannot_read_their_organisations_log(client, login):
    nerac = factories.make_org("Nérac")
    login(factories.make_user(nerac, Role.EDITOR))
    assert client.get(f"/admin/organisations/{nerac.slug}/journal").status_code == 403


def test_platform_admin_reads_any_organisations_part(client, login, admin):
    nerac = factories.make_org("Nérac")
    agent = factories.make_user(nerac, email="agent@nerac.fr")
    _sign_in(client, agent)
    login(admin)
    rows = _rows(client.get(f"/admin/organisations/{nerac.slug}/journal"))
    assert "agent@nerac.fr" in rows


def test_long_log_is_paged_and_the_filter_follows_the_pages(client, login, admin):
    for n in range(60):
        db.session.add(AuditEvent(action="login.failure", target=f"essai{n}@exemple.fr"))
    db.session.add(AuditEvent(action="logout", target="autre@exemple.fr"))
    db.session.commit()
    login(admin)

    first = page_text(client.get("/admin/journal?action=login.failure"))
    assert "60 événements" in first and "Page 1 sur 2" in first
    assert "action=login.failure" in first.split('rel="next"', 1)[0].rsplit("<a", 1)[1]
    second = client.get("/admin/journal?action=login.failure&page=2")
    rows = _rows(second)
    assert rows.count("<tr>") == 10
    assert "autre@exemple.fr" not in rows
    # the statement and its count are built once; the total is counted at every page
    for n in range(60, 65):
        db.session.add(AuditEvent(action="login.failure", target=f"essai{n}@exemple.fr"))
    db.session.commit()
    assert "65 événements" in page_text(client.get("/admin/journal?action=login.failure"))
    assert _rows(client.get("/admin/journal?action=login.failure&page=2")).count("<tr>") == 15
