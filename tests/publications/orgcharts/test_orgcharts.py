"""Org charts: the tree as people read it, what admins may change, and who may see it."""
from __future__ import annotations

from contextlib import contextmanager
from html.parser import HTMLParser

from sqlalchemy import event, func, select

from intranet import access
from intranet.core import generations, hooks
from intranet.core.types import Role, Visibility
from intranet.core.audit import AuditEvent
from intranet.extensions import db
from intranet.publications.orgcharts import services
from intranet.publications.orgcharts.models import OrgPosition, OrgUnit, UnitKind

from ... import factories
from ...helpers import text


class _TreeReader(HTMLParser):
    """Reads the chart's nested lists: for each unit (``<li id="unite-N">``), its parent unit
    and its place in the page."""

    def __init__(self):
        super().__init__()
        self.stack: list[str | None] = []
        self.parents: dict[int, int | None] = {}
        self.order: list[int] = []

    def handle_starttag(self, tag, attrs):
        if tag != "li":
            return
        ident = dict(attrs).get("id") or ""
        if ident.startswith("unite-"):
            unit_id = int(ident.removeprefix("unite-"))
            enclosing = [i for i in self.stack if i is not None]
            self.parents[unit_id] = int(enclosing[-1]) if enclosing else None
            self.order.append(unit_id)
            self.stack.append(str(unit_id))
        else:
            self.stack.append(None)

    def handle_endtag(self, tag):
        if tag == "li" and self.stack:
            self.stack.pop()


def read_tree(response) -> _TreeReader:
    reader = _TreeReader()
    reader.feed(response.get_data(as_text=True))
    return reader


def chart_url(org, suffix=""):
    return f"/organisations/{org.slug}/organigramme{suffix}"


@contextmanager
def counting_queries(app):
    """Counts the SQL statements the web application runs inside the block (each page read
    as the process's first for the person: ``helpers.count_queries``)."""
    statements: list[str] = []
    access.forget_kept_reaches()
    hooks.forget_kept_params()

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def exists(model, ident) -> bool:
    return db.session.scalar(select(func.count()).select_from(model).where(model.id == ident)) == 1


def _commune_with_admin(name="Nérac"):
    org = factories.make_org(name)
    return org, factories.make_user(org, Role.ADMIN, last_name="Admin")


# --- reading the tree --------------------------------------------------------------------------


def test_chart_shows_units_nested_under_their_parent_in_sibling_order(client, login):
    org, admin = _commune_with_admin()
    dgs = services.create_unit(org, name="Direction générale", kind=UnitKind.DIRECTION, by=admin)
    tech = services.create_unit(org, name="Services techniques", kind=UnitKind.DIRECTION,
                                by=admin)
    finances = services.create_unit(org, name="Finances", parent_id=dgs.id, by=admin)
    rh = services.create_unit(org, name="Ressources humaines", parent_id=dgs.id, by=admin)
    paie = services.create_unit(org, name="Bureau de la paie", kind=UnitKind.BUREAU,
                                parent_id=rh.id, by=admin)
    voirie = services.create_unit(org, name="Voirie", parent_id=tech.id, by=admin)
    services.create_position(dgs, title="Directrice générale des services",
                             person_name="Claire Martin", is_head=True, by=admin)
    services.create_position(rh, title="Gestionnaire paie", vacant=True, by=admin)
    login(admin)

    response = client.get(chart_url(org))

    tree = read_tree(response)
    assert tree.order == [dgs.id, finances.id, rh.id, paie.id, tech.id, voirie.id]
    assert tree.parents == {dgs.id: None, finances.id: dgs.id, rh.id: dgs.id, paie.id: rh.id,
                            tech.id: None, voirie.id: tech.id}
    page = text(response)
    assert page.count("<h1>") == 1
    assert "Directrice générale des services" in page and "Claire Martin" in page
    assert "Poste vacant" in page and "Bureau" in page


def test_admin_reorders_siblings_with_up_and_down_buttons(client, login):
    org, admin = _commune_with_admin()
    first = services.create_unit(org, name="Accueil", by=admin)
    second = services.create_unit(org, name="État civil", by=admin)
    third = services.create_unit(org, name="Urbanisme", by=admin)
    login(admin)

    client.post(chart_url(org, f"/unites/{third.id}/monter"))
    client.post(chart_url(org, f"/unites/{first.id}/descendre"))

    assert read_tree(client.get(chart_url(org))).order == [third.id, first.id, second.id]
    refused = client.post(chart_url(org, f"/unites/{third.id}/monter"), follow_redirects=True)
    assert "« Urbanisme » est déjà en première position." in text(refused)
    refused = client.post(chart_url(org, f"/unites/{second.id}/descendre"), follow_redirects=True)
    assert "« État civil » est déjà en dernière position." in text(refused)


