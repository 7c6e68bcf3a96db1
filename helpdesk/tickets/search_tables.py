"""Full-text search objects that the migrations create outside the ORM models.

PostgreSQL: the generated ``search_vector`` columns of tickets and messages and
their GIN indexes. SQLite: the FTS5 tables ``tickets_fts`` and ``messages_fts``
(and the shadow tables FTS5 keeps beside them). They are read only by
``helpdesk/services/search.py``; loading a tsvector with every Ticket would be
waste, and the two databases need different objects. Alembic is told to leave
them alone through ``include_name``.

The same goes for the queue order index ``ix_tickets_queue_order`` (migration
0009): a partial expression index that PostgreSQL normalises (``'urgent'::text``),
so a model copy of it would never compare equal to what the database reflects.
"""

from __future__ import annotations

from typing import Any

SEARCH_TABLES = ("tickets_fts", "messages_fts")
SEARCH_COLUMNS = {("tickets", "search_vector"), ("messages", "search_vector")}
SEARCH_INDEXES = {"ix_tickets_search", "ix_messages_search"}
MIGRATION_ONLY_INDEXES = SEARCH_INDEXES | {"ix_tickets_queue_order"}


def is_search_table(name: str | None) -> bool:
    return bool(name) and any(name == fts or name.startswith(f"{fts}_") for fts in SEARCH_TABLES)


def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
    """Alembic ``include_name`` hook: skip the objects above when comparing the database to the models."""
    if type_ == "table":
        return not is_search_table(name)
    if type_ == "column":
        return (parent_names.get("table_name"), name) not in SEARCH_COLUMNS
    if type_ == "index":
        return name not in MIGRATION_ONLY_INDEXES
    return True
