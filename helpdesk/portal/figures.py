"""What a client company reads about its own service, month by month in its own time zone.

Every figure comes from the reports (``supervision.reports.run_report``) under the client's
own scope, so the portal and the BPO's reports page can never disagree. SLA clocks already
count in the client's business hours (its calendar), so "met" here means met in business hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from helpdesk.client.models import Client
from helpdesk.extensions import db
from helpdesk.platform.tenancy import TenantScope
from helpdesk.staff.models import Agent, agent_clients
from helpdesk.supervision.reports import ReportQuery, rollups, run_report
from helpdesk.supervision.reports.sums import rollup_totals
from helpdesk.supervision.reports.tables import presence_seconds

MONTHS_SHOWN = 12


def client_timezone(client: Client) -> str:
    return client.calendar.timezone if client.calendar else "UTC"


def month_start(year: int, month: int, zone: ZoneInfo) -> datetime:
    return datetime(year, month, 1, tzinfo=zone)


def month_range(month: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """'2026-11' -> [its first local midnight, the next month's), as aware datetimes. ValueError if malformed."""
    year, number = (int(part) for part in month.split("-", 1))
    if not (1 <= number <= 12 and 2000 <= year <= 2100):
        raise ValueError("Give a month as YYYY-MM.")
    start = month_start(year, number, zone)
    end = month_start(year + number // 12, number % 12 + 1, zone)
    return start, end


def recent_months(zone: ZoneInfo, count: int = MONTHS_SHOWN, today: date | None = None) -> list[str]:
    """The last ``count`` months, newest first, the current (partial) month included."""
    today = today or datetime.now(UTC).astimezone(zone).date()
    months, year, number = [], today.year, today.month
    for _ in range(count):
        months.append(f"{year:04d}-{number:02d}")
        year, number = (year - 1, 12) if number == 1 else (year, number - 1)
    return months


def _query(client: Client, month: str, group_by: str | None = None) -> ReportQuery:
    zone_name = client_timezone(client)
    start, end = month_range(month, ZoneInfo(zone_name))
    # In UTC, as run_report hands them on: the rollup sums take UTC instants.
    return ReportQuery(start.astimezone(UTC), end.astimezone(UTC), zone_name, group_by)


def monthly_sla(client: Client, months: list[str]) -> list[dict]:
    """Per month: first responses and resolutions met and breached, and the share met."""
    scope = TenantScope.for_client(client.id)
    rows = []
    for month in months:
        (summary, *_rest) = run_report("sla", scope, _query(client, month))
        rows.append({"month": month, **summary.rows[0]})
    return rows


def monthly_satisfaction(client: Client, months: list[str]) -> list[dict]:
    """Per month: CSAT answers, average and share satisfied; QA reviews and average score."""
    scope = TenantScope.for_client(client.id)
    rows = []
    for month in months:
        query = _query(client, month)
        csat = next(t for t in run_report("csat", scope, query) if t.name == "csat_summary").rows[0]
        qa_rows = run_report("qa", scope, ReportQuery(query.start, query.end, query.tz, "client"))[0].rows
        reviews = sum(row["reviews"] for row in qa_rows)
        qa_average = (round(sum(row["reviews"] * (row["average"] or 0) for row in qa_rows) / reviews, 2)
                      if reviews else None)
        rows.append({"month": month, "csat_responses": csat["responses"], "csat_average": csat["average"],
                     "csat_satisfied_pct": csat["satisfied_pct"], "qa_reviews": reviews, "qa_average": qa_average})
    return rows


@dataclass
class AgentHours:
    agent: str
    solved: int
    handle_hours: float
    online_hours: float
    share_pct: float
    billed_hours: float


def agent_hours(client: Client, month: str) -> list[AgentHours]:
    """Hours the BPO's agents gave this client in a month, for the invoice.

    handle hours: from assignment to solve, summed over this client's solved tickets.
    billed hours: each agent's time online, apportioned by the share of the agent's handle
    time that was this client's (an agent dedicated to this client alone who handled nothing
    anywhere counts fully), so an agent serving three clients is never billed three times.
    """
    scope = TenantScope.for_client(client.id)
    query = _query(client, month)
    rollups.roll()  # every committed ticket change is in the figures (run_report does the same)
    everywhere = {row["agent_id"]: row["handle_s"] for row in rollup_totals(
        TenantScope(None, all_clients=True), query, "A", ("agent_id",), ("handle_s",)) if row["agent_id"]}
    here = {row["agent_id"]: row for row in rollup_totals(scope, query, "A", ("agent_id",), ("handle_s", "solved"))
            if row["agent_id"]}
    dedicated = _dedicated_agents(client.id)
    presence = presence_seconds(set(dedicated) | set(here), query)
    agent_ids = sorted(set(presence) | set(here))
    names = dict(db.session.execute(select(Agent.id, Agent.name).where(Agent.id.in_(agent_ids))).all())
    out = []
    for agent_id in agent_ids:
        handled_here = float(here.get(agent_id, {}).get("handle_s") or 0)  # PostgreSQL sums are Decimals
        total = float(everywhere.get(agent_id) or 0)
        share = handled_here / total if total else (1.0 if dedicated.get(agent_id) == {client.id} else 0.0)
        online = presence.get(agent_id, {}).get("online", 0) / 3600
        out.append(AgentHours(names.get(agent_id, f"#{agent_id}"), here.get(agent_id, {}).get("solved", 0),
                              round(handled_here / 3600, 2), round(online, 2), round(share * 100, 1),
                              round(online * share, 2)))
    out.sort(key=lambda hours: (-hours.billed_hours, hours.agent))
    return out


def _dedicated_agents(client_id: int) -> dict[int, set[int]]:
    """Agents dedicated to this client, each with every client it serves."""
    serving = select(agent_clients.c.agent_id).where(agent_clients.c.client_id == client_id)
    out: dict[int, set[int]] = {}
    for agent_id, served in db.session.execute(select(agent_clients.c.agent_id, agent_clients.c.client_id)
                                               .where(agent_clients.c.agent_id.in_(serving))):
        out.setdefault(agent_id, set()).add(served)
    return out