def test_admin_moves_a_unit_with_its_sub_units_under_another_parent(client, login):
    org, admin = _commune_with_admin()
    pole = services.create_unit(org, name="Pôle population", by=admin)
    other = services.create_unit(org, name="Pôle ressources", by=admin)
    service = services.create_unit(org, name="Service scolaire", parent_id=pole.id, by=admin)
    bureau = services.create_unit(org, name="Bureau cantine", parent_id=service.id, by=admin)
    login(admin)

    response = client.post(chart_url(org, f"/unites/{service.id}"), data={
        "name": "Service enfance", "kind": "service", "parent": str(other.id),
        "phone": "05 53 00 00 00", "email": "enfance@nerac.fr", "address": ""})

    assert response.status_code == 302
    tree = read_tree(client.get(chart_url(org)))
    assert tree.parents[service.id] == other.id and tree.parents[bureau.id] == service.id
    page = text(client.get(chart_url(org)))
    assert "Service enfance" in page and "enfance@nerac.fr" in page
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "orgchart.unit_updated")) == 1


def test_moving_a_unit_under_itself_or_one_of_its_descendants_is_refused(client, login):
    org, admin = _commune_with_admin()
    top = services.create_unit(org, name="Direction", by=admin)
    child = services.create_unit(org, name="Service", parent_id=top.id, by=admin)
    grandchild = services.create_unit(org, name="Bureau", parent_id=child.id, by=admin)
    login(admin)

    form_page = text(client.get(chart_url(org, f"/unites/{top.id}")))
    assert f'value="{grandchild.id}"' not in form_page  # not even offered

    for target in (grandchild, child, top):
        response = client.post(chart_url(org, f"/unites/{top.id}"), data={
            "name": "Direction", "kind": "direction", "parent": str(target.id)})
        assert response.status_code == 200
        assert "Impossible de rattacher « Direction »" in text(response)
    db.session.refresh(top)
    assert top.parent_id is None
    assert read_tree(client.get(chart_url(org))).parents == {top.id: None, child.id: top.id,
                                                             grandchild.id: child.id}


def test_deleting_a_unit_that_still_has_sub_units_or_positions_is_refused_saying_what(
        client, login):
    org, admin = _commune_with_admin()
    top = services.create_unit(org, name="Direction", by=admin)
    unit = services.create_unit(org, name="Service culture", parent_id=top.id, by=admin)
    services.create_unit(org, name="Médiathèque", parent_id=unit.id, by=admin)
    services.create_position(unit, title="Chargée de mission", person_name="Léa Roux", by=admin)
    login(admin)

    confirm = text(client.get(chart_url(org, f"/unites/{unit.id}/supprimer")))
    assert "contient encore 1 sous-unité et 1 poste" in confirm and "Médiathèque" in confirm

    response = client.post(chart_url(org, f"/unites/{unit.id}/supprimer"), data={"move_to": ""})

    assert response.status_code == 200
    assert ("Impossible de supprimer « Service culture » : elle contient encore 1 sous-unité "
            "et 1 poste.") in text(response)
    assert exists(OrgUnit, unit.id)


def test_deleting_a_unit_can_hand_its_contents_to_another_unit(client, login):
    org, admin = _commune_with_admin()
    top = services.create_unit(org, name="Direction", by=admin)
    unit = services.create_unit(org, name="Service culture", parent_id=top.id, by=admin)
    library = services.create_unit(org, name="Médiathèque", parent_id=unit.id, by=admin)
    post = services.create_position(unit, title="Chargée de mission", by=admin)
    login(admin)

    refused = client.post(chart_url(org, f"/unites/{unit.id}/supprimer"),
                          data={"move_to": str(library.id)})
    assert "ne peut pas recevoir le contenu" in text(refused)

    unit_id = unit.id
    response = client.post(chart_url(org, f"/unites/{unit_id}/supprimer"),
                           data={"move_to": str(top.id)})

    assert response.status_code == 302
    assert not exists(OrgUnit, unit_id)
    assert db.session.get(OrgUnit, library.id).parent_id == top.id
    assert db.session.get(OrgPosition, post.id).unit_id == top.id


def test_empty_unit_is_deleted(client, login):
    org, admin = _commune_with_admin()
    unit_id = services.create_unit(org, name="Bureau provisoire", by=admin).id
    login(admin)
    response = client.post(chart_url(org, f"/unites/{unit_id}/supprimer"), data={})
    assert response.status_code == 302
    assert not exists(OrgUnit, unit_id)
    assert "Unité « Bureau provisoire » supprimée." in text(client.get(chart_url(org, "/modifier")))


