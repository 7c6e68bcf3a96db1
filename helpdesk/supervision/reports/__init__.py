"""Reports over report facts: what the reports page, the API and the CLI use.

Inside: ``facts`` (one row per ticket, kept by mapper events that ``install`` registers),
``clock`` (business seconds per client calendar), ``rollups`` (additive sums per time bucket,
``roll``), ``rebuild`` (recompute everything, ``facts_match``), ``query`` (what is asked and
answered, CSV), ``sums`` (reading the rollups), ``tables`` (the seven reports, ``run_report``).
"""

from helpdesk.supervision.reports.facts import install
from helpdesk.supervision.reports.query import (
    GROUP_BY,
    REPORT_NAMES,
    Column,
    ReportQuery,
    ReportTable,
    parse_query,
    table_dict,
    to_csv,
)
from helpdesk.supervision.reports.rebuild import facts_match, rebuild
from helpdesk.supervision.reports.tables import run_report

__all__ = ["GROUP_BY", "REPORT_NAMES", "Column", "ReportQuery", "ReportTable", "facts_match", "install",
           "parse_query", "rebuild", "run_report", "table_dict", "to_csv"]
