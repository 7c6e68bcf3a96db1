"""/api/v1/events: the client's event log, read by sequence number."""

from __future__ import annotations

from flask import g

from helpdesk.api.auth import api_blueprint
from helpdesk.api.schemas import EventArgs, EventPage
from helpdesk.platform import events

blp = api_blueprint("events", __name__, "/api/v1/events", "The calling client's event log")


@blp.get("")
@blp.arguments(EventArgs, location="query", as_kwargs=True)
@blp.response(200, EventPage)
def list_events(since, limit):
    """Events with ``seq`` greater than ``since``, oldest first; poll with ``next_since``."""
    client_id = g.scope.client_id
    batch = events.since(g.scope, client_id, since, limit + 1)
    has_more = len(batch) > limit
    batch = batch[:limit]
    return {
        "data": [events.serialize(e) for e in batch],
        "next_since": batch[-1].seq if batch else since,
        "has_more": has_more,
    }
