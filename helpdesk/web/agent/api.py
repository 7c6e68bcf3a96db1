"""JSON API for the agent workspace, /agent/api (session cookie + CSRF header, not API keys).

Every route needs a signed-in staff member; a request without one gets a 401 JSON
error, never the sign-in redirect. Writes need the CSRF token of the page in the
``X-CSRFToken`` header (Flask-WTF's CSRFProtect checks it before anything here
runs, so a write without it is a 400 even when signed out). Supervisor actions
answer 403 to agents; a ticket outside the caller's clients answers 404, exactly
like a missing one. Errors use the project-wide envelope.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user
from marshmallow import EXCLUDE, Schema, ValidationError
from werkzeug.http import dump_options_header
from werkzeug.utils import secure_filename

from helpdesk import audit, realtime
from helpdesk.channels.email import ingest as email_ingest
from helpdesk.channels.phone import calls as phone
from helpdesk.errors import Forbidden, NotFound, Unauthorized, ValidationFailed
from helpdesk.extensions import db
from helpdesk.platform.events import Actor
from helpdesk.platform.tenancy import TenantScope
from helpdesk.routing import assignment, presence, take
from helpdesk.routing import regions as routing
from helpdesk.routing.models import Region
from helpdesk.staff.models import Agent
from helpdesk.tickets import macros, merge, search
from helpdesk.tickets import service as tickets
from helpdesk.tickets.html import html_for_display
from helpdesk.tickets.models import Attachment, Message, Ticket
from helpdesk.tickets.schemas import TicketSearchArgs
from helpdesk.tickets.storage import attachment_store
from helpdesk.web.agent import pages as workspace
from helpdesk.web.json_api import install_json_errors, json_body
from helpdesk.web.staff_schemas import (
    AssignIn,
    CallIn,
    CallOut,
    ChangedTicketEnvelope,
    InboundOut,
    InboxOut,
    MacroAppliedOut,
    MacrosOut,
    MergeIn,
    MessageEnvelope,
    MessagesOut,
    MoveIn,
    PresenceIn,
    PresenceOut,
    QueueOut,
    ReplyIn,
    SearchOut,
    TicketChangeIn,
    TicketEnvelope,
)

log = logging.getLogger(__name__)

bp = Blueprint("staff_api", __name__, url_prefix="/agent/api")

MAX_BODY_BYTES = 512 * 1024
# Shown in the browser only when they cannot carry script; everything else is a download.
INLINE_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
EMAIL_FRAME_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:{remote}; sandbox"
# The region queue scanned for the caller's clients, and how many of those are shown.
QUEUE_LIMIT = 50


install_json_errors(bp, log)


@bp.before_request
def _require_staff() -> None:
    request.max_content_length = MAX_BODY_BYTES
    if not current_user.is_authenticated:
        raise Unauthorized("Sign in to use the staff API.")


def _require_supervisor() -> None:
    if not current_user.is_supervisor:
        raise Forbidden("Only supervisors and admins may do this.")


def _body(schema: Schema) -> dict:
    try:
        return schema.load(json_body())
    except ValidationError as exc:
        raise ValidationFailed("The request has invalid fields.", exc.messages) from exc


def _args(schema: Schema) -> dict:
    try:
        # Unknown query parameters (a cache buster) are ignored, as webargs does on the client API.
        return schema.load(request.args.to_dict(), unknown=EXCLUDE)
    except ValidationError as exc:
        raise ValidationFailed("The request has invalid fields.", exc.messages) from exc


def _scope() -> TenantScope:
    return TenantScope.for_agent(current_user)


def _ticket(ticket: Ticket) -> dict:
    return TicketEnvelope().dump({"ticket": ticket})


def _actor() -> Actor:
    return Actor("agent", current_user.id)


@bp.post("/take-next")
def take_next():
    """Pull the best waiting ticket of the caller's region that they can serve and have a free slot for."""
    ticket = assignment.take_next(current_user.id)
    if ticket is None:
        why = take.explain_nothing_to_take(current_user.id)
        raise NotFound(why.message, {"waiting": why.waiting, "reasons": why.counts}, code="nothing_waiting")
    return _ticket(ticket)


@bp.post("/tickets/<int:ticket_id>/assign")
def assign(ticket_id: int):
    """Supervisor: give a ticket to an agent, or back to the queue with ``agent_id: null``."""
    _require_supervisor()
    data = _body(AssignIn())
    _scope().get_or_404(Ticket, ticket_id, "ticket")
    return _ticket(assignment.reassign(ticket_id, data["agent_id"], _actor()))


