"""Ticket, message and contact shapes for the REST API."""

from __future__ import annotations

from datetime import UTC

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from webargs.fields import DelimitedList

from helpdesk.platform.pagination import SORTS
from helpdesk.routing.regions import region_slug
from helpdesk.sla.models import PRIORITIES
from helpdesk.tickets.models import CHANNELS, STATUSES
from helpdesk.tickets.search import LIMIT_MAX, QUERY_MAX
from helpdesk.tickets.service import public_messages

BODY_MAX = 200_000
# Subjects, names and ids end up in mail headers, where a CR or LF would start a new header.
NO_CONTROL_CHARACTERS = validate.Regexp(r"^[^\x00-\x1f\x7f]*$",
                                        error="Must be one line, without control characters.")


def single_line(max_length: int, min_length: int | None = None) -> list:
    """The rules of a one-line text field."""
    return [validate.Length(min=min_length, max=max_length), NO_CONTROL_CHARACTERS]


# No whitespace or control characters, spelled out: "\s" means different sets in Python and
# in the JSON Schema (ECMA-262) regex the OpenAPI document is read with.
TAG_PATTERN = r"^[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff,]+$"
Tag = fields.String(validate=[validate.Length(min=1, max=50),
                              validate.Regexp(TAG_PATTERN, error="One word: no spaces, commas or control characters.")])


class ContactIn(Schema):
    name = fields.String(validate=single_line(200))
    email = fields.Email()
    phone = fields.String(validate=single_line(32))
    language = fields.String(validate=single_line(16, 2))
    external_id = fields.String(validate=single_line(200, 1))


class TicketCreate(Schema):
    subject = fields.String(required=True, validate=single_line(500, 1))
    body = fields.String(validate=validate.Length(max=BODY_MAX))
    body_html = fields.String(validate=validate.Length(max=BODY_MAX))
    channel = fields.String(load_default="api", validate=validate.OneOf(CHANNELS))
    priority = fields.String(load_default="normal", validate=validate.OneOf(PRIORITIES))
    language = fields.String(validate=single_line(16, 2))
    tags = fields.List(Tag, validate=validate.Length(max=20))
    custom_fields = fields.Dict(keys=fields.String(validate=validate.Length(max=64)))
    external_id = fields.String(validate=single_line(200, 1))
    contact = fields.Nested(ContactIn)


class TicketUpdate(Schema):
    class Meta:
        openapi = {"minProperties": 1}  # documented by helpdesk.api.SchemaExtras
    subject = fields.String(validate=single_line(500, 1))
    status = fields.String(validate=validate.OneOf(STATUSES))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    language = fields.String(validate=single_line(16, 2))
    tags = fields.List(Tag, validate=validate.Length(max=20))
    custom_fields = fields.Dict(keys=fields.String(validate=validate.Length(max=64)))

    @validates_schema
    def not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError("Give at least one field to change.", "_schema")


class MessageCreate(Schema):
    class Meta:
        openapi = {"anyOf": [{"required": ["body"], "properties": {"body": {"minLength": 1}}},
                             {"required": ["body_html"], "properties": {"body_html": {"minLength": 1}}}]}
    body = fields.String(validate=validate.Length(max=BODY_MAX))
    body_html = fields.String(validate=validate.Length(max=BODY_MAX))

    @validates_schema
    def has_content(self, data, **kwargs):
        if not (data.get("body") or data.get("body_html")):
            raise ValidationError("Give body or body_html.", "body")


class TicketListArgs(Schema):
    status = DelimitedList(fields.String(validate=validate.OneOf(STATUSES)))
    priority = DelimitedList(fields.String(validate=validate.OneOf(PRIORITIES)))
    channel = DelimitedList(fields.String(validate=validate.OneOf(CHANNELS)))
    updated_since = fields.AwareDateTime(default_timezone=UTC)
    sort = fields.String(load_default="-created_at", validate=validate.OneOf(SORTS))
    cursor = fields.String(validate=validate.Length(max=500))
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class TicketSearchArgs(Schema):
    q = fields.String(required=True, validate=validate.Length(
        min=1, max=QUERY_MAX, error=f"Give a search query of 1 to {QUERY_MAX} characters."), metadata={
        "description": 'Words to find in subjects and messages; "quoted phrase", -excluded, or; '
                       'a ticket number as 1234, #1234 or ACME-1234.'})
    status = DelimitedList(fields.String(validate=validate.OneOf(STATUSES)))
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=LIMIT_MAX))


class ContactOut(Schema):
    id = fields.Integer()
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    external_id = fields.String(allow_none=True)


class AttachmentOut(Schema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()


class MessageOut(Schema):
    id = fields.Integer()
    ticket_id = fields.Integer()
    kind = fields.String()
    channel = fields.String()
    body = fields.String(attribute="body_text")
    body_html = fields.String(allow_none=True)
    author_contact_id = fields.Integer(allow_none=True)
    author_agent_id = fields.Integer(allow_none=True)
    attachments = fields.List(fields.Nested(AttachmentOut))
    created_at = fields.AwareDateTime()
    subject = fields.String(allow_none=True)
    from_email = fields.String(allow_none=True)
    from_name = fields.String(allow_none=True)
    new_body = fields.String(attribute="new_text", allow_none=True,
                             metadata={"description": "An email's new text, without the quoted history."})
    delivery_status = fields.String(allow_none=True, metadata={
        "description": "Outbound email: queued, retrying, sent, failed or bounced."})
    delivery_error = fields.String(allow_none=True, metadata={
        "description": "Why the last attempt to send failed, or why the message was given up."})
    message_id = fields.String(attribute="message_id_header", allow_none=True, metadata={
        "description": "The email's Message-ID header, angle brackets included."})
    in_reply_to = fields.String(allow_none=True, metadata={
        "description": "The Message-ID this email answers (its In-Reply-To header)."})
    auto_reply = fields.Boolean(attribute="is_auto_reply")


class SlaOut(Schema):
    first_response_due_at = fields.AwareDateTime(allow_none=True)
    next_response_due_at = fields.AwareDateTime(allow_none=True)
    resolution_due_at = fields.AwareDateTime(allow_none=True)
    first_responded_at = fields.AwareDateTime(allow_none=True)
    breached = fields.Boolean(attribute="sla_breached")


class TicketOut(Schema):
    id = fields.Integer()
    number = fields.Integer()
    reference = fields.String()
    subject = fields.String()
    status = fields.String()
    priority = fields.String()
    channel = fields.String()
    language = fields.String(allow_none=True)
    tags = fields.List(fields.String())
    custom_fields = fields.Dict()
    external_id = fields.String(allow_none=True)
    contact = fields.Nested(ContactOut, allow_none=True)
    region = fields.Function(lambda t: region_slug(t.region_id))
    assignee = fields.Function(lambda t: {"id": t.assignee.id, "name": t.assignee.name} if t.assignee else None)
    sla = fields.Function(lambda t: SlaOut().dump(t))
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    solved_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)


class TicketDetailOut(TicketOut):
    messages = fields.Function(lambda t: MessageOut(many=True).dump(public_messages(t)))


class TicketPage(Schema):
    data = fields.List(fields.Nested(TicketOut))
    next_cursor = fields.String(allow_none=True)


class TicketSearchPage(Schema):
    data = fields.List(fields.Nested(TicketOut), metadata={"description": "Most relevant first, then most recent."})
