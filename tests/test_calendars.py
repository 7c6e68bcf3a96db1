"""Business-time arithmetic (services.calendars) and the SLA clock (services.sla).

Expected instants are worked out by hand from the zone rules and written out
as UTC literals. DST facts used (tzdata):

* Europe/Warsaw: 2026-03-29 02:00 CET -> 03:00 CEST (01:00 UTC);
  2026-10-25 03:00 CEST -> 02:00 CET (01:00 UTC), 02:00-03:00 happens twice.
* America/New_York: 2026-03-08 02:00 EST -> 03:00 EDT (07:00 UTC);
  2026-11-01 02:00 EDT -> 01:00 EST (06:00 UTC), 01:00-02:00 happens twice.
* Australia/Lord_Howe (+10:30 / +11:00): 2026-04-05 02:00 -> 01:30 (04-04 15:00 UTC),
  01:30-02:00 happens twice; 2026-10-04 02:00 -> 02:30 (10-03 15:30 UTC).
* Asia/Kolkata: +05:30 all year.

2026-03-06 and 2026-06-19 are Fridays; 2026-11-11 (PL Independence Day) is a Wednesday.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import holidays
import pytest

from helpdesk.routing.calendars import (
    add_business_seconds,
    business_seconds_between,
    is_open,
    next_change,
    open_intervals,
)
from helpdesk.sla.policy import SlaTargets, due_at, extend_for_pause, remaining_seconds, warning_at

WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
HOUR = 3600.0


def u(text: str) -> datetime:
    """A UTC instant from 'YYYY-MM-DD HH:MM[:SS]'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass(frozen=True)
class Closure:
    day: date


@dataclass
class Cal:
    timezone: str = "UTC"
    weekly_hours: dict = field(default_factory=dict)
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    around_the_clock: bool = False
    closures: tuple = ()


def office(zone: str, start: str = "09:00", end: str = "17:00", days=WORKDAYS, **kwargs) -> Cal:
    return Cal(zone, {day: [[start, end]] for day in days}, **kwargs)


def intervals(calendar, start: str, end: str) -> list[tuple[datetime, datetime]]:
    return list(open_intervals(calendar, u(start), u(end)))


def pairs(*texts: str) -> list[tuple[datetime, datetime]]:
    return [(u(a), u(b)) for a, b in zip(texts[::2], texts[1::2], strict=True)]


# --- DST: Europe/Warsaw ---------------------------------------------------------------------------------------------

def test_warsaw_spring_forward_gap_start_opens_at_the_transition():
    cal = Cal("Europe/Warsaw", {"sun": [["02:30", "05:00"]]})
    # 02:30 does not exist on 2026-03-29; the first real instant after the gap is 03:00 CEST = 01:00 UTC.
    assert intervals(cal, "2026-03-28 12:00", "2026-03-30 00:00") == pairs("2026-03-29 01:00", "2026-03-29 03:00")
    assert not is_open(cal, u("2026-03-29 00:59:59"))
    assert is_open(cal, u("2026-03-29 01:00"))


def test_warsaw_spring_forward_night_is_one_hour_shorter():
    cal = Cal("Europe/Warsaw", {"sun": [["00:00", "06:00"]]})
    # 00:00 CET = 03-28 23:00 UTC, 06:00 CEST = 04:00 UTC: 5 real hours.
    assert intervals(cal, "2026-03-28 00:00", "2026-03-30 00:00") == pairs("2026-03-28 23:00", "2026-03-29 04:00")
    assert business_seconds_between(cal, u("2026-03-28 00:00"), u("2026-03-30 00:00")) == 5 * HOUR


def test_warsaw_overnight_shift_ending_in_the_gap():
    cal = Cal("Europe/Warsaw", {"sat": [["22:00", "02:30"]]})
    # Sat 22:00 CET = 21:00 UTC; the end 02:30 does not exist and becomes 03:00 CEST = 01:00 UTC.
    assert intervals(cal, "2026-03-28 00:00", "2026-03-30 00:00") == pairs("2026-03-28 21:00", "2026-03-29 01:00")
    assert is_open(cal, u("2026-03-29 00:59"))
    assert not is_open(cal, u("2026-03-29 01:00"))


