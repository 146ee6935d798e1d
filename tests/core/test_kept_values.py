"""What a process keeps across requests while nothing it was computed from has changed
(``generations.kept``): the lists' filter choices (years and publishers of the acts, employers,
aids' publishers, the ads' places, the EPCIs and communes offered) and the tables of
organisations. A change, whoever makes it, shows at the very next page; a visitor's page keeps
nothing."""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from flask import g
from flask_login import login_user
from markupsafe import escape
from sqlalchemy import update

from intranet.accounts.models import ORGANISATIONS, Organisation, OrgKind
from intranet.ads import services as ads
from intranet.core import generations
from intranet.core.timeutil import utcnow
from intranet.core.types import Role
from intranet.extensions import db
from intranet.jobs import services as jobs
from intranet.publications.aids import services as aids

from .. import factories
from ..ads.builders import ad_data
from ..helpers import count_queries, text, visible_text
from ..jobs.builders import employers, published_offer
from ..publications.aids import aid_data
from ..publications.deliberations.builders import make_act


def test_a_value_is_kept_while_its_tokens_stay_the_same(app):
    computed = []

    def compute():
        computed.append(1)
        return ("Agen", "Boé")
    generations.forget_kept()
    person = factories.make_user(factories.make_org("Agen"))
    with app.test_request_context("/"):
        login_user(person)
        generations.remember(ORGANISATIONS, "a")
        assert generations.kept(ORGANISATIONS, ("names",), compute) == ("Agen", "Boé")
        assert generations.kept(ORGANISATIONS, ("names",), compute) == ("Agen", "Boé")
        assert len(computed) == 1
        generations.kept(ORGANISATIONS, ("other names",), compute)     # another key
        assert len(computed) == 2
        generations.remember(ORGANISATIONS, "b")                       # something changed
        generations.kept(ORGANISATIONS, ("names",), compute)
        assert len(computed) == 3
        g.pop(f"generation_{ORGANISATIONS}")      # this request wrote: no token any more
        generations.kept(ORGANISATIONS, ("names",), compute)
        generations.kept(ORGANISATIONS, ("names",), compute)
        assert len(computed) == 5
    with app.test_request_context("/"):           # a visitor: the loader read no token
        generations.kept(ORGANISATIONS, ("names",), compute)
        assert len(computed) == 6


def test_the_kept_values_stay_bounded(app, monkeypatch):
    monkeypatch.setattr(generations, "KEPT_MAX", 3)
    generations.forget_kept()
    person = factories.make_user(factories.make_org("Agen"))
    with app.test_request_context("/"):
        login_user(person)
        generations.remember(ORGANISATIONS, "a")
        for n in range(10):
            generations.kept(ORGANISATIONS, ("page", n), lambda: n)
    assert 1 <= len(generations._KEPT) <= 3


def test_an_organisation_renamed_shows_at_the_next_page_of_every_list(new_client):
    agen = factories.make_org("Agglomération d'Agen", kind=OrgKind.EPCI)
    layrac = factories.make_org("Layrac", epci_id=agen.id)
    editor = factories.make_user(layrac, Role.EDITOR)
    admin = factories.make_user(layrac, email="admin@territoires47.fr", platform_admin=True)
    as_editor, as_admin = new_client(editor), new_client(admin)
    # (who, where, the organisation it names)
    pages = [(as_editor, "/organisations", agen), (as_editor, "/annuaire", agen),
             (as_editor, "/emplois/", agen), (as_editor, "/emplois/nouvelle", layrac),
             (as_admin, "/admin/organisations", agen), (as_admin, "/admin/organisations", layrac)]
    for client, address, org in pages:
        first = count_queries(client, address)
        assert escape(org.name) in client.get(address).text, address
        again = count_queries(client, address, values_kept=True)
        assert again < first, address       # the second page reuses what the first read

    agen.name = "Agglomération d'Agen et de sa région"
    db.session.commit()
    # and behind the session's back: a bulk statement through the session
    db.session.execute(update(Organisation).where(Organisation.id == layrac.id)
                       .values(name="Commune de Layrac"))
    db.session.commit()
    for client, address, org in pages:
        db.session.refresh(org)
        assert escape(org.name) in client.get(address).text, address
    assert "Agglomération d&#39;Agen et de sa région" in as_editor.get("/annuaire").text
    assert "Commune de Layrac" in as_editor.get("/emplois/nouvelle").text

    group = factories.make_group(editor, name="Voirie intercommunale")
    assert "Voirie intercommunale" in as_admin.get("/admin/espaces").text
    assert _kept(as_admin, "/admin/espaces")
    group.name = "Voirie et réseaux"
    db.session.commit()
    assert "Voirie et réseaux" in as_admin.get("/admin/espaces").text


