"""A private link followed while signed out: the sign-in page, then the page itself (12.4)."""
from __future__ import annotations

import re

import pytest

from intranet.core.types import Role
from intranet.documents import services as documents

from .. import factories
from ..browser_fixtures import expect

pytestmark = pytest.mark.browser


def test_a_signed_out_visitor_follows_a_private_link_signs_in_and_lands_on_it(page, live_server):
    org = factories.make_org("Commune de Moirax")
    secretary = factories.make_user(org, Role.EDITOR, first_name="Dominique")
    space = factories.org_space(org)
    private = documents.create_page(space, title="Tableau des astreintes",
                                    body="Astreinte de décembre : M. Durand.", body_format="text",
                                    by=secretary)
    documents.publish_page(private, by=secretary)
    link = f"/espaces/{space.slug}/pages/{private.id}"

    page.goto(f"{live_server}{link}")     # as from a link in a mail, signed out
    expect(page).to_have_url(re.compile(r"/connexion\?next="))
    expect(page.get_by_role("heading", level=1, name="Connexion")).to_be_visible()
    expect(page.get_by_text("Connectez-vous pour accéder à cette page.")).to_be_visible()
    expect(page.get_by_text("Tableau des astreintes")).to_have_count(0)
    page.get_by_label("Adresse électronique").fill(secretary.email)
    page.get_by_label("Mot de passe", exact=True).fill(factories.PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Se connecter").click()

    expect(page).to_have_url(f"{live_server}{link}")
    expect(page.get_by_role("heading", level=1, name="Tableau des astreintes")).to_be_visible()
    expect(page.get_by_text("Astreinte de décembre : M. Durand.")).to_be_visible()
