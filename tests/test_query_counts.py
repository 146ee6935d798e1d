"""What every signed-in page pays first does not grow with the person's spaces: the spaces
and roles are read in one statement (``access.reach``), the header's counters in one more, and
a page in a space shows the same number of statements for a person in 3 spaces as for one in
30 (no query per space). The numbers are pinned: a new statement on these pages should be a
decision, not an accident."""
from __future__ import annotations

import pytest
from flask_login import login_user
from sqlalchemy import select

from intranet import access
from intranet.accounts.models import User
from intranet.core.types import Role, Visibility
from intranet.extensions import db
from intranet.forums import services as forums
from intranet.spaces import services as spaces
from intranet.spaces.models import Space

from . import factories
from .helpers import count_queries, text

# statements per page: the session (with every generation's token), the person with their
# memberships (kept by the process across requests, counted here as first read), what they
# reach, the header's counters with the footer's accessibility level (the latest audit's
# rate, read in the same statement); then each page's own
FLOOR = 4
PINNED = {   # before the person's spaces were read once (3 spaces / 30 spaces), after
    "/accessibilite": FLOOR + 1,                    # 4 / 4: the audits recorded
    "/": FLOOR + 1,                                 # 7 / 7: the activity of my spaces
    "/organisations/{home}": FLOOR + 9,             # 15 before: the organisation with its
                                                    # space, its news, its people (and their
                                                    # chart units: a list kept across
                                                    # requests, counted here as first read),
                                                    # one per publication section, the
                                                    # sittings waiting for its editors (below)
    "/espaces/{group}": FLOOR + 3,                  # 12 / 12
    "/espaces/{org}/pages": FLOOR + 4,              # 10 / 10: a page of pages and their count,
                                                    # the pages waiting for approval
    "/espaces/{org}/documents": FLOOR + 3,          # 9 / 9
    "/espaces/{org}/forums": FLOOR + 3,             # 7 / 7
    "/espaces/{org}/listes": FLOOR + 2,             # 6 / 6
    "/espaces/{group}/membres": FLOOR + 3,          # 9 / 9: the space, its members, its
                                                    # rules with the organisations they name
                                                    # (the people they admit, when it has some)
    "/espaces/": FLOOR + 1,                         # 32 / 52: a role read per space listed
    "/forums/nouveautes": FLOOR + 2,                # 7 / 7: counted only when a page is
                                                    # full (core/pagination.rows_page)
    "/personnes/{person}": FLOOR + 3,               # 7 before: the person, their
                                                    # memberships, what the viewer reads of
                                                    # them; whether they may be written to is
                                                    # decided from those (the directory)
}


@pytest.fixture
def world():
    """Two editors of the same commune: « few » is in 3 spaces (the open space, the commune's,
    one group), « many » in 30 (the open space, 10 organisations' spaces, 11 groups they were
    added to, 8 groups whose rule admits the members of a syndicate they belong to); every
    space has news."""
    commune = factories.make_org("Commune des comptes")
    few = factories.make_user(commune, Role.EDITOR, first_name="Peu")
    many = factories.make_user(commune, Role.EDITOR, first_name="Beaucoup")
    organiser = factories.make_user(factories.make_org("Département"), Role.EDITOR)
    open_space = spaces.ensure_open_space()
    shared = factories.make_group(organiser, name="Groupe partagé")
    spaces.add_member(shared, few, by=organiser)
    spaces.add_member(shared, many, by=organiser)
    organisations = [commune] + [factories.make_org(f"Syndicat {n}") for n in range(9)]
    for org in organisations[1:]:
        factories.add_membership(many, org, Role.MEMBER)
    groups = [factories.make_group(many, name=f"Groupe ajouté {n}") for n in range(10)]
    for n in range(8):
        group = factories.make_group(organiser, name=f"Groupe par règle {n}",
                                     visibility=Visibility.NETWORK)
        spaces.add_rule(group, by=organiser, organisation=organisations[1])
        groups.append(group)
    mine = [open_space, shared, *groups, *(factories.org_space(o) for o in organisations)]
    for space in mine:
        factories.activity(space, f"Nouvelles de {space.name}")
    forums.create_forum(factories.org_space(commune), name="Vie de la commune", by=many)
    return {"few": few, "many": many, "organiser": organiser,
            "org": factories.org_space(commune).slug, "home": commune.slug,
            "group": shared.slug, "spaces": {"few": 3, "many": len({s.id for s in mine})}}


def test_the_world_has_the_spaces_it_says(world):
    assert len(access.reach(world["few"]).member_ids) == world["spaces"]["few"] == 3
    assert len(access.reach(world["many"]).member_ids) == world["spaces"]["many"] == 30


