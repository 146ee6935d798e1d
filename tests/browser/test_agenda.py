"""The agenda in a real browser: a town hall agent opens the council room's week, books it from
the day she wants with the form it opens, and finds her meeting in the room's week and in her
agenda; booking the same slot again is refused in French, with what she typed kept. The pages
pass axe."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from intranet.agenda import services
from intranet.agenda.models import Booking, ResourceKind
from intranet.core.types import Role
from intranet.extensions import db

from .. import factories
from ..browser_fixtures import BLOCKING, describe, expect

pytestmark = pytest.mark.browser


def test_an_agent_books_the_council_room_from_its_week(page, live_server, sign_in, axe):
    layrac = factories.make_org("Commune de Layrac")
    mayor = factories.make_user(layrac, Role.ADMIN)
    agent = factories.make_user(layrac, Role.EDITOR, first_name="Sandrine", last_name="Lafitte")
    room = services.save_resource(layrac, by=mayor, name="Salle du conseil",
                                  kind=ResourceKind.ROOM, capacity=40)
    day = date.today() + timedelta(days=7)
    sign_in(agent)
    page.goto(f"{live_server}/organisations/{layrac.slug}/ressources/{room.id}"
              f"?vue=semaine&date={day.isoformat()}")
    blocking = [v for v in axe.run(page).response["violations"] if v["impact"] in BLOCKING]
    assert not blocking, describe(blocking)
    page.get_by_role("link", name="Réserver « Salle du conseil » le").filter(
        has_text="Réserver").nth(day.weekday()).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvel événement")
    expect(page.get_by_label("Salle du conseil (salle, Commune de Layrac)")).to_be_checked()
    page.get_by_label("Titre").fill("Réunion des associations")
    page.get_by_label("Heure de début").fill("18:00")
    page.get_by_label("Heure de fin").fill("20:00")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Réunion des associations")
    expect(page.get_by_text("Salle du conseil", exact=True)).to_be_visible()

    page.goto(f"{live_server}/organisations/{layrac.slug}/ressources/{room.id}"
              f"?vue=semaine&date={day.isoformat()}")
    expect(page.get_by_text("18:00–20:00")).to_be_visible()
    expect(page.get_by_role("link", name="Réunion des associations")).to_be_visible()

    # The same slot again: refused, in French, and what was typed is still there.
    page.get_by_role("link", name="Réserver « Salle du conseil » le").nth(day.weekday()).click()
    page.get_by_label("Titre").fill("Répétition de la chorale")
    page.get_by_label("Heure de début").fill("19:00")
    page.get_by_label("Heure de fin").fill("21:00")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("p.error", has_text="« Salle du conseil » est déjà réservé(e)")).to_be_visible()
    expect(page.get_by_label("Titre")).to_have_value("Répétition de la chorale")
    assert len(db.session.scalars(select(Booking)).all()) == 1

    page.goto(f"{live_server}/agenda/?vue=semaine&date={day.isoformat()}")
    expect(page.get_by_role("link", name="Réunion des associations")).to_be_visible()
