"""Portal pages: the company's tickets (filters, pages, CSV) and one ticket's conversation."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Response, g, render_template, request

from helpdesk import audit
from helpdesk.portal import figures
from helpdesk.portal import tickets as portal_tickets
from helpdesk.sla.models import PRIORITIES
from helpdesk.tickets.models import CHANNELS, STATUSES
from helpdesk.web.agent.pages import staff_names
from helpdesk.web.portal.base import bp, scope


def _zone() -> tuple[str, ZoneInfo]:
    name = figures.client_timezone(g.portal_user.client)
    return name, ZoneInfo(name)


@bp.get("")
def home():
    return tickets()


@bp.get("/tickets")
def tickets():
    filters = portal_tickets.parse_filters(request.args)
    zone_name, zone = _zone()
    rows, next_cursor = [], None
    if not filters.problems:
        rows, next_cursor = portal_tickets.find(scope(), filters, zone, request.args.get("cursor") or None)
    return render_template("portal/tickets.html", rows=rows, next_cursor=next_cursor, filters=filters, tz=zone_name,
                           statuses=STATUSES, priorities=PRIORITIES, channels=CHANNELS), \
        400 if filters.problems else 200


@bp.get("/tickets.csv")
def tickets_csv():
    filters = portal_tickets.parse_filters(request.args)
    if filters.problems:
        return tickets()
    _, zone = _zone()
    body, count = portal_tickets.export_csv(scope(), filters, zone)
    audit.record_read("tickets.exported", client_id=g.portal_user.client_id, object_type="ticket",
                      details={"rows": count, "filters": filters.query_args()})
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="tickets.csv"'})


@bp.get("/tickets/<int:ticket_id>")
def ticket(ticket_id: int):
    found, messages = portal_tickets.conversation(scope(), ticket_id)
    audit.record_read("ticket.viewed", client_id=found.client_id, object_type="ticket", object_id=found.id)
    zone_name, _ = _zone()
    return render_template("portal/ticket.html", ticket=found, messages=messages, tz=zone_name,
                           names=staff_names({m.author_agent_id for m in messages}))
