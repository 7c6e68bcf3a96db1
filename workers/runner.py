"""Run RQ workers and the scheduler loop around one Flask app built once per process."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import socket
import threading
import time

from flask import Flask
from redis import Redis
from redis.exceptions import LockError, RedisError
from rq import SimpleWorker
from rq.job import Job, JobStatus

from workers.queues import ALL_QUEUES, get_queue
from workers.schedule import SCHEDULE, PeriodicJob

log = logging.getLogger(__name__)
LIVENESS_TTL = 15  # seconds without a refresh before a worker counts as dead
BOOKKEEPING_INTERVAL = 1.0  # seconds between RQ heartbeats / suspension checks outside a job's own pipeline


class AppWorker(SimpleWorker):
    """Runs jobs in-process (no fork per job: pushes leave within milliseconds),
    each inside the app context, with a fresh DB session per job.

    A side thread refreshes a short-lived liveness key while the process lives,
    even during a long job, so the outbox reconciler can tell a job whose worker
    was killed (``kill -9``, OOM, lost host) from one still running.
    """

    def __init__(self, *args, app: Flask, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.app = app
        self._stopped = threading.Event()
        self._last_beat = 0.0
        self._last_suspension_check = 0.0

    # RQ's loop beats up to four times per job (3 round trips each), re-writes the
    # state it already wrote, and asks Redis whether workers are suspended before
    # every job: on short jobs this bookkeeping cost a third of the worker's CPU.
    # A beat or a suspension check less than a second after the last one tells
    # nobody anything new; the worker key's TTL is minutes.

    def heartbeat(self, timeout=None, pipeline=None):
        if pipeline is None and time.monotonic() - self._last_beat < BOOKKEEPING_INTERVAL:
            return
        self._last_beat = time.monotonic()
        super().heartbeat(timeout, pipeline)

    def set_state(self, state, pipeline=None):
        if pipeline is None and state == self.get_state():
            return
        super().set_state(state, pipeline)

    def check_for_suspension(self, burst):
        if time.monotonic() - self._last_suspension_check < BOOKKEEPING_INTERVAL:
            return
        self._last_suspension_check = time.monotonic()
        super().check_for_suspension(burst)

    def perform_job(self, job, queue, execution=None):
        with self.app.app_context():
            return super().perform_job(job, queue, execution)

    def work(self, *args, **kwargs):
        self._stopped.clear()
        threading.Thread(target=self._keep_alive, name="liveness", daemon=True).start()
        try:
            return super().work(*args, **kwargs)
        finally:
            self._stopped.set()
            with contextlib.suppress(RedisError):
                self.connection.delete(liveness_key(self.name))

    def _keep_alive(self) -> None:
        while True:
            with contextlib.suppress(RedisError):
                self.connection.set(liveness_key(self.name), "1", ex=LIVENESS_TTL)
            if self._stopped.wait(LIVENESS_TTL / 3):
                return


def liveness_key(worker_name: str) -> str:
    return f"helpdesk:worker-alive:{worker_name}"


def worker_is_alive(connection: Redis, worker_name: str | None) -> bool:
    return bool(worker_name) and bool(connection.exists(liveness_key(worker_name)))


def build_worker(app: Flask, connection: Redis, queue_names=ALL_QUEUES, name: str | None = None) -> AppWorker:
    queues = [get_queue(q, connection) for q in queue_names]
    return AppWorker(queues, connection=connection, app=app, name=name)


def run_worker(app: Flask, connection: Redis, burst: bool = False, queue_names=ALL_QUEUES) -> bool:
    worker = build_worker(app, connection, queue_names)
    # What start-up built (modules, the app, models) lives as long as the process: moved out of the
    # collector's reach, a full collection no longer walks it. The SLA sweep's batches paid ~150 ms
    # of collections without this.
    gc.collect()
    gc.freeze()
    log.info("worker %s listening on %s", worker.name, ", ".join(q.name for q in worker.queues))
    return worker.work(burst=burst, logging_level=app.config.get("LOG_LEVEL", "INFO"),
                       with_scheduler=True)


def enqueue_periodic(connection: Redis, job: PeriodicJob) -> bool:
    """Enqueue one periodic job unless its previous run is still queued or running."""
    existing = Job.fetch_many([job.job_id], connection=connection)[0]
    if existing is not None and existing.get_status(refresh=False) in (JobStatus.QUEUED, JobStatus.STARTED):
        return False
    get_queue(job.queue, connection).enqueue(
        job.task, job_id=job.job_id, job_timeout=job.timeout, result_ttl=60, failure_ttl=3600,
    )
    return True


SCHEDULER_LOCK = "helpdesk:scheduler:leader"
SCHEDULER_LOCK_TTL = 10  # seconds: a standby scheduler takes over this long after the leader dies


class LeaderLock:
    """One scheduler enqueues at a time, so a second one (on another host, or started by
    mistake) is harmless: it waits and takes over when the leader stops renewing. redis-py's
    Lock compares the token and renews or releases in one script, so a leader whose lock
    expired can never renew or delete its successor's."""

    def __init__(self, connection: Redis, token: str, ttl: int = SCHEDULER_LOCK_TTL) -> None:
        self.token = token
        self._lock = connection.lock(SCHEDULER_LOCK, timeout=ttl, thread_local=False)

    def hold(self) -> bool:
        """Take the lock if free, renew it if ours; False while another scheduler holds it."""
        with contextlib.suppress(LockError):  # ours expired: try to take it like anyone else
            if self._lock.owned():
                self._lock.reacquire()
                return True
        return self._lock.acquire(blocking=False, token=self.token)

    def release(self) -> None:
        with contextlib.suppress(LockError):  # not ours (any more): nothing to free
            self._lock.release()


def run_scheduler(connection: Redis, once: bool = False, tick: float = 1.0, token: str | None = None) -> None:
    stopping = False
    lock = LeaderLock(connection, token or f"{socket.gethostname()}:{os.getpid()}")
    leading: bool | None = None  # unknown until the first try, so either outcome is logged

    def stop(*_):
        nonlocal stopping
        stopping = True

    if not once:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    next_run = {job.job_id: 0.0 for job in SCHEDULE}
    log.info("scheduler started with %d periodic job(s)", len(SCHEDULE))
    while not stopping:
        now = time.monotonic()
        try:
            was_leading, leading = leading, lock.hold()
        except RedisError as exc:
            log.warning("scheduler: redis unavailable (%s); retrying", exc)
            time.sleep(tick)
            continue
        if leading != was_leading:
            log.info("scheduler %s: %s", lock.token, "leading" if leading else "standing by (another holds the lock)")
        if not leading:
            if once:
                return
            time.sleep(tick)
            continue
        for job in SCHEDULE:
            if now < next_run[job.job_id]:
                continue
            try:
                enqueue_periodic(connection, job)
                next_run[job.job_id] = now + job.every_seconds
            except RedisError as exc:
                log.warning("scheduler: redis unavailable (%s); retrying", exc)
                next_run[job.job_id] = now + 2
        if once:
            break
        time.sleep(tick)
    with contextlib.suppress(RedisError):
        lock.release()
