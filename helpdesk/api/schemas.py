"""Shapes of the REST API's own resources: events, regions, reports (ticket shapes are the tickets domain's)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from helpdesk.request_input import MAX_DB_INT


class EventArgs(Schema):
    since = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_DB_INT))
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


class ReportArgs(Schema):
    """Query string of GET /api/v1/reports/<name> (documented here; parsed by services.reports.parse_query)."""

    from_ = fields.String(data_key="from",
                          metadata={"description": "First local day, YYYY-MM-DD (default: 29 days before `to`)"})
    to = fields.String(metadata={"description": "Last local day, inclusive, YYYY-MM-DD (default: today in `tz`)"})
    tz = fields.String(metadata={"description": "IANA time zone for days and hours (default UTC)"})
    group_by = fields.String(metadata={"description": "One table only, grouped by this"})
    format = fields.String(validate=validate.OneOf(["json", "csv", "JSON", "CSV"]),
                           metadata={"description": "`json` (default) or `csv` (one table: `group_by` or `table`)"})
    table = fields.String(metadata={"description": "With format=csv: the name of the table to export"})


class ColumnOut(Schema):
    key = fields.String()
    label = fields.String()
    kind = fields.String(metadata={"description": "text | int | percent | seconds | datetime | score"})


class ChartOut(Schema):
    kind = fields.String()
    x = fields.String()
    series = fields.List(fields.String())


class TableOut(Schema):
    name = fields.String()
    title = fields.String()
    columns = fields.List(fields.Nested(ColumnOut))
    rows = fields.List(fields.Dict())
    chart = fields.Nested(ChartOut, allow_none=True)


class ReportOut(Schema):
    report = fields.String()
    start = fields.DateTime(metadata={"description": "Inclusive start of the range (UTC)"})
    end = fields.DateTime(metadata={"description": "Exclusive end of the range (UTC)"})
    tz = fields.String()
    group_by = fields.String(allow_none=True)
    tables = fields.List(fields.Nested(TableOut))
