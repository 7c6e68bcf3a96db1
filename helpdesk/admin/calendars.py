"""Business calendars (client hours) and shift calendars (regions): weekly hours, holidays, closures."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import holidays
from sqlalchemy import select

from helpdesk.admin.forms import INTERVAL_RE, TIME_RE, Fields, Form, commit_change, get_or_404
from helpdesk.extensions import db
from helpdesk.routing.calendars import WEEKDAYS
from helpdesk.routing.models import Calendar, CalendarClosure


def format_weekly_hours(weekly: dict | None) -> str:
    return "\n".join(f"{day} " + ", ".join(f"{s}-{e}" for s, e in weekly[day])
                     for day in WEEKDAYS if (weekly or {}).get(day))


def format_closures(calendar: Calendar | None) -> str:
    if calendar is None:
        return ""
    return "\n".join(f"{c.day.isoformat()} {c.reason or ''}".strip() for c in sorted(calendar.closures,
                                                                                    key=lambda c: c.day))


def _weekly_hours(fields: Fields, name: str) -> dict:
    """``mon 09:00-17:00, 13:00-18:00`` per line; an end at or before the start runs past midnight."""
    weekly: dict[str, list[list[str]]] = {}
    for line in fields.lines(name):
        match = re.match(r"^([A-Za-z]+)[:\s]\s*(.*)$", line)
        day, rest = (match.group(1).lower()[:3], match.group(2)) if match else ("", "")
        if day not in WEEKDAYS:
            fields.error(name, f"{line!r}: start the line with a day ({', '.join(WEEKDAYS)}).")
            continue
        spans = [s for s in re.split(r"[\s,]+", rest) if s]
        if not spans:
            fields.error(name, f"{line!r}: give hours such as 09:00-17:00.")
        for span in spans:
            match = INTERVAL_RE.match(span)
            if not match or not all(TIME_RE.match(t) for t in match.groups()):
                fields.error(name, f"{span!r} is not an interval such as 09:00-17:00.")
                continue
            weekly.setdefault(day, []).append([match.group(1), match.group(2)])
    return {day: weekly[day] for day in WEEKDAYS if day in weekly}


def _closures(fields: Fields, name: str) -> list[tuple[date, str | None]]:
    result = []
    for line in fields.lines(name):
        day_text, _, reason = line.partition(" ")
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            fields.error(name, f"{line!r}: start the line with a date such as 2026-12-24.")
            continue
        result.append((day, reason.strip()[:200] or None))
    return result


def _holiday_country(fields: Fields, name: str, subdivision_name: str) -> tuple[str | None, str | None]:
    country = fields.text(name, max_length=8).upper() or None
    subdivision = fields.text(subdivision_name, max_length=16).upper() or None
    supported = holidays.list_supported_countries()
    if country and country not in supported:
        fields.error(name, f"No holiday calendar for {country!r}; use an ISO country code such as PL or PH.")
    elif subdivision and not country:
        fields.error(subdivision_name, "A subdivision needs a country.")
    elif country and subdivision and subdivision not in supported[country]:
        fields.error(subdivision_name, f"{country} has no subdivision {subdivision!r}.")
    return country, subdivision


@dataclass
class CalendarValues:
    timezone: str
    weekly_hours: dict
    holiday_country: str | None
    holiday_subdivision: str | None
    around_the_clock: bool
    closures: list[tuple[date, str | None]] = field(default_factory=list)


def calendar_values(fields: Fields, prefix: str = "") -> CalendarValues:
    country, subdivision = _holiday_country(fields, f"{prefix}holiday_country", f"{prefix}holiday_subdivision")
    values = CalendarValues(
        timezone=fields.timezone(f"{prefix}timezone"), weekly_hours=_weekly_hours(fields, f"{prefix}weekly_hours"),
        holiday_country=country, holiday_subdivision=subdivision,
        around_the_clock=fields.flag(f"{prefix}around_the_clock"), closures=_closures(fields, f"{prefix}closures"))
    if not values.weekly_hours and not values.around_the_clock:
        fields.error(f"{prefix}weekly_hours", "Give opening hours, or mark the calendar open around the clock.")
    return values


def apply_calendar(calendar: Calendar, values: CalendarValues) -> None:
    calendar.timezone = values.timezone
    calendar.weekly_hours = values.weekly_hours
    calendar.holiday_country = values.holiday_country
    calendar.holiday_subdivision = values.holiday_subdivision
    calendar.around_the_clock = values.around_the_clock
    calendar.closures = [CalendarClosure(day=day, reason=reason) for day, reason in values.closures]


def save_calendar(calendar_id: int | None, data: Form) -> Calendar:
    fields = Fields(data)
    name = fields.text("name", required=True)
    values = calendar_values(fields)
    fields.check()
    calendar = Calendar(name=name) if calendar_id is None else get_or_404(Calendar, calendar_id, "calendar")
    calendar.name = name
    apply_calendar(calendar, values)
    db.session.add(calendar)
    commit_change("calendar saved", calendar=calendar.name)
    return calendar


def get_calendar(calendar_id: int) -> Calendar:
    return get_or_404(Calendar, calendar_id, "calendar")


def all_calendars() -> list[Calendar]:
    return list(db.session.scalars(select(Calendar).order_by(Calendar.name, Calendar.id)))
