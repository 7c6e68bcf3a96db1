"""Phone: call logs from Twilio status callbacks, a generic JSON call log, CSV
imports and calls agents log by hand, all through ``record_call``.

Providers send several callbacks per call, sometimes twice and out of order.
The call log keeps the furthest state it has seen (by the provider's sequence
number, else by how far a call can get): a late "ringing" never undoes
"completed", and the ticket is made once, when the call first ends.
A completed inbound call lands on the caller's open phone ticket or opens one;
a missed, busy, failed or abandoned one opens a high-priority call-back ticket.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import phonenumbers
from sqlalchemy.exc import IntegrityError

from helpdesk.channels.models import CallLog
from helpdesk.client.models import Client
from helpdesk.extensions import db
from helpdesk.platform import events, outbox
from helpdesk.platform.db import utcnow
from helpdesk.platform.events import Actor
from helpdesk.platform.tenancy import TenantScope
from helpdesk.tickets import service as tickets
from helpdesk.tickets.models import OPEN_STATUSES, Contact, Ticket

ENDED = ("completed", "busy", "no-answer", "failed", "canceled")
MISSED = ("busy", "no-answer", "failed", "canceled")
# How far a call has got; a callback for an earlier stage never moves it back.
STAGE = {"queued": 0, "initiated": 0, "ringing": 1, "in-progress": 2, **{status: 3 for status in ENDED}}
STATUSES = tuple(STAGE)


@dataclass
class CallUpdate:
    """One report about a call, in our words, whatever the provider."""

    provider: str
    call_id: str
    status: str
    direction: str = "inbound"
    from_number: str | None = None
    to_number: str | None = None
    duration_seconds: int | None = None
    recording_url: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    sequence: int | None = None
    agent_id: int | None = None
    notes: str | None = None


@dataclass
class CallResult:
    outcome: str  # ticket_created | ticket_updated | logged | recorded | late
    call_log_id: int
    status: str
    ticket_id: int | None = None

    def as_dict(self) -> dict:
        return {"outcome": self.outcome, "call_id": self.call_log_id, "status": self.status,
                "ticket_id": self.ticket_id}


def e164(number: str | None, region: str) -> str | None:
    """The number in E.164 when it is a possible phone number; None for "anonymous" and the like."""
    if not number:
        return None
    try:
        parsed = phonenumbers.parse(number, region or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display_number(number: str | None) -> str:
    if not number:
        return "an unknown number"
    try:
        return phonenumbers.format_number(phonenumbers.parse(number, None),
                                          phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return number


def record_call(client_id: int, update: CallUpdate) -> CallResult:
    """Merge one report into the call's log and, when the call has just ended, file it on a ticket."""
    scope = TenantScope.for_client(client_id)
    client = db.session.get(Client, client_id)
    update.from_number = e164(update.from_number, client.default_phone_region) or update.from_number
    update.to_number = e164(update.to_number, client.default_phone_region) or update.to_number
    call, created = _call_log(scope, update)
    was_ended = call.status in ENDED and not created
    new_recording = bool(update.recording_url) and update.recording_url != call.recording_url
    moved = _merge(call, update)
    result = CallResult("recorded" if moved or new_recording else "late", call.id, call.status, call.ticket_id)
    if call.status in ENDED and not was_ended:
        result = _file_ended_call(scope, call, update)
    elif was_ended and new_recording and call.ticket_id:
        events.record(client_id, "call.updated", Actor.system(), _call_event(call), ticket_id=call.ticket_id)
    outbox.commit()
    return result


def _call_log(scope: TenantScope, update: CallUpdate) -> tuple[CallLog, bool]:
    """The call's log row, locked; created on the first report (a concurrent first report wins a race)."""
    query = scope.select(CallLog, CallLog.provider == update.provider,
                         CallLog.provider_call_id == update.call_id).with_for_update()
    call = db.session.scalar(query)
    if call is not None:
        return call, False
    call = CallLog(client_id=scope.client_id, provider=update.provider, provider_call_id=update.call_id,
                   direction=update.direction, status="queued", from_number=update.from_number,
                   to_number=update.to_number, agent_id=update.agent_id)
    try:
        with db.session.begin_nested():
            db.session.add(call)
    except IntegrityError:
        return db.session.scalar(query), False
    return call, True


def _merge(call: CallLog, update: CallUpdate) -> bool:
    """Apply what is news; True when the call moved on (a later stage or a later report)."""
    later_report = update.sequence is None or call.last_sequence_number is None \
        or update.sequence > call.last_sequence_number
    moves_on = STAGE[update.status] > STAGE.get(call.status, 0) or (
        later_report and call.status not in ENDED and STAGE[update.status] >= STAGE.get(call.status, 0))
    if moves_on:
        call.status = update.status
    if update.sequence is not None:
        call.last_sequence_number = max(update.sequence, call.last_sequence_number or update.sequence)
    call.from_number = call.from_number or update.from_number
    call.to_number = call.to_number or update.to_number
    if update.duration_seconds is not None:
        call.duration_seconds = max(update.duration_seconds, call.duration_seconds or 0)
    call.recording_url = update.recording_url or call.recording_url
    call.started_at = call.started_at or update.started_at
    if update.status in ENDED:
        call.ended_at = call.ended_at or update.ended_at or utcnow()
    return moves_on