def test_warsaw_fall_back_night_lasts_seven_hours():
    cal = Cal("Europe/Warsaw", {"sun": [["00:00", "06:00"]]})
    # 00:00 CEST = 10-24 22:00 UTC, 06:00 CET = 05:00 UTC.
    assert intervals(cal, "2026-10-24 00:00", "2026-10-26 00:00") == pairs("2026-10-24 22:00", "2026-10-25 05:00")
    assert business_seconds_between(cal, u("2026-10-24 00:00"), u("2026-10-26 00:00")) == 7 * HOUR


def test_warsaw_ambiguous_start_and_end_use_the_first_occurrence():
    starts_twice = Cal("Europe/Warsaw", {"sun": [["02:30", "04:00"]]})
    # 02:30 first occurs at 02:30 CEST = 00:30 UTC; 04:00 CET = 03:00 UTC.
    assert intervals(starts_twice, "2026-10-24 00:00", "2026-10-26 00:00") == pairs(
        "2026-10-25 00:30", "2026-10-25 03:00")
    ends_twice = Cal("Europe/Warsaw", {"sat": [["22:00", "02:30"]]})
    # Sat 22:00 CEST = 20:00 UTC, until the first 02:30 (CEST) = 00:30 UTC; the second 02:30 (CET) is closed.
    assert intervals(ends_twice, "2026-10-24 00:00", "2026-10-26 00:00") == pairs(
        "2026-10-24 20:00", "2026-10-25 00:30")
    assert not is_open(ends_twice, u("2026-10-25 01:15"))  # 02:15 CET, the repeated hour
    assert next_change(ends_twice, u("2026-10-24 21:00")) == u("2026-10-25 00:30")


# --- DST: America/New_York --------------------------------------------------------------------------------------------

def test_new_york_business_hours_across_spring_forward():
    cal = office("America/New_York")
    # Fri 03-06 15:00 EST = 20:00 UTC; 2h left on Friday (until 22:00 UTC), Mon 03-09 opens 09:00 EDT = 13:00 UTC.
    assert add_business_seconds(cal, u("2026-03-06 20:00"), 4 * HOUR) == u("2026-03-09 15:00")
    assert intervals(cal, "2026-03-06 00:00", "2026-03-10 00:00") == pairs(
        "2026-03-06 14:00", "2026-03-06 22:00", "2026-03-09 13:00", "2026-03-09 21:00")


def test_new_york_overnight_shift_across_spring_forward():
    cal = Cal("America/New_York", {"sat": [["22:00", "06:00"]]})
    # Sat 22:00 EST = 03-08 03:00 UTC until Sun 06:00 EDT = 10:00 UTC: 7 real hours.
    assert intervals(cal, "2026-03-07 00:00", "2026-03-09 00:00") == pairs("2026-03-08 03:00", "2026-03-08 10:00")
    assert add_business_seconds(cal, u("2026-03-08 06:00"), 3 * HOUR) == u("2026-03-08 09:00")


def test_new_york_overnight_shift_across_fall_back():
    cal = Cal("America/New_York", {"sat": [["22:00", "06:00"]], "sun": [["01:30", "03:00"]]})
    # Sat 22:00 EDT = 11-01 02:00 UTC until Sun 06:00 EST = 11:00 UTC (9 h); the Sunday 01:30-03:00
    # interval (first 01:30 = 05:30 UTC) lies inside it and adds nothing.
    assert intervals(cal, "2026-10-31 00:00", "2026-11-02 00:00") == pairs("2026-11-01 02:00", "2026-11-01 11:00")
    assert business_seconds_between(cal, u("2026-10-31 00:00"), u("2026-11-02 00:00")) == 9 * HOUR
    alone = Cal("America/New_York", {"sun": [["01:30", "03:00"]]})
    assert intervals(alone, "2026-10-31 00:00", "2026-11-02 00:00") == pairs("2026-11-01 05:30", "2026-11-01 08:00")


# --- DST: Australia/Lord_Howe (30-minute shift) -------------------------------------------------------------------

