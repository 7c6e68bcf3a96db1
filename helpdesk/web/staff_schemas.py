"""Request and response shapes of the staff JSON API (/agent/api, session-authenticated)."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from helpdesk.request_input import id_range
from helpdesk.sla.models import PRIORITIES
from helpdesk.staff.models import PRESENCE_STATES
from helpdesk.tickets.schemas import MessageOut

NOTE_MAX = 500


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE  # a misspelt field is an error, not silently ignored


class AssignIn(StrictSchema):
    # null gives the ticket back to its region's queue.
    agent_id = fields.Integer(required=True, allow_none=True, strict=True, validate=id_range())


class MoveIn(StrictSchema):
    region_id = fields.Integer(required=True, strict=True, validate=id_range())
    note = fields.String(allow_none=True, validate=validate.Length(max=NOTE_MAX))


class PresenceIn(StrictSchema):
    state = fields.String(required=True, validate=validate.OneOf(PRESENCE_STATES))


class PresenceOut(Schema):
    state = fields.String()
    changed = fields.Boolean()


class StaffTicketOut(Schema):
    id = fields.Integer()
    reference = fields.String()
    subject = fields.String()
    status = fields.String()
    priority = fields.String()
    channel = fields.String()
    language = fields.String(allow_none=True)
    region_id = fields.Integer(allow_none=True)
    assignee_id = fields.Integer(allow_none=True)


class SearchHitOut(StaffTicketOut):
    number = fields.Integer()
    client_id = fields.Integer()
    updated_at = fields.AwareDateTime()


class SearchOut(Schema):
    tickets = fields.List(fields.Nested(SearchHitOut))


class TicketEnvelope(Schema):
    ticket = fields.Nested(StaffTicketOut)


class QueueTicketOut(Schema):
    id = fields.Integer()
    reference = fields.String()
    subject = fields.String()
    priority = fields.String()
    channel = fields.String()
    first_response_due_at = fields.DateTime(allow_none=True)


class QueueOut(Schema):
    region_id = fields.Integer(allow_none=True)
    tickets = fields.List(fields.Nested(QueueTicketOut))


REPLY_MAX = 200_000


class ReplyIn(StrictSchema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=REPLY_MAX))
    body_html = fields.String(allow_none=True, validate=validate.Length(max=REPLY_MAX))
    # An internal note is seen by staff only; a reply goes to the customer.
    internal = fields.Boolean(load_default=False)
    status = fields.String(allow_none=True, validate=validate.OneOf(("open", "pending", "on_hold", "solved")))


class StaffMessageOut(MessageOut):
    delivery_attempts = fields.Integer()
    remote_images_allowed = fields.Boolean()
    inbound_raw_id = fields.Integer(allow_none=True)


class MessageEnvelope(Schema):
    message = fields.Nested(StaffMessageOut)


class MessagesOut(Schema):
    messages = fields.List(fields.Nested(StaffMessageOut))


class InboundOut(Schema):
    id = fields.Integer()
    client_id = fields.Integer(allow_none=True)
    source = fields.String()
    status = fields.String()
    sender = fields.String(allow_none=True)
    message_id = fields.String(allow_none=True)
    reason = fields.String(attribute="error", allow_none=True)
    attempts = fields.Integer()
    size = fields.Function(lambda row: len(row.content or b""))
    ticket_id = fields.Integer(allow_none=True)
    received_at = fields.AwareDateTime()


class CallIn(StrictSchema):
    """A call an agent logs by hand on a ticket."""

    direction = fields.String(load_default="outbound", validate=validate.OneOf(["inbound", "outbound"]))
    number = fields.String(required=True, validate=validate.Length(min=3, max=64))
    status = fields.String(load_default="completed",
                           validate=validate.OneOf(["completed", "no-answer", "busy", "failed", "canceled"]))
    duration_seconds = fields.Integer(validate=validate.Range(min=0, max=24 * 3600))
    notes = fields.String(validate=validate.Length(max=10_000))


class CallOut(Schema):
    id = fields.Integer()
    provider = fields.String()
    provider_call_id = fields.String()
    direction = fields.String()
    status = fields.String()
    from_number = fields.String(allow_none=True)
    to_number = fields.String(allow_none=True)
    duration_seconds = fields.Integer(allow_none=True)
    recording_url = fields.String(allow_none=True)
    agent_id = fields.Integer(allow_none=True)
    ticket_id = fields.Integer(allow_none=True)
    ended_at = fields.AwareDateTime(allow_none=True)


class InboxTicketOut(SearchHitOut):
    """An inbox row: the search hit plus the earliest running SLA due time."""

    next_due_at = fields.AwareDateTime(allow_none=True)
    for_you = fields.String(allow_none=True, metadata={
        "description": "Queue view: 'can take', or what stops the caller taking it."})


class InboxOut(Schema):
    tickets = fields.List(fields.Nested(InboxTicketOut))
    has_more = fields.Boolean()
    next_offset = fields.Integer()


TAG_MAX = 50
TAGS_MAX = 20


class TicketChangeIn(StrictSchema):
    """What an agent may change on a ticket from the workspace; at least one field."""

    status = fields.String(validate=validate.OneOf(("open", "pending", "on_hold", "solved")))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=TAG_MAX)),
                       validate=validate.Length(max=TAGS_MAX))


class ChangedTicketOut(StaffTicketOut):
    tags = fields.List(fields.String())
    client_id = fields.Integer()
    updated_at = fields.AwareDateTime()


class ChangedTicketEnvelope(Schema):
    ticket = fields.Nested(ChangedTicketOut)


class MergeIn(StrictSchema):
    """The ticket to merge this one into, by its reference (ACME-42) or number."""

    into = fields.String(required=True, validate=validate.Length(min=1, max=40))


class MacroOut(Schema):
    id = fields.Integer()
    name = fields.String()
    actions = fields.Dict()
    preview = fields.String()  # the body filled in for this ticket and agent
    unknown_placeholders = fields.List(fields.String())


class MacrosOut(Schema):
    macros = fields.List(fields.Nested(MacroOut))


class MacroAppliedOut(Schema):
    body = fields.String()
    unknown_placeholders = fields.List(fields.String())
    changes = fields.Dict()  # {field: [old, new]}, empty when the ticket already matched
    ticket = fields.Nested(ChangedTicketOut)
