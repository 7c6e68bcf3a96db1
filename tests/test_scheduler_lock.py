"""Two schedulers (as on two hosts): one leads, the other stands by and takes over when the
leader dies, so starting a second scheduler never enqueues the periodic jobs twice."""

from __future__ import annotations

import sys
import time

from tests.processes import Proc, process_env
from workers.queues import get_queue
from workers.runner import SCHEDULER_LOCK, SCHEDULER_LOCK_TTL
from workers.schedule import SCHEDULE


def _scheduler(env: dict, log) -> Proc:
    return Proc([sys.executable, "-m", "flask", "--app", "helpdesk", "helpdesk", "scheduler"], env, log)


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_second_scheduler_stands_by_and_takes_over(app, redis, database_url, redis_url, tmp_path):
    env = process_env(database_url, redis_url, tmp_path / "instance", LOG_LEVEL="INFO")
    first = _scheduler(env, tmp_path / "first.log")
    try:
        leader_token = _wait_for(lambda: redis.get(SCHEDULER_LOCK), 30, "the first scheduler to lead")
        assert leader_token.decode().endswith(f":{first.popen.pid}")
        second = _scheduler(env, tmp_path / "second.log")
        try:
            _wait_for(lambda: "standing by" in second.output(), 30, "the second scheduler to stand by")
            # Only the leader enqueued: each periodic job is queued once.
            for job in SCHEDULE:
                ids = get_queue(job.queue, redis).get_job_ids()
                assert ids.count(job.job_id) <= 1
            assert redis.get(SCHEDULER_LOCK) == leader_token

            first.kill_group()  # the leader's host dies: its lock is left to expire
            killed_at = time.monotonic()
            new_token = _wait_for(lambda: (t := redis.get(SCHEDULER_LOCK)) and t != leader_token and t,
                                  SCHEDULER_LOCK_TTL + 10, "the standby to take over")
            assert new_token.decode().endswith(f":{second.popen.pid}")
            assert time.monotonic() - killed_at <= SCHEDULER_LOCK_TTL + 3
            _wait_for(lambda: "leading" in second.output(), 5, "the standby to say it leads")
        finally:
            second.stop()
        # A leader that stops cleanly frees the lock at once.
        assert redis.get(SCHEDULER_LOCK) is None
    finally:
        first.stop()
