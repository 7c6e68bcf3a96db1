"""The BPO admin's view of the whole audit trail (every client and the BPO's own actions), with CSV."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, render_template, request

from helpdesk import audit
from helpdesk.web.admin.base import bp

PAGE_ROWS = 100


@bp.get("/audit")
def audit_trail():
    filters, problem = audit_filters()
    rows, next_cursor = ([], None) if problem else audit.entries(_client_id(), filters, PAGE_ROWS,
                                                                 request.args.get("cursor") or None)
    if request.args.get("format") == "csv" and not problem:
        audit.record_read("audit.exported", client_id=_client_id(), details={"rows": len(rows)})
        return Response(audit.to_csv(rows), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
    return render_template("admin/audit.html", rows=rows, next_cursor=next_cursor, args=request.args,
                           problem=problem), 400 if problem else 200


def _client_id() -> int | None:
    value = request.args.get("client_id", "").strip()
    return int(value) if value.isdigit() and int(value) < 2**31 else None


def audit_filters() -> tuple[dict, str | None]:
    """The audit page's filters from the query string (the portal's page reads the same), or what is wrong."""
    filters: dict = {}
    if request.args.get("action"):
        filters["action"] = [part.strip() for part in request.args["action"].split(",") if part.strip()]
    try:
        for name in ("since", "until"):
            if request.args.get(name):
                moment = datetime.fromisoformat(request.args[name])
                filters[name] = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except ValueError:
        return filters, "Give since and until as dates or date-times, e.g. 2026-12-01 or 2026-12-01T08:00+01:00."
    return filters, None


