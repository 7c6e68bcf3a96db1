"""Shapes of what machines post to /inbound: client webhooks and generic call logs."""

from __future__ import annotations

from datetime import UTC

from marshmallow import Schema, fields, validate

from helpdesk.models import PRIORITIES, STATUSES
from helpdesk.schemas.ticket import BODY_MAX, ContactIn, Tag
from helpdesk.services.phone import STATUSES as CALL_STATUSES

# What other telephony systems call a call nobody answered.
CALL_STATUS_ALIASES = {"missed": "no-answer", "abandoned": "canceled", "answered": "completed"}


class WebhookTicket(Schema):
    """Create or update the ticket the client's system knows by ``external_id``."""

    external_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    subject = fields.String(validate=validate.Length(min=1, max=500))
    body = fields.String(validate=validate.Length(max=BODY_MAX))
    body_html = fields.String(validate=validate.Length(max=BODY_MAX))
    status = fields.String(validate=validate.OneOf(STATUSES))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    language = fields.String(validate=validate.Length(min=2, max=16))
    tags = fields.List(Tag, validate=validate.Length(max=20))
    custom_fields = fields.Dict(keys=fields.String(validate=validate.Length(max=64)))
    contact = fields.Nested(ContactIn)


class CallLogIn(Schema):
    """One call from any telephony system (a call-log export row has the same fields)."""

    call_id = fields.String(required=True, validate=validate.Length(min=1, max=128))
    from_number = fields.String(data_key="from", validate=validate.Length(max=64))
    to_number = fields.String(data_key="to", validate=validate.Length(max=64))
    direction = fields.String(load_default="inbound", validate=validate.OneOf(["inbound", "outbound"]))
    status = fields.String(required=True, validate=validate.OneOf([*CALL_STATUSES, *CALL_STATUS_ALIASES]))
    duration_seconds = fields.Integer(validate=validate.Range(min=0, max=7 * 24 * 3600), allow_none=True)
    recording_url = fields.Url(schemes={"http", "https"}, allow_none=True)
    started_at = fields.AwareDateTime(default_timezone=UTC, allow_none=True)
    ended_at = fields.AwareDateTime(default_timezone=UTC, allow_none=True)
    sequence = fields.Integer(validate=validate.Range(min=0), allow_none=True)
