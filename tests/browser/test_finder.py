"""The recipients' finder in a real browser: a secretary types « boe », picks « Mairie de Boé »
with the keyboard, sends, and the conversation reaches the town hall's administrators; the page
with the list open passes axe, and typing fast asks the server once."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from intranet.core.types import Role
from intranet.extensions import db
from intranet.messaging.models import Conversation

from .. import factories
from ..browser_fixtures import BLOCKING, describe, expect

pytestmark = pytest.mark.browser


@pytest.fixture
def world():
    agen = factories.make_org("Commune d'Agen")
    secretary = factories.make_user(agen, first_name="Sandrine", last_name="Lafitte")
    boe = factories.make_org("Mairie de Boé")
    mayor = factories.make_user(boe, Role.ADMIN, first_name="Bernard", last_name="Castaing")
    factories.make_user(agen, first_name="Chloé", last_name="Laboétie")   # a colleague
    factories.make_user(factories.make_org("Boussès"), Role.ADMIN)
    return {"secretary": secretary, "boe": boe, "mayor": mayor}


def _finder_requests(page) -> list[str]:
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/messages/destinataires" in r.url
            else None)
    return asked


def test_secretary_finds_the_town_hall_by_typing_boe_and_writes_to_it(page, live_server,
                                                                      sign_in, axe, world):
    sign_in(world["secretary"])
    asked = _finder_requests(page)
    page.goto(f"{live_server}/messages/nouveau")
    field = page.get_by_role("combobox", name="Chercher une personne ou une organisation")
    expect(field).to_have_attribute("aria-expanded", "false")
    field.press_sequentially("boe", delay=40)   # faster than the debounce: one request
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option")).to_have_count(2)   # the town hall, a colleague
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("status").filter(has_text="2 résultats")).to_have_count(1)
    assert len(asked) == 1 and asked[0].endswith("q=boe")

    results = axe.run(page)   # with the list open
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"axe, liste ouverte :\n{describe(blocking)}"

    field.press("ArrowDown")
    first = listbox.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(first).to_contain_text("Mairie de Boé")
    assert field.get_attribute("aria-activedescendant") == first.get_attribute("id")
    field.press("Enter")
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(field).to_have_value("")
    chosen = page.locator("#organisations-choisies")
    expect(chosen).to_contain_text("Mairie de Boé")

    # Escape closes the list without choosing
    field.press_sequentially("bous", delay=40)
    expect(listbox.get_by_role("option")).to_have_count(1)
    field.press("Escape")
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(chosen.locator("li")).to_have_count(1)

    page.get_by_label("Objet", exact=True).fill("Convention de déneigement")
    page.get_by_role("textbox", name="Message", exact=True).fill("Bonjour, voici la convention.")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_text("Message envoyé.")).to_be_visible()
    conversation = db.session.scalar(select(Conversation))
    assert conversation.subject == "Convention de déneigement"
    assert {p.user_id for p in conversation.participants} == {world["secretary"].id,
                                                              world["mayor"].id}


def test_a_person_picked_in_the_list_is_added_to_the_people(page, live_server, sign_in, world):
    colleague = factories.make_user(world["secretary"].memberships[0].organisation,
                                    first_name="Éloïse", last_name="Dévillac")
    sign_in(world["secretary"])
    page.goto(f"{live_server}/messages/nouveau")
    field = page.get_by_role("combobox", name="Chercher une personne ou une organisation")
    field.press_sequentially("devil", delay=40)
    page.get_by_role("option", name="Éloïse Dévillac").click()
    expect(page.get_by_label("Personnes")).to_have_value(
        f"Éloïse Dévillac <{colleague.email}>")
    expect(page.get_by_role("status").filter(has_text="ajouté aux destinataires")).to_have_count(1)
