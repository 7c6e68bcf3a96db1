"""Reports over the tickets of the clients a scope allows.

The interface (shared with the reports page, helpdesk/web/reports.py):
``run_report(name, scope, query) -> list[ReportTable]``, ``parse_query(args)``,
``to_csv(table)``. A ``ReportQuery`` is a half-open UTC range [start, end) plus
the IANA zone in which hours and days are bucketed.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import BigInteger, and_, cast, func, literal, or_, select

from helpdesk.client.models import Client
from helpdesk.extensions import db
from helpdesk.platform.db import UTCDateTime
from helpdesk.platform.tenancy import TenantScope
from helpdesk.routing.models import Region
from helpdesk.staff.models import Agent, PresenceLog, agent_clients
from helpdesk.supervision import facts as report_facts
from helpdesk.supervision.models import MEASURES, CsatResponse, QaReview, ReportRollup


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str  # "text" | "int" | "percent" | "seconds" | "datetime" | "score"


@dataclass(frozen=True)
class ChartHint:
    kind: str  # "bar" | "line" | "stacked-bar"
    x: str  # column key on the x axis
    series: list[str]  # column keys plotted


@dataclass
class ReportTable:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict]  # JSON-serialisable values (datetimes as ISO strings in the requested tz)
    chart: ChartHint | None = None


@dataclass(frozen=True)
class ReportQuery:
    start: datetime  # aware UTC, inclusive
    end: datetime  # aware UTC, exclusive
    tz: str  # IANA name: bucketing by hour/day happens in this zone
    group_by: str | None = None  # "channel" | "client" | "region" | "priority" | "hour" | "day" | "agent"


REPORT_NAMES: tuple[str, ...] = ("volume", "response_times", "sla", "backlog", "agents", "csat", "qa")
# The group_by values each report accepts (the page reads this to offer them).
GROUP_BY: dict[str, tuple[str, ...]] = {
    "volume": ("day", "hour", "channel", "client", "region", "priority"),
    "response_times": ("client", "channel", "region", "priority", "agent", "day"),
    "sla": ("client", "region", "priority", "channel", "day"),
    "backlog": ("day", "hour"),
    "agents": ("agent",),
    "csat": ("agent", "region", "client", "day"),
    "qa": ("agent", "client", "day"),
}
MAX_RANGE_DAYS = 800


# ---------------------------------------------------------------- query parsing


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"Unknown time zone {name!r}; give an IANA name such as Europe/Paris.") from exc


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of a local day, in UTC (a midnight lost to DST becomes the transition)."""
    naive = datetime.combine(day, datetime.min.time())
    instant = naive.replace(tzinfo=zone).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != naive:  # midnight in a gap
        instant = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
        while instant.astimezone(zone).date() < day:
            instant += timedelta(minutes=15)
    return instant


def _parse_day(text: str | None, what: str) -> date | None:
    if text is None or text == "":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"Bad {what!r} date {text!r}; use YYYY-MM-DD.") from exc


def parse_query(args: Mapping[str, str]) -> ReportQuery:
    """From ?from=YYYY-MM-DD&to=YYYY-MM-DD&tz=Area/City&group_by=...; ``to`` is inclusive (a local date).

    Defaults: tz UTC, to = today in tz, from = 29 days before ``to`` (30 days).
    """
    tz = (args.get("tz") or "UTC").strip()
    zone = _zone(tz)
    last = _parse_day(args.get("to"), "to") or datetime.now(zone).date()
    first = _parse_day(args.get("from"), "from") or last - timedelta(days=29)
    if first > last:
        raise ValueError(f"'from' ({first}) is after 'to' ({last}).")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise ValueError(f"The range is longer than {MAX_RANGE_DAYS} days.")
    group_by = (args.get("group_by") or "").strip() or None
    return ReportQuery(_local_midnight(first, zone), _local_midnight(last + timedelta(days=1), zone), tz, group_by)


