"""The compact shapes of records that events carry."""

from __future__ import annotations

from typing import Any

from helpdesk.tickets.models import Ticket


def ticket_summary(ticket: Ticket) -> dict[str, Any]:
    """The ticket as events carry it: enough for a list row, no message bodies."""
    return {
        "id": ticket.id,
        "number": ticket.number,
        "reference": ticket.reference,
        "client_id": ticket.client_id,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "region_id": ticket.region_id,
        "assignee_id": ticket.assignee_id,
        "updated_at": ticket.updated_at.isoformat() if ticket.updated_at else None,
    }