# --- positions ---------------------------------------------------------------------------------


def test_admin_adds_positions_held_by_a_member_a_person_without_account_or_vacant(client, login):
    org, admin = _commune_with_admin()
    secretary = factories.make_user(org, Role.MEMBER, first_name="Julie", last_name="Fabre")
    unit = services.create_unit(org, name="Secrétariat de mairie", by=admin)
    login(admin)
    url = chart_url(org, f"/unites/{unit.id}/postes/nouveau")

    assert "Julie Fabre" in text(client.get(url))
    client.post(url, data={"title": "Secrétaire de mairie", "user": str(secretary.id),
                           "is_head": "y", "phone": "05 53 11 22 33"})
    client.post(url, data={"title": "Agent d'accueil", "person_name": "Marc Dubois"})
    client.post(url, data={"title": "Adjoint administratif", "vacant": "y"})

    page = text(client.get(chart_url(org)))
    assert "Responsable — " in page and "Julie Fabre" in page and "05 53 11 22 33" in page
    assert "Marc Dubois" in page and "Poste vacant" in page
    # A second head replaces the first: one head per unit.
    other = db.session.scalar(select(OrgPosition).where(OrgPosition.title == "Agent d'accueil"))
    response = client.post(chart_url(org, f"/postes/{other.id}"), data={
        "title": "Agent d'accueil", "unit": str(unit.id), "person_name": "Marc Dubois",
        "is_head": "y"})
    assert response.status_code == 302, text(response)
    heads = db.session.scalars(select(OrgPosition.title).where(OrgPosition.is_head.is_(True))).all()
    assert heads == ["Agent d'accueil"]


def test_a_position_cannot_be_linked_to_someone_outside_the_organisation(client, login):
    org, admin = _commune_with_admin()
    stranger = factories.make_user(factories.make_org("Lavardac"), Role.MEMBER)
    unit = services.create_unit(org, name="Secrétariat", by=admin)
    login(admin)

    response = client.post(chart_url(org, f"/unites/{unit.id}/postes/nouveau"),
                           data={"title": "Secrétaire", "user": str(stranger.id)})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(OrgPosition)) == 0

    response = client.post(chart_url(org, f"/unites/{unit.id}/postes/nouveau"),
                           data={"title": "Secrétaire", "person_name": "Ana", "vacant": "y"})
    assert "Un poste vacant n'a pas de titulaire" in text(response)
    assert db.session.scalar(select(func.count()).select_from(OrgPosition)) == 0


def test_admin_removes_a_position(client, login):
    org, admin = _commune_with_admin()
    unit = services.create_unit(org, name="Secrétariat", by=admin)
    post_id = services.create_position(unit, title="Stagiaire", person_name="Tom", by=admin).id
    login(admin)
    assert client.post(chart_url(org, f"/postes/{post_id}/supprimer")).status_code == 302
    assert not exists(OrgPosition, post_id)


# --- cost ---------------------------------------------------------------------------------------


def _bulk_chart(org, directions: int, services_each: int) -> None:
    """A chart built straight in the database (fast), each unit with two positions."""
    holder = factories.make_user(org, Role.MEMBER)
    for d in range(directions):
        direction = OrgUnit(organisation_id=org.id, name=f"Direction {d}",
                            kind=UnitKind.DIRECTION, sort_order=d)
        db.session.add(direction)
        db.session.flush()
        units = [direction]
        for s in range(services_each):
            unit = OrgUnit(organisation_id=org.id, parent_id=direction.id, name=f"Service {d}.{s}",
                           sort_order=s)
            db.session.add(unit)
            units.append(unit)
        db.session.flush()
        for unit in units:
            db.session.add(OrgPosition(unit_id=unit.id, title=f"Chef {unit.name}", is_head=True,
                                       user_id=holder.id))
            db.session.add(OrgPosition(unit_id=unit.id, title="Agent", person_name="Agent X"))
    db.session.commit()


