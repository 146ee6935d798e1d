"""The directory of people: filters, each person's privacy choices, and what leaves it (vCards,
CSV, a message to all)."""
import csv
import io

import vobject

from intranet.accounts.models import PersonFunction, User
from intranet.extensions import db

from ..helpers import text, visible_text

SECRETARIES = "fonction=secretaire_mairie&epci={}"


def test_a_secretary_gets_the_secretaries_of_her_epci_from_the_shortcut(agglo, client, login):
    login(agglo["sandrine"])
    page = text(client.get("/annuaire"))
    shortcut = f"/annuaire?fonction=secretaire_mairie&amp;epci={agglo['epci'].id}"
    assert "Secrétaires de mairie de mon intercommunalité" in page
    found = visible_text(client.get(f"/annuaire?{SECRETARIES.format(agglo['epci'].id)}"))
    assert shortcut.replace("&amp;", "&") in page.replace("&amp;", "&")
    assert "2 personnes." in found and "Lafitte" in found and "Dézès" in found
    assert "Ailleurs" not in found and "Castaing" not in found
    assert "Discret" not in found          # his function is hidden: he is not found by it


def test_each_person_chooses_what_the_network_sees(agglo, client, login, new_client):
    login(agglo["sandrine"])
    listing = visible_text(client.get("/annuaire?q=dezes"))
    assert "05 53 00 00 02" in listing                                   # shown by choice
    page = visible_text(client.get(f"/personnes/{agglo['hidden'].id}"))
    assert agglo["hidden"].email not in page and "Secrétaire" not in page
    mine = visible_text(client.get("/annuaire?q=lafitte"))
    assert "05 53 00 00 01" in mine                                      # her own
    # Astaffort's admin reads all of her colleague's details.
    admin = new_client(agglo["helene"])
    assert agglo["hidden"].email in visible_text(admin.get(f"/personnes/{agglo['hidden'].id}"))
    found = visible_text(admin.get(f"/annuaire?{SECRETARIES.format(agglo['epci'].id)}"))
    assert "Discret" in found


def test_profile_sets_the_function_and_what_the_network_sees(agglo, client, login):
    login(agglo["sandrine"])
    response = client.post("/profil", data={
        "first_name": "Sandrine", "last_name": "Lafitte", "function_kind": "comptable",
        "function": "budget annexe", "phone": "05 53 00 00 09", "show_phone": "y",
        "show_function": "y"})
    assert response.status_code == 302
    sandrine = db.session.get(User, agglo["sandrine"].id)
    assert sandrine.function_kind == PersonFunction.ACCOUNTANT
    assert (sandrine.show_email, sandrine.show_phone, sandrine.show_function) == (False, True,
                                                                                  True)
    assert sandrine.function_label == "Comptable — budget annexe"


def test_vcards_and_csv_hold_only_what_the_viewer_may_read(agglo, client, login):
    login(agglo["sandrine"])
    query = f"epci={agglo['epci'].id}"
    response = client.get(f"/annuaire/vcards?{query}")
    assert response.headers["Content-Type"] == "text/vcard; charset=utf-8"
    cards = {c.fn.value: c for c in vobject.readComponents(response.get_data(as_text=True))}
    assert {c.version.value for c in cards.values()} == {"4.0"}
    assert set(cards) == {"Sandrine Lafitte", "Hélène Dézès", "Paul Discret", "Bernard Castaing"}
    assert not hasattr(cards["Paul Discret"], "email") and not hasattr(cards["Paul Discret"],
                                                                       "title")
    assert cards["Hélène Dézès"].tel.value == "tel:+33-5-53-00-00-02"
    assert not hasattr(cards["Bernard Castaing"], "tel")                # hidden by default
    exported = client.get(f"/annuaire/export.csv?{query}")
    body = exported.get_data()
    assert body.startswith(b"\xef\xbb\xbf") and exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    by_name = {row["nom"]: row for row in rows}
    assert by_name["Dézès"]["prenom"] == "Hélène"
    assert by_name["Dézès"]["organisations"] == "Astaffort"
    assert by_name["Discret"]["courriel"] == "" and by_name["Discret"]["fonction"] == ""
    one = client.get(f"/annuaire/personnes/{agglo['helene'].id}.vcf")
    assert vobject.readOne(one.get_data(as_text=True)).fn.value == "Hélène Dézès"


def test_write_to_all_fills_the_new_message_with_the_people_found(agglo, client, login):
    login(agglo["sandrine"])
    page = text(client.get(f"/annuaire?{SECRETARIES.format(agglo['epci'].id)}"))
    link = page.split('href="/messages/nouveau?', 1)[1].split('"', 1)[0]
    compose = text(client.get("/messages/nouveau?" + link.replace("&amp;", "&")))
    assert "Hélène Dézès" in compose and "Sandrine Lafitte <" not in compose


def test_the_organisation_page_names_its_mayor_and_secretary_and_its_hours(agglo, client,
                                                                           login):
    boe = agglo["boe"]
    boe.opening_hours = "Lundi : 9 h – 12 h"
    db.session.commit()
    login(agglo["other"])
    page = visible_text(client.get(f"/organisations/{boe.slug}"))
    assert "Maire Bernard Castaing" in page and "Sandrine Lafitte (secrétaire de mairie)" in page
    assert "Lundi : 9 h – 12 h" in page
    card = vobject.readOne(client.get(f"/annuaire/organisations/{boe.slug}.vcf")
                           .get_data(as_text=True))
    assert card.kind.value == "org" and card.fn.value == "Boé"


def test_signed_out_visitors_are_sent_to_sign_in_and_bad_filters_are_ignored(agglo, client,
                                                                              login):
    assert client.get("/annuaire").status_code == 302
    login(agglo["sandrine"])
    response = client.get("/annuaire?epci=99999999999999&fonction=inconnue&type=x&page=-1")
    assert response.status_code == 200 and "5 personnes." in visible_text(response)