@pytest.mark.parametrize("page", list(PINNED))
def test_a_page_costs_the_same_in_3_spaces_as_in_30(world, new_client, page):
    url = page.format(org=world["org"], group=world["group"], home=world["home"],
                      person=world["organiser"].id)
    counts = {who: count_queries(new_client(world[who]), url) for who in ("few", "many")}
    assert counts["few"] == counts["many"], f"{url}: {counts}"
    assert counts["many"] <= PINNED[page], f"{url}: {counts['many']} statements"


def test_the_reach_agrees_with_the_sql_twins(world):
    for who in ("few", "many"):
        person = world[who]
        found = access.reach(person)
        assert found.member_ids == set(db.session.scalars(access.member_spaces(person)))
        assert found.visible_ids == set(db.session.scalars(access.visible_spaces(person)))
        for role in Role:
            held = {i for i in access.space_ids_with_role(person, role) if i != -1}
            assert held == set(db.session.scalars(access.spaces_with_role(person, role))), role


def test_a_membership_changed_in_the_request_is_seen_by_the_rest_of_it(world, app):
    newcomer = factories.make_user(factories.make_org("Commune voisine"), Role.MEMBER)
    group_id = db.session.scalar(select(Space.id).where(Space.slug == world["group"]))
    with app.test_request_context("/"):
        person = db.session.get(User, newcomer.id)
        group = db.session.get(Space, group_id)
        login_user(person)
        assert access.space_role(person, group) is None
        assert group_id not in access.read_scope(person).member_space_ids
        spaces.add_member(group, person, by=db.session.get(User, world["few"].id))
        assert access.space_role(person, group) == Role.MEMBER     # add_member forgot the roles
        assert group_id in access.read_scope(person).member_space_ids
        assert group_id in access.member_space_ids(person)
        db.session.remove()


# --- subsidies ---------------------------------------------------------------------------------
# Each subsidy page's own statements, after the FLOOR: the dossier's page reads the dossier with
# its applicant and aid, its documents, its history (with who), its plan with its payments and
# the aid's checklist (one statement), and the instructor's programmes; it read 10 before (a
# lazy load per part, one per person of the history). The open-data page reads its count and
# what it leaves out in one statement (it read every granted dossier twice, with their aid,
# organisations, events and payments). The instructors' list: programmes, its filters'
# choices, its page, what is coming up (7 before); a commune's page: the commune with its EPCI,
# the programmes, its dossiers; the instructors' page: the instructors with their persons, and
# the programmes (a person each before).
SUBSIDY_PAGES = {
    "/subventions/": ("editor", FLOOR + 2),         # my dossiers with their aids, programmes
    "/subventions/{dossier}": ("instructor", FLOOR + 5),
    "/subventions/{dossier}?applicant": ("editor", FLOOR + 5),
    "/subventions/instruction": ("instructor", FLOOR + 4),
    "/subventions/donnees-ouvertes": ("instructor", FLOOR + 1),
    "/subventions/beneficiaire/{town}": ("instructor", FLOOR + 3),
    "/subventions/instructeurs": ("admin", FLOOR + 2),
    "/subventions/{draft}/modifier": ("editor", FLOOR + 1),   # the draft with its aid and plan
}                                                               # (3 before: two lazy loads)


@pytest.fixture
def subsidy_world():
    """A granted dossier with an instalment paid, and a second instructor in the history."""
    from intranet.core.timeutil import today_paris
    from intranet.subsidies import services as subsidies
    from intranet.subsidies.models import PaymentKind

    from .subsidies.builders import council_and_communes, draft
    from .subsidies.test_dossiers import _granted

    world = council_and_communes()
    dossier = _granted(world)
    subsidies.record_payment(dossier, PaymentKind.ADVANCE, "1 000", today_paris(),
                             by=world["instructor"])
    world["admin"] = factories.make_user(platform_admin=True)
    world["dossier"] = dossier
    world["draft"] = draft(world)
    return world


@pytest.mark.parametrize("page", list(SUBSIDY_PAGES))
def test_a_subsidy_page_reads_what_it_shows_in_few_statements(subsidy_world, new_client, page):
    who, pinned = SUBSIDY_PAGES[page]
    url = page.format(dossier=subsidy_world["dossier"].id, town=subsidy_world["town"].id,
                      draft=subsidy_world["draft"].id)
    client = new_client(subsidy_world[who])
    assert client.get(url).status_code == 200
    counted = count_queries(client, url)
    assert counted <= pinned, f"{url}: {counted} statements"


