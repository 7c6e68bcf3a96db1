"""Email in: every path (signed HTTP, providers, SMTP, import) ends here.

The raw bytes are committed first, so nothing received is ever lost; then the
message is parsed and filed (``filing``) in a second transaction. A parse failure or an
unexpected error leaves the raw row in the quarantine with its reason, where an
admin can reprocess it; a process that dies in between leaves it "received",
and the periodic ``reprocess_stale`` picks it up.

Filing happens either at once (``receive``: the sender learns the outcome) or
right after, by a worker (``accept``: the sender only needs to know we kept it).
The worker files a client's backlog in arrival order, in batches, one filer per
client at a time, so a reply is never filed before the message it answers."""

from __future__ import annotations

import logging
from datetime import timedelta

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from helpdesk.channels.email.filing import Batch, IngestOptions, IngestResult, settle
from helpdesk.channels.models import InboundRaw
from helpdesk.channels.raw import add_raw
from helpdesk.extensions import db
from helpdesk.platform import outbox
from helpdesk.platform.db import utcnow
from workers.queues import DEFAULT_QUEUE, get_queue, get_redis

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=2)
BACKLOG_TASK = "workers.jobs.file_inbound_backlog"
BACKLOG_BATCH = 200
FILER_LOCK_SECONDS = 120


def receive(client_id: int, raw: bytes, source: str, *, content_type: str = "message/rfc822",
            options: IngestOptions | None = None) -> IngestResult:
    row = add_raw(client_id, raw, source, content_type)
    db.session.commit()  # kept before it is parsed
    return file_batch([row], options)[0]


def accept(client_id: int, raw: bytes, source: str, *, content_type: str = "message/rfc822") -> IngestResult:
    """Keep the bytes and have a worker file them; the answer only says they are safe."""
    row = add_raw(client_id, raw, source, content_type)
    db.session.commit()
    schedule_backlog(client_id)
    return IngestResult("accepted", row.id, reason="kept; it is filed in the background")


def _backlog_flag(client_id: int) -> str:
    return f"helpdesk:inbound-backlog-queued:{client_id}"


def schedule_backlog(client_id: int) -> None:
    """One queued filing job per client at a time: the flag stands until the job starts.

    The "received" rows themselves are the durable record: should Redis be down,
    ``reprocess_stale`` files them later.
    """
    try:
        connection = get_redis()
        if connection.set(_backlog_flag(client_id), "1", nx=True, ex=60):
            get_queue(DEFAULT_QUEUE, connection).enqueue(BACKLOG_TASK, kwargs={"client_id": client_id},
                                                         result_ttl=60, failure_ttl=7 * 24 * 3600)
    except RedisError as exc:
        log.warning("inbound backlog for client %s waits for the sweep (redis): %s", client_id, exc)


def file_backlog(client_id: int, options: IngestOptions | None = None) -> int:
    """File the client's received messages in arrival order; returns how many were filed.

    Only one filer per client runs at once (a Redis lock). A filer rechecks the
    backlog after letting go of the lock, so a message stored while it was
    finishing is never left for the sweep.
    """
    connection = get_redis()
    connection.delete(_backlog_flag(client_id))  # what arrives from now on queues another job
    filed, after = 0, 0  # never the same row twice in one run, whatever became of it
    while _has_backlog(client_id, after):
        lock = connection.lock(f"helpdesk:inbound-filer:{client_id}", timeout=FILER_LOCK_SECONDS)
        if not lock.acquire(blocking=False):
            return filed  # the holder files what is there, and rechecks when done
        try:
            while rows := _backlog(client_id, BACKLOG_BATCH, after):
                after = rows[-1].id
                filed += len(file_batch(rows, options))
                lock.reacquire()
        finally:
            _release(lock)
    return filed


def _backlog(client_id: int, limit: int, after: int = 0) -> list[InboundRaw]:
    return list(db.session.scalars(
        select(InboundRaw).where(InboundRaw.client_id == client_id, InboundRaw.status == "received",
                                 InboundRaw.id > after)
        .order_by(InboundRaw.id).limit(limit)
    ))


def _has_backlog(client_id: int, after: int) -> bool:
    waiting = bool(_backlog(client_id, 1, after))
    db.session.rollback()  # only a look: do not hold a snapshot or SQLite's lock
    return waiting


def _release(lock) -> None:
    try:
        lock.release()
    except RedisError as exc:  # expired (a very slow batch) or Redis gone: the lock frees itself
        log.warning("inbound filer lock: %s", exc)


def process(raw_id: int, options: IngestOptions | None = None) -> IngestResult:
    """File one stored raw message in a transaction of its own; safe to call again."""
    row = db.session.get(InboundRaw, raw_id)
    if row is None:
        raise LookupError(f"inbound_raw {raw_id} not found")
    return file_batch([row], options)[0]


def file_batch(rows: list[InboundRaw], options: IngestOptions | None = None) -> list[IngestResult]:
    """File stored raw messages of one client, in order, in one transaction.

    Should the batch fail as a whole (a concurrent delivery of one of its messages, a
    bug), it is rolled back and each message is filed alone: one bad message never
    holds the others back, and a failing one is quarantined with its reason.
    """
    options = options or IngestOptions()
    ids = [row.id for row in rows]
    try:
        return Batch(rows, options).file()
    except Exception as exc:  # noqa: BLE001 - keep every message, say why, let an admin retry
        db.session.rollback()
        if len(ids) > 1:
            return [file_batch([db.session.get(InboundRaw, raw_id)], options)[0] for raw_id in ids]
        row = db.session.get(InboundRaw, ids[0])
        if isinstance(exc, IntegrityError):
            result = settle(row, "duplicate", reason="delivered concurrently")
        else:
            log.exception("email ingest failed for inbound_raw %s", ids[0])
            result = settle(row, "quarantined", reason=f"processing failed: {type(exc).__name__}: {exc}"[:1000])
        outbox.commit()
        return [result]


def reprocess_stale() -> int:
    """Raw messages left "received" by a process that died between storing and filing them."""
    cutoff = utcnow() - STALE_AFTER
    stale = db.session.execute(
        select(InboundRaw.id, InboundRaw.client_id).where(InboundRaw.status == "received",
                                                          InboundRaw.received_at < cutoff)
        .order_by(InboundRaw.id).limit(500)
    ).all()
    db.session.rollback()
    for client_id in dict.fromkeys(row.client_id for row in stale if row.client_id is not None):
        file_backlog(client_id)
    for row in stale:
        if row.client_id is None:
            process(row.id)
    return len(stale)


def quarantined(limit: int = 100) -> list[InboundRaw]:
    return list(db.session.scalars(
        select(InboundRaw).where(InboundRaw.status.in_(("quarantined", "rate_limited")))
        .order_by(InboundRaw.id.desc()).limit(limit)
    ))
