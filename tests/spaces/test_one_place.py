"""One place per organisation: its home holds its private space, the menu names it once, and
« vous travaillez pour » says (and switches) which organisation a person serves right now."""
from __future__ import annotations

import re

from intranet.core.types import Role

from .. import factories
from ..helpers import text


def _selected_option(page: str, select_id: str) -> str:
    block = re.search(rf'<select[^>]*id="{select_id}".*?</select>', page, re.S).group(0)
    return re.search(r'<option (?:selected value="[^"]*"|value="[^"]*" selected)>([^<]*)</option>',
                     block).group(1)


def _secretary():
    agme, agnac = factories.make_org("Agmé"), factories.make_org("Agnac")
    martine = factories.make_user(agme, Role.ADMIN, first_name="Martine")
    factories.add_membership(martine, agnac, Role.ADMIN)
    return agme, agnac, martine


def test_the_organisation_home_holds_its_private_space(client, login):
    agme, agnac, martine = _secretary()
    factories.activity(factories.org_space(agme), "Compte rendu du conseil ajouté")
    login(martine)
    moved = client.get("/espaces/agme")
    assert moved.status_code == 302 and moved.headers["Location"].endswith("/organisations/agme")
    home = text(client.get("/organisations/agme"))
    assert "Compte rendu du conseil ajouté" in home
    for section in ("/espaces/agme/pages", "/espaces/agme/documents", "/espaces/agme/forums",
                    "/espaces/agme/listes", "/espaces/agme/membres"):
        assert f'href="{section}"' in home, section
    # each section page shows the same sections, its own marked as the current one
    documents = text(client.get("/espaces/agme/documents"))
    assert 'href="/organisations/agme">Accueil' in documents
    assert 'href="/espaces/agme/documents" aria-current="page"' in documents


def test_an_outsider_sees_the_public_home_only(client, login, new_client):
    agme, _, _ = _secretary()
    factories.activity(factories.org_space(agme), "Compte rendu du conseil ajouté")
    outsider = factories.make_user(factories.make_org("Boé"), Role.ADMIN)
    login(outsider)
    home = text(client.get("/organisations/agme"))
    assert "Agmé" in home and "Compte rendu du conseil ajouté" not in home
    assert "/espaces/agme/documents" not in home
    assert client.get("/espaces/agme").status_code == 404
    anonymous = new_client().get("/espaces/agme")
    assert anonymous.status_code == 302 and "/connexion" in anonymous.headers["Location"]


def test_the_menu_names_each_organisation_once(client, login):
    agme, agnac, martine = _secretary()
    login(martine)
    page = text(client.get("/"))
    menu = re.search(r'<nav aria-label="Mes organisations et mes groupes".*?</nav>', page, re.S).group(0)
    assert menu.count(">Agmé<") == 1 and menu.count(">Agnac<") == 1
    assert 'href="/organisations/agme"' in menu and "/espaces/agme" not in menu


def test_a_secretary_of_two_communes_switches_between_them(client, login):
    agme, agnac, martine = _secretary()
    login(martine)
    page = text(client.get("/aides/nouvelle"))
    assert "Vous travaillez pour" in page
    assert _selected_option(page, "travaille-pour") == "Agmé"     # the first, in French order
    assert _selected_option(page, "organisation") == "Agmé"

    switched = client.post("/je-travaille-pour", data={"organisation": str(agnac.id),
                                                       "next": "/aides/nouvelle"})
    assert switched.status_code == 302 and switched.headers["Location"].endswith("/aides/nouvelle")
    page = text(client.get("/aides/nouvelle"))
    assert "Vous travaillez maintenant pour : Agnac." in page
    assert _selected_option(page, "travaille-pour") == "Agnac"
    assert _selected_option(page, "organisation") == "Agnac"      # a new aid: for Agnac
    act = text(client.get("/deliberations/nouvel-acte"))
    assert _selected_option(act, "organisation") == "Agnac"
    assert "vous travaillez pour elle" in text(client.get("/"))


def test_one_cannot_switch_to_an_organisation_one_does_not_serve(client, login):
    agme, agnac, martine = _secretary()
    boe = factories.make_org("Boé")
    login(martine)
    refused = client.post("/je-travaille-pour", data={"organisation": str(boe.id),
                                                      "next": "https://ailleurs.example/"},
                          follow_redirects=True)
    page = text(refused)
    assert refused.status_code == 200 and "Choisissez une de vos organisations" in page
    assert _selected_option(page, "travaille-pour") == "Agmé"
    for nonsense in ("", "abc", "99999999999999999999", "\x00"):
        assert client.post("/je-travaille-pour", data={"organisation": nonsense}).status_code == 302


def test_a_person_of_one_organisation_is_told_which_without_a_switch(client, login):
    boe = factories.make_org("Boé")
    login(factories.make_user(boe, Role.EDITOR))
    page = text(client.get("/"))
    assert "Vous travaillez pour :" in page and 'id="travaille-pour"' not in page


def test_signing_out_forgets_the_choice(client, login):
    agme, agnac, martine = _secretary()
    login(martine)
    client.post("/je-travaille-pour", data={"organisation": str(agnac.id)})
    client.post("/deconnexion")
    login(martine)
    assert _selected_option(text(client.get("/")), "travaille-pour") == "Agmé"
