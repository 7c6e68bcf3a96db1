"""/api/v1/reports: a client company's own report figures, by API key."""

from __future__ import annotations

import time

import click
from flask import Response, g, request

from helpdesk import audit
from helpdesk.api.auth import CSV_TOO, api_blueprint
from helpdesk.api.schemas import ReportArgs, ReportOut
from helpdesk.errors import AppError, NotFound
from helpdesk.supervision import reports

blp = api_blueprint("api_reports", __name__, "/api/v1/reports", "Reports on the calling client's own tickets")


def _wants_csv() -> bool:
    if request.args.get("format"):
        return request.args["format"].lower() == "csv"
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


@blp.get("/<string:name>")
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportOut)
@blp.doc(responses=CSV_TOO)
def get_report(_args, name):
    """One report over the calling client's tickets: `volume`, `response_times`, `sla`, `backlog`, `agents`,
    `csat`, `qa`. Days and hours are bucketed in `tz`; every figure covers this client only."""
    fmt = (request.args.get("format") or "").lower()
    if fmt not in ("", "json", "csv"):
        raise AppError("format must be json or csv.", {"format": [fmt]})
    try:
        query = reports.parse_query(request.args)
        tables = reports.run_report(name, g.scope, query)
    except LookupError as exc:
        raise NotFound(str(exc), {"name": name, "reports": list(reports.REPORT_NAMES)}) from exc
    except ValueError as exc:
        raise AppError(str(exc), {"query": {k: request.args.get(k) for k in ("from", "to", "tz", "group_by")
                                            if request.args.get(k) is not None}}) from exc
    if _wants_csv():
        wanted = request.args.get("table")
        chosen = [t for t in tables if t.name == wanted] if wanted else tables
        if len(chosen) != 1:
            raise AppError("CSV holds one table: give group_by or table=<name>.",
                           {"tables": [t.name for t in tables]})
        filename = f"{chosen[0].name}.csv"
        audit.record_read("report.exported", client_id=g.scope.client_id, object_type="report", object_id=name,
                          details={"table": chosen[0].name, "query": dict(request.args)})
        return Response(reports.to_csv(chosen[0]), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    return {"report": name, "start": query.start, "end": query.end, "tz": query.tz, "group_by": query.group_by,
            "tables": [reports.table_dict(t) for t in tables]}


# `flask reports rebuild [--client-id N]`: facts and rollups recomputed from the tickets table.
blp.cli_group = "reports"


@blp.cli.command("rebuild")
@click.option("--client-id", type=int, default=None, help="Only this client's tickets")
def rebuild_command(client_id: int | None) -> None:
    """Recompute report facts and rollups from the tickets table (existing data, bulk loads)."""
    started = time.perf_counter()
    count = reports.rebuild(client_id)
    click.echo(f"rebuilt report facts of {count} tickets in {time.perf_counter() - started:.1f}s")
