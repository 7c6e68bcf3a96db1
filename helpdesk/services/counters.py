"""Per-client gap-free counters: ticket numbers and the event sequence."""

from __future__ import annotations

from sqlalchemy import update

from helpdesk.extensions import db
from helpdesk.models import TenantCounter

COUNTER_NAMES = ("ticket", "event")


def create_counters(client_id: int) -> None:
    for name in COUNTER_NAMES:
        db.session.add(TenantCounter(client_id=client_id, name=name, value=0))


def next_value(client_id: int, name: str) -> int:
    """Increment and return; the row stays locked until the caller's transaction ends."""
    stmt = (
        update(TenantCounter)
        .where(TenantCounter.client_id == client_id, TenantCounter.name == name)
        .values(value=TenantCounter.value + 1)
        .returning(TenantCounter.value)
        .execution_options(synchronize_session=False)
    )
    value = db.session.execute(stmt).scalar_one_or_none()
    if value is None:
        raise LookupError(f"client {client_id} has no {name!r} counter")
    return value
