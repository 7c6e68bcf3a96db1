"""The shape of a client system's signed webhook post."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from helpdesk.sla.models import PRIORITIES
from helpdesk.tickets.models import STATUSES
from helpdesk.tickets.schemas import BODY_MAX, ContactIn, Tag, single_line


class WebhookTicket(Schema):
    """Create or update the ticket the client's system knows by ``external_id``."""

    external_id = fields.String(required=True, validate=single_line(200, 1))
    subject = fields.String(validate=single_line(500, 1))
    body = fields.String(validate=validate.Length(max=BODY_MAX))
    body_html = fields.String(validate=validate.Length(max=BODY_MAX))
    status = fields.String(validate=validate.OneOf(STATUSES))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    language = fields.String(validate=single_line(16, 2))
    tags = fields.List(Tag, validate=validate.Length(max=20))
    custom_fields = fields.Dict(keys=fields.String(validate=validate.Length(max=64)))
    contact = fields.Nested(ContactIn)
