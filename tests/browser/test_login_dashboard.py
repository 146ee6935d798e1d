"""Signing in through a real browser, and the dashboard a person then sees."""
from __future__ import annotations

import re

import pytest

from .. import factories
from ..browser_fixtures import expect

pytestmark = pytest.mark.browser


def test_member_signs_in_from_the_landing_page_and_sees_the_dashboard(page, live_server):
    org = factories.make_org("Commune de Nérac")
    user = factories.make_user(org, first_name="Camille", email="camille@nerac.fr")

    page.goto(f"{live_server}/")
    page.get_by_role("main").get_by_role("link", name="Se connecter").click()
    expect(page).to_have_url(f"{live_server}/connexion")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe", exact=True).fill(factories.PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Se connecter").click()

    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("heading", level=1, name="Bonjour Camille")).to_be_visible()
    expect(page.get_by_role("heading", name="Quoi de neuf dans mes espaces")).to_be_visible()
    my_nav = page.get_by_role("navigation", name="Mes organisations et mes groupes")
    my_nav.get_by_text("Mes organisations et mes groupes").click()  # opens the <details>
    my_orgs = my_nav.locator(".my-nav-cols > div").filter(
        has=page.get_by_role("heading", name="Mes organisations", exact=True))
    expect(my_orgs.get_by_role("link", name="Commune de Nérac")).to_be_visible()


def test_wrong_password_shows_the_error_and_stays_on_the_login_page(page, live_server):
    user = factories.make_user(factories.make_org())

    page.goto(f"{live_server}/connexion")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe", exact=True).fill("pas-le-bon-mot-de-passe")
    page.get_by_role("main").get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("alert")).to_have_text(
        "Adresse électronique ou mot de passe incorrect.")
    expect(page).to_have_url(re.compile(r"/connexion$"))
    expect(page.get_by_role("heading", level=1, name="Connexion")).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)


def _has_no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def test_no_horizontal_scroll_at_phone_width(browser, live_server):
    user = factories.make_user(factories.make_org("Communauté d'agglomération d'Agen"))
    context = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 740})
    try:
        page = context.new_page()
        page.goto(f"{live_server}/")
        assert _has_no_horizontal_scroll(page), "page d'accueil plus large que l'écran"

        page.goto(f"{live_server}/connexion")
        assert _has_no_horizontal_scroll(page), "page de connexion plus large que l'écran"

        page.get_by_label("Adresse électronique").fill(user.email)
        page.get_by_label("Mot de passe", exact=True).fill(factories.PASSWORD)
        page.get_by_role("main").get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Bonjour"))
        assert _has_no_horizontal_scroll(page), "tableau de bord plus large que l'écran"
    finally:
        context.close()
