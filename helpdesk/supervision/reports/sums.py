"""Reading the rollups for a report: whole UTC days and months from day and month rows, the partial
days at a range's edges from quarter hours, series by local hour or day of the report's zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, and_, cast, func, or_, select

from helpdesk.client.models import Client
from helpdesk.extensions import db
from helpdesk.platform.tenancy import TenantScope
from helpdesk.routing.models import Region
from helpdesk.staff.models import Agent
from helpdesk.supervision.models import MEASURES, ReportRollup
from helpdesk.supervision.reports import rollups
from helpdesk.supervision.reports.query import Column, ReportQuery

DAY = timedelta(days=1)
R = ReportRollup

DIMENSIONS = {"client": "client_id", "region": "region_id", "channel": "channel", "priority": "priority",
              "agent": "agent_id"}


def floor_day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _ceil_day(moment: datetime) -> datetime:
    floor = floor_day(moment)
    return floor if floor == moment else floor + DAY


def days_and_edges(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The whole UTC days inside [start, end) as [first, last); first >= last when there is none."""
    return _ceil_day(start), floor_day(end)


def _month_start(day: datetime) -> datetime:
    return day.replace(day=1)


def _next_month(day: datetime) -> datetime:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def whole_days_filter(first: datetime, last: datetime):
    """Rollup rows summing the whole UTC days [first, last): calendar-month rows for the whole months inside,
    day rows for the rest."""
    month_first = first if first == _month_start(first) else _next_month(first)
    month_last = _month_start(last)
    if month_first >= month_last:
        return and_(R.grain == "d", R.bucket >= first, R.bucket < last)
    return or_(and_(R.grain == "m", R.bucket >= month_first, R.bucket < month_last),
               and_(R.grain == "d", or_(and_(R.bucket >= first, R.bucket < month_first),
                                        and_(R.bucket >= month_last, R.bucket < last))))


def _sums(*names: str) -> list:
    return [func.coalesce(func.sum(getattr(R, name)), 0).label(name) for name in names]


def rollup_totals(scope: TenantScope, query: ReportQuery, kind: str, keys: tuple[str, ...],
            measures: tuple[str, ...] = MEASURES) -> list[dict]:
    """Sums of the measures over the range per combination of the key columns.

    Whole UTC days come from the day rollups (one small grouped query); the partial days at the
    edges (a local day starts at a UTC offset) are summed from the facts of those hours."""
    first, last = days_and_edges(query.start, query.end)
    out: dict[tuple, dict] = {}

    def add(key: tuple, sums: dict) -> None:
        target = out.setdefault(key, dict.fromkeys(measures, 0))
        for name in measures:
            target[name] += sums[name] or 0

    if first < last:
        columns = [getattr(R, key) for key in keys]
        statement = (select(*columns, *_sums(*measures))
                     .where(R.kind == kind, scope.where(R), whole_days_filter(first, last)))
        if columns:
            statement = statement.group_by(*columns)
        for row in db.session.execute(statement):
            add(tuple(row._mapping[key] for key in keys), row._mapping)
        edges = [(query.start, first), (last, query.end)]
    else:
        edges = [(query.start, query.end)]
    positions = [KEY_POSITION[key] for key in keys]
    for start, end in edges:
        for rest, sums in rollups.window_sums(scope, start, end, kind).items():
            add(tuple(rest[p] for p in positions), dict(zip(MEASURES, sums, strict=True)))
    return [{**dict(zip(keys, key, strict=True)), **sums} for key, sums in out.items()]


# Where each key column sits in rollups.kind_keys' tuples.
KEY_POSITION = {"client_id": 0, "region_id": 1, "channel": 2, "priority": 3, "agent_id": 4}


def _whole_hours(query: ReportQuery) -> bool:
    """True when every local hour boundary of the range is a UTC hour boundary (no :30 or :45 offsets)."""
    zone = ZoneInfo(query.tz)
    at = query.start
    while at <= query.end:
        if int(at.astimezone(zone).utcoffset().total_seconds()) % 3600:
            return False
        at += timedelta(hours=6)
    return int(query.end.astimezone(zone).utcoffset().total_seconds()) % 3600 == 0


def series_kind(scope: TenantScope) -> str:
    """Per-client series rows, or for an all-clients scope the global rows (one per bucket, not one per client)."""
    return "G" if scope.all_clients else "C"


def _series(scope: TenantScope, query: ReportQuery, measures: tuple[str, ...]) -> Series:
    """(UTC bucket start as epoch seconds, sums) over the range, hourly when the zone allows, else per quarter hour."""
    grain = "h" if _whole_hours(query) else "q"
    statement = (select(R.bucket, *_sums(*measures))
                 .where(R.kind == series_kind(scope), R.grain == grain, scope.where(R), R.bucket >= query.start,
                        R.bucket < query.end)
                 .group_by(R.bucket).order_by(R.bucket))
    rows = []
    for bucket, *sums in db.session.execute(statement).tuples():
        rows.append(((bucket if bucket.tzinfo else bucket.replace(tzinfo=UTC)).timestamp(), sums))
    return Series(measures, rows)