def test_lord_howe_fall_back_half_hour():
    night = Cal("Australia/Lord_Howe", {"sun": [["00:00", "06:00"]]})
    # 00:00 +11:00 = 04-04 13:00 UTC, 06:00 +10:30 = 04-04 19:30 UTC: 6.5 real hours.
    assert intervals(night, "2026-04-04 00:00", "2026-04-06 00:00") == pairs("2026-04-04 13:00", "2026-04-04 19:30")
    ambiguous = Cal("Australia/Lord_Howe", {"sun": [["01:45", "03:00"]]})
    # The first 01:45 is +11:00 = 14:45 UTC; 03:00 +10:30 = 16:30 UTC.
    assert intervals(ambiguous, "2026-04-04 00:00", "2026-04-06 00:00") == pairs(
        "2026-04-04 14:45", "2026-04-04 16:30")


def test_lord_howe_spring_forward_half_hour():
    gap = Cal("Australia/Lord_Howe", {"sun": [["02:15", "04:00"]]})
    # 02:15 is in the 02:00-02:30 gap: opens at the transition, 10-03 15:30 UTC; 04:00 +11:00 = 17:00 UTC.
    assert intervals(gap, "2026-10-03 00:00", "2026-10-05 00:00") == pairs("2026-10-03 15:30", "2026-10-03 17:00")
    night = Cal("Australia/Lord_Howe", {"sun": [["00:00", "06:00"]]})
    # 00:00 +10:30 = 10-03 13:30 UTC, 06:00 +11:00 = 10-03 19:00 UTC: 5.5 real hours.
    assert business_seconds_between(night, u("2026-10-03 00:00"), u("2026-10-05 00:00")) == 5.5 * HOUR
    assert next_change(night, u("2026-10-03 12:00")) == u("2026-10-03 13:30")
    assert next_change(night, u("2026-10-03 13:30")) == u("2026-10-03 19:00")


# --- Half-hour zone ------------------------------------------------------------------------------------------------

def test_kolkata_half_hour_offset():
    cal = office("Asia/Kolkata", "09:00", "18:00")
    # 09:00-18:00 IST = 03:30-12:30 UTC.
    assert intervals(cal, "2026-03-06 00:00", "2026-03-10 00:00") == pairs(
        "2026-03-06 03:30", "2026-03-06 12:30", "2026-03-09 03:30", "2026-03-09 12:30")
    # Fri 16:30 IST: 1.5 h left on Friday, 1.5 h on Monday.
    assert add_business_seconds(cal, u("2026-03-06 11:00"), 3 * HOUR) == u("2026-03-09 05:00")


# --- Overnight shifts, holidays, closures ------------------------------------------------------------------------

def test_overnight_shift_across_a_weekend():
    cal = office("Europe/Warsaw", "22:00", "06:00")  # nights starting Mon..Fri
    # Fri 11-06 22:00 CET = 21:00 UTC until Sat 05:00 UTC; next night starts Mon 11-09 21:00 UTC.
    assert add_business_seconds(cal, u("2026-11-07 03:00"), 3 * HOUR) == u("2026-11-09 22:00")
    assert is_open(cal, u("2026-11-07 04:59"))
    assert not is_open(cal, u("2026-11-07 05:00"))
    assert not is_open(cal, u("2026-11-07 23:00"))  # Saturday night: no shift starts on Saturday
    assert next_change(cal, u("2026-11-07 05:00")) == u("2026-11-09 21:00")


def test_holiday_cancels_the_overnight_shift_starting_on_it():
    cal = office("Europe/Warsaw", "22:00", "06:00", holiday_country="PL")
    # Wed 2026-11-11 is a Polish holiday: Tuesday's night runs into it, Wednesday's night is cancelled whole.
    assert intervals(cal, "2026-11-09 00:00", "2026-11-14 00:00") == pairs(
        "2026-11-09 21:00", "2026-11-10 05:00",
        "2026-11-10 21:00", "2026-11-11 05:00",
        "2026-11-12 21:00", "2026-11-13 05:00",
        "2026-11-13 21:00", "2026-11-14 00:00")
    assert is_open(cal, u("2026-11-11 02:00"))
    assert not is_open(cal, u("2026-11-11 22:00"))
    assert not is_open(cal, u("2026-11-12 03:00"))


def test_polish_independence_day():
    assert date(2026, 11, 11) in holidays.country_holidays("PL", years=2026)
    cal = office("Europe/Warsaw", holiday_country="PL")
    # Tue 11-10 16:00 CET: 1 h left; Wed closed; Thu opens 08:00 UTC.
    assert add_business_seconds(cal, u("2026-11-10 15:00"), 2 * HOUR) == u("2026-11-12 09:00")
    # The week of 11-09: four working days.
    assert business_seconds_between(cal, u("2026-11-09 00:00"), u("2026-11-16 00:00")) == 4 * 8 * HOUR


