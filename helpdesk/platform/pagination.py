"""Opaque keyset cursors: stable under inserts, no OFFSET scans."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_

from helpdesk.errors import ValidationFailed
from helpdesk.request_input import MAX_DB_INT

SORTS = ("created_at", "-created_at", "updated_at", "-updated_at")
NOT_OUR_CURSOR = "Not a cursor this API gave out; start again without one."
OTHER_SORT = "This cursor belongs to another sort order; pass the sort it was made with."



def encode(sort: str, value: datetime, row_id: int) -> str:
    raw = json.dumps([sort, value.isoformat(), row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, sort: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        cursor_sort, value, row_id = json.loads(base64.urlsafe_b64decode(padded))
        moment, row_id = datetime.fromisoformat(value), int(row_id)
        if moment.tzinfo is None or not 0 <= row_id <= MAX_DB_INT:
            raise ValueError("out of range")
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise ValidationFailed("Invalid cursor.", {"cursor": [NOT_OUR_CURSOR]}) from exc
    if cursor_sort != sort:
        raise ValidationFailed("Invalid cursor.", {"cursor": [OTHER_SORT]})
    return moment, row_id


def apply(query: Select, model: Any, sort: str, cursor: str | None, limit: int) -> Select:
    column = getattr(model, sort.lstrip("-"))
    descending = sort.startswith("-")
    if cursor:
        value, row_id = decode(cursor, sort)
        if descending:
            query = query.where(or_(column < value, and_(column == value, model.id < row_id)))
        else:
            query = query.where(or_(column > value, and_(column == value, model.id > row_id)))
    order = (column.desc(), model.id.desc()) if descending else (column.asc(), model.id.asc())
    return query.order_by(*order).limit(limit + 1)


def page(rows: list, sort: str, limit: int) -> tuple[list, str | None]:
    """Trim the look-ahead row and build the next cursor from the last row kept."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode(sort, getattr(last, sort.lstrip("-")), last.id)
