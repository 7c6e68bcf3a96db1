"""Housekeeping: forget records that no longer serve anyone, a batch at a time.

Processed outbox rows only record that a job ran (its effects live elsewhere),
and idempotency keys only matter while a client may still retry. Rows the
outbox gave up on (never processed) stay, for an operator to look at.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from helpdesk.extensions import db
from helpdesk.platform.db import utcnow
from helpdesk.platform.models import IdempotencyKey, Outbox

BATCH = 5000
MAX_BATCHES = 20  # per run: a large backlog is worked off over several hourly runs, never in one long lock


def prune(now: datetime | None = None) -> dict[str, int]:
    """Delete processed outbox rows and expired idempotency keys past their retention; counts per table."""
    now = now or utcnow()
    outbox_cutoff = now - timedelta(hours=current_app.config["OUTBOX_RETENTION_HOURS"])
    keys_cutoff = now - timedelta(hours=current_app.config["IDEMPOTENCY_RETENTION_HOURS"])
    return {
        "outbox": delete_in_batches(Outbox, Outbox.processed_at < outbox_cutoff),
        "idempotency_keys": delete_in_batches(IdempotencyKey, IdempotencyKey.created_at < keys_cutoff),
    }


def delete_in_batches(model, condition) -> int:
    deleted = 0
    for _ in range(MAX_BATCHES):
        batch = select(model.id).where(condition).limit(BATCH).scalar_subquery()
        count = db.session.execute(delete(model).where(model.id.in_(batch))
                                   .execution_options(synchronize_session=False)).rowcount
        db.session.commit()
        deleted += count
        if count < BATCH:
            break
    return deleted
