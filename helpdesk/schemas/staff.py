"""Request and response shapes of the staff JSON API (/agent/api, session-authenticated)."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from helpdesk.models import PRESENCE_STATES

NOTE_MAX = 500


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE  # a misspelt field is an error, not silently ignored


class AssignIn(StrictSchema):
    # null gives the ticket back to its region's queue.
    agent_id = fields.Integer(required=True, allow_none=True, strict=True, validate=validate.Range(min=1))


class MoveIn(StrictSchema):
    region_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
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
