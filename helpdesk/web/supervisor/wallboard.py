"""The supervisor wallboard, /supervisor: live queues, agents and the follow-the-sun clocks.

The page is rendered with the board as it is now; the figures then arrive over
Socket.IO (/agent, event ``wallboard``), pushed at most a few times a second.
Supervisors dedicated to some clients see only those clients.

Its actions are a JSON API under /supervisor/api (session cookie + the page's CSRF token in
``X-CSRFToken``, as /agent/api): supervisors and admins only (agents get 403, signed-out callers
401); everything is scoped by ``TenantScope.for_agent(current_user)``, so another client's ticket
or an agent serving none of the caller's clients is a 404. Refused input is a 400 with the error
envelope. The changes go through the ticket, assignment and presence services
(``services/supervision.py``): each records its usual event, and the board, the inboxes and
the ticket pages follow through the normal push.

- ``GET  /supervisor/api/queue?client_id=C&region_id=R``: a board row's oldest waiting tickets
  and those at SLA risk or breached (``region_id`` empty or 0: not yet placed in a region)
- ``GET  /supervisor/api/tickets/<id>/options``: agents who can take it, allowed regions, priorities
- ``POST /supervisor/api/tickets/<id>/reassign`` ``{"agent_id": 7}`` (``null``: back to the queue)
- ``POST /supervisor/api/tickets/<id>/move`` ``{"region_id": 2, "note": "..."}``
- ``POST /supervisor/api/tickets/<id>/priority`` ``{"priority": "urgent"}``
- ``POST /supervisor/api/agents/<id>/presence`` ``{"state": "away"}``

Each POST answers ``{"ticket": ...}`` or ``{"agent": ...}`` as it is now, and ``changed``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from helpdesk import realtime
from helpdesk.errors import AppError, Forbidden, Unauthorized, not_for_role
from helpdesk.platform.db import utcnow
from helpdesk.platform.events import Actor
from helpdesk.platform.tenancy import TenantScope
from helpdesk.request_input import MAX_DB_INT, id_range
from helpdesk.sla.models import PRIORITIES
from helpdesk.supervision import actions as supervision
from helpdesk.supervision import wallboard
from helpdesk.web.json_api import install_json_errors, json_body
from helpdesk.web.staff_schemas import StaffTicketOut

log = logging.getLogger(__name__)

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")
api = Blueprint("api", __name__, url_prefix="/api")  # nested: /supervisor/api, endpoints supervisor.api.*

NOTE_MAX = 500
MAX_BODY_BYTES = 64 * 1024


@bp.get("")
@login_required
def board():
    if not current_user.is_supervisor:
        not_for_role("The wallboard is")
    snapshot = wallboard.snapshot(TenantScope.for_agent(current_user))
    return render_template("supervisor/wallboard.html", board=snapshot, tv=request.args.get("tv") == "1")


# --- schemas --------------------------------------------------------------------------------------------

class _Strict(Schema):
    class Meta:
        unknown = RAISE  # a misspelt field is refused, not ignored


class QueueArgs(Schema):
    client_id = fields.Integer(required=True, validate=id_range())
    region_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=MAX_DB_INT))


class ReassignIn(_Strict):
    agent_id = fields.Integer(required=True, allow_none=True, strict=True, validate=id_range())


class MoveIn(_Strict):
    region_id = fields.Integer(required=True, strict=True, validate=id_range())
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=NOTE_MAX))


class PriorityIn(_Strict):
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))


class PresenceIn(_Strict):
    state = fields.String(required=True, validate=validate.OneOf(supervision.SETTABLE_STATES))


class TicketRowOut(StaffTicketOut):
    client_id = fields.Integer()
    assignee_name = fields.String(allow_none=True)
    waiting_seconds = fields.Integer(allow_none=True)
    next_due_at = fields.AwareDateTime(allow_none=True)
    sla = fields.String(allow_none=True)


class QueueOut(Schema):
    client_id = fields.Integer()
    region_id = fields.Integer(allow_none=True)
    waiting = fields.List(fields.Nested(TicketRowOut))
    at_risk = fields.List(fields.Nested(TicketRowOut))


class OptionAgentOut(Schema):
    id = fields.Integer()
    name = fields.String()
    region_id = fields.Integer(allow_none=True)
    presence = fields.String()


class OptionRegionOut(Schema):
    id = fields.Integer()
    name = fields.String()


class OptionsOut(Schema):
    ticket = fields.Nested(TicketRowOut)
    agents = fields.List(fields.Nested(OptionAgentOut))
    regions = fields.List(fields.Nested(OptionRegionOut))
    priorities = fields.List(fields.String())


class TicketChangedOut(Schema):
    ticket = fields.Nested(TicketRowOut)
    changed = fields.Boolean()


class AgentOut(Schema):
    id = fields.Integer()
    name = fields.String()
    region_id = fields.Integer(allow_none=True)
    presence = fields.String()
    presence_since = fields.AwareDateTime(allow_none=True)


class AgentChangedOut(Schema):
    agent = fields.Nested(AgentOut)
    changed = fields.Boolean()


# --- the actions API ------------------------------------------------------------------------------------

# Refused input (from this API's checks or a reused service) is a 400 here.
install_json_errors(api, log, refused_input_status=400)


@api.before_request
def _require_supervisor() -> None:
    request.max_content_length = MAX_BODY_BYTES
    if not current_user.is_authenticated:
        raise Unauthorized("Sign in to use the supervisor API.")
    if not current_user.is_supervisor:
        raise Forbidden("Only supervisors and admins may do this.")


def _body(schema: Schema) -> dict:
    data = json_body()
    if not isinstance(data, dict):
        raise AppError("The request body must be a JSON object.", {"json": ["Expected an object."]})
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise AppError(_first_message(exc.messages), exc.messages) from exc


def _first_message(messages: Any) -> str:
    """'field: what is wrong', from marshmallow's messages, for a person to read."""
    if isinstance(messages, dict):
        for field, problems in messages.items():
            text = problems[0] if isinstance(problems, list) and problems else problems
            return f"{field}: {text}" if isinstance(text, str) else f"{field}: invalid"
    return "The request has invalid fields."


