"""Passkeys in Chromium, with its virtual authenticator (the DevTools protocol's WebAuthn
domain, through Playwright's CDP session): an admin registers one when asked for a second
factor, then signs in with it alone, and with it after the password."""
from __future__ import annotations

import pytest

from intranet.accounts.mfa import services as mfa
from intranet.core.types import Role

from .. import factories
from ..browser_fixtures import expect

pytestmark = pytest.mark.browser


def _sign_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_text("Vous êtes déconnecté(e).")).to_be_visible()


def test_an_admin_registers_a_passkey_then_signs_in_with_it(browser, live_server):
    # WebAuthn needs a secure context: http://localhost is one (the RP id is then "localhost").
    base = live_server.replace("127.0.0.1", "localhost")
    admin = factories.make_user(factories.make_org("Commune de Nérac"), Role.ADMIN,
                                first_name="Camille")
    context = browser.new_context(locale="fr-FR")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
            "hasUserVerification": True, "isUserVerified": True}})

        # The password, then enrolment: an admin without a second factor registers one.
        page.goto(f"{base}/connexion")
        page.get_by_label("Adresse électronique").fill(admin.email)
        page.get_by_label("Mot de passe", exact=True).fill(factories.PASSWORD)
        page.get_by_role("button", name="Se connecter", exact=True).click()
        expect(page).to_have_url(f"{base}/connexion/second-facteur/activer")
        page.get_by_label("Nom de la clé").fill("Ordinateur du bureau")
        page.get_by_role("button", name="Enregistrer la clé et me connecter").click()
        expect(page).to_have_url(f"{base}/profil/securite/nouveaux-codes")
        expect(page.locator(".recovery-codes li")).to_have_count(10)
        page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Camille")
        assert [key.name for key in mfa.passkeys(admin)] == ["Ordinateur du bureau"]

        # The passkey alone (it verified its holder): no password.
        _sign_out(page)
        page.goto(f"{base}/connexion")
        page.get_by_role("button", name="Connexion par clé d'accès").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Camille")

        # The password, then the passkey as the second factor.
        _sign_out(page)
        page.goto(f"{base}/connexion")
        page.get_by_label("Adresse électronique").fill(admin.email)
        page.get_by_label("Mot de passe", exact=True).fill(factories.PASSWORD)
        page.get_by_role("button", name="Se connecter", exact=True).click()
        expect(page).to_have_url(f"{base}/connexion/second-facteur")
        page.get_by_role("button", name="Utiliser ma clé").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Camille")
        assert mfa.passkeys(admin)[0].last_used_at is not None
    finally:
        context.close()
