"""Region shapes for the REST API."""

from __future__ import annotations

from marshmallow import Schema, fields


class RegionOut(Schema):
    id = fields.Integer()
    slug = fields.String()
    name = fields.String()
    timezone = fields.String(metadata={"description": "IANA time zone of the region's shift calendar"})
    local_time = fields.DateTime(metadata={"description": "Now in the region's zone, ISO 8601 with its UTC offset"})
    on_shift = fields.Boolean(metadata={"description": "Whether the region's shift calendar is open now"})
    next_change = fields.DateTime(
        allow_none=True,
        metadata={"description": "Next instant (UTC) the region goes on or off shift; null when it never changes"})


class RegionList(Schema):
    data = fields.List(fields.Nested(RegionOut))
