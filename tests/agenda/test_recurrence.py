"""Series in Europe/Paris wall-clock time: daylight saving, exceptions, cuts, bounds."""
from datetime import date, datetime, timedelta

import pytest

from intranet.agenda import recurrence
from intranet.agenda.calendar import occurrences
from intranet.agenda.models import Event, EventChange
from intranet.agenda.recurrence import Frequency, Rule, RuleError


def _event(starts, rule, minutes=60, changes=()):
    return Event(title="Réunion", starts_on=starts, ends_on=starts + timedelta(minutes=minutes),
                 rrule=recurrence.normalised(rule, starts), changes=list(changes))


def test_a_weekly_meeting_stays_at_ten_across_both_daylight_saving_changes_with_an_exception():
    # Mondays at 10:00 from February to November 2027: summer time starts on 28 March and
    # ends on 31 October. The meeting of 5 April is cancelled; the one of 12 April moved.
    event = _event(datetime(2027, 2, 1, 10), "FREQ=WEEKLY;BYDAY=MO;UNTIL=20271130T235959", changes=[
        EventChange(occurrence=datetime(2027, 4, 5, 10), cancelled=True),
        EventChange(occurrence=datetime(2027, 4, 12, 10), starts_on=datetime(2027, 4, 13, 14),
                    ends_on=datetime(2027, 4, 13, 15))])
    found = occurrences(event, datetime(2027, 1, 1), datetime(2028, 1, 1))
    starts = [begins for _, begins, _, _ in found]
    assert all(s.time().hour == 10 for s in starts if s != datetime(2027, 4, 13, 14))
    assert datetime(2027, 4, 5, 10) not in starts
    assert datetime(2027, 4, 13, 14) in starts and datetime(2027, 4, 12, 10) not in starts
    assert len(starts) == 44 - 1   # 44 Mondays from 1 Feb to 29 Nov, one cancelled
    # Local 10:00 is 09:00 UTC in winter and 08:00 UTC in summer, on both sides of each change.
    utc = {s: recurrence.to_utc(s).hour for s in starts}
    assert utc[datetime(2027, 3, 22, 10)] == 9 and utc[datetime(2027, 3, 29, 10)] == 8
    assert utc[datetime(2027, 10, 25, 10)] == 8 and utc[datetime(2027, 11, 1, 10)] == 9


def test_an_occurrence_moved_into_the_period_from_outside_is_shown():
    event = _event(datetime(2027, 1, 4, 10), "FREQ=WEEKLY;COUNT=3", changes=[
        EventChange(occurrence=datetime(2027, 1, 11, 10), starts_on=datetime(2027, 2, 1, 10),
                    ends_on=datetime(2027, 2, 1, 11))])
    found = occurrences(event, datetime(2027, 2, 1), datetime(2027, 2, 2))
    assert [(occ, begins) for occ, begins, _, _ in found] == [
        (datetime(2027, 1, 11, 10), datetime(2027, 2, 1, 10))]


def test_a_rule_without_end_is_bounded_by_the_period_and_the_limit():
    event = _event(datetime(1990, 1, 1, 8), "FREQ=DAILY")
    found = occurrences(event, datetime(2027, 1, 1), datetime(2027, 2, 1))
    assert len(found) == 31
    many = recurrence.starts(event.rrule, event.starts_on, datetime(1990, 1, 1),
                             datetime(2100, 1, 1))
    assert len(many) == recurrence.MAX_OCCURRENCES
    assert recurrence.last_start(event.rrule, event.starts_on) is None


def test_the_form_rule_round_trips_and_reads_in_french():
    rule = Rule(Frequency.WEEKLY, 2, ("MO", "TH"), until=date(2027, 6, 30))
    assert rule.value() == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20270630T235959"
    assert recurrence.as_rule(rule.value()) == rule
    assert rule.describe() == "Toutes les 2 semaines, le lundi et le jeudi, jusqu'au 30 juin 2027"
    second_tuesday = Rule(Frequency.MONTHLY, weekdays=("TU",), position=2, count=10)
    assert second_tuesday.value() == "FREQ=MONTHLY;BYDAY=2TU;COUNT=10"
    assert second_tuesday.describe() == "Tous les mois, le deuxième mardi du mois, 10 fois"


@pytest.mark.parametrize("value, message", [
    ("FREQ=SECONDLY", "quotidienne, hebdomadaire"),
    ("FREQ=WEEKLY;COUNT=5;UNTIL=20270101", "pas les deux"),
    ("FREQ=WEEKLY;BYDAY=XX", "n'est pas un jour"),
    ("FREQ=DAILY;COUNT=100000", "au plus"),
    ("FREQ=DAILY;FOO=1", "ne gère pas"),
    ("FREQ", "incomplète"),
])
def test_a_rule_the_agenda_cannot_keep_is_refused_in_french(value, message):
    with pytest.raises(RuleError, match=message):
        recurrence.normalised(value, datetime(2027, 1, 1, 10))


def test_an_until_in_utc_is_stored_as_paris_time():
    stored = recurrence.normalised("FREQ=DAILY;UNTIL=20270701T080000Z", datetime(2027, 6, 1, 10))
    assert stored == "FREQ=DAILY;UNTIL=20270701T100000"
    assert recurrence.last_start(stored, datetime(2027, 6, 1, 10)) == datetime(2027, 7, 1, 10)
