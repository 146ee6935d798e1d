"""The recipients' finder: what « Destinataires » finds for a few letters (JSON for the
search-as-you-type field, the same through the « Chercher » button), only among the people and
organisations the person may write to, accents and case ignored, in French order."""
from sqlalchemy import select

from intranet.core.types import Role, Visibility
from intranet.extensions import db
from intranet.messaging.models import Conversation
from intranet.spaces import services as spaces

from .. import factories
from ..helpers import text
from .builders import people


def _found(client, q):
    response = client.get("/messages/destinataires", query_string={"q": q})
    assert response.status_code == 200 and response.is_json
    assert response.headers["Cache-Control"] == "private, no-store"
    return [(r["kind"], r["label"]) for r in response.get_json()["results"]]


def test_only_people_and_organisations_one_may_write_to_are_found(client, login):
    world = people()
    alice = world["alice"]
    boe = factories.make_org("Mairie de Boé")
    factories.make_user(boe, Role.ADMIN, first_name="Odile", last_name="Dévillac")
    shared = factories.make_user(boe, first_name="Paul", last_name="Dévillac")
    spaces.add_member(world["network"], shared, by=alice)
    # a closed group Alice is not in: its members are not hers to write to
    outsider = factories.make_user(first_name="Quentin", last_name="Dévillac")
    secret = factories.make_group(outsider, name="Cellule", visibility=Visibility.MEMBERS)
    # an organisation without an administrator, and an inactive one
    factories.make_org("Boé-les-Bains")
    closed = factories.make_org("Boé-Vieux")
    factories.make_user(closed, Role.ADMIN, last_name="Ancien")
    closed.is_active = False
    db.session.commit()
    login(alice)
    # people of the directory (Odile, Paul) but not Quentin, who belongs to no organisation
    # and shares no space with Alice
    assert sorted(_found(client, "devillac")) == [("person", "Odile Dévillac"),
                                                  ("person", "Paul Dévillac")]
    assert _found(client, "boe") == [("organisation", "Mairie de Boé")]
    assert _found(client, "alice") == []  # not oneself
    # a member of the closed group sees its members
    spaces.add_member(secret, alice, by=outsider)
    assert sorted(_found(client, "DÉVILLAC")) == [("person", "Odile Dévillac"),
                                                  ("person", "Paul Dévillac"),
                                                  ("person", "Quentin Dévillac")]


def test_matching_ignores_accents_and_case_and_results_come_in_french_order(client, login):
    world = people()
    for name in ("Duras", "Dévillac", "Saint-Front-sur-Lémance", "Boussès", "Boé"):
        factories.make_user(factories.make_org(name), Role.ADMIN)
    login(world["alice"])
    assert _found(client, "boe") == [("organisation", "Boé")]
    assert _found(client, "DEVILLAC") == [("organisation", "Dévillac")]
    assert _found(client, "lemance") == [("organisation", "Saint-Front-sur-Lémance")]
    assert _found(client, "saint front") == [("organisation", "Saint-Front-sur-Lémance")]
    assert [label for _, label in _found(client, "bo")] == ["Boé", "Boussès"]
    assert [label for _, label in _found(client, "d")] == []  # two letters at least
    assert ("person", "Chloé Roux") in _found(client, "chloe")
    assert ("person", "Chloé Roux") in _found(client, world["chloe"].email[:8])


def test_at_most_twenty_results_half_people_half_organisations(client, login):
    world = people()
    for n in range(25):
        org = factories.make_org(f"Commune Martin {n:02d}")
        factories.make_user(org, Role.ADMIN)
        spaces.add_member(world["network"], factories.make_user(
            org, first_name="Jean", last_name=f"Martin {n:02d}"), by=world["alice"])
    login(world["bruno"])
    found = _found(client, "martin")
    assert len(found) == 20
    assert [kind for kind, _ in found].count("organisation") == 10
    assert ("person", "Jean Martin 00") in found


def test_anonymous_visitors_get_no_answer(client):
    people()
    response = client.get("/messages/destinataires?q=agen")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_without_javascript_an_organisation_is_searched_added_and_removed(client, login):
    world = people()
    boe = factories.make_org("Mairie de Boé")
    boe_admin = factories.make_user(boe, Role.ADMIN)
    login(world["alice"])
    typed = {"subject": "Convention de voirie", "body": "Le texte tapé",
             "to": world["bruno"].email, "lookup": "boe"}
    page = text(client.post("/messages/nouveau", data={**typed, "chercher": "1"}))
    assert f'value="organisation:{boe.id}"' in page and "Mairie de Boé" in page
    assert "Le texte tapé" in page and "Convention de voirie" in page
    assert world["bruno"].email in page
    page = text(client.post("/messages/nouveau", data={**typed, "ajouter": f"organisation:{boe.id}"}))
    assert f'<input type="hidden" name="organisation" value="{boe.id}">' in page
    assert "Le texte tapé" in page
    page = text(client.post("/messages/nouveau", data={**typed, "organisation": str(boe.id),
                                                       "retirer": str(boe.id)}))
    assert 'name="organisation"' not in page and "Convention de voirie" in page
    assert db.session.scalar(select(Conversation)) is None
    response = client.post("/messages/nouveau", data={**typed, "organisation": str(boe.id),
                                                      "envoyer": "1"})
    assert response.status_code == 302
    conv = db.session.scalar(select(Conversation))
    assert {p.user_id for p in conv.participants} == {world["alice"].id, world["bruno"].id,
                                                      boe_admin.id}
    assert conv.audience == "Administrateurs de « Mairie de Boé »"


def test_anyone_of_the_directory_may_be_written_to_and_nobody_else(client, login):
    world = people()
    colleague = factories.make_user(factories.make_org("Duras"), first_name="Sam",
                                    last_name="Roy")
    login(world["alice"])
    assert "Écrire un message" in text(client.get(f"/personnes/{colleague.id}"))
    client.post("/messages/nouveau", data={
        "to": colleague.email, "subject": "Objet", "body": "Texte", "envoyer": "1"})
    assert db.session.scalar(select(Conversation)) is not None
    # someone of no organisation, in no space Alice shares, is not hers to write to
    loner = factories.make_user(first_name="Léa", last_name="Seule")
    page = text(client.post("/messages/nouveau", data={
        "to": loner.email, "subject": "Objet", "body": "Texte", "envoyer": "1"}))
    assert "Vous ne pouvez pas écrire directement à Léa Seule" in page
    assert "Écrire un message" in text(client.get(f"/personnes/{world['chloe'].id}"))