# ---------------------------------------------------------------- output


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A CSV cell; text that a spreadsheet would run as a formula (a client named "=HYPERLINK(...)") gets a
    leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(table: ReportTable) -> str:
    """The table as CSV: a header of column labels, then one line per row, values as in JSON."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(column.label) for column in table.columns])
    for row in table.rows:
        writer.writerow([_cell(row.get(c.key)) for c in table.columns])
    return out.getvalue()


# ---------------------------------------------------------------- reading the rollups

DAY = timedelta(days=1)
R = ReportRollup
DIMENSIONS = {"client": "client_id", "region": "region_id", "channel": "channel", "priority": "priority",
              "agent": "agent_id"}


def _floor_day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _ceil_day(moment: datetime) -> datetime:
    floor = _floor_day(moment)
    return floor if floor == moment else floor + DAY


def _days_and_edges(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The whole UTC days inside [start, end) as [first, last); first >= last when there is none."""
    return _ceil_day(start), _floor_day(end)


def _month_start(day: datetime) -> datetime:
    return day.replace(day=1)


def _next_month(day: datetime) -> datetime:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _whole_days_filter(first: datetime, last: datetime):
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


def _totals(scope: TenantScope, query: ReportQuery, kind: str, keys: tuple[str, ...],
            measures: tuple[str, ...] = MEASURES) -> list[dict]:
    """Sums of the measures over the range per combination of the key columns.

    Whole UTC days come from the day rollups (one small grouped query); the partial days at the
    edges (a local day starts at a UTC offset) are summed from the facts of those hours."""
    first, last = _days_and_edges(query.start, query.end)
    out: dict[tuple, dict] = {}

    def add(key: tuple, sums: dict) -> None:
        target = out.setdefault(key, dict.fromkeys(measures, 0))
        for name in measures:
            target[name] += sums[name] or 0

    if first < last:
        columns = [getattr(R, key) for key in keys]
        statement = (select(*columns, *_sums(*measures))
                     .where(R.kind == kind, scope.where(R), _whole_days_filter(first, last)))
        if columns:
            statement = statement.group_by(*columns)
        for row in db.session.execute(statement):
            add(tuple(row._mapping[key] for key in keys), row._mapping)
        edges = [(query.start, first), (last, query.end)]
    else:
        edges = [(query.start, query.end)]
    positions = [KEY_POSITION[key] for key in keys]
    for start, end in edges:
        for rest, sums in report_facts.window_sums(scope, start, end, kind).items():
            add(tuple(rest[p] for p in positions), dict(zip(MEASURES, sums, strict=True)))
    return [{**dict(zip(keys, key, strict=True)), **sums} for key, sums in out.items()]


# Where each key column sits in report_facts.kind_keys' tuples.
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


def _series_kind(scope: TenantScope) -> str:
    """Per-client series rows, or for an all-clients scope the global rows (one per bucket, not one per client)."""
    return "G" if scope.all_clients else "C"


