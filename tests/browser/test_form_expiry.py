"""A form sent after its token stopped being valid comes back with what was typed, in a real
browser, rich text included."""
from __future__ import annotations

import pytest

from intranet.core.types import Role

from .. import factories
from ..browser_fixtures import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_a_page_written_over_lunch_is_not_lost(page, live_server, sign_in, csrf_on):
    org = factories.make_org("Agmé")
    editor = factories.make_user(org, Role.EDITOR)
    sign_in(editor)
    page.goto(f"{live_server}/espaces/{factories.org_space(org).slug}/pages/nouvelle")
    page.get_by_label("Titre").fill("Compte rendu du conseil")
    editor_area = page.get_by_role("textbox", name="Texte de la page")
    editor_area.click()
    page.keyboard.type("Présents : douze conseillers")
    page.get_by_role("button", name="Gras").click()
    page.keyboard.type(" et le maire")
    # The token stops being valid while the page is open (the session was renewed elsewhere).
    page.evaluate("document.querySelectorAll('input[name=csrf_token]')"
                  ".forEach(function (input) { input.value = 'perime'; })")
    page.get_by_role("main").get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_text("Votre formulaire a expiré avant d'être envoyé")).to_be_visible()
    expect(page.get_by_label("Titre")).to_have_value("Compte rendu du conseil")
    area = page.get_by_role("textbox", name="Texte de la page")
    expect(area).to_contain_text("Présents : douze conseillers et le maire")
    expect(area.locator("b, strong")).to_have_text("et le maire")
    # Sending it again now works.
    page.get_by_role("main").get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1, name="Compte rendu du conseil")).to_be_visible()
