"""Transactional outbox: jobs are written with the change and enqueued after commit.

``add`` puts a row in the caller's transaction; ``commit`` commits and then
hands the new rows to RQ with ``job_id = outbox id``. If Redis is unreachable
the rows simply wait: the periodic relay enqueues them once it is back, and the
reaper re-queues jobs that were enqueued but never finished (worker killed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from redis.exceptions import RedisError
from rq.job import Job, JobStatus
from sqlalchemy import event, select, update

from helpdesk.extensions import db
from helpdesk.platform.db import utcnow
from helpdesk.platform.models import Outbox, new_outbox_id
from helpdesk.platform.sqlite import read_only
from workers.queues import REALTIME_QUEUE, get_queue, get_redis
from workers.runner import LIVENESS_TTL, worker_is_alive

log = logging.getLogger(__name__)
PENDING_KEY = "helpdesk_outbox_ids"
RELAY_GRACE = timedelta(seconds=2)
LOST_AFTER = timedelta(seconds=60)
# Long enough for the reconciler (every 30 s) to see that a job finished.
RESULT_TTL = 600
MAX_ATTEMPTS = 10
LIVE_STATES = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


@dataclass
class PendingJob:
    """What the after-commit enqueue needs to know about an outbox row."""

    id: str
    queue: str
    task: str
    payload: dict[str, Any]
    not_before: datetime | None = None


def expect_after_commit(job: PendingJob) -> None:
    db.session.info.setdefault(PENDING_KEY, []).append(job)


def add(task: str, payload: dict[str, Any], *, client_id: int | None = None,
        queue: str = REALTIME_QUEUE, not_before: datetime | None = None) -> Outbox:
    """Add a job to the caller's transaction.

    The row is stamped enqueued optimistically, so the common path costs no
    second write: if the enqueue after commit fails the stamp is cleared for the
    relay, and if the process dies in between, the reaper finds the job missing.
    """
    row = Outbox(id=new_outbox_id(), task=task, payload=payload, client_id=client_id, queue=queue,
                 enqueued_at=utcnow(), attempts=1, not_before=not_before)
    db.session.add(row)
    expect_after_commit(PendingJob(row.id, queue, task, payload, not_before))
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
    now = utcnow()
    queues = {name: get_queue(name, connection) for name in {row.queue for row in rows}}
    later = [row for row in rows if row.not_before is not None and row.not_before > now]
    # Two pipelines: RQ's immediate enqueue may WATCH keys, which must come before any queued command.
    with connection.pipeline() as pipe:
        for row in rows:
            if row not in later:
                queues[row.queue].enqueue(row.task, pipeline=pipe, **_job_options(row))
        pipe.execute()
    if later:
        with connection.pipeline() as pipe:
            for row in later:  # RQ's scheduler releases each on time
                queues[row.queue].enqueue_at(row.not_before, row.task, pipeline=pipe, **_job_options(row))
            pipe.execute()


def _job_options(row: Outbox | PendingJob) -> dict[str, Any]:
    return {"kwargs": row.payload, "job_id": row.id, "result_ttl": RESULT_TTL, "failure_ttl": 7 * 24 * 3600}


def forget_pending_on_rollback(session_class: type) -> None:
    """Jobs of a rolled-back transaction must never reach RQ: their rows do not exist.

    Listens on the session itself, so every rollback counts (explicit, on error,
    on session close) and a savepoint rollback (nested) does not.
    """
    if not event.contains(session_class, "after_soft_rollback", _forget_pending):
        event.listen(session_class, "after_soft_rollback", _forget_pending)


def _forget_pending(session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(PENDING_KEY, None)


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
    with read_only():  # usually there is nothing to do: do not queue for SQLite's write lock to find out
        rows = db.session.scalars(
            select(Outbox)
            .where(Outbox.enqueued_at.is_(None), Outbox.created_at < cutoff, Outbox.attempts < MAX_ATTEMPTS)
            .order_by(Outbox.created_at)
            .limit(limit)
        ).all()
        db.session.commit()
    return _enqueue(list(rows))


def _orphaned(connection, job: Job, now) -> bool:
    """A started job whose worker stopped refreshing its liveness key (killed mid-job)."""
    started = job.started_at.replace(tzinfo=UTC) if job.started_at and job.started_at.tzinfo is None else job.started_at
    if started is not None and now - started < timedelta(seconds=LIVENESS_TTL):
        return False
    return not worker_is_alive(connection, job.worker_name)


def reconcile(limit: int = 1000) -> dict[str, int]:
    """Settle enqueued rows against what RQ reports (run periodically).

    Finished jobs mark their rows processed, in one write for the whole batch,
    so a job itself writes nothing to the database. Back to the relay go: failed
    jobs; started jobs whose worker stopped refreshing its liveness key (killed
    mid-job); and jobs RQ no longer knows after ``LOST_AFTER`` (Redis lost its
    data, a process died between commit and enqueue). Each retry counts an
    attempt, up to ``MAX_ATTEMPTS``.
    """
    now = utcnow()
    with read_only():
        rows = db.session.scalars(
            select(Outbox)
            .where(Outbox.enqueued_at < now - RELAY_GRACE, Outbox.processed_at.is_(None),
                   Outbox.attempts < MAX_ATTEMPTS)
            .order_by(Outbox.enqueued_at)
            .limit(limit)
        ).all()
        db.session.commit()
    if not rows:
        return {"processed": 0, "requeued": 0}
    connection = get_redis()
    jobs = Job.fetch_many([row.id for row in rows], connection=connection)
    done, lost = [], []
    for row, job in zip(rows, jobs, strict=True):
        status = job.get_status(refresh=False) if job is not None else None
        if status == JobStatus.FINISHED:
            done.append(row.id)
        elif status == JobStatus.STARTED:
            if _orphaned(connection, job, now):
                job.delete()  # its worker died mid-job: run it again
                lost.append(row.id)
        elif status in LIVE_STATES:
            continue
        elif status is not None or row.enqueued_at < now - LOST_AFTER:
            if job is not None:
                job.delete()
            lost.append(row.id)
    if done:
        db.session.execute(update(Outbox).where(Outbox.id.in_(done)).values(processed_at=now)
                           .execution_options(synchronize_session=False))
    if lost:
        log.warning("outbox: re-queueing %d failed or lost job(s)", len(lost))
        db.session.execute(update(Outbox).where(Outbox.id.in_(lost))
                           .values(enqueued_at=None, last_error="failed or lost; re-queued")
                           .execution_options(synchronize_session=False))
    db.session.commit()
    return {"processed": len(done), "requeued": len(lost)}