@dataclass
class Series:
    measures: tuple[str, ...]
    rows: list[tuple[float, list[int]]]


def local_days(query: ReportQuery) -> list[str]:
    zone = ZoneInfo(query.tz)
    day, last = query.start.astimezone(zone).date(), (query.end - timedelta(seconds=1)).astimezone(zone).date()
    out = []
    while day <= last:
        out.append(day.isoformat())
        day += DAY
    return out


def _offset_text(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


class _Offsets:
    """UTC offsets of a zone per instant, cached per UTC hour when the offset holds for the whole hour."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone, self.cache = zone, {}

    def _at(self, stamp: float) -> int:
        return int(datetime.fromtimestamp(stamp, self.zone).utcoffset().total_seconds())

    def __call__(self, stamp: float) -> int:
        hour = int(stamp // 3600)
        found = self.cache.get(hour)
        if found is None:
            first, last = self._at(hour * 3600), self._at(hour * 3600 + 3599)
            found = self.cache[hour] = first if first == last else False
        return self._at(stamp) if found is False else found


NAIVE_EPOCH = datetime(1970, 1, 1)


def local_totals(scope: TenantScope, query: ReportQuery, measures: tuple[str, ...], unit: str) -> dict[str, dict]:
    """Series sums per local day ("YYYY-MM-DD"), hour of day ("HH:00") or local hour start (ISO with offset).

    On PostgreSQL days and hours of day are grouped in SQL (``AT TIME ZONE``: a few hundred rows come back
    instead of one per bucket); elsewhere, and for local hours, the buckets are regrouped here."""
    if unit == "hour" or db.session.get_bind().dialect.name != "postgresql":
        return _by_local(_series(scope, query, measures), query, unit)
    grain = "h" if _whole_hours(query) else "q"
    local = func.timezone(query.tz, R.bucket)
    key = func.to_char(local, "YYYY-MM-DD") if unit == "day" else func.to_char(local, 'HH24":00"')
    statement = (select(key, *[cast(func.sum(getattr(R, m)), BigInteger) for m in measures])
                 .where(R.kind == series_kind(scope), R.grain == grain, scope.where(R), R.bucket >= query.start,
                        R.bucket < query.end)
                 .group_by(key))
    return {found: dict(zip(measures, sums, strict=True)) for found, *sums in db.session.execute(statement).tuples()}


def _by_local(series: Series, query: ReportQuery, unit: str) -> dict[str, dict]:
    """Series sums regrouped by local day ("YYYY-MM-DD"), local hour start (ISO) or hour of day ("HH:00")."""
    offsets = _Offsets(ZoneInfo(query.tz))
    totals: dict[str, list[int]] = {}
    width = len(series.measures)
    for stamp, sums in series.rows:
        offset = offsets(stamp)
        local = NAIVE_EPOCH + timedelta(seconds=stamp + offset)
        if unit == "day":
            key = local.date().isoformat()
        elif unit == "hour_of_day":
            key = f"{local.hour:02d}:00"
        else:
            key = local.replace(minute=0).isoformat() + _offset_text(offset)
        target = totals.get(key)
        if target is None:
            target = totals[key] = [0] * width
        for i in range(width):
            target[i] += sums[i]
    return {key: dict(zip(series.measures, sums, strict=True)) for key, sums in totals.items()}


def names_of(model: type, ids) -> dict[int, str]:
    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).tuples().all())


def _label_rows(rows: list[dict], group: str) -> dict[Any, str]:
    """Display names for the values of a dimension."""
    column = DIMENSIONS[group]
    values = {row[column] for row in rows}
    if group in ("channel", "priority"):
        return {v: v or "(none)" for v in values}
    model = {"client": Client, "region": Region, "agent": Agent}[group]
    names = names_of(model, values)
    none = "(unassigned)" if group == "agent" else "(none)"
    return {v: names.get(v, none if not v else f"#{v}") for v in values}


def regroup(rows: list[dict], group: str, measures: tuple[str, ...]) -> list[tuple[str, dict]]:
    """Rows keyed by several dimensions summed to one; (label, sums) pairs."""
    column, labels = DIMENSIONS[group], _label_rows(rows, group)
    out: dict[str, dict] = {}
    for row in rows:
        target = out.setdefault(labels[row[column]], dict.fromkeys(measures, 0))
        for name in measures:
            target[name] += row[name] or 0
    return sorted(out.items())


def sum_rows(rows: list[dict], measures: tuple[str, ...]) -> dict:
    return {name: sum(row[name] or 0 for row in rows) for name in measures}


def mean_or_none(total: float, count: int) -> int | None:
    return int(round(total / count)) if count else None


def percent_or_none(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def group_column(group: str) -> Column:
    return Column(group, group.replace("_", " ").title(), "text")