# --- agenda --------------------------------------------------------------------------------------
# Each agenda page's own statements, after the FLOOR. « Mon agenda » reads its events (the
# columns it shows, their changed occurrences, whether the person is invited) in one statement
# and the other domains' dates (jobs, aids, sittings, minutes, subsidies) in one UNION ALL: it
# read 10 before (the invitations, the events, their spaces, changes and guests, then one
# statement per source). A space's agenda: the space, its events, the other domains' dates (6
# before). The invitation page: the event with its space, then the organisations and the spaces
# it offers in one statement (4 before); the event's form: the event with its space and its
# attachments, then the resources with those the event holds (5 before).
AGENDA_PAGES = {
    "/agenda/?date={day}": FLOOR + 2,
    "/agenda/?vue=liste&date={day}": FLOOR + 2,
    "/espaces/{space}/agenda?date={day}": FLOOR + 3,
    "/agenda/evenements/{event}/invitations": FLOOR + 2,
    "/agenda/evenements/{event}/modifier": FLOOR + 2,
}


@pytest.fixture
def agenda_world():
    """A commune's editor with a weekly meeting in the commune's space (one occurrence moved,
    the council room booked, a guest), a personal event and an invitation to another's."""
    from datetime import datetime, timedelta

    from intranet.agenda import services as agenda
    from intranet.agenda.services import Invitees, Scope

    from .agenda.builders import event_data, town_hall

    world = town_hall()
    editor, member = world["editor"], world["member"]
    weekly = agenda.create_event(
        event_data("Réunion d'équipe", starts=datetime(2027, 3, 1, 10),
                   rrule="FREQ=WEEKLY;COUNT=8"),
        by=editor, space=world["space"], resources=[world["room"]],
        invitees=Invitees((member,), "Invitation personnelle"))
    agenda.update_event(weekly, event_data("Réunion d'équipe déplacée",
                                           starts=datetime(2027, 3, 8, 14),
                                           rrule="FREQ=WEEKLY;COUNT=8"),
                        by=editor, scope=Scope.ONE, occurrence=datetime(2027, 3, 8, 10))
    agenda.create_event(event_data("Dentiste", starts=datetime(2027, 3, 10, 9)), by=editor)
    agenda.create_event(event_data("Café", starts=datetime(2027, 3, 12, 9)), by=member,
                        invitees=Invitees((editor,), "Invitation personnelle"))
    world["event"] = weekly
    return world


@pytest.mark.parametrize("page", list(AGENDA_PAGES))
def test_an_agenda_page_reads_its_events_and_the_other_domains_dates_in_few_statements(
        agenda_world, new_client, page):
    url = page.format(day="2027-03-08", space=agenda_world["space"].slug,
                      event=agenda_world["event"].id)
    client = new_client(agenda_world["editor"])
    shown = client.get(url)
    assert shown.status_code == 200
    if "agenda?" in url or url.startswith("/agenda/?"):
        assert "Réunion d&#39;équipe déplacée" in shown.text
    counted = count_queries(client, url)
    assert counted <= AGENDA_PAGES[page], f"{url}: {counted} statements"


# --- the organisation page and a procurement code's page -----------------------------------------
# The organisation page's own statements, after the FLOOR: the organisation with its private
# space, its people with their memberships (and their chart units: a list kept across requests,
# ``contacts.services.organisation_people``, counted here as a process's first read), its
# space's news, then one per section: aids, acts (the publication settings, the latest sittings
# and their acts together), org chart, press releases; the officials are taken from the people
# already read. It read 12 before (the space,
# the people's memberships, the officials, the sittings' acts and the settings apart). Its
# editors also read the sittings whose list waits, with their acts' counts (two before).
# A code's page: the code with its nomenclature, its ancestors and its children in one
# statement, then the notices using it (4 before).
ORGANISATION_PAGE = FLOOR + 8
CODE_PAGE = FLOOR + 2