def _series(scope: TenantScope, query: ReportQuery, measures: tuple[str, ...]) -> Series:
    """(UTC bucket start as epoch seconds, sums) over the range, hourly when the zone allows, else per quarter hour."""
    grain = "h" if _whole_hours(query) else "q"
    statement = (select(R.bucket, *_sums(*measures))
                 .where(R.kind == _series_kind(scope), R.grain == grain, scope.where(R), R.bucket >= query.start,
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


def _local_days(query: ReportQuery) -> list[str]:
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


def _local_totals(scope: TenantScope, query: ReportQuery, measures: tuple[str, ...], unit: str) -> dict[str, dict]:
    """Series sums per local day ("YYYY-MM-DD"), hour of day ("HH:00") or local hour start (ISO with offset).

    On PostgreSQL days and hours of day are grouped in SQL (``AT TIME ZONE``: a few hundred rows come back
    instead of one per bucket); elsewhere, and for local hours, the buckets are regrouped here."""
    if unit == "hour" or db.session.get_bind().dialect.name != "postgresql":
        return _by_local(_series(scope, query, measures), query, unit)
    grain = "h" if _whole_hours(query) else "q"
    local = func.timezone(query.tz, R.bucket)
    key = func.to_char(local, "YYYY-MM-DD") if unit == "day" else func.to_char(local, 'HH24":00"')
    statement = (select(key, *[cast(func.sum(getattr(R, m)), BigInteger) for m in measures])
                 .where(R.kind == _series_kind(scope), R.grain == grain, scope.where(R), R.bucket >= query.start,
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


def _names(model: type, ids) -> dict[int, str]:
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
    names = _names(model, values)
    none = "(unassigned)" if group == "agent" else "(none)"
    return {v: names.get(v, none if not v else f"#{v}") for v in values}


def _regroup(rows: list[dict], group: str, measures: tuple[str, ...]) -> list[tuple[str, dict]]:
    """Rows keyed by several dimensions summed to one; (label, sums) pairs."""
    column, labels = DIMENSIONS[group], _label_rows(rows, group)
    out: dict[str, dict] = {}
    for row in rows:
        target = out.setdefault(labels[row[column]], dict.fromkeys(measures, 0))
        for name in measures:
            target[name] += row[name] or 0
    return sorted(out.items())


def _total(rows: list[dict], measures: tuple[str, ...]) -> dict:
    return {name: sum(row[name] or 0 for row in rows) for name in measures}


def _avg(total: float, count: int) -> int | None:
    return int(round(total / count)) if count else None


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _group_col(group: str) -> Column:
    return Column(group, group.replace("_", " ").title(), "text")


# ---------------------------------------------------------------- volume

VOLUME = ("created", "solved")


def _volume(scope: TenantScope, query: ReportQuery) -> list[ReportTable]:
    groups = [query.group_by] if query.group_by else ["day", "hour", "channel", "client", "region"]
    tables = []
    if {"day", "hour"} & set(groups):
        if "day" in groups:
            per_day = _local_totals(scope, query, VOLUME, "day")
            rows = [{"day": day, "tickets": per_day.get(day, {}).get("created", 0),
                     "solved": per_day.get(day, {}).get("solved", 0)} for day in _local_days(query)]
            tables.append(ReportTable("volume_by_day", "Tickets created and solved per day",
                                      [Column("day", "Day", "text"), Column("tickets", "Created", "int"),
                                       Column("solved", "Solved", "int")],
                                      rows, ChartHint("line", "day", ["tickets", "solved"])))
        if "hour" in groups:
            per_hour = _local_totals(scope, query, VOLUME, "hour_of_day")
            rows = [{"hour": f"{h:02d}:00", "tickets": per_hour.get(f"{h:02d}:00", {}).get("created", 0)}
                    for h in range(24)]
            tables.append(ReportTable("volume_by_hour", "Tickets created by hour of day",
                                      [Column("hour", "Hour of day", "text"), Column("tickets", "Tickets", "int")],
                                      rows, ChartHint("bar", "hour", ["tickets"])))
    dimensions = [g for g in groups if g in DIMENSIONS]
    if dimensions:
        rows = _totals(scope, query, "T", ("client_id", "region_id", "channel", "priority"), ("created",))
        for group in dimensions:
            found = [(label, sums["created"]) for label, sums in _regroup(rows, group, ("created",))
                     if sums["created"]]
            found.sort(key=lambda pair: (-pair[1], pair[0]))
            tables.append(ReportTable(f"volume_by_{group}", f"Tickets created by {group}",
                                      [_group_col(group), Column("tickets", "Tickets", "int")],
                                      [{group: label, "tickets": n} for label, n in found],
                                      ChartHint("bar", group, ["tickets"])))
    return tables


# ---------------------------------------------------------------- response times

RESPONSE = ("first_responses", "fr_business_s", "fr_wall_s", "solved", "res_business_s", "res_wall_s")
RESPONSE_COLUMNS = [
    Column("first_responses", "First responses", "int"),
    Column("avg_first_response_business", "Avg first response (business)", "seconds"),
    Column("avg_first_response_wall", "Avg first response (wall-clock)", "seconds"),
    Column("solved", "Solved", "int"),
    Column("avg_resolution_business", "Avg resolution (business)", "seconds"),
    Column("avg_resolution_wall", "Avg resolution (wall-clock)", "seconds"),
]


def _response_row(sums: dict) -> dict:
    return {
        "first_responses": sums["first_responses"],
        "avg_first_response_business": _avg(sums["fr_business_s"], sums["first_responses"]),
        "avg_first_response_wall": _avg(sums["fr_wall_s"], sums["first_responses"]),
        "solved": sums["solved"],
        "avg_resolution_business": _avg(sums["res_business_s"], sums["solved"]),
        "avg_resolution_wall": _avg(sums["res_wall_s"], sums["solved"]),
    }


def _grouped_tables(scope: TenantScope, query: ReportQuery, name: str, title: str, measures: tuple[str, ...],
                    columns: list[Column], make_row: Callable[[dict], dict], chart_series: list[str],
                    default_groups: list[str]) -> list[ReportTable]:
    """A summary and one table per dimension (or per local day), all from one or two rollup queries."""
    groups = [query.group_by] if query.group_by else default_groups
    tables = []
    ticket_groups = [g for g in groups if g in ("client", "region", "channel", "priority")]
    rows = None
    if ticket_groups or not query.group_by:
        rows = _totals(scope, query, "T", ("client_id", "region_id", "channel", "priority"), measures)
    if not query.group_by:
        tables.append(ReportTable(f"{name}_summary", f"{title}: all tickets in range", columns,
                                  [make_row(_total(rows, measures))], None))
    for group in groups:
        if group == "day":
            per_day = _local_totals(scope, query, measures, "day")
            body = [{"day": day, **make_row(per_day.get(day, dict.fromkeys(measures, 0)))}
                    for day in _local_days(query)]
            tables.append(ReportTable(f"{name}_by_day", f"{title} per day", [Column("day", "Day", "text"), *columns],
                                      body, ChartHint("line", "day", chart_series)))
            continue
        source = rows if group != "agent" else _totals(scope, query, "A", ("agent_id",), measures)
        body = [{group: label, **make_row(sums)} for label, sums in _regroup(source, group, measures)]
        tables.append(ReportTable(f"{name}_by_{group}", f"{title} by {group}", [_group_col(group), *columns],
                                  body, ChartHint("bar", group, chart_series)))
    return tables


def _response_times(scope: TenantScope, query: ReportQuery) -> list[ReportTable]:
    return _grouped_tables(scope, query, "response_times", "First response and resolution times", RESPONSE,
                           RESPONSE_COLUMNS, _response_row,
                           ["avg_first_response_business", "avg_resolution_business"], ["client", "channel"])


# ---------------------------------------------------------------- SLA compliance

SLA = ("fr_met", "fr_breached", "res_met", "res_breached")
SLA_COLUMNS = [
    Column("first_response_met", "First response met", "int"),
    Column("first_response_breached", "First response breached", "int"),
    Column("first_response_pct", "First response compliance", "percent"),
    Column("resolution_met", "Resolution met", "int"),
    Column("resolution_breached", "Resolution breached", "int"),
    Column("resolution_pct", "Resolution compliance", "percent"),
]


def _sla_row(sums: dict) -> dict:
    return {
        "first_response_met": sums["fr_met"], "first_response_breached": sums["fr_breached"],
        "first_response_pct": _pct(sums["fr_met"], sums["fr_met"] + sums["fr_breached"]),
        "resolution_met": sums["res_met"], "resolution_breached": sums["res_breached"],
        "resolution_pct": _pct(sums["res_met"], sums["res_met"] + sums["res_breached"]),
    }


def _sla(scope: TenantScope, query: ReportQuery) -> list[ReportTable]:
    return _grouped_tables(scope, query, "sla", "SLA compliance", SLA, SLA_COLUMNS, _sla_row,
                           ["first_response_pct", "resolution_pct"], ["client", "region", "priority"])


# ---------------------------------------------------------------- backlog


def _backlog(scope: TenantScope, query: ReportQuery) -> list[ReportTable]:
    """Open tickets (new, open, pending, on hold) at the end of each local day or hour."""
    unit = query.group_by or "day"
    start_day = _floor_day(query.start)
    before = db.session.scalar(select(func.coalesce(func.sum(R.backlog_delta), 0)).where(
        R.kind == _series_kind(scope), scope.where(R),
        or_(and_(R.grain == "d", R.bucket < start_day),
            and_(R.grain == "q", R.bucket >= start_day, R.bucket < query.start)))) or 0
    per = _local_totals(scope, query, ("created", "solved", "backlog_delta"), unit)
    if unit == "day":
        keys = _local_days(query)
    else:
        zone, keys, at = ZoneInfo(query.tz), [], query.start
        while at < query.end:
            keys.append(at.astimezone(zone).replace(minute=0, second=0, microsecond=0).isoformat())
            at += timedelta(hours=1)
        keys = list(dict.fromkeys(keys))
    rows, open_now = [], int(before)
    for key in keys:
        sums = per.get(key, {"created": 0, "solved": 0, "backlog_delta": 0})
        open_now += sums["backlog_delta"]
        rows.append({unit: key, "created": sums["created"], "solved": sums["solved"], "open": open_now})
    label = "Day" if unit == "day" else "Hour"
    return [ReportTable(f"backlog_by_{unit}", f"Open backlog at the end of each {unit}",
                        [Column(unit, label, "text"), Column("created", "Created", "int"),
                         Column("solved", "Solved", "int"), Column("open", "Open at end", "int")],
                        rows, ChartHint("line", unit, ["open"]))]


# ---------------------------------------------------------------- agents

AGENT_MEASURES = ("solved", "handle_s", "first_responses", "fr_business_s")


def _presence(agent_ids: set[int] | None, query: ReportQuery) -> dict[int, dict[str, float]]:
    """Seconds each agent spent in each presence state within the range (open spells run to now), summed in SQL."""
    now = datetime.now(UTC)
    start, end = literal(query.start, UTCDateTime()), literal(query.end, UTCDateTime())
    ended = func.coalesce(PresenceLog.ended_at, literal(now, UTCDateTime()))
    if db.session.get_bind().dialect.name == "postgresql":
        seconds = func.extract("epoch", func.least(ended, end) - func.greatest(PresenceLog.started_at, start))
    else:
        seconds = (func.julianday(func.min(ended, end)) - func.julianday(func.max(PresenceLog.started_at, start))) \
            * 86400
    statement = (select(PresenceLog.agent_id, PresenceLog.state, func.sum(seconds))
                 .where(PresenceLog.started_at < query.end, PresenceLog.started_at < now,
                        or_(PresenceLog.ended_at.is_(None), PresenceLog.ended_at > query.start))
                 .group_by(PresenceLog.agent_id, PresenceLog.state))
    if agent_ids is not None:
        if not agent_ids:
            return {}
        statement = statement.where(PresenceLog.agent_id.in_(sorted(agent_ids)))
    out: dict[int, dict[str, float]] = defaultdict(dict)
    for agent_id, state, total in db.session.execute(statement):
        if total and total > 0:
            out[agent_id][state] = round(float(total))
    return out


def _scope_agents(scope: TenantScope) -> set[int] | None:
    """Agents whose presence a scope may see: all for an all-clients scope, else those serving its clients."""
    if scope.all_clients:
        return None
    dedicated = set(db.session.scalars(select(agent_clients.c.agent_id).where(
        agent_clients.c.client_id.in_(sorted(scope.client_ids)))))
    return dedicated


def _agents(scope: TenantScope, query: ReportQuery) -> list[ReportTable]:
    rows = _totals(scope, query, "A", ("agent_id",), AGENT_MEASURES)
    handled = {row["agent_id"]: row for row in rows if row["agent_id"]}
    allowed = _scope_agents(scope)
    presence = _presence(None if allowed is None else allowed | set(handled), query)
    agent_ids = set(handled) | set(presence)
    names = _names(Agent, agent_ids)
    body = []
    for agent_id in agent_ids:
        sums = handled.get(agent_id, dict.fromkeys(AGENT_MEASURES, 0))
        states = presence.get(agent_id, {})
        body.append({
            "agent": names.get(agent_id, f"#{agent_id}"),
            "handled": sums["solved"],
            "avg_handle_time": _avg(sums["handle_s"], sums["solved"]),
            "first_responses": sums["first_responses"],
            "online": int(states.get("online", 0)), "away": int(states.get("away", 0)),
            "offline": int(states.get("offline", 0)),
        })
    body.sort(key=lambda r: (-r["handled"], r["agent"]))
    columns = [Column("agent", "Agent", "text"), Column("handled", "Tickets handled (solved)", "int"),
               Column("avg_handle_time", "Avg handle time", "seconds"),
               Column("first_responses", "First responses", "int"),
               Column("online", "Time online", "seconds"), Column("away", "Time away", "seconds"),
               Column("offline", "Time offline", "seconds")]
    return [ReportTable("agents", "Agent productivity", columns, body, ChartHint("bar", "agent", ["handled"]))]


# ---------------------------------------------------------------- CSAT

SATISFIED = 4  # ratings of 4 and 5 count as satisfied


def _csat(scope: TenantScope, query: ReportQuery) -> list[ReportTable]:
    groups = [query.group_by] if query.group_by else ["agent", "region", "client"]
    answered = and_(scope.where(CsatResponse), CsatResponse.rating.isnot(None),
                    CsatResponse.answered_at >= query.start, CsatResponse.answered_at < query.end)
    columns = [Column("responses", "Responses", "int"), Column("average", "Average rating", "score"),
               Column("satisfied_pct", "Satisfied (4-5)", "percent")]

    def row(sums: dict) -> dict:
        return {"responses": sums["responses"],
                "average": round(sums["points"] / sums["responses"], 2) if sums["responses"] else None,
                "satisfied_pct": _pct(sums["satisfied"], sums["responses"])}

    tables = []
    if "day" in groups:
        zone = ZoneInfo(query.tz)
        per_day: dict[str, dict] = {}
        for at, rating in db.session.execute(select(CsatResponse.answered_at, CsatResponse.rating).where(answered)):
            at = at if at.tzinfo else at.replace(tzinfo=UTC)
            sums = per_day.setdefault(at.astimezone(zone).date().isoformat(),
                                      {"responses": 0, "points": 0, "satisfied": 0})
            sums["responses"] += 1
            sums["points"] += rating
            sums["satisfied"] += rating >= SATISFIED
        empty = {"responses": 0, "points": 0, "satisfied": 0}
        tables.append(ReportTable("csat_by_day", "CSAT per day", [Column("day", "Day", "text"), *columns],
                                  [{"day": d, **row(per_day.get(d, empty))} for d in _local_days(query)],
                                  ChartHint("line", "day", ["average"])))
    dims = [g for g in groups if g != "day"]
    if dims:
        rows = _csat_sums(scope, query)
        if not query.group_by:
            tables.insert(0, ReportTable("csat_summary", "CSAT: all answered surveys", columns,
                                         [row(_total(rows, ("responses", "points", "satisfied")))]))
        for group in dims:
            body = [{group: label, **row(sums)}
                    for label, sums in _regroup(rows, group, ("responses", "points", "satisfied"))]
            tables.append(ReportTable(f"csat_by_{group}", f"CSAT by {group}", [_group_col(group), *columns], body,
                                      ChartHint("bar", group, ["average"])))
    return tables


def _csat_sums(scope: TenantScope, query: ReportQuery) -> list[dict]:
    """Answers, rating points and satisfied answers per (client, region, agent), from the "S" rollups: UTC
    days inside the range, quarter hours at its edges."""
    first, last = _days_and_edges(query.start, query.end)
    if first < last:
        window = or_(_whole_days_filter(first, last),
                     and_(R.grain == "q", or_(and_(R.bucket >= query.start, R.bucket < first),
                                              and_(R.bucket >= last, R.bucket < query.end))))
    else:
        window = and_(R.grain == "q", R.bucket >= query.start, R.bucket < query.end)
    statement = (select(R.client_id, R.region_id, R.agent_id, func.sum(R.created).label("responses"),
                        func.sum(R.handle_s).label("points"), func.sum(R.fr_met).label("satisfied"))
                 .where(R.kind == "S", scope.where(R), window)
                 .group_by(R.client_id, R.region_id, R.agent_id))
    return [{"client_id": r.client_id, "region_id": r.region_id, "agent_id": r.agent_id,
             "responses": int(r.responses or 0), "points": int(r.points or 0), "satisfied": int(r.satisfied or 0)}
            for r in db.session.execute(statement)]


# ---------------------------------------------------------------- QA


def _qa_periods(scope: TenantScope, query: ReportQuery, monthly: bool) -> dict[tuple, list[int]]:
    """(local period, agent) -> [reviews, points]; grouped in SQL on PostgreSQL."""
    in_range = (scope.where(QaReview), QaReview.created_at >= query.start, QaReview.created_at < query.end)
    if db.session.get_bind().dialect.name == "postgresql":
        period = func.to_char(func.timezone(query.tz, QaReview.created_at), "YYYY-MM" if monthly else "YYYY-MM-DD")
        statement = (select(period, QaReview.agent_id, func.count(), func.sum(QaReview.total))
                     .where(*in_range).group_by(period, QaReview.agent_id))
        return {(p, agent): [n, int(points)] for p, agent, n, points in db.session.execute(statement)}
    zone = ZoneInfo(query.tz)
    out: dict[tuple, list[int]] = {}
    for agent, at, total in db.session.execute(select(QaReview.agent_id, QaReview.created_at, QaReview.total)
                                               .where(*in_range)):
        local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(zone).date()
        sums = out.setdefault((local.strftime("%Y-%m") if monthly else local.isoformat(), agent), [0, 0])
        sums[0] += 1
        sums[1] += total
    return out


def _qa(scope: TenantScope, query: ReportQuery) -> list[ReportTable]:
    """QA review scores per agent (or client), and per agent over time (local days, or months past 62 days)."""
    monthly = (query.end - query.start) > timedelta(days=62)
    columns = [Column("reviews", "Reviews", "int"), Column("average", "Average score", "score")]
    tables = []
    groups = [query.group_by] if query.group_by else ["agent", "day"]
    for group in groups:
        if group == "day":
            per = _qa_periods(scope, query, monthly)
            names = _names(Agent, {agent for _period, agent in per})
            body = [{"period": period, "agent": names.get(agent, "(unassigned)" if not agent else f"#{agent}"),
                     "reviews": n, "average": round(points / n, 2)}
                    for (period, agent), (n, points) in per.items()]
            body.sort(key=lambda r: (r["period"], r["agent"]))
            tables.append(ReportTable("qa_over_time", "QA scores per agent per " + ("month" if monthly else "day"),
                                      [Column("period", "Month" if monthly else "Day", "text"),
                                       Column("agent", "Agent", "text"), *columns],
                                      body, ChartHint("line", "period", ["average"])))
            continue
        statement = (select(QaReview.agent_id, QaReview.client_id, func.count().label("count"),
                            func.sum(QaReview.total).label("points"))
                     .where(scope.where(QaReview), QaReview.created_at >= query.start, QaReview.created_at < query.end)
                     .group_by(QaReview.agent_id, QaReview.client_id))
        rows = [{**r._mapping, "points": int(r.points or 0)} for r in db.session.execute(statement)]
        body = [{group: label, "reviews": sums["count"],
                 "average": round(sums["points"] / sums["count"], 2) if sums["count"] else None}
                for label, sums in _regroup(rows, group, ("count", "points"))]
        tables.append(ReportTable(f"qa_by_{group}", f"QA scores by {group}", [_group_col(group), *columns], body,
                                  ChartHint("bar", group, ["average"])))
    return tables


# ---------------------------------------------------------------- dispatch

REPORTS: dict[str, Callable[[TenantScope, ReportQuery], list[ReportTable]]] = {
    "volume": _volume,
    "response_times": _response_times,
    "sla": _sla,
    "backlog": _backlog,
    "agents": _agents,
    "csat": _csat,
    "qa": _qa,
}


def run_report(name: str, scope: TenantScope, query: ReportQuery) -> list[ReportTable]:
    """The tables of one report. LookupError for an unknown name, ValueError for a bad query."""
    if name not in REPORT_NAMES:
        raise LookupError(f"No report named {name!r}; reports: {', '.join(REPORT_NAMES)}.")
    _zone(query.tz)
    if query.start.tzinfo is None or query.end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if query.end <= query.start:
        raise ValueError("The range is empty: end is not after start.")
    query = replace(query, start=query.start.astimezone(UTC), end=query.end.astimezone(UTC))
    allowed = GROUP_BY.get(name, ())
    if query.group_by is not None and query.group_by not in allowed:
        raise ValueError(f"group_by {query.group_by!r} is not one of {', '.join(allowed)} for {name}.")
    report_facts.roll()  # every committed ticket change is in the figures
    try:
        return REPORTS[name](scope, query)
    finally:
        db.session.rollback()  # reports only read; end the read transaction


def table_dict(table: ReportTable) -> dict:
    """The table as plain JSON-ready data."""
    return asdict(table)