def test_a_visitors_list_keeps_nothing(client):
    layrac = factories.make_org("Layrac")
    make_act(layrac, factories.make_user(layrac, Role.EDITOR), publish=True)
    generations.forget_kept()
    assert "Layrac" in text(client.get("/organisations"))
    assert "Layrac" in _options(client.get("/deliberations/").text, "organisation")
    assert generations._KEPT == {}


def _kept(client, address: str) -> bool:
    """Whether the second visit of ``address`` reuses what the first one computed."""
    return count_queries(client, address, values_kept=True) < count_queries(client, address)


def _options(page: str, name: str) -> str:
    start = page.index(f'name="{name}"')
    return page[start:page.index("</select>", start)]


def test_a_new_publishers_act_of_another_year_shows_in_the_filters_at_the_next_page(new_client):
    agen = factories.make_org("Agen")
    reader = new_client(factories.make_user(agen))
    make_act(agen, factories.make_user(agen, Role.EDITOR), number="A1", publish=True)
    page = reader.get("/deliberations/").text
    assert "2019" not in _options(page, "year") and "Boé" not in _options(page, "organisation")
    assert _kept(reader, "/deliberations/")

    boe = factories.make_org("Boé")
    boe_editor = factories.make_user(boe, Role.EDITOR)
    act = make_act(boe, boe_editor, number="B1", sitting_date=date(2019, 3, 4))
    page = reader.get("/deliberations/").text          # a draft: not in the filters yet
    assert "2019" not in _options(page, "year") and "Boé" not in _options(page, "organisation")
    from intranet.publications.deliberations import services as acts
    acts.publish(act, by=boe_editor)
    page = reader.get("/deliberations/").text
    assert "2019" in _options(page, "year") and "Boé" in _options(page, "organisation")
    assert "Rénovation de l&#39;école" in page

    # the list's page itself is kept, and shows a change at the next page
    assert _kept(reader, "/deliberations/")
    act.subject = "Rénovation de la cantine"
    db.session.commit()
    assert "Rénovation de la cantine" in reader.get("/deliberations/").text
    boe.name = "Commune de Boé"
    db.session.commit()
    assert "Commune de Boé</td>" in reader.get("/deliberations/").text


def test_a_new_employer_and_a_new_aid_publisher_show_in_the_filters_at_the_next_page(new_client):
    world = employers()
    reader = new_client(world["member"])
    assert "Commune de Layrac" not in _options(reader.get("/emplois/").text, "organisation")
    assert _kept(reader, "/emplois/")
    offer = published_offer(world)
    page = reader.get("/emplois/").text
    assert "Commune de Layrac" in _options(page, "organisation") and "Secrétaire de mairie" in page
    assert _kept(reader, "/emplois/")
    offer.title = "Secrétaire de mairie à temps partagé"
    db.session.commit()
    assert "Secrétaire de mairie à temps partagé" in reader.get("/emplois/").text

    aid = aids.create_aid(world["other"], aid_data("Fonds de soutien à la voirie"),
                          by=world["other_admin"])                  # a draft: not offered
    assert "Commune de Nérac" not in _options(reader.get("/aides/").text, "organisme")
    assert _kept(reader, "/aides/")
    aids.publish(aid, by=world["other_admin"])
    assert "Commune de Nérac" in _options(reader.get("/aides/").text, "organisme")
    assert jobs.publishers_with_offers(world["member"]) == {
        world["town"].slug: "Commune de Layrac"}


