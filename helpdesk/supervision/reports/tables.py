"""The reports (volume, response times, SLA compliance, backlog, agents, CSAT, QA) over the
tickets of the clients a scope allows: ``run_report(name, scope, query) -> list[ReportTable]``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, literal, or_, select

from helpdesk.extensions import db
from helpdesk.platform.db import UTCDateTime
from helpdesk.platform.tenancy import TenantScope
from helpdesk.staff.models import Agent, PresenceLog, agent_clients
from helpdesk.supervision.models import CsatResponse, QaReview
from helpdesk.supervision.reports import rollups
from helpdesk.supervision.reports.query import (
    GROUP_BY,
    REPORT_NAMES,
    ChartHint,
    Column,
    ReportQuery,
    ReportTable,
    zone_named,
)
from helpdesk.supervision.reports.sums import (
    DIMENSIONS,
    R,
    days_and_edges,
    floor_day,
    group_column,
    local_days,
    local_totals,
    mean_or_none,
    names_of,
    percent_or_none,
    regroup,
    rollup_totals,
    series_kind,
    sum_rows,
    whole_days_filter,
)

VOLUME = ("created", "solved")


def _volume(scope: TenantScope, query: ReportQuery) -> list[ReportTable]:
    groups = [query.group_by] if query.group_by else ["day", "hour", "channel", "client", "region"]
    tables = []
    if {"day", "hour"} & set(groups):
        if "day" in groups:
            per_day = local_totals(scope, query, VOLUME, "day")
            rows = [{"day": day, "tickets": per_day.get(day, {}).get("created", 0),
                     "solved": per_day.get(day, {}).get("solved", 0)} for day in local_days(query)]
            tables.append(ReportTable("volume_by_day", "Tickets created and solved per day",
                                      [Column("day", "Day", "text"), Column("tickets", "Created", "int"),
                                       Column("solved", "Solved", "int")],
                                      rows, ChartHint("line", "day", ["tickets", "solved"])))
        if "hour" in groups:
            per_hour = local_totals(scope, query, VOLUME, "hour_of_day")
            rows = [{"hour": f"{h:02d}:00", "tickets": per_hour.get(f"{h:02d}:00", {}).get("created", 0)}
                    for h in range(24)]
            tables.append(ReportTable("volume_by_hour", "Tickets created by hour of day",
                                      [Column("hour", "Hour of day", "text"), Column("tickets", "Tickets", "int")],
                                      rows, ChartHint("bar", "hour", ["tickets"])))
    dimensions = [g for g in groups if g in DIMENSIONS]
    if dimensions:
        rows = rollup_totals(scope, query, "T", ("client_id", "region_id", "channel", "priority"), ("created",))
        for group in dimensions:
            found = [(label, sums["created"]) for label, sums in regroup(rows, group, ("created",))
                     if sums["created"]]
            found.sort(key=lambda pair: (-pair[1], pair[0]))
            tables.append(ReportTable(f"volume_by_{group}", f"Tickets created by {group}",
                                      [group_column(group), Column("tickets", "Tickets", "int")],
                                      [{group: label, "tickets": n} for label, n in found],
                                      ChartHint("bar", group, ["tickets"])))
    return tables


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
        "avg_first_response_business": mean_or_none(sums["fr_business_s"], sums["first_responses"]),
        "avg_first_response_wall": mean_or_none(sums["fr_wall_s"], sums["first_responses"]),
        "solved": sums["solved"],
        "avg_resolution_business": mean_or_none(sums["res_business_s"], sums["solved"]),
        "avg_resolution_wall": mean_or_none(sums["res_wall_s"], sums["solved"]),
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
        rows = rollup_totals(scope, query, "T", ("client_id", "region_id", "channel", "priority"), measures)
    if not query.group_by:
        tables.append(ReportTable(f"{name}_summary", f"{title}: all tickets in range", columns,
                                  [make_row(sum_rows(rows, measures))], None))
    for group in groups:
        if group == "day":
            per_day = local_totals(scope, query, measures, "day")
            body = [{"day": day, **make_row(per_day.get(day, dict.fromkeys(measures, 0)))}
                    for day in local_days(query)]
            tables.append(ReportTable(f"{name}_by_day", f"{title} per day", [Column("day", "Day", "text"), *columns],
                                      body, ChartHint("line", "day", chart_series)))
            continue
        source = rows if group != "agent" else rollup_totals(scope, query, "A", ("agent_id",), measures)
        body = [{group: label, **make_row(sums)} for label, sums in regroup(source, group, measures)]
        tables.append(ReportTable(f"{name}_by_{group}", f"{title} by {group}", [group_column(group), *columns],
                                  body, ChartHint("bar", group, chart_series)))
    return tables


def _response_times(scope: TenantScope, query: ReportQuery) -> list[ReportTable]:
    return _grouped_tables(scope, query, "response_times", "First response and resolution times", RESPONSE,
                           RESPONSE_COLUMNS, _response_row,
                           ["avg_first_response_business", "avg_resolution_business"], ["client", "channel"])


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
        "first_response_pct": percent_or_none(sums["fr_met"], sums["fr_met"] + sums["fr_breached"]),
        "resolution_met": sums["res_met"], "resolution_breached": sums["res_breached"],
        "resolution_pct": percent_or_none(sums["res_met"], sums["res_met"] + sums["res_breached"]),
    }


def _sla(scope: TenantScope, query: ReportQuery) -> list[ReportTable]:
    return _grouped_tables(scope, query, "sla", "SLA compliance", SLA, SLA_COLUMNS, _sla_row,
                           ["first_response_pct", "resolution_pct"], ["client", "region", "priority"])


def _backlog(scope: TenantScope, query: ReportQuery) -> list[ReportTable]:
    """Open tickets (new, open, pending, on hold) at the end of each local day or hour."""
    unit = query.group_by or "day"
    start_day = floor_day(query.start)
    before = db.session.scalar(select(func.coalesce(func.sum(R.backlog_delta), 0)).where(
        R.kind == series_kind(scope), scope.where(R),
        or_(and_(R.grain == "d", R.bucket < start_day),
            and_(R.grain == "q", R.bucket >= start_day, R.bucket < query.start)))) or 0
    per = local_totals(scope, query, ("created", "solved", "backlog_delta"), unit)
    if unit == "day":
        keys = local_days(query)
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


AGENT_MEASURES = ("solved", "handle_s", "first_responses", "fr_business_s")


def presence_seconds(agent_ids: set[int] | None, query: ReportQuery) -> dict[int, dict[str, float]]:
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
    rows = rollup_totals(scope, query, "A", ("agent_id",), AGENT_MEASURES)
    handled = {row["agent_id"]: row for row in rows if row["agent_id"]}
    allowed = _scope_agents(scope)
    presence = presence_seconds(None if allowed is None else allowed | set(handled), query)
    agent_ids = set(handled) | set(presence)
    names = names_of(Agent, agent_ids)
    body = []
    for agent_id in agent_ids:
        sums = handled.get(agent_id, dict.fromkeys(AGENT_MEASURES, 0))
        states = presence.get(agent_id, {})
        body.append({
            "agent": names.get(agent_id, f"#{agent_id}"),
            "handled": sums["solved"],
            "avg_handle_time": mean_or_none(sums["handle_s"], sums["solved"]),
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
                "satisfied_pct": percent_or_none(sums["satisfied"], sums["responses"])}

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
                                  [{"day": d, **row(per_day.get(d, empty))} for d in local_days(query)],
                                  ChartHint("line", "day", ["average"])))
    dims = [g for g in groups if g != "day"]
    if dims:
        rows = _csat_sums(scope, query)
        if not query.group_by:
            tables.insert(0, ReportTable("csat_summary", "CSAT: all answered surveys", columns,
                                         [row(sum_rows(rows, ("responses", "points", "satisfied")))]))
        for group in dims:
            body = [{group: label, **row(sums)}
                    for label, sums in regroup(rows, group, ("responses", "points", "satisfied"))]
            tables.append(ReportTable(f"csat_by_{group}", f"CSAT by {group}", [group_column(group), *columns], body,
                                      ChartHint("bar", group, ["average"])))
    return tables


def _csat_sums(scope: TenantScope, query: ReportQuery) -> list[dict]:
    """Answers, rating points and satisfied answers per (client, region, agent), from the "S" rollups: UTC
    days inside the range, quarter hours at its edges."""
    first, last = days_and_edges(query.start, query.end)
    if first < last:
        window = or_(whole_days_filter(first, last),
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
            names = names_of(Agent, {agent for _period, agent in per})
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
                for label, sums in regroup(rows, group, ("count", "points"))]
        tables.append(ReportTable(f"qa_by_{group}", f"QA scores by {group}", [group_column(group), *columns], body,
                                  ChartHint("bar", group, ["average"])))
    return tables


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
    zone_named(query.tz)
    if query.start.tzinfo is None or query.end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if query.end <= query.start:
        raise ValueError("The range is empty: end is not after start.")
    query = replace(query, start=query.start.astimezone(UTC), end=query.end.astimezone(UTC))
    allowed = GROUP_BY.get(name, ())
    if query.group_by is not None and query.group_by not in allowed:
        raise ValueError(f"group_by {query.group_by!r} is not one of {', '.join(allowed)} for {name}.")
    rollups.roll()  # every committed ticket change is in the figures
    try:
        return REPORTS[name](scope, query)
    finally:
        db.session.rollback()  # reports only read; end the read transaction
