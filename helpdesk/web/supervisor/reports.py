"""Supervisor reports, /supervisor/reports: every report of helpdesk/services/reports.py as HTML tables
with a chart above each, for any date range in any time zone, and a CSV download of every table.

The page is a plain GET form (no state changes, so no CSRF token in the URL). Figures come from
``reports.run_report`` over ``TenantScope.for_agent(current_user)``: a supervisor dedicated to some
clients only ever sees those clients' tickets. Values are formatted here by ``Column.kind``; the
chart script (static/js/reports.js) reads the raw rows from a JSON script tag.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from flask_login import current_user, login_required

from helpdesk import audit
from helpdesk.errors import error_body, not_for_role
from helpdesk.platform.tenancy import TenantScope
from helpdesk.supervision import reports

bp = Blueprint("reports", __name__, url_prefix="/supervisor/reports")

DEFAULT_DAYS = 30  # the form opens on the last 30 local days, today included (the engine's default too)
TITLES = {
    "volume": "Volume",
    "response_times": "Response times",
    "sla": "SLA compliance",
    "backlog": "Backlog",
    "agents": "Agent productivity",
    "csat": "CSAT",
    "qa": "Quality",
}
QUERY_KEYS = ("from", "to", "tz", "group_by")


def _require_supervisor() -> None:
    if not current_user.is_supervisor:
        not_for_role("Reports are")


def report_names() -> tuple[str, ...]:
    return tuple(reports.REPORT_NAMES)


def group_by_options(name: str) -> tuple[str, ...]:
    """The groupings the engine accepts for a report (none: the form offers no choice)."""
    return tuple(reports.GROUP_BY.get(name, ()))


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def form_values(args: Mapping[str, str], default_tz: str) -> dict[str, str]:
    """The query the form shows and the engine parses: what was asked, defaults for what was not.

    Defaults: the supervisor's own time zone and the last 30 local days, today included."""
    values = {key: (args.get(key) or "").strip() for key in QUERY_KEYS}
    if not values["tz"]:
        values["tz"] = default_tz or "UTC"
    zone = _zone(values["tz"]) or ZoneInfo("UTC")
    today = datetime.now(zone).date()
    if not values["to"]:
        values["to"] = today.isoformat()
    if not values["from"]:
        try:
            end = date.fromisoformat(values["to"])
        except ValueError:
            end = today
        values["from"] = (end - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
    return values


def _engine_args(values: Mapping[str, str], name: str) -> dict[str, str]:
    """What the engine gets: group_by only where the chosen report has one."""
    engine = {key: values[key] for key in ("from", "to", "tz")}
    if values.get("group_by") and group_by_options(name):
        engine["group_by"] = values["group_by"]
    return engine


def run(name: str, values: Mapping[str, str]) -> list[reports.ReportTable]:
    """Run one report for the signed-in supervisor's scope: ValueError for a bad query, LookupError for a
    report the engine does not have."""
    query = reports.parse_query(_engine_args(values, name))
    return reports.run_report(name, TenantScope.for_agent(current_user), query)


# -- formatting by Column.kind ---------------------------------------------------------------------------

def format_seconds(value: Any) -> str:
    """Seconds as h:mm (rounded to the minute): 3725 -> 1:02, 90000 -> 25:00."""
    minutes = int(round(float(value) / 60))
    sign = "-" if minutes < 0 else ""
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours}:{minutes:02d}"


def format_datetime(value: Any, tz: str) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        zone = _zone(tz)
        if value.tzinfo is not None and zone is not None:
            value = value.astimezone(zone)
        if (value.hour, value.minute, value.second) == (0, 0, 0) and value.tzinfo is None:
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def format_value(value: Any, kind: str, tz: str = "UTC") -> str:
    if value is None or value == "":
        return "—"
    try:
        if kind == "seconds":
            return format_seconds(value)
        if kind == "percent":
            return f"{float(value):.1f} %"
        if kind == "int":
            return f"{int(value):,}"
        if kind == "score":
            return f"{float(value):.2f}"
        if kind == "datetime":
            return format_datetime(value, tz)
    except (TypeError, ValueError):
        return str(value)
    return str(value)


def _chart_payload(table: reports.ReportTable) -> dict | None:
    if table.chart is None:
        return None
    return {"kind": table.chart.kind, "x": table.chart.x, "series": list(table.chart.series)}


def table_payload(table: reports.ReportTable) -> dict:
    """What the chart script needs: columns, raw rows, the chart hint."""
    return {
        "name": table.name,
        "title": table.title,
        "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in table.columns],
        "rows": table.rows,
        "chart": _chart_payload(table),
    }


# -- routes ----------------------------------------------------------------------------------------------

@bp.get("")
@login_required
def page():
    _require_supervisor()
    names = report_names()
    name = request.args.get("report") or names[0]
    values = form_values(request.args, current_user.timezone)
    error, tables, status = None, [], 200
    if name not in names:
        error, status = f"There is no report {name!r}; choose one of: {', '.join(names)}.", 400
        name = names[0]
    else:
        try:
            tables = run(name, values)
        except ValueError as exc:
            error, status = str(exc), 400
        except LookupError as exc:
            error, status = str(exc), 404
    link_args = _engine_args(values, name)
    tabs = [{"name": n, "title": TITLES.get(n, n.replace("_", " ").capitalize()),
             "url": url_for("reports.page", report=n, **{k: v for k, v in link_args.items() if k != "group_by"})}
            for n in names]
    csv_urls = [url_for("reports.csv", name=name, table=t.name, **link_args) for t in tables]
    return render_template(
        "supervisor/reports.html", report=name, title=TITLES.get(name, name), tabs=tabs, values=values,
        group_by_options=group_by_options(name), error=error, tables=tables, csv_urls=csv_urls,
        payload=[table_payload(t) for t in tables], format_value=format_value,
    ), status


def _json_error(status: int, code: str, message: str, details: Any = None):
    return jsonify(error_body(code, message, details)), status


def _pick_table(tables: list[reports.ReportTable], wanted: str) -> reports.ReportTable | None:
    if wanted == "":
        return tables[0] if tables else None
    for table in tables:
        if table.name == wanted:
            return table
    if wanted.isdigit() and int(wanted) < len(tables):
        return tables[int(wanted)]
    return None


def _filename_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "report"


@bp.get("/<name>.csv")
@login_required
def csv(name: str):
    if not current_user.is_supervisor:
        return _json_error(403, "forbidden", "Reports are for supervisors and admins.")
    if name not in report_names():
        return _json_error(404, "not_found", f"No report {name!r}.", {"report": list(report_names())})
    values = form_values(request.args, current_user.timezone)
    try:
        tables = run(name, values)
    except ValueError as exc:
        return _json_error(400, "bad_request", str(exc), {key: values[key] for key in QUERY_KEYS})
    except LookupError as exc:
        return _json_error(404, "not_found", str(exc))
    wanted = (request.args.get("table") or "").strip()
    table = _pick_table(tables, wanted)
    if table is None:
        return _json_error(400, "bad_request", f"The {name} report has no table {wanted!r}.",
                           {"table": [t.name for t in tables]})
    filename = "-".join(_filename_part(p) for p in (name, table.name, values["from"], values["to"])) + ".csv"
    audit.record_read("report.exported", client_id=None, object_type="report", object_id=name,
                      details={"table": table.name, "query": dict(request.args)})
    return Response(reports.to_csv(table), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