@bp.post("/tickets/<int:ticket_id>/move")
def move(ticket_id: int):
    """Supervisor: move a ticket to another region's queue (one the client's contract allows)."""
    _require_supervisor()
    data = _body(MoveIn())
    ticket = _scope().get_or_404(Ticket, ticket_id, "ticket")
    region_id = data["region_id"]
    if db.session.get(Region, region_id) is None:
        raise ValidationFailed("No such region.", {"region_id": [f"No region with id {region_id}."]})
    if region_id not in {r.id for r in routing.eligible_regions(ticket.client_id)}:
        raise ValidationFailed("This client's tickets cannot be handled in that region.",
                               {"region_id": ["Not an active region allowed for this client."]})
    return _ticket(assignment.move_to_region(ticket_id, region_id, _actor(), note=data.get("note") or None))


@bp.get("/search")
def search_tickets():
    """Full-text search of the caller's clients' tickets: subjects, messages and internal notes."""
    args = _args(TicketSearchArgs())
    found = search.search_tickets(_scope(), args["q"], include_notes=True, status=args.get("status"),
                                  limit=args["limit"])
    return SearchOut().dump({"tickets": found})


@bp.post("/presence")
def set_presence():
    """Set the caller's presence: online, away or offline."""
    data = _body(PresenceIn())
    changed = presence.set_state(current_user.id, data["state"])
    agent = db.session.get(Agent, current_user.id)
    return PresenceOut().dump({"state": agent.presence, "changed": changed})


@bp.get("/queue")
def queue():
    """The caller's region queue (tickets of their clients only), in the order they will be taken."""
    region_id = current_user.region_id
    if region_id is None:
        return QueueOut().dump({"region_id": None, "tickets": []})
    query = _scope().select(Ticket, *assignment.in_queue(region_id)).order_by(*assignment.QUEUE_ORDER)
    rows = db.session.scalars(query.limit(QUEUE_LIMIT)).all()
    return QueueOut().dump({"region_id": region_id, "tickets": rows})


def _require_admin() -> None:
    if current_user.role != "admin":
        raise Forbidden("Only admins may do this.")


@bp.get("/tickets/<int:ticket_id>/messages")
def list_messages(ticket_id: int):
    """The whole conversation, internal notes and tickets merged into it included, oldest first."""
    scope = _scope()
    ticket = scope.get_or_404(Ticket, ticket_id, "ticket")
    audit.record_read("ticket.viewed", client_id=ticket.client_id, object_type="ticket", object_id=ticket.id)
    return MessagesOut().dump({"messages": merge.conversation(scope, ticket, merge.merged_sources(scope, ticket))})


@bp.post("/tickets/<int:ticket_id>/messages")
def reply(ticket_id: int):
    """Reply to the customer (email goes out through the email channel) or add an internal note."""
    data = _body(ReplyIn())
    message, push_now = tickets.add_agent_message(_scope(), ticket_id, current_user.id, data)
    if push_now is not None:
        realtime.push_now(push_now)
    return MessageEnvelope().dump({"message": message}), 201


@bp.get("/tickets/<int:ticket_id>/calls")
def list_calls(ticket_id: int):
    """Calls on the ticket: from the phone channel and logged by hand, with recording links."""
    return {"calls": CallOut(many=True).dump(phone.calls_of(_scope(), ticket_id))}


@bp.post("/tickets/<int:ticket_id>/calls")
def log_call(ticket_id: int):
    """Log a call by hand (either direction); it appears as a note in the conversation."""
    call = phone.log_call_by_hand(_scope(), ticket_id, current_user.id, _body(CallIn()))
    return {"call": CallOut().dump(call)}, 201


def _message(message_id: int) -> Message:
    return _scope().get_or_404(Message, message_id, "message")


@bp.get("/messages/<int:message_id>/html")
def message_html(message_id: int):
    """An email's HTML for a sandboxed frame: no script ever; remote images only once allowed."""
    message = _message(message_id)
    remote = message.remote_images_allowed or request.args.get("remote_images") == "1"
    body = html_for_display(message.body_html, remote_images=remote)
    page = f'<!doctype html><meta charset="utf-8"><base target="_blank">{body}'
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = EMAIL_FRAME_CSP.format(remote=" https:" if remote else "")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.post("/messages/<int:message_id>/remote-images")
def allow_remote_images(message_id: int):
    """Remember that an agent chose to load this email's remote images."""
    message = _message(message_id)
    message.remote_images_allowed = True
    db.session.commit()
    return MessageEnvelope().dump({"message": message})


def _attachment_response(attachment: Attachment, inline: bool) -> Response:
    response = Response(attachment_store().get(attachment.storage_key),
                        mimetype=attachment.content_type if inline else "application/octet-stream")
    disposition = "inline" if inline else "attachment"
    ascii_name = secure_filename(attachment.filename) or "attachment"
    options = {"filename": ascii_name}
    if ascii_name != attachment.filename:
        options["filename*"] = "UTF-8''" + quote(attachment.filename, safe="")
    response.headers["Content-Disposition"] = dump_options_header(disposition, options)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/attachments/<int:attachment_id>")
def download_attachment(attachment_id: int):
    """Download for staff entitled to the ticket's client; always a download, never rendered."""
    attachment = _scope().get_or_404(Attachment, attachment_id, "attachment")
    return _attachment_response(attachment, inline=False)


