"""Thin RQ jobs: take IDs, run one service call inside the worker's app context.

Jobs run at least once (RQ redelivers, the reaper re-queues), so each one is
safe to run twice. The worker pushes the app context (workers.runner).
"""

from __future__ import annotations

import logging
from functools import wraps

from rq import get_current_job

from helpdesk.extensions import db
from helpdesk.models import Event
from helpdesk.realtime import publish_event as push_event
from helpdesk.services import outbox

log = logging.getLogger(__name__)


def from_outbox(job_fn):
    """Mark the outbox row (job id = outbox id) processed once the job body succeeded."""

    @wraps(job_fn)
    def run(**kwargs):
        result = job_fn(**kwargs)
        job = get_current_job()
        if job is not None:
            outbox.mark_processed(job.id)
        return result

    return run


@from_outbox
def publish_event(event_id: int) -> list[str] | None:
    event = db.session.get(Event, event_id)
    if event is None:
        log.warning("publish_event: event %s not found", event_id)
        return None
    return push_event(event)


def relay_outbox() -> int:
    return outbox.relay_pending()


def reap_lost_jobs() -> int:
    return outbox.reap_lost()