def test_an_ad_in_a_new_commune_shows_in_the_places_at_the_next_page(new_client):
    layrac = factories.make_org("Commune de Layrac")
    editor = factories.make_user(layrac, Role.EDITOR)
    reader = new_client(editor)
    ads.create_ad(layrac, ad_data("Barnum"), personal=False, by=editor)    # no commune named
    assert "Commune de Layrac" not in _options(reader.get("/annonces/").text, "commune")
    assert _kept(reader, "/annonces/")
    ad = ads.create_ad(layrac, ad_data(commune_id=layrac.id), personal=False, by=editor)
    page = reader.get("/annonces/").text
    assert "Commune de Layrac" in _options(page, "commune") and ad.title in page

    # the listing's page is kept, until an ad changes or the first one online expires
    assert _kept(reader, "/annonces/")
    ad.title = "Tentes de réception à prêter"
    db.session.commit()
    assert "Tentes de réception à prêter" in reader.get("/annonces/").text
    personal = ads.create_ad(layrac, ad_data("Vélo de route"), personal=True, by=editor)
    assert f"{editor.full_name}, Commune de Layrac" in reader.get("/annonces/").text
    editor.first_name = "Bérénice"
    db.session.commit()
    assert "Bérénice" in reader.get("/annonces/").text
    personal.expires_at = utcnow() + timedelta(seconds=1)
    db.session.commit()
    assert "Vélo de route" in reader.get("/annonces/").text
    assert _kept(reader, "/annonces/")
    time.sleep(1.1)                  # it goes offline as time goes, nothing written
    assert "Vélo de route" not in reader.get("/annonces/").text


def test_the_directorys_people_are_kept_and_each_viewer_reads_what_they_may(new_client):
    """One page of people, kept for everyone; what each viewer reads of them (a hidden email,
    shown to an administrator of the person's organisation) is chosen at each page."""
    layrac = factories.make_org("Commune de Layrac")
    boe = factories.make_org("Commune de Boé")
    claire = factories.make_user(layrac, Role.MEMBER, first_name="Claire", last_name="Dubois")
    claire.show_email = False
    db.session.commit()
    mayor = new_client(factories.make_user(layrac, Role.ADMIN, last_name="Maire"))
    neighbour = new_client(factories.make_user(boe, Role.MEMBER, last_name="Voisin"))
    assert claire.email in mayor.get("/annuaire").text
    assert _kept(mayor, "/annuaire")
    page = neighbour.get("/annuaire").text      # the page the mayor's request kept
    assert "Claire Dubois" in page and claire.email not in page
    assert claire.email in mayor.get("/annuaire").text

    claire.function = "Urbanisme"
    db.session.commit()
    assert "Urbanisme" in neighbour.get("/annuaire").text
    factories.add_membership(claire, boe)
    assert "Commune de Boé, Commune de Layrac" in neighbour.get("/annuaire").text
    boe.name = "Mairie de Boé"
    db.session.commit()
    assert "Commune de Layrac, Mairie de Boé" in neighbour.get("/annuaire").text


def test_an_organisations_people_are_kept_and_each_viewer_reads_their_functions_as_they_may(
        new_client):
    """The organisation page's people, kept for everyone; a function hidden from the network
    is shown to the organisation's administrator only, at each page; a change shows at once."""
    from intranet.accounts.models import PersonFunction
    layrac = factories.make_org("Commune de Layrac")
    claire = factories.make_user(layrac, Role.MEMBER, first_name="Claire", last_name="Dubois")
    claire.function_kind, claire.show_function = PersonFunction.SECRETARY, False
    db.session.commit()
    mayor = new_client(factories.make_user(layrac, Role.ADMIN, last_name="Maire"))
    neighbour = new_client(factories.make_user(factories.make_org("Commune de Boé"),
                                               last_name="Voisin"))
    address = f"/organisations/{layrac.slug}"
    assert "Claire Dubois — Secrétaire de mairie" in visible_text(mayor.get(address))
    assert _kept(mayor, address)
    page = visible_text(neighbour.get(address))       # the people the mayor's request kept
    assert "Claire Dubois" in page and "Secrétaire de mairie" not in page
    assert "Secrétariat" in visible_text(mayor.get(address))     # the officials, from the same list

    claire.last_name = "Dubois-Martin"
    db.session.commit()
    assert "Claire Dubois-Martin" in visible_text(neighbour.get(address))
    claire.show_function = True
    db.session.commit()
    assert "Claire Dubois-Martin — Secrétaire de mairie" in visible_text(neighbour.get(address))