@bp.get("/attachments/<int:attachment_id>/inline")
def inline_attachment(attachment_id: int):
    """Inline (cid:) images of an email; any other type is served as a download."""
    attachment = _scope().get_or_404(Attachment, attachment_id, "attachment")
    return _attachment_response(attachment, inline=attachment.content_type in INLINE_IMAGE_TYPES)


@bp.get("/admin/inbound")
def inbound_quarantine():
    """Admin: inbound messages that could not be filed (quarantined) or were held (rate limited)."""
    _require_admin()
    limit = min(request.args.get("limit", 100, type=int) or 100, 500)
    return jsonify({"inbound": InboundOut(many=True).dump(email_ingest.quarantined(limit))})


@bp.post("/admin/inbound/<int:raw_id>/reprocess")
def reprocess_inbound(raw_id: int):
    """Admin: file a quarantined or held message again (after a fix, or to let it through)."""
    _require_admin()
    try:
        result = email_ingest.process(raw_id, email_ingest.IngestOptions(rate_limit=False))
    except LookupError:
        raise NotFound(f"No inbound message with id {raw_id}.", {"id": raw_id}) from None
    return jsonify(result.as_dict())


# --- agent workspace pages ---------------------------------------------------------------

@bp.get("/inbox")
def inbox():
    """One page of the inbox (view and filters as in the /agent query string), for "load more"."""
    filters = workspace.parse_inbox_filters(request.args, current_user.timezone,
                                            workspace.landing_view(current_user))
    if filters.errors:
        raise ValidationFailed("The request has invalid fields.", filters.errors)
    rows, has_more = workspace.inbox_tickets(current_user, filters)
    for_you = workspace.for_you(current_user, rows, filters)
    for row in rows:
        row.next_due_at = workspace.next_due(row)  # read by the schema; never stored
        row.for_you = for_you.get(row.id)
    return InboxOut().dump({"tickets": rows, "has_more": has_more, "next_offset": filters.offset + len(rows)})


@bp.patch("/tickets/<int:ticket_id>")
def change_ticket(ticket_id: int):
    """Change status, priority or tags. Agents change only their own tickets: priority orders the
    queue, so changing a waiting ticket would let anyone jump it. Supervisors change any in scope."""
    changes = _body(TicketChangeIn())
    if not changes:
        raise ValidationFailed("Nothing to change.", {"_schema": ["Give status, priority or tags."]})
    scope = _scope()
    _require_may_change(scope.get_or_404(Ticket, ticket_id, "ticket"))
    if "tags" in changes:
        changes["tags"] = [tag.strip() for tag in changes["tags"] if tag.strip()]
    return ChangedTicketEnvelope().dump({"ticket": tickets.update_ticket(scope, ticket_id, changes, _actor())})


@bp.post("/tickets/<int:ticket_id>/merge")
def merge_ticket(ticket_id: int):
    """Merge this ticket (a duplicate) into another open ticket of the same client; the duplicate is
    closed. Changing the duplicate follows the rule for changes; the target only needs to be in scope."""
    into = _body(MergeIn())["into"]
    scope = _scope()
    source = scope.get_or_404(Ticket, ticket_id, "ticket")
    _require_may_change(source)
    target = merge.merge_tickets(scope, ticket_id, into, _actor())
    return ChangedTicketEnvelope().dump({"ticket": target})


def _require_may_change(ticket: Ticket) -> None:
    if not current_user.is_supervisor and ticket.assignee_id != current_user.id:
        raise Forbidden("Only the assigned agent or a supervisor may change this ticket.")


@bp.get("/tickets/<int:ticket_id>/macros")
def list_macros(ticket_id: int):
    """The macros usable on this ticket (its client's and the global ones), each filled in for it."""
    scope = _scope()
    ticket = scope.get_or_404(Ticket, ticket_id, "ticket")
    rows = []
    for macro in macros.available(scope, ticket_id):
        rendered = macros.render(macro.body, ticket, current_user)
        rows.append({"id": macro.id, "name": macro.name, "actions": macro.actions or {}, "preview": rendered.body,
                     "unknown_placeholders": list(rendered.unknown)})
    return MacrosOut().dump({"macros": rows})


@bp.post("/tickets/<int:ticket_id>/macros/<int:macro_id>/apply")
def apply_macro(ticket_id: int, macro_id: int):
    """Make the macro's changes to the ticket and return its text for the reply box (not sent)."""
    scope = _scope()
    _require_may_change(scope.get_or_404(Ticket, ticket_id, "ticket"))
    rendered, changes = macros.apply(scope, ticket_id, macro_id, current_user)
    return MacroAppliedOut().dump({"body": rendered.body, "unknown_placeholders": list(rendered.unknown),
                                   "changes": changes, "ticket": tickets.get_ticket(scope, ticket_id)})