@pytest.fixture
def publisher_world():
    """Two communes, « small » with little of everything and « large » with more of everything
    (people, sittings and acts, aids, releases, org chart units, a sitting whose list waits),
    both under 3 500 inhabitants with acts published by posting; a reader who is a plain
    member of both, each one's admin, and a code tree four levels deep whose leaf is used by
    notices."""
    from datetime import timedelta

    from intranet.accounts.models import PersonFunction
    from intranet.core.timeutil import utcnow
    from intranet.publications.aids import services as aids
    from intranet.publications.deliberations import services as acts
    from intranet.publications.deliberations.models import PublicationMode, Sitting, today_paris
    from intranet.publications.orgcharts import services as orgcharts
    from intranet.publications.press import services as press
    from intranet.publications.procurement import services as procurement
    from intranet.publications.procurement.models import Procedure

    from .publications.aids import aid_data
    from .publications.deliberations.builders import make_act

    reader = factories.make_user(first_name="Lecteur")
    world = {"reader": reader}
    procurement.import_nomenclature("Familles d'achat", "code;libelle;parent\nT;Travaux;\n"
                                    "T01;Voirie;T\nT0101;Éclairage;T01\nT010101;Lampadaires;T0101\n"
                                    "T010102;Candélabres;T0101\nF;Fournitures;\n")
    for size, n in (("small", 1), ("large", 3)):
        org = factories.make_org(f"Commune {size}", population=800)
        editor = factories.make_user(org, Role.ADMIN, first_name=f"Maire {size}")
        editor.function_kind = PersonFunction.MAYOR
        for k in range(2 * n):
            factories.make_user(org, first_name=f"Agent {k}")
        factories.add_membership(reader, org)
        acts.save_settings(org, by=editor, siret=None, publication_mode=PublicationMode.POSTING,
                           mode_chosen_on=today_paris() - timedelta(days=400),
                           mode_deliberation_number=None)
        for s in range(n):
            day = today_paris() - timedelta(days=10 + s)
            for a in range(2):
                make_act(org, editor, publish=True, number=f"2025_{s}{a}", sitting_date=day,
                         subject=f"Acte {s}-{a} de {size}")
            make_act(org, editor, number=f"2025_{s}9", sitting_date=day,
                     subject=f"Brouillon {s} de {size}")
            sitting = db.session.scalar(select(Sitting).where(Sitting.organisation_id == org.id,
                                                              Sitting.sitting_date == day))
            acts.publish_sitting_list(sitting, by=editor)
        if size == "large":
            waiting = today_paris() - timedelta(days=2)
            make_act(org, editor, number="2025_98", sitting_date=waiting, subject="En attente")
            for number in ("2025_97", "2025_96"):
                make_act(org, editor, publish=True, number=number, sitting_date=waiting,
                         subject="En ligne, sa liste attend")
        for k in range(n):
            aids.publish(aids.create_aid(org, aid_data(f"Aide {k} de {size}"), by=editor),
                         by=editor)
            press.publish(press.create_release(org, title=f"Communiqué {k} de {size}",
                                               release_date=today_paris(), body="Texte.",
                                               by=editor), by=editor)
            orgcharts.create_unit(org, name=f"Service {k}", by=editor)
            notice = procurement.create_notice(org, procurement.NoticeData(
                title=f"Avis {k} de {size}", procedure=Procedure.ADAPTED,
                deadline=utcnow() + timedelta(days=30), codes="T0101"), by=editor)
            procurement.publish(notice, by=editor)
        db.session.commit()
        world[size], world[f"{size} editor"] = org.slug, editor
    return world


def test_the_organisation_page_reads_each_section_in_one_statement(publisher_world, new_client):
    client = new_client(publisher_world["reader"])
    counts = {}
    for size in ("small", "large"):
        url = f"/organisations/{publisher_world[size]}"
        shown = text(client.get(url))
        assert f"Acte 0-1 de {size}" in shown and f"Brouillon 0 de {size}" not in shown
        assert f"Maire {size}" in shown.split('id="annuaire-organisation"')[1].split("</dl>")[0]
        assert f"Aide 0 de {size}" in shown and f"Communiqué 0 de {size}" in shown
        assert "Affichage (en mairie)" in shown and "Voir l'organigramme" in shown
        counts[size] = count_queries(client, url)
        editors = new_client(publisher_world[f"{size} editor"])
        counts[f"{size} editor"] = count_queries(editors, url)
    assert "(2 actes publiés, 1 brouillon)" in text(editors.get(url))
    assert counts["small"] == counts["large"] <= ORGANISATION_PAGE, counts
    assert counts["small editor"] == counts["large editor"] <= ORGANISATION_PAGE + 1, counts


def test_a_code_page_reads_its_tree_in_one_statement(publisher_world, new_client):
    client = new_client(publisher_world["reader"])
    url = "/marches/nomenclatures/familles-d-achat/T0101"
    shown = text(client.get(url))
    assert "Candélabres" in shown and "Lampadaires" in shown and "Avis 2 de large" in shown
    assert ">T01<" in shown.split("<h1>")[0] and "Fournitures" not in shown
    assert count_queries(client, url) <= CODE_PAGE
    assert count_queries(client, "/marches/nomenclatures/familles-d-achat/T") <= CODE_PAGE
