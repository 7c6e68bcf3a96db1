"""The shape of a client system's signed webhook post."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from webargs.fields import DelimitedList

from helpdesk.channels.webhooks.outbound import WEBHOOK_TYPES
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


EventType = fields.String(validate=validate.OneOf((*WEBHOOK_TYPES, "*")))


class WebhookEndpointIn(Schema):
    url = fields.String(required=True, validate=single_line(2000, 8))
    event_types = fields.List(EventType, required=True, validate=validate.Length(min=1, max=20),
                              metadata={"description": "The webhook types to receive, or * for all."})
    description = fields.String(allow_none=True, validate=single_line(200))
    alert_email = fields.Email(allow_none=True, validate=validate.Length(max=320), metadata={
        "description": "Told by email when the endpoint is disabled."})
    active = fields.Boolean()


class WebhookEndpointPatch(WebhookEndpointIn):
    url = fields.String(validate=single_line(2000, 8))
    event_types = fields.List(EventType, validate=validate.Length(min=1, max=20))

    class Meta:
        openapi = {"minProperties": 1}  # documented by helpdesk.api.SchemaExtras

    @validates_schema
    def not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError("Give at least one field to change.", "_schema")


class WebhookEndpointOut(Schema):
    id = fields.Integer()
    url = fields.String()
    description = fields.String(allow_none=True)
    event_types = fields.List(fields.String())
    active = fields.Boolean()
    alert_email = fields.String(allow_none=True)
    failing_since = fields.AwareDateTime(allow_none=True, metadata={
        "description": "Every attempt since this instant failed; after 24 h the endpoint is disabled."})
    paused_until = fields.AwareDateTime(allow_none=True, metadata={
        "description": "After a failure, nothing is sent before the next attempt."})
    disabled_at = fields.AwareDateTime(allow_none=True)
    disabled_reason = fields.String(allow_none=True)
    previous_secret_expires_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "Until then the secret before the last rotation also signs."})
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class WebhookEndpointList(Schema):
    data = fields.List(fields.Nested(WebhookEndpointOut))


class WebhookEndpointCreated(WebhookEndpointOut):
    secret = fields.String(metadata={"description": "The whsec_ signing secret; shown only now."})


class WebhookSecretOut(Schema):
    secret = fields.String(metadata={"description": "The new whsec_ signing secret; shown only now."})
    previous_secret_expires_at = fields.AwareDateTime()


DELIVERY_STATES = ("pending", "retrying", "delivered", "failed")


class WebhookDeliveryArgs(Schema):
    status = DelimitedList(fields.String(validate=validate.OneOf(DELIVERY_STATES)))
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))
    cursor = fields.String(validate=validate.Length(max=500))


class WebhookDeliveryOut(Schema):
    id = fields.Integer()
    webhook_id = fields.String(metadata={"description": "The webhook-id header: the same on every attempt."})
    event_id = fields.Integer()
    event_type = fields.String()
    status = fields.String(metadata={"description": "pending, retrying, delivered or failed."})
    attempts = fields.Integer()
    next_attempt_at = fields.AwareDateTime(allow_none=True)
    last_attempt_at = fields.AwareDateTime(allow_none=True)
    last_status_code = fields.Integer(allow_none=True)
    last_response_body = fields.String(allow_none=True, metadata={"description": "The first 1 KB of the answer."})
    last_error = fields.String(allow_none=True)
    last_duration_ms = fields.Integer(allow_none=True)
    delivered_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    payload = fields.Dict(metadata={"description": "The JSON body sent."})


class WebhookDeliveryPage(Schema):
    data = fields.List(fields.Nested(WebhookDeliveryOut))
    next_cursor = fields.String(allow_none=True)