def test_us_independence_day_both_the_observed_and_the_actual_day_close():
    # The holidays package (0.109) lists 2026-07-03 "Independence Day (observed)" (a Friday)
    # and 2026-07-04 "Independence Day" (a Saturday); both close the calendar.
    us = holidays.country_holidays("US", years=2026)
    assert date(2026, 7, 3) in us and date(2026, 7, 4) in us
    cal = office("America/New_York", days=(*WORKDAYS, "sat"), holiday_country="US")
    # Thu 07-02 16:00 EDT = 20:00 UTC: 1 h left; Fri, Sat holidays; Sun closed; Mon 07-06 opens 13:00 UTC.
    assert add_business_seconds(cal, u("2026-07-02 20:00"), 2 * HOUR) == u("2026-07-06 14:00")
    assert not is_open(cal, u("2026-07-04 15:00"))


def test_ad_hoc_closure():
    cal = office("Europe/Warsaw", closures=(Closure(date(2026, 6, 16)),))
    # Mon 06-15 16:00 CEST = 14:00 UTC: 1 h left; Tue closed; Wed opens 07:00 UTC.
    assert add_business_seconds(cal, u("2026-06-15 14:00"), 2 * HOUR) == u("2026-06-17 08:00")
    assert not is_open(cal, u("2026-06-16 10:00"))


def test_start_inside_closed_time_counts_from_the_next_opening():
    cal = office("Europe/Warsaw")
    assert add_business_seconds(cal, u("2026-06-13 10:00"), HOUR) == u("2026-06-15 08:00")  # Saturday
    assert add_business_seconds(cal, u("2026-06-15 05:00"), 1800) == u("2026-06-15 07:30")  # Monday 07:00 local
    assert add_business_seconds(cal, u("2026-06-15 05:00"), 0) == u("2026-06-15 05:00")


def test_seconds_running_out_at_closing_give_the_closing():
    cal = office("Europe/Warsaw")
    assert add_business_seconds(cal, u("2026-06-19 14:00"), HOUR) == u("2026-06-19 15:00")


def test_adding_across_a_long_weekend():
    cal = office("Europe/Warsaw", holiday_country="PL")
    # Easter Monday 2026-04-06 is a holiday: Fri 04-03 16:00 CEST -> 1 h, then Tue 04-07 07:00 UTC.
    assert add_business_seconds(cal, u("2026-04-03 14:00"), 2 * HOUR) == u("2026-04-07 08:00")


def test_business_seconds_over_a_week():
    cal = office("Europe/Warsaw")
    assert business_seconds_between(cal, u("2026-06-15 00:00"), u("2026-06-22 00:00")) == 5 * 8 * HOUR
    # Partial days at both ends: Mon 12:00-17:00 local (5 h) ... Mon next 09:00-10:00 local (1 h).
    assert business_seconds_between(cal, u("2026-06-15 10:00"), u("2026-06-22 08:00")) == (5 + 4 * 8 + 1) * HOUR
    assert business_seconds_between(cal, u("2026-06-22 08:00"), u("2026-06-15 10:00")) == 0


def test_adjacent_intervals_are_merged():
    cal = Cal("Europe/Warsaw", {"mon": [["12:00", "17:00"], ["09:00", "12:00"]], "tue": [["10:00", "11:00"]]})
    assert intervals(cal, "2026-06-15 00:00", "2026-06-17 00:00") == pairs(
        "2026-06-15 07:00", "2026-06-15 15:00", "2026-06-16 08:00", "2026-06-16 09:00")
    assert next_change(cal, u("2026-06-15 06:00")) == u("2026-06-15 07:00")
    assert next_change(cal, u("2026-06-15 07:00")) == u("2026-06-15 15:00")


def test_overlapping_intervals_are_not_counted_twice():
    cal = Cal("UTC", {"mon": [["22:00", "06:00"]], "tue": [["05:00", "09:00"], ["08:00", "10:00"]]})
    assert intervals(cal, "2026-06-15 00:00", "2026-06-17 00:00") == pairs("2026-06-15 22:00", "2026-06-16 10:00")
    assert business_seconds_between(cal, u("2026-06-15 00:00"), u("2026-06-17 00:00")) == 12 * HOUR
    assert add_business_seconds(cal, u("2026-06-15 00:00"), 11 * HOUR) == u("2026-06-16 09:00")


