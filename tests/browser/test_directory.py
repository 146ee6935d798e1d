"""The directory in a real browser: the secretary of a commune of the Agglomération d'Agen
gets every secretary of her EPCI in two clicks from the dashboard (« Annuaire », then the
shortcut) and downloads them as vCards, which an independent library reads."""
from __future__ import annotations

import pytest
import vobject

from intranet.accounts.models import OrgKind, PersonFunction
from intranet.extensions import db

from .. import factories
from ..browser_fixtures import expect

pytestmark = pytest.mark.browser


def _secretary(org, first_name, last_name):
    person = factories.make_user(org, first_name=first_name, last_name=last_name)
    person.function_kind = PersonFunction.SECRETARY
    db.session.commit()
    return person


def test_secretary_downloads_the_vcards_of_her_epcis_secretaries_in_two_clicks(page, live_server,
                                                                               sign_in):
    agglo = factories.make_org("CA Agglomération d'Agen", OrgKind.EPCI)
    boe = factories.make_org("Boé", epci=agglo)
    secretary = _secretary(boe, "Sandrine", "Lafitte")
    _secretary(factories.make_org("Astaffort", epci=agglo), "Hélène", "Dézès")
    _secretary(factories.make_org("Marmande", epci=factories.make_org("Val de Garonne",
                                                                      OrgKind.EPCI)),
               "Agnès", "Ailleurs")
    factories.make_user(boe, first_name="Bernard", last_name="Castaing")   # not a secretary

    sign_in(secretary)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Annuaire").click()
    page.get_by_role("link", name="Secrétaires de mairie de mon intercommunalité").click()
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(3)                       # the header and two secretaries
    expect(page.get_by_role("status")).to_have_text("2 personnes.")

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Télécharger les vCards").click()
    download = downloading.value
    assert download.suggested_filename.endswith(".vcf")
    with open(download.path(), encoding="utf-8", newline="") as saved:
        cards = list(vobject.readComponents(saved.read()))
    assert sorted(card.fn.value for card in cards) == ["Hélène Dézès", "Sandrine Lafitte"]
    assert {card.version.value for card in cards} == {"4.0"}
    assert all(card.title.value == "Secrétaire de mairie" for card in cards)
