"""Per-client gap-free counters: ticket numbers and the event sequence."""

from __future__ import annotations

from sqlalchemy import text, update

from helpdesk.extensions import db
from helpdesk.platform.models import TenantCounter

COUNTER_NAMES = ("ticket", "event")


def create_counters(client_id: int) -> None:
    for name in COUNTER_NAMES:
        db.session.add(TenantCounter(client_id=client_id, name=name, value=0))
    if db.engine.dialect.name == "postgresql":
        # A new client numbers its tickets from 1 (ids restart only when tables are emptied).
        sequence = _ticket_sequence(client_id)
        db.session.execute(text(f"DROP SEQUENCE IF EXISTS {sequence}"))
        db.session.execute(text(f"CREATE SEQUENCE {sequence}"))


def _ticket_sequence(client_id: int) -> str:
    return f"ticket_number_client_{int(client_id)}"


def advance(client_id: int, name: str, count: int) -> int:
    """Take ``count`` values at once; returns the last (the first is ``last - count + 1``)."""
    statement = (update(TenantCounter)
                 .where(TenantCounter.client_id == client_id, TenantCounter.name == name)
                 .values(value=TenantCounter.value + count).returning(TenantCounter.value)
                 .execution_options(synchronize_session=False))
    value = db.session.execute(statement).scalar_one_or_none()
    if value is None:
        raise LookupError(f"client {client_id} has no {name!r} counter")
    return value


def next_value(client_id: int, name: str) -> int:
    """Increment and return; the row stays locked until the caller's transaction ends."""
    return advance(client_id, name, 1)


def next_ticket_number(client_id: int) -> int:
    """Unique and increasing per client; a rolled-back creation may leave a gap.

    On PostgreSQL it comes from the client's own sequence, which takes no lock,
    so concurrent creations for one client never queue behind each other's open
    transactions. SQLite serialises writers anyway; there the counter row is used.
    """
    if db.engine.dialect.name != "postgresql":
        return next_value(client_id, "ticket")
    return db.session.execute(text(f"SELECT nextval('{_ticket_sequence(client_id)}')")).scalar_one()


def next_ticket_numbers(client_id: int, count: int) -> list[int]:
    """``count`` new ticket numbers in one statement (imports open many tickets at once)."""
    if count <= 0:
        return []
    if db.engine.dialect.name != "postgresql":
        last = advance(client_id, "ticket", count)
        return list(range(last - count + 1, last + 1))
    rows = db.session.execute(text(f"SELECT nextval('{_ticket_sequence(client_id)}') FROM generate_series(1, :n)"),
                              {"n": count})
    return sorted(row[0] for row in rows)