def test_an_instructor_named_or_removed_is_seen_at_the_next_page(new_client):
    """Who instructs which programme is kept by the process, like a person's reach."""
    from intranet.subsidies import services as subsidies
    from ..subsidies.builders import council_and_communes
    world = council_and_communes()
    colleague = factories.make_user(world["council"], Role.MEMBER, last_name="Collègue")
    as_colleague, as_instructor = new_client(colleague), new_client(world["instructor"])
    assert as_colleague.get("/subventions/instruction").status_code == 404
    assert as_instructor.get("/subventions/instruction").status_code == 200
    assert _kept(as_instructor, "/subventions/instruction")
    row = subsidies.assign_instructor(colleague.email, "Voirie communale")
    page = as_colleague.get("/subventions/instruction")
    assert page.status_code == 200                        # another programme: not its aids
    assert "Aide à la voirie communale" not in _options(page.text, "aide")
    assert "Aide à la voirie communale" in _options(
        as_instructor.get("/subventions/instruction").text, "aide")
    world["aid"].title = "Aide à la voirie et aux chemins"
    db.session.commit()
    assert "Aide à la voirie et aux chemins" in _options(
        as_instructor.get("/subventions/instruction").text, "aide")
    admin = factories.make_user(email="admin@territoires47.fr", platform_admin=True)
    subsidies.remove_instructor(row, by=admin)
    assert as_colleague.get("/subventions/instruction").status_code == 404


def test_the_organisation_pages_sections_are_kept_until_what_they_show_changes(new_client):
    """The organisation page's published aids and press releases (the same for everyone of an
    audience) and its org chart's summary: kept, and changed at the next page."""
    from intranet.publications.orgcharts import services as charts
    from intranet.publications.press import services as press
    council = factories.make_org("Département de Lot-et-Garonne", kind=OrgKind.DEPARTEMENT)
    editor = factories.make_user(council, Role.ADMIN, last_name="Rédactrice")
    reader = new_client(factories.make_user(factories.make_org("Commune de Layrac")))
    release = press.create_release(council, title="Rentrée des collèges",
                                   release_date=date(2026, 9, 1), body="Tout est prêt.",
                                   by=editor)
    aid = aids.create_aid(council, aid_data("Fonds de soutien à la voirie"), by=editor)
    charts.create_unit(council, name="Direction des routes", by=editor)
    address = f"/organisations/{council.slug}"
    page = reader.get(address).text
    assert "Rentrée des collèges" not in page and "Fonds de soutien" not in page   # drafts
    assert _kept(reader, address)

    press.publish(release, by=editor)
    aids.publish(aid, by=editor)
    page = reader.get(address).text
    assert "Rentrée des collèges" in page and "Fonds de soutien à la voirie" in page
    assert _kept(reader, address)
    release.title = "Rentrée des collèges : tout est prêt"
    db.session.commit()
    assert "Rentrée des collèges : tout est prêt" in reader.get(address).text
    assert "(1 unité)" in reader.get(address).text
    charts.create_unit(council, name="Service des ponts", by=editor)
    assert "(2 unités)" in reader.get(address).text


def test_a_space_and_an_organisation_found_by_their_address_are_kept_and_changes_show(
        new_client):
    """A space (and an organisation) found by the slug of its address is read once per process
    (``generations.kept_row``): the next page runs one statement fewer, and a change made
    through the ORM, by a bulk statement or through the page's own form shows at once."""
    from intranet.spaces.models import Space
    council = factories.make_org("Département de Lot-et-Garonne", kind=OrgKind.DEPARTEMENT)
    admin = factories.make_user(council, Role.ADMIN)
    group = factories.make_group(admin, "Voirie intercommunale")
    client = new_client(admin)
    base = f"/espaces/{group.slug}"
    for address in (base, f"{base}/membres", f"/organisations/{council.slug}"):
        client.get(address)
        assert _kept(client, address), address

    client.get(base)   # kept: the pages below change what they show without forgetting it
    group.description = "Les routes de l'agglomération"
    db.session.commit()
    assert "Les routes de l&#39;agglomération" in client.get(base).text
    db.session.execute(update(Space).where(Space.id == group.id)
                       .values(description="Les ponts et les routes"))
    db.session.commit()
    assert "Les ponts et les routes" in client.get(base).text

    # the kept space is the session's, as read: its form changes it (and nothing else)
    client.get(f"{base}/parametres")
    answer = client.post(f"{base}/parametres", data={
        "name": "Voirie et réseaux", "description": "Tout sur la voirie",
        "visibility": "members", "join_policy": "request"})
    assert answer.status_code == 302
    db.session.expire_all()
    assert (group.name, group.description, group.archived) == \
        ("Voirie et réseaux", "Tout sur la voirie", False)
    page = client.get(base).text
    assert "Voirie et réseaux" in page and "Tout sur la voirie" in page

    client.get(f"/organisations/{council.slug}")
    council.name = "Conseil départemental de Lot-et-Garonne"
    db.session.commit()
    assert "Conseil départemental de Lot-et-Garonne" in \
        client.get(f"/organisations/{council.slug}").text

    slug = group.slug
    db.session.delete(group)
    db.session.commit()
    assert client.get(f"/espaces/{slug}").status_code == 404


