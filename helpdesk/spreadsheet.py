"""CSV cells that are safe to open in a spreadsheet, for every CSV export (reports, the audit trail)."""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (a client named "=HYPERLINK(...)") gets a leading
    apostrophe; None is an empty cell; other values are left for the csv writer."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
