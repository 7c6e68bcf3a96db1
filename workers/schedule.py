"""Periodic jobs as data; each has a fixed job id so runs never pile up."""

from __future__ import annotations

from dataclasses import dataclass

from workers.queues import SCHEDULED_QUEUE


@dataclass(frozen=True)
class PeriodicJob:
    job_id: str
    task: str
    every_seconds: int
    queue: str = SCHEDULED_QUEUE
    timeout: int = 120


SCHEDULE: tuple[PeriodicJob, ...] = (
    PeriodicJob("periodic-outbox-relay", "workers.jobs.relay_outbox", 5),
    PeriodicJob("periodic-outbox-reconciler", "workers.jobs.reconcile_outbox", 30),
    PeriodicJob("periodic-sla-sweep", "workers.jobs.sla_sweep", 60),
    PeriodicJob("periodic-shift-handoff", "workers.jobs.shift_handoff", 60),
    PeriodicJob("periodic-presence-sweep", "workers.jobs.presence_sweep", 30),
    PeriodicJob("periodic-webhook-sweep", "workers.jobs.sweep_webhooks", 30),
    PeriodicJob("periodic-api-key-use", "workers.jobs.flush_api_key_use", 60),
    PeriodicJob("periodic-inbound-stale", "workers.jobs.reprocess_stale_inbound", 60),
    # The board is kept from events; this corrects drift (events pushed while Redis was away).
    PeriodicJob("periodic-wallboard-rebuild", "workers.jobs.rebuild_wallboard", 600),
    PeriodicJob("periodic-retention", "workers.jobs.prune_old_records", 3600, timeout=600),
    PeriodicJob("periodic-client-retention", "workers.jobs.apply_client_retention", 3600, timeout=900),
)