def _file_ended_call(scope: TenantScope, call: CallLog, update: CallUpdate) -> CallResult:
    customer_number = call.from_number if call.direction == "inbound" else call.to_number
    contact = _contact_for(scope, customer_number)
    open_ticket = _open_phone_ticket(scope, contact) if contact else None
    actor = Actor("contact", contact.id) if contact else Actor.system()
    if call.direction != "inbound":
        # Our agent called the customer: keep it on their open ticket, never open one.
        if open_ticket is not None:
            _add_call_message(open_ticket, call, "note", update)
        return CallResult("logged", call.id, call.status, call.ticket_id)
    if call.status in MISSED:
        data = {"subject": f"Call back {display_number(customer_number)} (missed call)", "channel": "phone",
                "priority": "high", "tags": ["callback", f"call-{call.status}"]}
        ticket, _ = tickets.open_ticket(scope, data, actor, contact, _call_body(call, update))
        call.ticket_id = ticket.id
        return CallResult("ticket_created", call.id, call.status, ticket.id)
    if open_ticket is not None:
        message = _add_call_message(open_ticket, call, "inbound", update)
        tickets.customer_message_added(open_ticket, message, actor)
        return CallResult("ticket_updated", call.id, call.status, open_ticket.id)
    data = {"subject": f"Call from {display_number(customer_number)}", "channel": "phone"}
    ticket, _ = tickets.open_ticket(scope, data, actor, contact, _call_body(call, update))
    call.ticket_id = ticket.id
    return CallResult("ticket_created", call.id, call.status, ticket.id)


def _contact_for(scope: TenantScope, number: str | None) -> Contact | None:
    if not number or not number.startswith("+"):
        return None
    return tickets.find_or_create_contact(scope, {"phone": number})


def _open_phone_ticket(scope: TenantScope, contact: Contact) -> Ticket | None:
    return db.session.scalar(
        scope.select(Ticket, Ticket.contact_id == contact.id, Ticket.channel == "phone",
                     Ticket.status.in_(OPEN_STATUSES), Ticket.merged_into_id.is_(None))
        .order_by(Ticket.updated_at.desc()).limit(1)
    )


def _add_call_message(ticket: Ticket, call: CallLog, kind: str, update: CallUpdate):
    call.ticket_id = ticket.id
    body = _call_body(call, update)
    return tickets.new_message(ticket, kind, contact_id=ticket.contact_id if kind == "inbound" else None,
                               agent_id=update.agent_id, **body)


def _call_body(call: CallLog, update: CallUpdate) -> dict:
    direction = "Inbound" if call.direction == "inbound" else "Outbound"
    lines = [f"{direction} call {call.status} ({call.provider} {call.provider_call_id})",
             f"From {display_number(call.from_number)} to {display_number(call.to_number)}"]
    if call.duration_seconds:
        minutes, seconds = divmod(call.duration_seconds, 60)
        lines.append(f"Duration {minutes}:{seconds:02d}")
    if call.recording_url:
        lines.append(f"Recording: {call.recording_url}")
    if update.notes:
        lines += ["", update.notes]
    return {"body_text": "\n".join(lines), "channel": "phone"}


def _call_event(call: CallLog) -> dict:
    return {"call": {"id": call.id, "status": call.status, "direction": call.direction,
                     "from": call.from_number, "to": call.to_number, "duration_seconds": call.duration_seconds,
                     "recording_url": call.recording_url}}


def log_call_by_hand(scope: TenantScope, ticket_id: int, agent_id: int, data: dict) -> CallLog:
    """An agent notes a call on a ticket (either direction); it shows in the conversation."""
    ticket = tickets.get_ticket(scope, ticket_id)
    client = db.session.get(Client, ticket.client_id)
    number = e164(data.get("number"), client.default_phone_region) or data.get("number")
    inbound = data.get("direction", "outbound") == "inbound"
    call = CallLog(client_id=ticket.client_id, provider="manual", provider_call_id=f"manual-{uuid.uuid4().hex}",
                   direction="inbound" if inbound else "outbound", status=data.get("status", "completed"),
                   from_number=number if inbound else None, to_number=None if inbound else number,
                   duration_seconds=data.get("duration_seconds"), agent_id=agent_id, ticket_id=ticket.id,
                   ended_at=utcnow())
    db.session.add(call)
    db.session.flush()
    update = CallUpdate("manual", call.provider_call_id, call.status, agent_id=agent_id, notes=data.get("notes"))
    tickets.new_message(ticket, "note", agent_id=agent_id, **_call_body(call, update))
    events.record(ticket.client_id, "call.logged", Actor("agent", agent_id), _call_event(call), ticket_id=ticket.id)
    outbox.commit()
    return call


def calls_of(scope: TenantScope, ticket_id: int) -> list[CallLog]:
    tickets.get_ticket(scope, ticket_id)
    return list(db.session.scalars(scope.select(CallLog, CallLog.ticket_id == ticket_id).order_by(CallLog.id)))
