"""/api/v1/audit: the calling client's audit trail (read only; no interface changes or deletes a row)."""

from __future__ import annotations

from flask import Response, g
from marshmallow import Schema, fields, validate
from webargs.fields import DelimitedList

from helpdesk import audit
from helpdesk.api.auth import CSV_TOO, api_blueprint

blp = api_blueprint("audit", __name__, "/api/v1/audit", "The calling client's audit trail")


class AuditArgs(Schema):
    action = DelimitedList(fields.String(validate=validate.Length(max=64)), metadata={
        "description": "e.g. ticket.viewed, ticket.updated, report.exported, api_key.created, webhook.updated"})
    actor_type = fields.String(validate=validate.OneOf(("agent", "api_key", "system", "anonymous")))
    actor_id = fields.Integer(validate=validate.Range(min=0, max=2**31 - 1))
    since = fields.AwareDateTime(metadata={"description": "From this instant (inclusive)."})
    until = fields.AwareDateTime(metadata={"description": "Before this instant."})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(validate=validate.Length(max=500))
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


class AuditOut(Schema):
    id = fields.Integer()
    created_at = fields.AwareDateTime()
    actor = fields.Function(lambda e: {"type": e.actor_type, "id": e.actor_id, "role": e.actor_role})
    action = fields.String()
    object_type = fields.String(allow_none=True)
    object_id = fields.String(allow_none=True)
    address = fields.String(allow_none=True, metadata={"description": "The client address of the request."})
    details = fields.Dict()


class AuditPage(Schema):
    data = fields.List(fields.Nested(AuditOut))
    next_cursor = fields.String(allow_none=True)


@blp.get("")
@blp.arguments(AuditArgs, location="query", as_kwargs=True)
@blp.response(200, AuditPage)
@blp.doc(responses=CSV_TOO)
def list_audit(limit, format, cursor=None, **filters):  # noqa: A002 - the query parameter's name
    """Who read or changed what of this client's data, newest first; follow ``next_cursor``."""
    rows, next_cursor = audit.entries(g.scope.client_id, filters, limit, cursor)
    if format == "csv":
        audit.record_read("audit.exported", client_id=g.scope.client_id, details={"rows": len(rows)})
        headers = {"Content-Disposition": 'attachment; filename="audit.csv"'}
        if next_cursor:
            headers["X-Next-Cursor"] = next_cursor
        return Response(audit.to_csv(rows), mimetype="text/csv", headers=headers)
    return {"data": rows, "next_cursor": next_cursor}