def test_next_change():
    cal = office("Europe/Warsaw")
    assert next_change(cal, u("2026-06-19 12:00")) == u("2026-06-19 15:00")  # open Friday afternoon
    assert next_change(cal, u("2026-06-19 15:00")) == u("2026-06-22 07:00")  # closing instant: closed
    assert next_change(cal, u("2026-06-22 07:00")) == u("2026-06-22 15:00")  # opening instant: open
    always = Cal("Europe/Warsaw", {day: [["06:00", "22:00"], ["22:00", "06:00"]] for day in
                                    ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
    assert next_change(always, u("2026-06-19 12:00")) is None
    assert next_change(Cal("Europe/Warsaw"), u("2026-06-19 12:00")) is None
    assert next_change(Cal(around_the_clock=True), u("2026-06-19 12:00")) is None


def test_never_open_calendar_raises():
    with pytest.raises(ValueError, match="calendar is never open"):
        add_business_seconds(Cal("Europe/Warsaw"), u("2026-06-19 12:00"), 60)
    only_on_a_closed_day = Cal("UTC", {"wed": [["09:00", "17:00"]]},
                               closures=tuple(Closure(date(2026, 6, 17) + timedelta(weeks=w)) for w in range(60)))
    with pytest.raises(ValueError, match="calendar is never open"):
        add_business_seconds(only_on_a_closed_day, u("2026-06-15 00:00"), 60)
    assert business_seconds_between(Cal("UTC"), u("2026-01-01 00:00"), u("2027-01-01 00:00")) == 0
    assert list(open_intervals(Cal("UTC"), u("2026-01-01 00:00"), u("2027-01-01 00:00"))) == []


def test_around_the_clock():
    cal = Cal("Europe/Warsaw", around_the_clock=True, holiday_country="PL")
    assert add_business_seconds(cal, u("2026-10-24 22:00"), 7 * HOUR) == u("2026-10-25 05:00")
    assert business_seconds_between(cal, u("2026-11-10 00:00"), u("2026-11-12 00:00")) == 48 * HOUR
    assert intervals(cal, "2026-11-10 00:00", "2026-11-12 00:00") == pairs("2026-11-10 00:00", "2026-11-12 00:00")
    assert is_open(cal, u("2026-11-11 12:00"))
    assert next_change(cal, u("2026-11-11 12:00")) is None


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        add_business_seconds(office("UTC"), datetime(2026, 6, 15, 9), 60)
    with pytest.raises(ValueError, match="naive"):
        is_open(office("UTC"), datetime(2026, 6, 15, 9))


def test_non_utc_aware_input_is_accepted_and_output_is_utc():
    cal = office("Europe/Warsaw")
    from zoneinfo import ZoneInfo
    start = datetime(2026, 6, 15, 16, 0, tzinfo=ZoneInfo("Europe/Warsaw"))
    result = add_business_seconds(cal, start, 2 * HOUR)
    assert result == u("2026-06-16 08:00") and result.tzinfo is UTC


def test_thirty_business_days_is_fast():
    cal = office("Europe/Warsaw", holiday_country="PL", closures=(Closure(date(2026, 6, 16)),))
    start = u("2026-06-15 10:00")
    add_business_seconds(cal, start, 30 * 8 * HOUR)  # warm the holiday cache
    runs = 20
    began = time.perf_counter()
    for _ in range(runs):
        due = add_business_seconds(cal, start, 30 * 8 * HOUR)
    elapsed = (time.perf_counter() - began) / runs
    assert business_seconds_between(cal, start, due) == 30 * 8 * HOUR
    assert elapsed < 0.010, f"{elapsed * 1000:.2f} ms per call"


# --- Through the real calendar types ---------------------------------------------------------------------------------

def test_routing_calendar_view():
    from helpdesk.routing.calendars import CalendarView, ClosureDay

    view = CalendarView("Europe/Warsaw", {day: [["09:00", "17:00"]] for day in WORKDAYS}, "PL", None, False,
                        (ClosureDay(date(2026, 11, 12)),))
    # Tue 11-10 16:00 CET: 1 h; Wed holiday; Thu closure; Fri 11-13 08:00 UTC + 1 h.
    assert add_business_seconds(view, u("2026-11-10 15:00"), 2 * HOUR) == u("2026-11-13 09:00")
    assert next_change(view, u("2026-11-10 16:00")) == u("2026-11-13 08:00")
    assert business_seconds_between(view, u("2026-11-09 00:00"), u("2026-11-16 00:00")) == 3 * 8 * HOUR


def test_orm_calendar():
    from helpdesk.routing.models import Calendar, CalendarClosure

    cal = Calendar(timezone="Asia/Kolkata", weekly_hours={"mon": [["09:00", "18:00"]]}, around_the_clock=False,
                   holiday_country=None, holiday_subdivision=None)
    cal.closures = [CalendarClosure(day=date(2026, 6, 15))]
    assert intervals(cal, "2026-06-14 00:00", "2026-06-30 00:00") == pairs(
        "2026-06-22 03:30", "2026-06-22 12:30", "2026-06-29 03:30", "2026-06-29 12:30")


# --- SLA clock -------------------------------------------------------------------------------------------------------

def test_sla_targets_from_policy():
    from helpdesk.sla.models import SlaPolicy

    policy = SlaPolicy(priority="high", first_response_minutes=60, next_response_minutes=None,
                       resolution_minutes=480, business_hours=False, warning_percent=80)
    assert SlaTargets.from_policy(policy) == SlaTargets(60, None, 480, False, 80)

    @dataclass
    class Plain:
        first_response_minutes: int | None = 30
        next_response_minutes: int | None = 120
        resolution_minutes: int | None = None
        business_hours: bool = True
        warning_percent: int = 75

    assert SlaTargets.from_policy(Plain()) == SlaTargets(30, 120, None, True, 75)


def test_due_at_business_and_wall_clock():
    cal = office("Europe/Warsaw")
    # Fri 06-19 16:00 CEST: 1 h Friday, 1 h Monday from 07:00 UTC.
    assert due_at(cal, True, u("2026-06-19 14:00"), 120) == u("2026-06-22 08:00")
    assert due_at(cal, False, u("2026-06-19 14:00"), 120) == u("2026-06-19 16:00")
    assert due_at(None, True, u("2026-06-19 14:00"), 120) == u("2026-06-19 16:00")  # no calendar: wall clock


def test_warning_at_75_percent():
    cal = office("Europe/Warsaw")
    start = u("2026-06-15 13:00")  # Mon 15:00 CEST
    due = due_at(cal, True, start, 8 * 60)
    assert due == u("2026-06-16 13:00")  # 2 h Monday + 6 h Tuesday
    # 75 % of 8 business hours = 6 h: 2 h Monday + 4 h Tuesday.
    assert warning_at(cal, True, start, due, 75) == u("2026-06-16 11:00")
    # Wall clock: 75 % of 24 h = 18 h.
    assert warning_at(cal, False, start, u("2026-06-16 13:00"), 75) == u("2026-06-16 07:00")


def test_pause_across_a_night_and_a_weekend():
    cal = office("Europe/Warsaw")
    due = u("2026-06-22 10:00")  # Mon 12:00 CEST
    # Paused Thu 16:30 CEST to Fri 09:30 CEST: 30 min + 30 min of open time.
    assert extend_for_pause(cal, True, due, u("2026-06-18 14:30"), u("2026-06-19 07:30")) == u("2026-06-22 11:00")
    # Paused Fri 16:00 CEST to Mon 10:00 CEST: 1 h Friday + 1 h Monday; the weekend does not count.
    assert extend_for_pause(cal, True, due, u("2026-06-19 14:00"), u("2026-06-22 08:00")) == u("2026-06-22 12:00")
    # Wall clock: the whole 66 h pause counts.
    assert extend_for_pause(cal, False, due, u("2026-06-19 14:00"), u("2026-06-22 08:00")) == u("2026-06-25 04:00")


def test_pause_edge_cases():
    cal = office("Europe/Warsaw")
    due = u("2026-06-22 10:00")
    assert extend_for_pause(cal, True, None, u("2026-06-19 14:00"), u("2026-06-22 08:00")) is None
    # Paused only while closed: nothing to add.
    assert extend_for_pause(cal, True, due, u("2026-06-20 08:00"), u("2026-06-21 08:00")) == due
    # A pause that starts once the target is already missed does not un-miss it.
    assert extend_for_pause(cal, True, due, u("2026-06-22 11:00"), u("2026-06-23 11:00")) == due
    # A pause that straddles the due time: 1 h before due (09:00-10:00 UTC) + 1 h after it.
    assert extend_for_pause(cal, True, due, u("2026-06-22 09:00"), u("2026-06-22 11:00")) == u("2026-06-22 12:00")


def test_remaining_seconds():
    cal = office("Europe/Warsaw")
    assert remaining_seconds(cal, True, u("2026-06-19 14:00"), u("2026-06-22 08:00")) == 2 * HOUR
    assert remaining_seconds(cal, True, u("2026-06-22 10:00"), u("2026-06-19 14:00")) == -4 * HOUR
    assert remaining_seconds(cal, False, u("2026-06-19 14:00"), u("2026-06-22 08:00")) == 66 * HOUR
    assert remaining_seconds(cal, False, u("2026-06-22 08:00"), u("2026-06-19 14:00")) == -66 * HOUR


# --- Property-style checks (seeded, no hypothesis) --------------------------------------------------------------------

PROPERTY_CALENDARS = [
    office("Europe/Warsaw", holiday_country="PL", closures=(Closure(date(2026, 6, 16)),)),
    Cal("Europe/Warsaw", {"sat": [["22:00", "02:30"]], "sun": [["00:00", "06:00"], ["02:30", "04:00"]],
                          "mon": [["09:00", "12:00"], ["12:00", "17:30"]]}),
    office("America/New_York", "22:00", "06:00", days=("fri", "sat", "sun"), holiday_country="US"),
    office("America/New_York", "01:30", "03:00", days=("sun",)),
    Cal("Australia/Lord_Howe", {"sun": [["00:00", "06:00"], ["01:45", "03:00"]], "wed": [["02:15", "02:20"]],
                                "fri": [["20:00", "20:00"]]}),
    office("Asia/Kolkata", "09:00", "18:00", holiday_country="IN"),
]
DST_DAYS = [u(text) for text in ("2026-03-29 00:00", "2026-10-25 00:00", "2026-03-08 05:00", "2026-11-01 05:00",
                                 "2026-04-04 14:00", "2026-10-03 14:00")]


def _random_start(rng: random.Random) -> datetime:
    if rng.random() < 0.5:
        base = rng.choice(DST_DAYS) - timedelta(days=1)
        return base + timedelta(seconds=rng.uniform(0, 3 * 86400))
    return u("2026-01-01 00:00") + timedelta(seconds=rng.uniform(0, 365 * 86400))


@pytest.mark.parametrize("index", range(len(PROPERTY_CALENDARS)))
def test_adding_then_measuring_round_trips(index):
    cal = PROPERTY_CALENDARS[index]
    rng = random.Random(1000 + index)
    for _ in range(150):
        start = _random_start(rng)
        seconds = rng.choice([rng.uniform(0, 4 * HOUR), rng.uniform(0, 20 * 24 * HOUR), float(rng.randint(1, 600))])
        due = add_business_seconds(cal, start, seconds)
        assert due >= start
        assert business_seconds_between(cal, start, due) == pytest.approx(seconds, abs=1e-6)
        if seconds > 1e-3:  # the earliest such instant: it is the end of open time
            assert is_open(cal, due - timedelta(microseconds=1))


@pytest.mark.parametrize("index", range(len(PROPERTY_CALENDARS)))
def test_is_open_next_change_and_intervals_agree(index):
    cal = PROPERTY_CALENDARS[index]
    rng = random.Random(2000 + index)
    for _ in range(150):
        at = _random_start(rng).replace(microsecond=0)
        spans = list(open_intervals(cal, at - timedelta(days=3), at + timedelta(days=3)))
        inside = any(opens <= at < closes for opens, closes in spans)
        assert is_open(cal, at) == inside
        change = next_change(cal, at)
        if change is None:
            continue
        assert change > at
        assert is_open(cal, change) != is_open(cal, at)
        assert is_open(cal, change - timedelta(microseconds=1)) == is_open(cal, at)
        # Nothing flips in between: no interval edge lies strictly between at and change.
        edges = [edge for span in spans for edge in span]
        assert not [edge for edge in edges if at < edge < change and edge != at + timedelta(days=3)]
