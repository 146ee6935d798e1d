"""A private link followed while signed out leads to the sign-in page, then back to the page;
the answer is the same whether the address exists or not (issue 12.4)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from intranet.core.types import Role, Visibility
from intranet.core.urls import local_path
from intranet.documents import services as documents
from intranet.spaces.models import JoinPolicy

from .. import factories
from ..helpers import text


def _private_page():
    org = factories.make_org("Astaffort")
    member = factories.make_user(org, Role.EDITOR)
    space = factories.org_space(org)
    page = documents.create_page(space, title="Budget primitif", body="Chiffres internes",
                                 body_format="text", by=member)
    documents.publish_page(page, by=member)
    return member, space, page


def answer(response) -> tuple:
    """What a signed-out visitor learns from a response, ``next`` apart."""
    location = urlsplit(response.headers.get("Location", ""))
    query = sorted((k, tuple(v)) for k, v in parse_qs(location.query).items() if k != "next")
    return response.status_code, location.path, tuple(query), response.get_data()


def next_of(response) -> str:
    return parse_qs(urlsplit(response.headers["Location"]).query)["next"][0]


def test_a_private_address_and_one_that_does_not_exist_get_the_same_sign_in_answer(client):
    _, space, page = _private_page()
    real = [f"/espaces/{space.slug}", f"/espaces/{space.slug}/pages/{page.id}",
            f"/espaces/{space.slug}/documents"]
    ghosts = ["/espaces/nexiste-pas", "/espaces/nexiste-pas/pages/999999",
              f"/espaces/{space.slug}/pages/999999", "/espaces/999999/documents"]
    answers = set()
    for url in real + ghosts:
        response = client.get(url)
        assert response.status_code == 302, url
        assert next_of(response) == url
        answers.add(answer(response))
    assert answers == {(302, "/connexion", (), b"")}


def test_a_page_behind_login_required_gets_the_very_same_answer(client):
    _, space, _ = _private_page()
    refused_read = client.get(f"/espaces/{space.slug}")
    login_required = client.get("/messages/")
    assert answer(refused_read) == answer(login_required)
    assert next_of(login_required) == "/messages/"
    assert sorted(refused_read.headers.keys()) == sorted(login_required.headers.keys())


def test_the_query_string_comes_back_too(client):
    _, space, _ = _private_page()
    response = client.get(f"/espaces/{space.slug}/documents?page=2")
    assert next_of(response) == f"/espaces/{space.slug}/documents?page=2"


def test_signing_in_lands_on_the_page_that_was_asked_for(client):
    member, space, page = _private_page()
    url = f"/espaces/{space.slug}/pages/{page.id}"
    to_sign_in = client.get(url)
    assert "Connectez-vous pour accéder à cette page." in text(client.get(to_sign_in.headers["Location"]))
    signed_in = client.post(to_sign_in.headers["Location"],
                            data={"email": member.email, "password": factories.PASSWORD})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == url
    assert "Chiffres internes" in text(client.get(url))


def test_a_person_already_signed_in_goes_straight_to_next(client, login):
    member, space, _ = _private_page()
    login(member)
    response = client.get(f"/connexion?next=/espaces/{space.slug}")
    assert response.headers["Location"] == f"/espaces/{space.slug}"


def test_signed_in_people_who_may_not_see_it_still_get_404_and_refused_writes_403(client, login):
    _, space, page = _private_page()
    outsider = factories.make_user(factories.make_org("Layrac"), Role.ADMIN)
    login(outsider)
    assert client.get(f"/espaces/{space.slug}/pages/{page.id}").status_code == 404
    assert client.get("/espaces/nexiste-pas").status_code == 404
    public = factories.make_group(outsider, name="Groupe public", visibility=Visibility.PUBLIC,
                                  join_policy=JoinPolicy.OPEN)
    reader = factories.make_user(factories.make_org("Moirax"))
    client.post("/deconnexion")
    login(reader)
    assert client.get(f"/espaces/{public.slug}/parametres").status_code == 403


def test_public_pages_stay_public_and_unknown_addresses_stay_404(client):
    owner = factories.make_user(factories.make_org("Boé"), Role.ADMIN)
    public = factories.make_group(owner, name="Groupe ouvert", visibility=Visibility.PUBLIC,
                                  join_policy=JoinPolicy.OPEN)
    assert client.get(f"/espaces/{public.slug}").status_code == 200
    assert client.get("/aides/").status_code == 200
    # no route answers it: nothing can be hidden there
    assert client.get("/nimporte-quoi").status_code == 404
    # public-only reference data, and feeds (read by programs that cannot sign in)
    assert client.get("/marches/nomenclatures/nexiste-pas").status_code == 404
    assert client.get("/aides/flux/jeton-faux.atom").status_code == 404
    assert client.get("/static/nexiste-pas.css").status_code == 404


@pytest.mark.parametrize("target", [
    "https://exemple.com/piege", "//exemple.com/piege", "/\\exemple.com/piege",
    "\\\\exemple.com", "/\t/exemple.com", "/\n/exemple.com", "http:/exemple.com",
    "javascript:alert(1)", "exemple.com", "", None,
])
def test_next_never_leaves_the_site(client, target):
    assert local_path(target) is None
    user = factories.make_user()
    query = "" if target is None else "?" + urlencode({"next": target})
    response = client.post(f"/connexion{query}", data={"email": user.email,
                                                      "password": factories.PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/", "/espaces/mairie", "/recherche?q=budget&page=2",
                                    "/espaces/a/pages/3#historique"])
def test_next_keeps_addresses_of_the_site(target):
    assert local_path(target) == target


def test_the_addresses_answered_without_sign_in_are_routes(app):
    from intranet import access
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert access.ANSWERED_WITHOUT_SIGN_IN <= endpoints