def test_the_press_lists_filters_are_kept_per_reader_of_the_same_releases(new_client):
    """The publishers and years of the press list, kept for everyone who reads the same
    releases: an editor sees the years of their own drafts, another reader does not; a release
    published or dated anew shows in the filters at the next page."""
    from intranet.publications.press import services as press
    agen, boe = factories.make_org("Agen"), factories.make_org("Boé")
    editor = factories.make_user(agen, Role.EDITOR)
    draft = press.create_release(agen, title="Budget", release_date=date(2023, 3, 1),
                                 body="Le budget.", by=editor)
    as_editor = new_client(editor)
    reader = new_client(factories.make_user(boe))
    as_editor.get("/communiques/")
    assert _kept(as_editor, "/communiques/")
    assert "2023" in _options(as_editor.get("/communiques/").text, "annee")
    assert "2023" not in _options(reader.get("/communiques/").text, "annee")
    assert "Agen" not in _options(reader.get("/communiques/").text, "organisation")

    press.publish(draft, by=editor)
    assert "2023" in _options(reader.get("/communiques/").text, "annee")
    assert "Agen" in _options(reader.get("/communiques/").text, "organisation")
    draft.release_date = date(2022, 3, 1)
    db.session.commit()
    years = _options(reader.get("/communiques/").text, "annee")
    assert "2022" in years and "2023" not in years


def test_the_resources_a_person_may_book_are_kept_and_a_change_shows_in_the_event_form(
        new_client):
    """The event form's resources: kept for whoever belongs to the same organisations; a
    resource added, renamed or put out of use shows at the next form, and an event keeps
    offering the resource it holds though its author may not book it."""
    from intranet.agenda import services as agenda
    from intranet.agenda.models import ResourceKind

    from ..agenda.builders import event_data, town_hall
    def _boxes(page: str) -> str:     # the form's resources, a list of checkboxes
        if 'name="resources"' not in page:
            return ""
        start = page.index('name="resources"')
        return page[start:page.index("</fieldset>", start)]

    world = town_hall()
    client = new_client(world["editor"])
    client.get("/agenda/nouveau")
    assert _kept(client, "/agenda/nouveau")
    assert "Salle du conseil (salle, Commune de Layrac)" in \
        _boxes(client.get("/agenda/nouveau").text)

    van = agenda.save_resource(world["org"], by=world["admin"], name="Minibus",
                               kind=ResourceKind.VEHICLE)
    assert "Minibus (véhicule" in _boxes(client.get("/agenda/nouveau").text)
    agenda.save_resource(world["org"], by=world["admin"], name="Minibus 9 places",
                         kind=ResourceKind.VEHICLE, resource=van)
    assert "Minibus 9 places" in _boxes(client.get("/agenda/nouveau").text)

    event = agenda.create_event(event_data("Sortie des aînés", datetime(2027, 3, 15, 10)),
                                by=world["editor"], space=world["space"], resources=[van])
    agenda.save_resource(world["org"], by=world["admin"], name="Minibus 9 places",
                         kind=ResourceKind.VEHICLE, resource=van, active=False)
    assert "Minibus" not in _boxes(client.get("/agenda/nouveau").text)
    held = _boxes(client.get(f"/agenda/evenements/{event.id}/modifier").text)
    assert "Minibus 9 places" in held and "Salle du conseil" in held


