"""Transactional outbox: jobs are written with the change and enqueued after commit.

``add`` puts a row in the caller's transaction; ``commit`` commits and then
hands the new rows to RQ with ``job_id = outbox id``. If Redis is unreachable
the rows simply wait: the periodic relay enqueues them once it is back, and the
reaper re-queues jobs that were enqueued but never finished (worker killed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from redis.exceptions import RedisError
from rq.job import Job, JobStatus
from sqlalchemy import select, update

from helpdesk.extensions import db
from helpdesk.models import Outbox, utcnow
from helpdesk.models.outbox import new_outbox_id
from workers.queues import REALTIME_QUEUE, get_queue, get_redis

log = logging.getLogger(__name__)
PENDING_KEY = "helpdesk_outbox_ids"
RELAY_GRACE = timedelta(seconds=2)
LOST_AFTER = timedelta(seconds=60)
MAX_ATTEMPTS = 10
LIVE_STATES = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


@dataclass
class PendingJob:
    """What the after-commit enqueue needs to know about an outbox row."""

    id: str
    queue: str
    task: str
    payload: dict[str, Any]


def expect_after_commit(job: PendingJob) -> None:
    db.session.info.setdefault(PENDING_KEY, []).append(job)


def add(task: str, payload: dict[str, Any], *, client_id: int | None = None,
        queue: str = REALTIME_QUEUE) -> Outbox:
    """Add a job to the caller's transaction.

    The row is stamped enqueued optimistically, so the common path costs no
    second write: if the enqueue after commit fails the stamp is cleared for the
    relay, and if the process dies in between, the reaper finds the job missing.
    """
    row = Outbox(id=new_outbox_id(), task=task, payload=payload, client_id=client_id, queue=queue,
                 enqueued_at=utcnow(), attempts=1)
    db.session.add(row)
    expect_after_commit(PendingJob(row.id, queue, task, payload))
    return row


def commit() -> None:
    """Commit the session, then enqueue what this transaction put in the outbox."""
    pending = db.session.info.pop(PENDING_KEY, [])
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if pending:
        _enqueue_after_commit(pending)


def _enqueue_after_commit(rows: list[PendingJob]) -> None:
    try:
        _push(rows)
    except RedisError as exc:
        log.warning("outbox: redis unavailable, %d row(s) wait for the relay: %s", len(rows), exc)
        db.session.execute(
            update(Outbox).where(Outbox.id.in_([row.id for row in rows]))
            .values(enqueued_at=None, last_error=f"enqueue failed: {exc}"[:500])
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


def _push(rows: list[Outbox] | list[PendingJob]) -> None:
    connection = get_redis()
    with connection.pipeline() as pipe:
        for row in rows:
            get_queue(row.queue, connection).enqueue(
                row.task, kwargs=row.payload, job_id=row.id, result_ttl=300,
                failure_ttl=7 * 24 * 3600, pipeline=pipe,
            )
        pipe.execute()


def rollback() -> None:
    db.session.info.pop(PENDING_KEY, None)
    db.session.rollback()


def _enqueue(rows: list[Outbox]) -> int:
    if not rows:
        return 0
    try:
        _push(rows)
        enqueued = [row.id for row in rows]
    except RedisError as exc:
        log.warning("outbox: redis unavailable, %d row(s) wait for the relay: %s", len(rows), exc)
        db.session.rollback()
        return 0
    db.session.execute(
        update(Outbox)
        .where(Outbox.id.in_(enqueued))
        .values(enqueued_at=utcnow(), attempts=Outbox.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return len(enqueued)


def relay_pending(limit: int = 500) -> int:
    """Enqueue rows whose after-commit enqueue did not happen (Redis was down, process died)."""
    cutoff = utcnow() - RELAY_GRACE
    rows = db.session.scalars(
        select(Outbox)
        .where(Outbox.enqueued_at.is_(None), Outbox.created_at < cutoff, Outbox.attempts < MAX_ATTEMPTS)
        .order_by(Outbox.created_at)
        .limit(limit)
    ).all()
    return _enqueue(list(rows))


def reap_lost(limit: int = 500) -> int:
    """Send back to the relay jobs that were enqueued but are neither finished nor alive in RQ."""
    cutoff = utcnow() - LOST_AFTER
    rows = db.session.scalars(
        select(Outbox)
        .where(Outbox.enqueued_at < cutoff, Outbox.processed_at.is_(None), Outbox.attempts < MAX_ATTEMPTS)
        .limit(limit)
    ).all()
    if not rows:
        return 0
    connection = get_redis()
    lost = []
    for row in rows:
        job = Job.fetch_many([row.id], connection=connection)[0]
        status = job.get_status(refresh=False) if job else None
        if status not in LIVE_STATES:
            lost.append(row.id)
    if lost:
        log.warning("outbox: re-queueing %d lost job(s)", len(lost))
        db.session.execute(
            update(Outbox).where(Outbox.id.in_(lost)).values(enqueued_at=None, last_error="lost; re-queued")
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return len(lost)


def mark_processed(outbox_id: str) -> None:
    db.session.execute(
        update(Outbox).where(Outbox.id == outbox_id, Outbox.processed_at.is_(None))
        .values(processed_at=utcnow()).execution_options(synchronize_session=False)
    )
    db.session.commit()
