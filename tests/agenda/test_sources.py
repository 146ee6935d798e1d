"""The other domains' dated items (``core.hooks.register_calendar_source``) are read in one
statement for all the sources (``hooks.calendar_items``: a UNION ALL), and each source still
filters as its domain does: a person sees their own deadlines, never another's."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from intranet.agenda import calendar
from intranet.core import hooks
from intranet.extensions import db
from intranet.jobs import services as jobs
from intranet.publications.deliberations import services as deliberations
from intranet.publications.deliberations.models import SittingMinutes, today_paris

from .. import factories
from ..helpers import recorded_statements as statements
from ..jobs.builders import published_offer
from ..publications.aids import make_aid
from ..publications.deliberations.builders import PDF, make_act
from ..subsidies.builders import council_and_communes
from ..subsidies.test_dossiers import _granted


def _world():
    """A commune (Layrac) with a dated item of every source in the coming weeks: a sitting with
    a published act and a draft, minutes waiting to go online, an aid open to communes (and a
    draft one), a granted dossier's works deadline, an offer its agent follows."""
    world = council_and_communes()
    today = today_paris()
    town, editor = world["town"], world["editor"]
    make_act(town, editor, number="2026_001", subject="Budget primitif",
             sitting_date=today - timedelta(days=30), publish=True)
    published = make_act(town, editor, number="2026_010", subject="Travaux de voirie",
                         sitting_date=today - timedelta(days=2), publish=True)
    make_act(town, editor, number="2026_011", subject="Acte en préparation",
             sitting_date=today - timedelta(days=2))
    older = make_act(town, editor, number="2026_002", subject="Compte administratif",
                     sitting_date=today - timedelta(days=20), publish=True)
    deliberations.save_minutes(older.sitting, by=editor, approved_on=today - timedelta(days=8),
                               pdf=deliberations.Upload(PDF, "pv.pdf"))
    council, council_editor = world["council"], world["council_editor"]
    make_aid(council, council_editor, "Aide aux mairies", beneficiaries=["communes"],
             closes_on=today + timedelta(days=10))
    make_aid(council, council_editor, "Aide en préparation", publish=False,
             beneficiaries=["communes"], closes_on=today + timedelta(days=11))
    _granted(world, deadline=today + timedelta(days=40))
    offer = published_offer(world)   # closing in a month and a few days
    jobs.follow(offer, world["member"])
    world["sitting"] = published.sitting
    return world


def _period():
    after = datetime.combine(today_paris() - timedelta(days=3), datetime.min.time())
    return after, after + timedelta(days=50)


def test_every_source_is_read_in_one_statement_each_with_its_own_filter():
    world = _world()
    after, before = _period()
    sitting = f"{world['sitting'].title} — Commune de Layrac"
    works = ["Fin des travaux subventionnés : Réfection du chemin de Lamothe"]
    aid = ["Clôture de l'aide « Aide aux mairies »"]
    expected = {
        "member": {"offres": ["Date limite de candidature : Secrétaire de mairie"],
                   "echeances": aid, "seances": [sitting], "travaux": works},
        # who publishes for the commune: its minutes to put online too
        "editor": {"echeances": aid, "seances": [sitting], "travaux": works,
                   "proces-verbaux": [f"Mettre en ligne le procès-verbal : {_older_title()}"]},
        # another commune's admin: the aid open to communes only
        "other_admin": {"echeances": aid},
        # the instructor of the programme: the dossier they instruct
        "instructor": {"travaux": works},
    }
    for who, wanted in expected.items():
        person = world[who]
        hooks.calendar_items(person, after, before)   # the person's rows loaded once
        with statements() as seen:
            found = hooks.calendar_items(person, after, before)
        shown = {key: [entry.title for entry in entries] for key, entries in found if entries}
        assert shown == wanted, who
        # one UNION ALL for every source; the acts of the sittings shown in one more
        assert len(seen) == (2 if "seances" in wanted else 1), (who, seen)


def _older_title() -> str:
    return db.session.scalar(select(SittingMinutes)).sitting.title


