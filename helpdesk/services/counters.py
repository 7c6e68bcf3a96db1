"""Per-client gap-free counters: ticket numbers and the event sequence."""

from __future__ import annotations

from sqlalchemy import update

from helpdesk.extensions import db
from helpdesk.models import TenantCounter

COUNTER_NAMES = ("ticket", "event")


def create_counters(client_id: int) -> None:
    for name in COUNTER_NAMES:
        db.session.add(TenantCounter(client_id=client_id, name=name, value=0))


def _increment(client_id: int, name: str):
    return (
        update(TenantCounter)
        .where(TenantCounter.client_id == client_id, TenantCounter.name == name)
        .values(value=TenantCounter.value + 1)
        .returning(TenantCounter.value)
        .execution_options(synchronize_session=False)
    )


def next_value(client_id: int, name: str) -> int:
    """Increment and return; the row stays locked until the caller's transaction ends."""
    value = db.session.execute(_increment(client_id, name)).scalar_one_or_none()
    if value is None:
        raise LookupError(f"client {client_id} has no {name!r} counter")
    return value


def next_ticket_number(client_id: int) -> int:
    """Unique and increasing per client; a rolled-back creation may leave a gap.

    On PostgreSQL the number is taken in its own short transaction, so concurrent
    creations for one client do not queue behind each other's open transactions.
    SQLite serialises writers anyway and has one connection per process, so
    there it is taken in the caller's transaction.
    """
    if db.engine.dialect.name != "postgresql":
        return next_value(client_id, "ticket")
    with db.engine.begin() as connection:
        value = connection.execute(_increment(client_id, "ticket")).scalar_one_or_none()
    if value is None:
        raise LookupError(f"client {client_id} has no ticket counter")
    return value
