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
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import CHANNELS, Client, Region, Ticket
from helpdesk.services.tenancy import TenantScope


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
    "volume": ("day", "hour", "channel", "client", "region"),
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


def to_csv(table: ReportTable) -> str:
    """The table as CSV: a header of column labels, then one line per row, values as in JSON."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.label for column in table.columns])
    for row in table.rows:
        writer.writerow(["" if row.get(c.key) is None else row.get(c.key) for c in table.columns])
    return out.getvalue()


# ---------------------------------------------------------------- helpers


def _names(model: type, ids) -> dict[int, str]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).tuples().all())


def _local_buckets(query: ReportQuery, unit: str) -> list[datetime]:
    """Local bucket starts (aware, in tz) covering [start, end): whole days or whole hours."""
    zone = ZoneInfo(query.tz)
    if unit == "day":
        day, last = query.start.astimezone(zone).date(), (query.end - timedelta(microseconds=1)).astimezone(zone).date()
        out = []
        while day <= last:
            out.append(_local_midnight(day, zone).astimezone(zone))
            day += timedelta(days=1)
        return out
    out, at = [], query.start
    while at < query.end:
        out.append(at.astimezone(zone))
        at += timedelta(hours=1)
    return out


def _bucket_key(moment: datetime, zone: ZoneInfo, unit: str) -> str:
    local = moment.astimezone(zone)
    if unit == "day":
        return local.date().isoformat()
    if unit == "hour_of_day":
        return f"{local.hour:02d}:00"
    return local.replace(minute=0, second=0, microsecond=0).isoformat()


# ---------------------------------------------------------------- volume


def _volume(scope: TenantScope, query: ReportQuery) -> list[ReportTable]:
    groups = [query.group_by] if query.group_by else list(GROUP_BY["volume"])
    tables = []
    for group in groups:
        tables.append(VOLUME_TABLES[group](scope, query))
    return tables


def _created_in(scope: TenantScope, query: ReportQuery, *columns):
    return select(*columns).where(scope.where(Ticket), Ticket.created_at >= query.start,
                                  Ticket.created_at < query.end)


def _volume_by_time(scope: TenantScope, query: ReportQuery, unit: str) -> ReportTable:
    zone = ZoneInfo(query.tz)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CHANNELS, 0))
    for created, channel, n in _time_counts(scope, query):
        bucket = counts[_bucket_key(created, zone, unit)]
        bucket[channel] = bucket.get(channel, 0) + n
    if unit == "hour_of_day":
        keys = [f"{h:02d}:00" for h in range(24)]
        x = Column("hour", "Hour of day", "text")
        name, title = "volume_by_hour", "Tickets created by hour of day"
    else:
        keys = [_bucket_key(b, zone, "day") for b in _local_buckets(query, "day")]
        x = Column("day", "Day", "text")
        name, title = "volume_by_day", "Tickets created per day"
    rows = []
    for key in keys:
        per_channel = counts.get(key, dict.fromkeys(CHANNELS, 0))
        rows.append({x.key: key, "tickets": sum(per_channel.values()), **{c: per_channel.get(c, 0) for c in CHANNELS}})
    columns = [x, Column("tickets", "Tickets", "int"), *[Column(c, c.title(), "int") for c in CHANNELS]]
    return ReportTable(name, title, columns, rows, ChartHint("stacked-bar", x.key, list(CHANNELS)))


def _time_counts(scope: TenantScope, query: ReportQuery):
    """(instant, channel, count) for tickets created in range; replaced by rollups in report_facts."""
    rows = db.session.execute(_created_in(scope, query, Ticket.created_at, Ticket.channel)).tuples()
    for created, channel in rows:
        yield created if created.tzinfo else created.replace(tzinfo=UTC), channel, 1


def _volume_by_dimension(scope: TenantScope, query: ReportQuery, group: str) -> ReportTable:
    column = {"channel": Ticket.channel, "client": Ticket.client_id, "region": Ticket.region_id}[group]
    found = dict(db.session.execute(
        _created_in(scope, query, column, func.count()).group_by(column)).tuples().all())
    labels = {c: c for c in found} if group == "channel" else _names(Client if group == "client" else Region, found)
    rows = [{group: labels.get(key, "(none)" if key is None else str(key)), "tickets": n}
            for key, n in found.items()]
    rows.sort(key=lambda r: (-r["tickets"], r[group]))
    columns = [Column(group, group.title(), "text"), Column("tickets", "Tickets", "int")]
    return ReportTable(f"volume_by_{group}", f"Tickets created by {group}", columns, rows,
                       ChartHint("bar", group, ["tickets"]))


VOLUME_TABLES: dict[str, Callable[[TenantScope, ReportQuery], ReportTable]] = {
    "day": lambda s, q: _volume_by_time(s, q, "day"),
    "hour": lambda s, q: _volume_by_time(s, q, "hour_of_day"),
    "channel": lambda s, q: _volume_by_dimension(s, q, "channel"),
    "client": lambda s, q: _volume_by_dimension(s, q, "client"),
    "region": lambda s, q: _volume_by_dimension(s, q, "region"),
}


# ---------------------------------------------------------------- dispatch

REPORTS: dict[str, Callable[[TenantScope, ReportQuery], list[ReportTable]]] = {
    "volume": _volume,
}


def run_report(name: str, scope: TenantScope, query: ReportQuery) -> list[ReportTable]:
    """The tables of one report. LookupError for an unknown name, ValueError for a bad query."""
    if name not in REPORT_NAMES:
        raise LookupError(f"No report named {name!r}; reports: {', '.join(REPORT_NAMES)}.")
    if name not in REPORTS:
        raise LookupError(f"The {name!r} report is not available yet.")
    _zone(query.tz)
    if query.start.tzinfo is None or query.end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if query.end <= query.start:
        raise ValueError("The range is empty: end is not after start.")
    allowed = GROUP_BY.get(name, ())
    if query.group_by is not None and query.group_by not in allowed:
        raise ValueError(f"group_by {query.group_by!r} is not one of {', '.join(allowed)} for {name}.")
    return REPORTS[name](scope, query)


def table_dict(table: ReportTable) -> dict:
    """The table as plain JSON-ready data."""
    return asdict(table)
