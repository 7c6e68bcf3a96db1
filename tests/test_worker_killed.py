"""A worker killed with kill -9 in the middle of a job loses nothing: the job runs again, well within 90 s."""

from __future__ import annotations

import signal
import sys
import time

import pytest

from helpdesk.extensions import db
from helpdesk.platform import outbox
from tests.processes import Proc, process_env
from workers.queues import DEFAULT_QUEUE

pytestmark = pytest.mark.slow


def _wait_for(path, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.1)
    return False


def test_job_of_a_killed_worker_is_run_again_within_90_seconds(app, database_url, redis_url, tmp_path):
    flag, done = tmp_path / "started", tmp_path / "done"
    outbox.add("tests.slow_jobs.stall_first_time", {"flag_path": str(flag), "done_path": str(done)},
               queue=DEFAULT_QUEUE)
    outbox.commit()
    db.session.remove()
    env = process_env(database_url, redis_url, tmp_path / "instance")
    worker = [sys.executable, "-m", "workers"]
    first = Proc(worker, env, tmp_path / "first.log")
    # The real scheduler runs the periodic reconciler (30 s) and relay (5 s).
    scheduler = Proc([sys.executable, "-m", "flask", "--app", "helpdesk", "helpdesk", "scheduler"], env,
                     tmp_path / "scheduler.log")
    second = None
    try:
        assert _wait_for(flag, 30), first.output()
        first.kill_group(signal.SIGKILL)   # the worker and its RQ scheduler process, mid-job
        killed_at = time.monotonic()
        second = Proc(worker, env, tmp_path / "second.log")
        assert _wait_for(done, 90), f"job not rerun within 90 s\n{second.output()}\n{scheduler.output()}"
        elapsed = time.monotonic() - killed_at
        assert elapsed < 90
    finally:
        for proc in (second, scheduler, first):
            if proc is not None:
                proc.stop()
    assert "Traceback" not in second.output()
