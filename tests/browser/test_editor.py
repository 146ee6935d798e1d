"""The one rich text editor in a real browser: a message and a press release written with
« Gras » come out bold; two editors on one page each write their own field; the forms that
carry it pass axe."""
from __future__ import annotations

import re

import pytest

from intranet.core.types import Role
from intranet.extensions import db

from .. import factories
from ..browser_fixtures import BLOCKING, describe, expect

pytestmark = pytest.mark.browser


@pytest.fixture
def people():
    org = factories.make_org("Agmé")
    alice = factories.make_user(org, Role.ADMIN, first_name="Alice", last_name="Martin")
    bruno = factories.make_user(org, Role.MEMBER, first_name="Bruno", last_name="Petit")
    db.session.commit()
    return {"org": org, "alice": alice, "bruno": bruno}


def _write_with_bold(page, name: str, plain: str, bold: str):
    area = page.get_by_role("textbox", name=name, exact=True)
    area.click()
    page.keyboard.type(plain)
    page.get_by_role("toolbar", name=f"Mise en forme : {name}") \
        .get_by_role("button", name="Gras", exact=True).click()
    page.keyboard.type(bold)
    return area


def test_a_message_written_in_bold_arrives_in_bold(page, live_server, sign_in, people):
    sign_in(people["alice"])
    page.goto(f"{live_server}/messages/nouveau")
    # The hint names the buttons that are really there.
    expect(page.locator("#body-aide")).to_contain_text("boutons Gras, Italique")
    page.get_by_label("Personnes").fill(people["bruno"].email)
    page.get_by_label("Objet").fill("Chantier de la voirie")
    _write_with_bold(page, "Message", "Le chantier commence ", "lundi")
    page.get_by_role("button", name="Envoyer", exact=True).click()
    page.wait_for_url(re.compile(r"/messages/\d+"))
    expect(page.locator("main .rich b, main .rich strong").first).to_have_text("lundi")

    # The reply box on the same page is the same editor.
    _write_with_bold(page, "Votre réponse", "Merci, à ", "lundi matin")
    page.get_by_role("button", name="Envoyer la réponse").click()
    page.wait_for_url(re.compile(r"/messages/\d+"))
    expect(page.locator("main .rich b, main .rich strong")
           .filter(has_text="lundi matin")).to_have_count(1)


def test_a_press_release_written_in_bold_is_published_in_bold(page, live_server, sign_in,
                                                               people):
    sign_in(people["alice"])
    page.goto(f"{live_server}/communiques/nouveau")
    expect(page.get_by_text("Format du texte")).to_have_count(0)
    page.get_by_label("Titre").fill("Inauguration de la médiathèque")
    _write_with_bold(page, "Texte du communiqué", "Le maire invite ", "tous les habitants")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url(re.compile(r"/communiques/\d+$"))
    expect(page.locator("main .rich b, main .rich strong").first) \
        .to_have_text("tous les habitants")

    # Edited, it comes back in the editor as it was written.
    page.get_by_role("link", name="Modifier").first.click()
    area = page.get_by_role("textbox", name="Texte du communiqué", exact=True)
    expect(area.locator("b, strong")).to_have_text("tous les habitants")


def test_two_editors_on_one_page_each_write_their_own_field(page, live_server, sign_in,
                                                           people):
    """No form has two texts today: the page is built here, with the macro's markup, and the
    real script."""
    sign_in(people["alice"])
    page.goto(f"{live_server}/connexion")
    page.evaluate("""() => {
      const main = document.querySelector("main");
      main.insertAdjacentHTML("beforeend", `
        <form id="essai" method="post" action="/nulle-part">
          ${["premier", "second"].map((id) => `
            <div class="field">
              <label for="${id}" id="${id}-libelle">Texte ${id}</label>
              <p class="hint" id="${id}-aide"><span data-editor-howto>Écrivez.</span></p>
              <textarea id="${id}" name="${id}" aria-describedby="${id}-aide"
                        data-editor="rich">${id === "second" ? "Déjà **écrit**" : ""}</textarea>
              <input type="hidden" name="${id}_format" value="text"
                     data-editor-format-for="${id}">
              ${id === "second" ? `<template data-editor-html-for="second"><p>Déjà <strong>écrit</strong></p></template>` : ""}
            </div>`).join("")}
        </form>`);
    }""")
    page.add_script_tag(url="/static/js/editor.js")
    first = _write_with_bold(page, "Texte premier", "Un ", "premier")
    second = page.get_by_role("textbox", name="Texte second", exact=True)
    expect(second.locator("strong")).to_have_text("écrit")
    second.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" et complété")
    expect(page.get_by_role("toolbar")).to_have_count(2)
    expect(page.locator("#premier-aide")).to_contain_text("boutons Gras")
    expect(page.locator("#second-aide")).to_contain_text("boutons Gras")

    sent = page.evaluate("""() => {
      const form = document.getElementById("essai");
      form.dispatchEvent(new Event("submit", {cancelable: true}));
      return Object.fromEntries(new FormData(form));
    }""")
    assert re.search(r"Un <b>premier</b>", sent["premier"]), sent
    assert "premier" not in sent["second"] and "et complété" in sent["second"], sent
    assert "Déjà <strong>écrit" in sent["second"], sent          # loaded from the rendering
    assert sent["premier_format"] == "html" and sent["second_format"] == "html", sent
    assert first.get_attribute("aria-labelledby") == "premier-libelle"


@pytest.mark.parametrize("path", ["/messages/nouveau", "/communiques/nouveau",
                                  "/deliberations/nouvel-acte"])
def test_the_editor_forms_pass_axe(page, live_server, sign_in, axe, people, path):
    sign_in(people["alice"])
    page.goto(f"{live_server}{path}")
    expect(page.get_by_role("toolbar").first).to_be_visible()
    results = axe.run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"axe sur {path} :\n{describe(blocking)}"