def _scope() -> TenantScope:
    return TenantScope.for_agent(current_user)


def _actor() -> Actor:
    return Actor("agent", current_user.id)


def _ticket_answer(ticket, changed: bool) -> dict:
    return TicketChangedOut().dump({"ticket": supervision.ticket_row(ticket, utcnow()), "changed": changed})


@api.get("/queue")
def queue():
    """A board row opened: its oldest waiting tickets and those at SLA risk or breached."""
    try:
        args = QueueArgs().load(request.args.to_dict(), unknown=EXCLUDE)
    except ValidationError as exc:
        raise AppError(_first_message(exc.messages), exc.messages) from exc
    detail = supervision.queue_detail(_scope(), args["client_id"], args["region_id"] or None)
    return QueueOut().dump(detail)


@api.get("/tickets/<int:ticket_id>/options")
def options(ticket_id: int):
    return OptionsOut().dump(supervision.ticket_options(_scope(), ticket_id))


@api.post("/tickets/<int:ticket_id>/reassign")
def reassign(ticket_id: int):
    data = _body(ReassignIn())
    ticket, changed = supervision.reassign(_scope(), ticket_id, data["agent_id"], _actor())
    return _ticket_answer(ticket, changed)


@api.post("/tickets/<int:ticket_id>/move")
def move(ticket_id: int):
    data = _body(MoveIn())
    ticket, changed = supervision.move(_scope(), ticket_id, data["region_id"], _actor(),
                                       note=(data.get("note") or "").strip() or None)
    return _ticket_answer(ticket, changed)


@api.post("/tickets/<int:ticket_id>/priority")
def priority(ticket_id: int):
    data = _body(PriorityIn())
    ticket, changed = supervision.change_priority(_scope(), ticket_id, data["priority"], _actor())
    return _ticket_answer(ticket, changed)


@api.post("/agents/<int:agent_id>/presence")
def set_presence(agent_id: int):
    data = _body(PresenceIn())
    agent, changed = supervision.set_presence(_scope(), agent_id, data["state"])
    if changed:
        realtime.publish_presence_set(agent.id, agent.presence, current_user.id)
    return AgentChangedOut().dump({"agent": agent, "changed": changed})


bp.register_blueprint(api)
