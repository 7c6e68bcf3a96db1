"""/api/v1/privacy and /api/v1/contacts/<id>/erase: the calling client's masking rules and retention
periods, and the right to erasure of one of its customers."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from helpdesk.api.auth import api_blueprint
from helpdesk.client import pii
from helpdesk.privacy import erasure, settings

blp = api_blueprint("privacy", __name__, "/api/v1", "Personal data: masking, retention and erasure")


class CustomRuleSchema(Schema):
    name = fields.String(required=True, validate=validate.Regexp(pii.RULE_NAME))
    pattern = fields.String(required=True, validate=validate.Length(1, 300),
                            metadata={"description": "An RE2 regular expression (no backreferences)."})


class Flag(fields.Boolean):
    """true or false only: marshmallow's Boolean also takes 0, 1, "yes" (and 0 == False in a set)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class MaskingSchema(Schema):
    cards = Flag(metadata={"description": "Payment card numbers (Luhn-checked); on by default."})
    iban = Flag()
    emails = Flag(metadata={"description": "E-mail-like strings in message text."})
    phones = Flag(metadata={"description": "Phone-like strings in message text."})
    custom = fields.List(fields.Nested(CustomRuleSchema), validate=validate.Length(max=20))


class PrivacySettingsSchema(Schema):
    masking = fields.Nested(MaskingSchema, required=True)
    retention_days = fields.Integer(allow_none=True, required=True, metadata={
        "description": "Solved and closed tickets are deleted this many days after solving; null keeps them."})
    attachment_retention_days = fields.Integer(allow_none=True, required=True, metadata={
        "description": "Attachments are deleted this many days after their message arrived; null keeps them."})


class PrivacyPatchSchema(Schema):
    class Meta:
        openapi = {"minProperties": 1}
    masking = fields.Nested(MaskingSchema)
    retention_days = fields.Integer(allow_none=True, validate=validate.Range(1, settings.MAX_DAYS))
    attachment_retention_days = fields.Integer(allow_none=True, validate=validate.Range(1, settings.MAX_DAYS))

    @validates_schema
    def not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError("Give at least one setting to change.", "_schema")


class RemovedSchema(Schema):
    contact = fields.Integer()
    tickets = fields.Integer(metadata={"description": "Tickets whose subject and fields were erased."})
    messages = fields.Integer()
    attachments = fields.Integer()
    events = fields.Integer()
    webhook_deliveries = fields.Integer()
    raw_inputs = fields.Integer()
    call_logs = fields.Integer()
    survey_comments = fields.Integer()
    review_comments = fields.Integer()


class ErasureSchema(Schema):
    contact_id = fields.Integer(required=True)
    erased_at = fields.DateTime(required=True)
    removed = fields.Nested(RemovedSchema, required=True)
    ticket_ids = fields.List(fields.Integer(), required=True)
    kept = fields.List(fields.String(), required=True)


@blp.get("/privacy")
@blp.response(200, PrivacySettingsSchema)
def get_privacy():
    """What is masked in stored text, and how long tickets and attachments are kept."""
    return settings.read(g.scope.client_id)


@blp.patch("/privacy")
@blp.arguments(PrivacyPatchSchema)
@blp.response(200, PrivacySettingsSchema)
def update_privacy(data):
    """Change the settings given; ``masking`` replaces the whole rule set. Masking applies to text stored
    from now on; retention applies at the next hourly run."""
    return settings.update(g.scope.client_id, data)


@blp.post("/contacts/<int:contact_id>/erase")
@blp.response(200, ErasureSchema)
def erase_contact(contact_id):
    """Right to erasure: remove the contact and their personal data from tickets, messages, attachments,
    search, events and webhook logs; ticket numbers, timestamps and report figures stay."""
    return erasure.erase_contact(g.scope, contact_id)