def test_a_chart_of_200_units_costs_as_few_queries_as_a_small_one(app, client, login):
    small, big = factories.make_org("Petite commune"), factories.make_org("Grande ville")
    _bulk_chart(small, directions=2, services_each=1)
    _bulk_chart(big, directions=10, services_each=19)
    assert db.session.scalar(select(func.count()).select_from(OrgUnit)
                             .where(OrgUnit.organisation_id == big.id)) == 200
    viewer = factories.make_user(factories.make_org("Voisine"), Role.MEMBER)
    login(viewer)
    client.get(chart_url(small))  # warm-up: first request of the session

    counts = {}
    for org in (small, big):
        for editing in (False, True):
            if editing:
                big_admin = factories.make_user(org, Role.ADMIN)
                client.post("/deconnexion")
                login(big_admin)
            generations.forget_kept()      # both counted alike, as a process's first page
            with counting_queries(app) as statements:
                response = client.get(chart_url(org, "/modifier" if editing else ""))
            assert response.status_code == 200
            counts[org.name, editing] = len(statements)
            client.post("/deconnexion")
            login(viewer)

    assert len(read_tree(client.get(chart_url(big))).order) == 200
    assert counts["Petite commune", False] == counts["Grande ville", False]
    assert counts["Petite commune", True] == counts["Grande ville", True]
    assert counts["Grande ville", False] <= 10, counts


# --- who sees, who changes ----------------------------------------------------------------------


def test_member_of_another_organisation_cannot_change_the_chart(client, login):
    org, admin = _commune_with_admin()
    unit = services.create_unit(org, name="Secrétariat", by=admin)
    post = services.create_position(unit, title="Secrétaire", by=admin)
    other = factories.make_org("Barbaste")
    for role in (Role.MEMBER, Role.ADMIN):
        outsider = factories.make_user(other, role)
        login(outsider)
        assert client.get(chart_url(org)).status_code == 200  # the network may read it
        for method, url, data in [
            ("get", chart_url(org, "/modifier"), None),
            ("post", chart_url(org, "/unites/nouvelle"), {"name": "Intrus", "kind": "service"}),
            ("post", chart_url(org, f"/unites/{unit.id}"), {"name": "Piraté", "kind": "service"}),
            ("post", chart_url(org, f"/unites/{unit.id}/supprimer"), {}),
            ("post", chart_url(org, f"/unites/{unit.id}/postes/nouveau"), {"title": "Intrus"}),
            ("post", chart_url(org, f"/postes/{post.id}/supprimer"), None),
            ("post", chart_url(org, "/visibilite"), {"visibility": "public"}),
        ]:
            assert getattr(client, method)(url, data=data).status_code == 403, url
        assert "Modifier l'organigramme" not in text(client.get(chart_url(org)))
        client.post("/deconnexion")
    db.session.refresh(unit)
    assert unit.name == "Secrétariat"
    assert db.session.scalar(select(func.count()).select_from(OrgUnit)) == 1
    assert services.chart_visibility(org) == Visibility.NETWORK


def test_plain_member_of_the_organisation_reads_but_does_not_change_the_chart(client, login):
    org, admin = _commune_with_admin()
    services.create_unit(org, name="Secrétariat", by=admin)
    login(factories.make_user(org, Role.EDITOR))
    assert client.get(chart_url(org)).status_code == 200
    assert client.get(chart_url(org, "/modifier")).status_code == 403


def test_signed_out_visitor_cannot_see_a_network_chart_until_it_is_made_public(client, login):
    org, admin = _commune_with_admin()
    services.create_unit(org, name="Direction des affaires scolaires", by=admin)

    response = client.get(chart_url(org))
    assert response.status_code == 302 and "/connexion" in response.location
    org_page = text(client.get(f"/organisations/{org.slug}"))
    assert "Organigramme" not in org_page and "Direction des affaires scolaires" not in org_page
    assert client.get(chart_url(org, "/modifier")).status_code == 302

    login(admin)
    assert client.post(chart_url(org, "/visibilite"),
                       data={"visibility": "public"}).status_code == 302
    client.post("/deconnexion")

    response = client.get(chart_url(org))
    assert response.status_code == 200
    assert "Direction des affaires scolaires" in text(response)
    assert "Voir l'organigramme" in text(client.get(f"/organisations/{org.slug}"))


def test_organisation_page_links_to_the_chart_and_offers_admins_to_create_it(client, login):
    org, admin = _commune_with_admin()
    login(admin)
    assert "Créer l'organigramme" in text(client.get(f"/organisations/{org.slug}"))
    client.post(chart_url(org, "/unites/nouvelle"), data={"name": "Mairie", "kind": "autre"})
    page = text(client.get(f"/organisations/{org.slug}"))
    assert "Voir l'organigramme" in page and "Modifier l'organigramme" in page


def test_printed_chart_keeps_the_tree_and_hides_the_tools(client, login):
    org, admin = _commune_with_admin()
    services.create_unit(org, name="Mairie", by=admin)
    login(admin)
    css = client.get("/static/css/site.css").get_data(as_text=True)
    block = css.split("/* org charts */", 1)[1]
    assert "@media print" in block and ".site-header" in block and ".no-print" in block
    page = text(client.get(chart_url(org, "/modifier")))
    assert 'class="orgchart-tools no-print"' in page
