"""What a report is asked and what it answers: ``ReportQuery`` (a half-open UTC range [start, end)
plus the IANA zone in which hours and days are bucketed, and a grouping), ``parse_query(args)``,
``ReportTable`` and its CSV (cells a spreadsheet would run as formulas get an apostrophe)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from helpdesk.spreadsheet import safe_cell


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


def zone_named(name: str) -> ZoneInfo:
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
    zone = zone_named(tz)
    last = _parse_day(args.get("to"), "to") or datetime.now(zone).date()
    first = _parse_day(args.get("from"), "from") or last - timedelta(days=29)
    if first > last:
        raise ValueError(f"'from' ({first}) is after 'to' ({last}).")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise ValueError(f"The range is longer than {MAX_RANGE_DAYS} days.")
    group_by = (args.get("group_by") or "").strip() or None
    return ReportQuery(_local_midnight(first, zone), _local_midnight(last + timedelta(days=1), zone), tz, group_by)


def to_csv(table: ReportTable) -> str:
    """The table as CSV: a header of column labels, then one line per row, values as in JSON."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(column.label) for column in table.columns])
    for row in table.rows:
        writer.writerow([safe_cell(row.get(c.key)) for c in table.columns])
    return out.getvalue()


def table_dict(table: ReportTable) -> dict:
    """The table as plain JSON-ready data."""
    return asdict(table)
