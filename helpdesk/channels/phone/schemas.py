"""The shape of a generic call log (JSON post or CSV row)."""

from __future__ import annotations

from datetime import UTC

from marshmallow import Schema, fields, validate

from helpdesk.channels.phone.calls import STATUSES as CALL_STATUSES
from helpdesk.request_input import MAX_DB_INT
from helpdesk.tickets.schemas import single_line

# What other telephony systems call a call nobody answered.
CALL_STATUS_ALIASES = {"missed": "no-answer", "abandoned": "canceled", "answered": "completed"}


class CallLogIn(Schema):
    """One call from any telephony system (a call-log export row has the same fields)."""

    call_id = fields.String(required=True, validate=single_line(128, 1))
    from_number = fields.String(data_key="from", validate=single_line(64))
    to_number = fields.String(data_key="to", validate=single_line(64))
    direction = fields.String(load_default="inbound", validate=validate.OneOf(["inbound", "outbound"]))
    status = fields.String(required=True, validate=validate.OneOf([*CALL_STATUSES, *CALL_STATUS_ALIASES]))
    duration_seconds = fields.Integer(validate=validate.Range(min=0, max=7 * 24 * 3600), allow_none=True)
    recording_url = fields.Url(schemes={"http", "https"}, allow_none=True)
    started_at = fields.AwareDateTime(default_timezone=UTC, allow_none=True)
    ended_at = fields.AwareDateTime(default_timezone=UTC, allow_none=True)
    sequence = fields.Integer(validate=validate.Range(min=0, max=MAX_DB_INT), allow_none=True)