def test_an_org_chart_is_drawn_once_and_a_change_to_a_unit_or_a_holder_shows_at_once(
        new_client, client):
    """The chart's page keeps the chart drawn, per reader signed in or not (only they follow a
    holder to their profile): a unit's telephone changed, a holder renamed, a position added
    or a chart made public show at the next page."""
    from intranet.core.types import Visibility
    from intranet.publications.orgcharts import services as charts
    layrac = factories.make_org("Commune de Layrac")
    admin = factories.make_user(layrac, Role.ADMIN)
    secretary = factories.make_user(layrac, first_name="Claire", last_name="Dubois")
    unit = charts.create_unit(layrac, name="Secrétariat", phone="05 53 00 00 01", by=admin)
    charts.create_position(unit, title="Secrétaire", user_id=secretary.id, by=admin)
    reader = new_client(factories.make_user(factories.make_org("Commune de Boé")))
    address = f"/organisations/{layrac.slug}/organigramme"
    reader.get(address)
    assert _kept(reader, address)
    assert f'href="/personnes/{secretary.id}">Claire Dubois' in reader.get(address).text

    charts.update_unit(unit, name="Secrétariat", kind=unit.kind, parent_id=None,
                       phone="05 53 00 00 02", by=admin)
    assert "05 53 00 00 02" in reader.get(address).text
    secretary.last_name = "Dubois-Martin"
    db.session.commit()
    assert "Claire Dubois-Martin" in reader.get(address).text
    charts.create_position(unit, title="Agent d'accueil", person_name="Jean Petit", by=admin)
    page = visible_text(reader.get(address))
    assert "Jean Petit" in page and "1 unité, 2 postes" in page

    assert client.get(address).status_code == 302          # a visitor: the network's chart
    charts.set_visibility(layrac, Visibility.PUBLIC, by=admin)
    page = client.get(address).text
    assert "Claire Dubois-Martin" in page and f'href="/personnes/{secretary.id}"' not in page


def test_the_invitation_forms_choices_are_kept_per_person_until_what_they_reach_changes(
        new_client):
    """The organisations and the spaces an event's organiser may invite: kept per person; an
    organisation renamed, a group they join or one renamed shows at the next form."""
    from intranet.agenda import services as agenda
    from intranet.spaces import services as spaces

    from ..agenda.builders import event_data, town_hall
    world = town_hall()
    event = agenda.create_event(event_data("Conseil d'école", datetime(2027, 3, 15, 10)),
                                by=world["editor"], space=world["space"])
    client = new_client(world["editor"])
    address = f"/agenda/evenements/{event.id}/invitations"
    client.get(address)
    assert _kept(client, address)
    boe = factories.make_org("Commune de Boé")
    assert "Commune de Boé" in _options(client.get(address).text, "organisation")
    boe.name = "Mairie de Boé"
    db.session.commit()
    assert "Mairie de Boé" in _options(client.get(address).text, "organisation")

    organiser = factories.make_user(boe)
    group = factories.make_group(organiser, name="Voirie intercommunale")
    assert "Voirie intercommunale" not in _options(client.get(address).text, "space")
    spaces.add_member(group, world["editor"], by=organiser)
    assert "Voirie intercommunale" in _options(client.get(address).text, "space")
    group.name = "Voirie et réseaux"
    db.session.commit()
    assert "Voirie et réseaux" in _options(client.get(address).text, "space")


def test_a_store_of_its_own_is_emptied_when_full_never_the_pages_values(monkeypatch):
    """Values of which there may be many (« Vouliez-vous dire »'s candidates, one per word
    searched) are kept in a store of their own: filling it never drops a page's value."""
    monkeypatch.setattr(generations, "request_token", lambda name: "jeton")
    generations.forget_kept()
    store = generations.kept_store()
    computed = []

    def value(what):
        return lambda: computed.append(what) or what
    assert generations.kept("g", ("page",), value("page")) == "page"
    for word in range(5):
        generations.kept("g", word, value(word), store=store, limit=3)
    assert generations.kept("g", ("page",), value("encore")) == "page"
    assert computed == ["page", 0, 1, 2, 3, 4] and len(store) == 2   # emptied at the fourth
    assert generations.kept("g", 4, value("encore"), store=store, limit=3) == 4
    generations.forget_kept()
    assert not store
