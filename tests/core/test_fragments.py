"""The header and the footer are drawn once per process for each set of values
(``core/fragments.py``): what a person sees in them must still be theirs and up to date, and
the parts that change at every page (the CSRF token, the page's address) must be this page's."""
from __future__ import annotations

import re

from flask import render_template_string

from intranet.core import fragments
from intranet.core.types import Role
from intranet.extensions import db
from intranet.messaging import services as messaging

from .. import factories
from ..helpers import text


def _account_nav(page: str) -> str:
    return re.search(r'<nav aria-label="Compte".*?</nav>', page, re.S).group(0)


def _header_token(page: str) -> str:
    return re.search(r'action="/deconnexion"[^>]*>\s*<input type="hidden" name="csrf_token" '
                     r'value="([^"]+)"', page).group(1)


def test_each_person_sees_their_own_header(new_client):
    agme = factories.make_org("Agmé")
    martine = factories.make_user(agme, Role.ADMIN, first_name="Martine", last_name="Roux")
    paul = factories.make_user(agme, Role.MEMBER, first_name="Paul", last_name="Dupont")
    as_martine, as_paul = new_client(martine), new_client(paul)
    for _ in range(2):   # the second round is drawn from the cache
        assert "Martine Roux" in _account_nav(text(as_martine.get("/")))
        assert "Paul Dupont" not in _account_nav(text(as_martine.get("/")))
        assert "Paul Dupont" in _account_nav(text(as_paul.get("/")))
        assert "Martine Roux" not in _account_nav(text(as_paul.get("/")))


def test_the_counters_follow_what_happens(new_client):
    agme = factories.make_org("Agmé")
    martine = factories.make_user(agme, Role.ADMIN, first_name="Martine")
    paul = factories.make_user(agme, Role.MEMBER, first_name="Paul")
    as_paul = new_client(paul)
    assert 'class="count"' not in _account_nav(text(as_paul.get("/")))
    messaging.start_conversation(martine, to=paul.email, subject="Conseil", body="Bonjour")
    db.session.commit()
    nav = _account_nav(text(as_paul.get("/")))
    assert re.search(r'Messages <span class="count">1<span class="visually-hidden"> conversation '
                     r'non lue', nav), nav


def _signed_in(app, user):
    browser = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      text(browser.get("/connexion"))).group(1)
    response = browser.post("/connexion", data={"email": user.email, "csrf_token": token,
                                                "password": factories.PASSWORD})
    assert response.status_code == 302
    return browser


def test_the_tokens_are_each_sessions_own(csrf_app):
    """Two browsers of the same person share the cached header, not its CSRF token: each signs
    out with the token its own page gave."""
    martine = factories.make_user(factories.make_org("Agmé"), Role.MEMBER)
    first, second = _signed_in(csrf_app, martine), _signed_in(csrf_app, martine)
    first_token = _header_token(text(first.get("/")))
    second_token = _header_token(text(second.get("/")))
    assert first_token != second_token
    assert second.post("/deconnexion", data={"csrf_token": first_token}).status_code == 400
    assert second.post("/deconnexion", data={"csrf_token": second_token}).status_code == 302
    assert first.post("/deconnexion", data={"csrf_token": first_token}).status_code == 302


def test_the_working_for_form_comes_back_to_this_page_escaped(new_client):
    agme, agnac = factories.make_org("Agmé"), factories.make_org("Agnac")
    martine = factories.make_user(agme, Role.ADMIN)
    factories.add_membership(martine, agnac, Role.ADMIN)
    browser = new_client(martine)
    for path in ("/espaces/", '/espaces/?x="><b>y'):
        page = browser.get(path).get_data(as_text=True)
        next_value = re.search(r'<input type="hidden" name="next" value="([^"]*)">', page).group(1)
        assert next_value == path.replace('"', "&#34;").replace(">", "&gt;").replace("<", "&lt;")
    assert "<b>y" not in page


def test_the_search_box_shows_the_search_only_on_its_page(client, login):
    login(factories.make_user(factories.make_org("Agmé"), Role.MEMBER))
    results = client.get('/recherche?q=<script>"budget').get_data(as_text=True)
    assert 'id="recherche-entete" name="q" placeholder="Rechercher…" maxlength="300" ' \
           'value="&lt;script&gt;&#34;budget"' in results
    assert "<script>" not in results
    elsewhere = client.get('/espaces/?q=<script>"budget').get_data(as_text=True)
    assert 'maxlength="300" value="">' in elsewhere


def test_the_menu_marks_the_page_it_is_on(client):
    for path, label in (("/deliberations/", "Délibérations"), ("/aides/", "Aides"),
                        ("/", "Accueil")):
        menu = re.search(r'<nav aria-label="Navigation principale".*?</nav>', text(client.get(path)),
                         re.S).group(0)
        assert re.findall(r'aria-current="page">([^<]+)<', menu) == [label], path


def test_a_renamed_organisation_is_renamed_in_the_menu(client, login):
    agme = factories.make_org("Agmé")
    login(factories.make_user(agme, Role.ADMIN))
    assert ">Agmé</a>" in text(client.get("/"))
    agme.name = "Agmé-sur-Garonne"
    db.session.commit()
    page = text(client.get("/"))
    assert ">Agmé-sur-Garonne</a>" in page and ">Agmé</a>" not in page


def test_a_fragment_shows_only_what_it_is_given_and_the_cache_stays_bounded(app, monkeypatch):
    monkeypatch.setattr(fragments, "FRAGMENTS_MAX", 3)
    with app.test_request_context("/"):
        app.extensions["fragments"].clear()
        drawn = [render_template_string(
            '{{ fragment("core/_footer.html", {"level": level}) }}', level=f"niveau {n}",
            current_user="ne doit pas servir") for n in range(5)]
        assert [re.search(r"Accessibilité : ([^<]+)<", page).group(1) for page in drawn] == \
            [f"niveau {n}" for n in range(5)]
        assert len(app.extensions["fragments"]) <= 3