def test_a_sitting_shows_the_acts_each_person_may_see_and_the_deadlines_their_dates():
    world = _world()
    after, before = _period()
    entries = dict(hooks.calendar_items(world["member"], after, before))
    assert entries["seances"][0].note == ("Ordre du jour : n° 2026_010 Travaux de voirie ; "
                                          "n° 2026_011 Acte en préparation")
    assert entries["seances"][0].url == f"/deliberations/seances/{world['sitting'].id}"
    assert entries["echeances"][0].starts.date() == today_paris() + timedelta(days=10)
    minutes = dict(hooks.calendar_items(world["editor"], after, before))["proces-verbaux"][0]
    assert minutes.starts.date() == today_paris() - timedelta(days=1)   # approved + 7 days
    assert minutes.note.startswith("Commune de Layrac — approuvé le ")
    # Outside the organisation, the sitting of its space's calendar: the list is not online
    # yet, so an outsider sees nothing of it; once it is, the published act only.
    space = factories.org_space(world["town"])
    outsider = world["other_admin"]
    assert not dict(hooks.calendar_items(outsider, after, before, space))["seances"]
    deliberations.publish_sitting_list(world["sitting"], by=world["editor"])
    shown = dict(hooks.calendar_items(outsider, after, before, space))["seances"]
    assert [entry.note for entry in shown] == ["Délibérations : n° 2026_010 Travaux de voirie"]


def test_the_agenda_reads_only_the_sources_it_shows():
    world = _world()
    after, before = _period()

    def tables(seen) -> set[str]:
        read = ("job_offer", "FROM aid", "deliberation_sitting", "sitting_minutes",
                "subsidy_dossier")
        return {table for statement in seen for table in read if table in statement}
    with statements() as seen:
        agenda = calendar.personal_agenda(world["member"], after, before, shown={"echeances"})
    assert [item.title for item in agenda.items] == ["Clôture de l'aide « Aide aux mairies »"]
    assert tables(seen) == {"FROM aid"}
    with statements() as seen:
        agenda = calendar.personal_agenda(world["member"], after, before, shown={"perso"})
    assert agenda.items == [] and tables(seen) == set()


def test_the_month_grid_places_each_item_on_its_days_with_links_that_keep_the_calendars(
        client, login):
    from intranet.agenda import services
    from intranet.agenda.services import EventData

    world = _world()
    editor = world["editor"]
    services.create_event(EventData(title="Congrès", starts_on=datetime(2027, 3, 30),
                                    ends_on=datetime(2027, 4, 2), all_day=True), by=editor)
    login(editor)
    page = client.get("/agenda/?vue=mois&date=2027-03-10&cal=perso&cal=Echeances").text
    cells = page.split("<td ")[1:]
    assert len(cells) == 35      # from Monday 1 March to Sunday 4 April 2027
    assert 'href="/agenda/?vue=jour&amp;cal=Echeances&amp;cal=perso&amp;date=2027-03-01"' \
        in cells[0]
    congress = [n for n, cell in enumerate(cells) if "Congrès" in cell]
    assert congress == [29, 30, 31]     # 30 and 31 March, 1 April (ends at midnight)
    assert cells[31].startswith('class="cal-other"') and cells[0].startswith(
        'class=" cal-empty"')
    assert "lundi 1er mars 2027" in cells[0]


def test_the_sources_statement_is_built_once_and_a_parameter_two_sources_share_must_agree(
        monkeypatch):
    world = _world()
    after, before = _period()
    hooks.calendar_items(world["member"], after, before)
    built = dict(hooks._UNIONS)
    hooks.calendar_items(world["editor"], after, before)       # other sources: another UNION
    hooks.calendar_items(world["member"], after + timedelta(days=1), before)
    assert all(hooks._UNIONS[key] is union for key, union in built.items())
    # a source whose parameter has another source's name but not its value: refused, not
    # read with the wrong value
    jobs_source = hooks.CALENDAR_SOURCES["offres"]
    monkeypatch.setitem(hooks.CALENDAR_SOURCES, "copie", hooks.CalendarSource(
        "Copie", lambda user, *_: (jobs_source.rows(user, after, before)[0],
                                   {"offres_user": -1}), jobs_source.entries))
    with pytest.raises(ValueError, match="offres_user"):
        hooks.calendar_items(world["member"], after, before)
