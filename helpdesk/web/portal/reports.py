"""Portal pages: service figures per month (SLA in business hours, CSAT, QA) and agent hours for the invoice."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import g, render_template, request

from helpdesk.portal import figures
from helpdesk.web.portal.base import bp


@bp.get("/service")
def service():
    client = g.portal_user.client
    zone = figures.client_timezone(client)
    months = figures.recent_months(ZoneInfo(zone))
    return render_template("portal/service.html", sla=figures.monthly_sla(client, months),
                           satisfaction=figures.monthly_satisfaction(client, months), tz=zone,
                           calendar=client.calendar)


@bp.get("/hours")
def hours():
    client = g.portal_user.client
    zone = figures.client_timezone(client)
    months = figures.recent_months(ZoneInfo(zone))
    month = request.args.get("month") or months[0]
    problem = None
    try:
        figures.month_range(month, ZoneInfo(zone))
    except ValueError:
        problem, month = "Give a month as YYYY-MM, e.g. " + months[0] + ".", months[0]
    rows = [] if problem else figures.agent_hours(client, month)
    return render_template("portal/hours.html", rows=rows, month=month, months=months, tz=zone, problem=problem,
                           total_billed=round(sum(row.billed_hours for row in rows), 2)), 400 if problem else 200
