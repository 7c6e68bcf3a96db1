"""Event log shapes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class EventArgs(Schema):
    since = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class ActorOut(Schema):
    type = fields.String()
    id = fields.Integer(allow_none=True)


class EventOut(Schema):
    id = fields.Integer()
    seq = fields.Integer()
    type = fields.String()
    ticket_id = fields.Integer(allow_none=True)
    actor = fields.Nested(ActorOut)
    data = fields.Dict()
    created_at = fields.String()


class EventPage(Schema):
    data = fields.List(fields.Nested(EventOut))
    next_since = fields.Integer()
    has_more = fields.Boolean()
