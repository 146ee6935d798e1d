"""The organisation choosers (a space's rules, a membership, a commune's EPCI): JSON for the
search-as-you-type field, and the « Chercher » round-trip that works without JavaScript."""
from sqlalchemy import func, select

from intranet.accounts.models import Membership, OrgKind
from intranet.core.types import Role, Visibility
from intranet.extensions import db
from intranet.spaces.models import JoinPolicy, SpaceRule

from .. import factories
from ..helpers import text


def _labels(client, q, **args):
    response = client.get("/organisations/trouver", query_string={"q": q, **args})
    assert response.status_code == 200 and response.is_json
    return [r["label"] for r in response.get_json()["results"]]


def test_finds_by_a_few_letters_without_accents_in_french_order(client, login):
    agglo = factories.make_org("CA Agglomération d'Agen", OrgKind.EPCI)
    for name in ("Boussès", "Boé", "Le Passage", "Bon-Encontre"):
        factories.make_org(name, epci=agglo)
    factories.make_org("Dévillac", insee_code="47079")
    gone = factories.make_org("Boé-Ancien")
    gone.is_active = False
    db.session.commit()
    login(factories.make_user(factories.make_org("Agen")))
    assert _labels(client, "BO") == ["Boé", "Bon-Encontre", "Boussès"]  # not the inactive one
    assert _labels(client, "devillac") == _labels(client, "47079") == ["Dévillac"]
    assert _labels(client, "agglomeration agen") == ["CA Agglomération d'Agen"]
    assert _labels(client, "ag", type="intercommunalite") == ["CA Agglomération d'Agen"]
    assert _labels(client, "b") == []


def test_the_platform_admin_also_finds_inactive_organisations(client, login):
    gone = factories.make_org("Boé-Ancien")
    gone.is_active = False
    db.session.commit()
    login(factories.make_user(platform_admin=True))
    assert _labels(client, "boe") == ["Boé-Ancien"]


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/organisations/trouver?q=boe")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_a_rule_organisation_is_searched_then_ticked_without_javascript(client, login):
    boe = factories.make_org("Boé")
    factories.make_org("Boussès")
    admin = factories.make_user(factories.make_org("Département", OrgKind.DEPARTEMENT),
                                Role.EDITOR)
    group = factories.make_group(admin, "Voirie", visibility=Visibility.MEMBERS,
                                 join_policy=JoinPolicy.CLOSED)
    login(admin)
    typed = {"organisation": "bo", "org_kind": "", "epci": "", "min_role": "admin"}
    page = text(client.post(f"/espaces/{group.slug}/regles",
                            data={**typed, "chercher": "organisation"}))
    assert 'type="radio" name="organisation_id"' in page
    assert page.index("Boé") < page.index("Boussès")
    assert '<option selected value="admin">' in page   # the rest of the form is kept
    assert db.session.scalar(select(func.count()).select_from(SpaceRule)) == 0
    response = client.post(f"/espaces/{group.slug}/regles",
                           data={**typed, "organisation_id": str(boe.id)})
    assert response.status_code == 302
    rule = db.session.scalar(select(SpaceRule))
    assert rule.organisation_id == boe.id and rule.min_role == Role.ADMIN


def test_a_name_typed_in_full_is_enough_and_a_vague_one_shows_the_matches(client, login):
    agen = factories.make_org("Agen")
    factories.make_org("Agen-d'Aveyron")
    person = factories.make_user(first_name="Inès")
    login(factories.make_user(platform_admin=True))
    page = text(client.post(f"/admin/utilisateurs/{person.id}/adhesions",
                            data={"organisation": "age", "role": "member"}))
    assert "Aucune organisation ne s'appelle exactement « age »" in page
    assert f'value="{agen.id}"' in page and "Agen-d'Aveyron" in page
    response = client.post(f"/admin/utilisateurs/{person.id}/adhesions",
                           data={"organisation": "AGEN", "role": "member"})
    assert response.status_code == 302
    assert db.session.scalar(select(Membership.organisation_id)
                             .where(Membership.user_id == person.id)) == agen.id


def test_a_stale_choice_gives_way_to_what_is_typed(client, login):
    """Without the script, the hidden choice stays when the text is changed by hand: the text
    wins when it no longer says the chosen organisation."""
    agen, boe = factories.make_org("Agen"), factories.make_org("Boé")
    person = factories.make_user()
    login(factories.make_user(platform_admin=True))
    client.post(f"/admin/utilisateurs/{person.id}/adhesions",
                data={"organisation": "Boé", "organisation_id": str(agen.id), "role": "member"})
    assert db.session.scalar(select(Membership.organisation_id)
                             .where(Membership.user_id == person.id)) == boe.id
